"""What each kind of notice needs in its context, checked when a notice is queued.

Context values are JSON: dates as ISO strings (``date`` objects are converted on queueing),
reasons as ``[{"code": ..., "message": ...}]``. Every kind also accepts ``plan_phone`` (the one
member phone number; the program's number is used when it is empty) and
``application_reference``. Kinds with a member ID card also accept the card's facts
(``CARD_CONTEXT``): the plan's own member ID, its TTY and the pharmacy billing numbers.
"""

import datetime
from typing import Any

from notices.models import NoticeKind

REQUIRED_CONTEXT: dict[str, tuple[str, ...]] = {
    NoticeKind.APPLICATION_RECEIVED: ("received_date",),
    NoticeKind.INFO_REQUESTED: ("staff_note",),
    NoticeKind.ENROLLMENT_CONFIRMATION: (
        "plan_name",
        "medi_cal_plan_name",
        "effective_date",
        "mbi",
    ),
    NoticeKind.DENIAL: ("reasons",),
    NoticeKind.DISENROLLMENT_CONFIRMATION: ("plan_name", "end_date"),
    NoticeKind.PLAN_SWITCH_CONFIRMATION: (
        "old_plan_name",
        "old_plan_end_date",
        "new_plan_name",
        "new_plan_start_date",
    ),
    NoticeKind.COUNTY_TRANSITION_60: ("county_name", "availability_date"),
    NoticeKind.COUNTY_TRANSITION_30: ("county_name", "availability_date"),
    NoticeKind.ID_CARD: ("plan_name", "medi_cal_plan_name", "effective_date", "mbi"),
    NoticeKind.DEEMING_PERIOD: ("plan_name", "first_month_without", "deeming_until"),
    NoticeKind.INVOLUNTARY_DISENROLLMENT: ("plan_name", "end_date", "reason"),
    NoticeKind.PLAN_TRANSFER_60: ("old_plan_name", "new_plan_name", "effective_date"),
    NoticeKind.PLAN_TRANSFER_30: ("old_plan_name", "new_plan_name", "effective_date"),
    NoticeKind.MEDICARE_REJECTION: ("plan_name", "transaction", "reply_code"),
    NoticeKind.APPEAL_ACKNOWLEDGMENT: ("case_kind", "case_number", "received_date", "due_date"),
    NoticeKind.APPEAL_RESOLUTION: ("case_kind", "case_number", "outcome", "resolved_date"),
    NoticeKind.CARE_PLAN: ("revision", "shared_date", "items"),
    NoticeKind.CONTINUITY_ENDING: ("provider_name", "valid_until"),
    NoticeKind.APPEAL_EXTENSION: ("case_kind", "case_number", "requested_by", "due_date"),
    NoticeKind.APPEAL_EXPEDITE_DENIED: ("case_kind", "case_number", "received_date", "due_date"),
}

# What the member ID card prints besides the plan and dates; each is "unknown" when empty.
CARD_CONTEXT = ("member_id", "plan_tty", "rx_bin", "rx_pcn", "rx_group")

OPTIONAL_CONTEXT: dict[str, tuple[str, ...]] = {
    NoticeKind.APPLICATION_RECEIVED: ("plan_name", "expected_effective_date"),
    NoticeKind.INFO_REQUESTED: ("plan_name", "respond_by"),
    NoticeKind.ENROLLMENT_CONFIRMATION: (
        "contract_id",
        "previous_medi_cal_plan_name",
        *CARD_CONTEXT,
    ),
    NoticeKind.DENIAL: ("plan_name", "decision_date", "appeal_days"),
    NoticeKind.DISENROLLMENT_CONFIRMATION: ("medi_cal_plan_name", "cancelled", "start_date"),
    NoticeKind.PLAN_SWITCH_CONFIRMATION: (
        "new_medi_cal_plan_name",
        "mbi",
        "contract_id",
        *CARD_CONTEXT,
    ),
    NoticeKind.COUNTY_TRANSITION_60: ("plans",),
    NoticeKind.COUNTY_TRANSITION_30: ("plans",),
    NoticeKind.ID_CARD: ("contract_id", *CARD_CONTEXT),
    NoticeKind.DEEMING_PERIOD: ("medi_cal_plan_name",),
    NoticeKind.INVOLUNTARY_DISENROLLMENT: ("medi_cal_plan_name", "county_name", "plans"),
    NoticeKind.PLAN_TRANSFER_60: ("new_medi_cal_plan_name", "old_plan_end_date", "late"),
    NoticeKind.PLAN_TRANSFER_30: ("new_medi_cal_plan_name", "old_plan_end_date", "late"),
    NoticeKind.MEDICARE_REJECTION: (
        "reply_text",
        "start_date",
        "end_date",
        "old_plan_name",
        "medi_cal_plan_name",
    ),
    NoticeKind.APPEAL_ACKNOWLEDGMENT: ("plan_name", "expedited", "due_time"),
    NoticeKind.APPEAL_RESOLUTION: ("plan_name", "note", "expedited"),
    NoticeKind.CARE_PLAN: ("plan_name", "summary", "coordinator_name"),
    NoticeKind.CONTINUITY_ENDING: ("plan_name", "specialty", "coordinator_name"),
    NoticeKind.APPEAL_EXTENSION: ("plan_name", "reason", "days", "previous_due_date", "expedited"),
    NoticeKind.APPEAL_EXPEDITE_DENIED: ("plan_name", "reason"),
}

# A care plan letter's ``items``: each ``{"kind", "description", "target_date", "owner"}``, its
# ``kind`` one of these and its ``owner`` who does it: ``{"type": "member"}`` (the member),
# ``{"type": "coordinator"}`` or ``{"type": "team", "name": ..., "organization": ...}``.
CARE_PLAN_ITEM_KINDS = frozenset({"goal", "intervention", "service"})
CARE_PLAN_OWNER_TYPES = frozenset({"member", "coordinator", "team"})

