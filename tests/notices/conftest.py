"""Fixtures for the notices engine: synthetic people only, never real PHI."""

import copy
from typing import Any

import pytest

# A synthetic MBI in the CMS format (domain.md section 8), as printed on a card.
MBI = "1EG4-TE5-MK73"

RECIPIENT: dict[str, Any] = {
    "name": "Rosa Example",
    "email": "rosa@example.org",
    "address": ["100 Test Street", "San Mateo, CA 94401"],
    "language": "en",
    "format": "standard",
}

CONTEXTS: dict[str, dict[str, Any]] = {
    "application_received": {
        "received_date": "2026-11-05",
        "plan_name": "CareAdvantage",
        "application_reference": "A-1001",
        "plan_phone": "1-866-555-0142",
    },
    "info_requested": {
        "staff_note": "Please send a copy of a document that shows your home address.",
        "respond_by": "2026-12-07",
        "plan_name": "CareAdvantage",
    },
    "enrollment_confirmation": {
        "plan_name": "CareAdvantage",
        "medi_cal_plan_name": "Health Plan of San Mateo",
        "effective_date": "2026-12-01",
        "plan_phone": "1-866-555-0142",
        "mbi": MBI,
        "contract_id": "H5428-001",
    },
    "denial": {
        "plan_name": "CareAdvantage",
        "reasons": [
            {"code": "NO_MEDICARE_PART_B", "message": "You need Medicare Part B."},
            {"code": "UNMET_SHARE_OF_COST", "message": "Share of cost not met."},
        ],
        "decision_date": "2026-11-20",
    },
    "disenrollment_confirmation": {
        "plan_name": "CareAdvantage",
        "end_date": "2026-12-31",
        "medi_cal_plan_name": "Health Plan of San Mateo",
    },
    "plan_switch_confirmation": {
        "old_plan_name": "L.A. Care Medicare Plus",
        "old_plan_end_date": "2026-12-31",
        "new_plan_name": "Wellcare by Health Net",
        "new_plan_start_date": "2027-01-01",
        "new_medi_cal_plan_name": "Health Net Community Solutions",
        "mbi": MBI,
    },
    "county_transition_60": {
        "county_name": "Kern",
        "availability_date": "2027-01-01",
        "plans": [{"name": "Example Medi-Medi Plan", "medi_cal_plan_name": "Example Medi-Cal"}],
    },
    "county_transition_30": {"county_name": "Kern", "availability_date": "2027-01-01"},
    "plan_transfer_60": {
        "old_plan_name": "Health Net Cal MediConnect plan (2022)",
        "old_plan_end_date": "2022-12-31",
        "new_plan_name": "Wellcare by Health Net",
        "new_medi_cal_plan_name": "Health Net Community Solutions",
        "effective_date": "2023-01-01",
    },
    "plan_transfer_30": {
        "old_plan_name": "Wellcare by Health Net",
        "new_plan_name": "Molina Healthcare Medi-Medi Plan",
        "effective_date": "2024-01-01",
        "late": True,
    },
    "deeming_period": {
        "plan_name": "CareAdvantage",
        "first_month_without": "2027-02-01",
        "deeming_until": "2027-05-31",
        "medi_cal_plan_name": "Health Plan of San Mateo",
    },
    "involuntary_disenrollment": {
        "plan_name": "CareAdvantage",
        "end_date": "2026-12-31",
        "reason": "moved",
        "county_name": "Kern",
        "plans": [{"name": "Example Medi-Medi Plan", "medi_cal_plan_name": "Example Medi-Cal"}],
    },
    "appeal_acknowledgment": {
        "case_kind": "grievance",
        "case_number": "G-0000042",
        "received_date": "2026-11-20",
        "due_date": "2026-11-21",
        "due_time": "14:30",
        "expedited": True,
        "plan_name": "CareAdvantage",
        "plan_phone": "1-866-555-0142",
    },
    "appeal_resolution": {
        "case_kind": "appeal",
        "case_number": "A-0000043",
        "outcome": "adverse",
        "resolved_date": "2026-12-01",
        "note": "The service is not medically necessary.",
        "plan_name": "CareAdvantage",
    },
    "appeal_extension": {
        "case_kind": "appeal",
        "case_number": "A-0000044",
        "requested_by": "plan",
        "due_date": "2026-12-15",
        "previous_due_date": "2026-12-01",
        "days": 14,
        "reason": "We asked your doctor for your records.",
        "plan_name": "CareAdvantage",
        "plan_phone": "1-866-555-0142",
    },
    "appeal_expedite_denied": {
        "case_kind": "appeal",
        "case_number": "A-0000045",
        "received_date": "2026-11-20",
        "due_date": "2026-12-20",
        "reason": "Waiting the standard time does not put your health at serious risk.",
        "plan_name": "CareAdvantage",
        "plan_phone": "1-866-555-0142",
    },
    "medicare_rejection": {
        "plan_name": "CareAdvantage",
        "transaction": "enrollment",
        "reply_code": "106",
        "reply_text": "Another enrollment with a later application date was received.",
        "start_date": "2027-01-01",
        "medi_cal_plan_name": "Health Plan of San Mateo",
        "plan_phone": "1-866-555-0142",
    },
    "care_plan": {
        "revision": 2,
        "shared_date": "2026-11-20",
        "plan_name": "CareAdvantage",
        "plan_phone": "1-866-555-0142",
        "coordinator_name": "Ana Coordinator",
        "summary": "Fewer hospital stays and help at home.",
        "items": [
            {
                "kind": "goal",
                "description": "Keep blood sugar in range",
                "target_date": "2027-03-01",
                "owner": {"type": "member"},
            },
            {
                "kind": "intervention",
                "description": "Call after each hospital stay",
                "target_date": "2026-12-15",
                "owner": {"type": "coordinator"},
            },
            {
                "kind": "service",
                "description": "Reassess In-Home Supportive Services hours",
                "target_date": "2027-01-10",
                "owner": {"type": "team", "name": "Ana Ruiz", "organization": "County IHSS"},
            },
        ],
    },
    "continuity_ending": {
        "provider_name": "Dr. Elena Ortiz",
        "specialty": "Cardiology",
        "valid_until": "2027-01-31",
        "plan_name": "CareAdvantage",
        "plan_phone": "1-866-555-0142",
    },
    "id_card": {
        "plan_name": "CareAdvantage",
        "medi_cal_plan_name": "Health Plan of San Mateo",
        "effective_date": "2026-12-01",
        "mbi": MBI,
    },
}


@pytest.fixture(autouse=True)
def _tasks_in_process(request: pytest.FixtureRequest) -> None:
    """Run tasks in process, even on CI's Redis run, except in tests of the real worker."""
    if not request.node.get_closest_marker("redis"):
        request.getfixturevalue("tasks_in_process")


@pytest.fixture
def recipient() -> dict[str, Any]:
    return copy.deepcopy(RECIPIENT)


def context_for(kind: str) -> dict[str, Any]:
    return copy.deepcopy(CONTEXTS.get(kind, {}))