# What an appeal or grievance letter is about, and how it ended (``case_kind``, ``outcome``).
APPEAL_CASE_KINDS = frozenset({"grievance", "appeal"})
APPEAL_OUTCOMES = frozenset({"favorable", "adverse"})
# Who asked for an appeal or grievance's extension (``requested_by``).
APPEAL_EXTENSION_REQUESTERS = frozenset({"member", "plan"})

# What a Medicare rejection letter is about (its ``transaction``): each has its own words.
MEDICARE_TRANSACTIONS = frozenset({"enrollment", "plan_switch", "disenrollment"})

# Why an involuntary disenrollment letter is sent (its ``reason``): each has its own paragraph.
INVOLUNTARY_REASONS = frozenset({"medicare_ended", "moved", "incarcerated", "deeming_ended"})

DATE_KEYS = frozenset(
    {
        "received_date",
        "expected_effective_date",
        "respond_by",
        "effective_date",
        "decision_date",
        "end_date",
        "old_plan_end_date",
        "new_plan_start_date",
        "availability_date",
        "first_month_without",
        "deeming_until",
        "start_date",
        "due_date",
        "resolved_date",
        "shared_date",
        "valid_until",
        "previous_due_date",
    }
)

# Kinds that come with a member ID card (plan switch only when the context has the MBI).
CARD_KINDS = frozenset(
    {
        NoticeKind.ENROLLMENT_CONFIRMATION,
        NoticeKind.PLAN_SWITCH_CONFIRMATION,
        NoticeKind.ID_CARD,
    }
)


class InvalidNotice(ValueError):
    """A caller asked for a notice that cannot be written (unknown kind, missing context)."""


class ResendRefused(InvalidNotice):
    """The letter cannot be sent again now: it is not sent yet, or a copy is on its way.

    ``status`` is the status of whichever row is still on its way.
    """

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


def jsonable(value: Any) -> Any:
    """Return ``value`` with dates and datetimes turned into ISO strings, recursively."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def context_check(kind: str, context: dict[str, Any]) -> None:
    """Raise ``InvalidNotice`` unless ``context`` has what a ``kind`` letter needs."""
    if kind not in REQUIRED_CONTEXT:
        raise InvalidNotice(f"unknown notice kind {kind!r}")
    missing = [key for key in REQUIRED_CONTEXT[kind] if context.get(key) in (None, "", [])]
    if missing:
        raise InvalidNotice(f"{kind} notice needs context keys: {', '.join(missing)}")
    for key in DATE_KEYS & context.keys():
        if context[key] in (None, ""):
            continue
        try:
            datetime.date.fromisoformat(str(context[key])[:10])
        except ValueError as exc:
            raise InvalidNotice(f"context {key} must be an ISO date") from exc
    if kind == NoticeKind.DENIAL:
        reasons = context["reasons"]
        if not isinstance(reasons, list) or not all(
            isinstance(r, dict) and (r.get("code") or r.get("message")) for r in reasons
        ):
            raise InvalidNotice("denial reasons must be a list of {code, message}")
    if (
        kind == NoticeKind.INVOLUNTARY_DISENROLLMENT
        and context["reason"] not in INVOLUNTARY_REASONS
    ):
        raise InvalidNotice(f"reason must be one of {', '.join(sorted(INVOLUNTARY_REASONS))}")
    if (
        kind == NoticeKind.MEDICARE_REJECTION
        and context["transaction"] not in MEDICARE_TRANSACTIONS
    ):
        raise InvalidNotice(
            f"transaction must be one of {', '.join(sorted(MEDICARE_TRANSACTIONS))}"
        )
    if kind in (
        NoticeKind.APPEAL_ACKNOWLEDGMENT,
        NoticeKind.APPEAL_RESOLUTION,
        NoticeKind.APPEAL_EXTENSION,
        NoticeKind.APPEAL_EXPEDITE_DENIED,
    ):
        if context["case_kind"] not in APPEAL_CASE_KINDS:
            raise InvalidNotice("case_kind must be grievance or appeal")
        if kind == NoticeKind.APPEAL_RESOLUTION and context["outcome"] not in APPEAL_OUTCOMES:
            raise InvalidNotice("outcome must be favorable or adverse")
        if (
            kind == NoticeKind.APPEAL_EXTENSION
            and context["requested_by"] not in APPEAL_EXTENSION_REQUESTERS
        ):
            raise InvalidNotice("requested_by must be member or plan")
    if kind == NoticeKind.CARE_PLAN:
        _care_plan_items_check(context["items"])
    plans = context.get("plans")
    if plans is not None and not (
        isinstance(plans, list) and all(isinstance(p, dict) and p.get("name") for p in plans)
    ):
        raise InvalidNotice("plans must be a list of {name, medi_cal_plan_name, phone}")


def _care_plan_items_check(items: Any) -> None:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidNotice("care plan items must be a list of {kind, description, ...}")
    for item in items:
        owner = item.get("owner") or {}
        if (
            item.get("kind") not in CARE_PLAN_ITEM_KINDS
            or not item.get("description")
            or not isinstance(owner, dict)
            or owner.get("type") not in CARE_PLAN_OWNER_TYPES
        ):
            raise InvalidNotice(
                "each care plan item needs a kind (goal, intervention, service), a description "
                "and an owner of type member, coordinator or team"
            )
        try:
            datetime.date.fromisoformat(str(item.get("target_date") or "")[:10])
        except ValueError as exc:
            raise InvalidNotice("each care plan item needs an ISO target_date") from exc
