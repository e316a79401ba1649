"""``GET /api/v1/reconciliation?plan=&month=``, the staff page ``/staff/reconciliation/`` and the
import's report: what staff, other organizations' staff, members and admins get."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuditEvent
from eligibility.models import Beneficiary, MediCalPlan, Organization
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, StaffFactory, UserFactory
from tests.interchange.test_import_csv import run, write
from tests.interchange.test_reconciliation import member, row_of  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def plan_id(code: str) -> int:
    return MediCalPlan.objects.get(state_code=code).pk


@pytest.fixture
def imported(tmp_path: Path, member: Beneficiary) -> dict[str, Any]:  # noqa: F811
    """January's file shows the member (CareAdvantage, Health Plan of San Mateo) in CalOptima."""
    return run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="MC-CALOPTIMA")]))


def client_for(user: Any) -> Client:
    return login_verified(Client(), user)


def test_staff_get_their_plans_discrepancies_paged_and_the_read_is_audited(
    imported: dict[str, Any],
    member: Beneficiary,  # noqa: F811
) -> None:
    staff = StaffFactory()  # Health Plan of San Mateo
    response = client_for(staff).get(
        "/api/v1/reconciliation", {"plan": plan_id("MC-HPSM"), "month": "2027-01"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["kind"] == "recon_not_at_state" and row["month"] == "2027-01"
    assert (row["beneficiary"], row["cin"]) == (member.pk, member.cin)
    assert (row["state_plan"], row["state_plan_name"]) == (
        plan_id("MC-CALOPTIMA"),
        "CalOptima Health",
    )
    assert (row["portal_start"], row["state_start"]) == ("2025-02-01", "2020-01-01")
    assert row["review_status"] == "open" and row["eligibility_import"] == imported["id"]
    event = AuditEvent.objects.get(object_type="reconciliation_list")
    assert event.detail["ids"] == [row["id"]] and event.detail["beneficiaries"] == [member.pk]


def test_another_organizations_plan_is_not_found_and_their_own_shows_the_other_side(
    imported: dict[str, Any],
) -> None:
    other = client_for(StaffFactory(organization=Organization.objects.get(code="caloptima")))

    hidden = other.get("/api/v1/reconciliation", {"plan": plan_id("MC-HPSM"), "month": "2027-01"})
    theirs = other.get(
        "/api/v1/reconciliation", {"plan": plan_id("MC-CALOPTIMA"), "month": "2027-01"}
    )

    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    assert [r["kind"] for r in theirs.json()["results"]] == ["recon_not_here"]


def test_members_are_refused_and_anonymous_callers_asked_to_sign_in(
    imported: dict[str, Any],
) -> None:
    query = {"plan": plan_id("MC-HPSM"), "month": "2027-01"}
    assert client_for(UserFactory()).get("/api/v1/reconciliation", query).status_code == 403
    assert Client().get("/api/v1/reconciliation", query).status_code == 401


def test_a_missing_or_malformed_plan_or_month_is_a_400_keyed_by_each_field() -> None:
    admin = client_for(AdminFactory())

    missing = admin.get("/api/v1/reconciliation")
    malformed = admin.get("/api/v1/reconciliation", {"plan": "x", "month": "2027-13"})

    assert missing.status_code == malformed.status_code == 400
    assert set(missing.json()) == set(malformed.json()) == {"plan", "month"}
    assert (
        admin.get("/api/v1/reconciliation", {"plan": 999999, "month": "2027-01"}).status_code == 404
    )


def test_admins_see_every_plan(imported: dict[str, Any]) -> None:
    admin = client_for(AdminFactory())
    for code in ("MC-HPSM", "MC-CALOPTIMA"):
        response = admin.get("/api/v1/reconciliation", {"plan": plan_id(code), "month": "2027-01"})
        assert response.json()["count"] == 1


def test_the_import_report_in_the_api_carries_the_reconciliation_counts(
    imported: dict[str, Any],
) -> None:
    admin = client_for(AdminFactory())

    report = admin.get(f"/api/v1/imports/{imported['id']}").json()
    listed = admin.get("/api/v1/imports").json()["results"][0]

    expected = {
        "recon_not_at_state": 1,
        "recon_not_here": 1,
        "recon_start_differs": 0,
        "review_items_opened": 2,
        "review_items_closed": 0,
    }
    assert report["reconciliation"] == listed["reconciliation"] == expected


def test_the_admin_import_page_shows_the_reconciliation_counts(imported: dict[str, Any]) -> None:
    page = client_for(AdminFactory()).get(
        f"/admin/interchange/eligibilityimport/{imported['id']}/report/"
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert "Reconciliation with the enrollments here" in text
    assert "Review items opened" in text


def test_the_staff_page_lists_the_plans_discrepancies_with_a_link_to_each_item(
    imported: dict[str, Any],
    member: Beneficiary,  # noqa: F811
) -> None:
    staff = client_for(StaffFactory())
    page = staff.get("/staff/reconciliation/", {"plan": plan_id("MC-HPSM"), "month": "2027-01"})

    assert page.status_code == 200
    text = page.content.decode()
    assert member.cin in text and "CalOptima Health" in text
    assert "/staff/reviews/" in text
    assert "Review items still open" in text


def test_the_staff_page_reports_a_bad_month_on_its_field_and_refuses_members() -> None:
    staff = client_for(StaffFactory())

    page = staff.get("/staff/reconciliation/", {"plan": plan_id("MC-HPSM"), "month": "January"})
    empty = staff.get("/staff/reconciliation/")

    assert page.status_code == 200
    assert "Please fix these choices" in page.content.decode()
    assert "A month is written YYYY-MM" in page.content.decode()
    assert empty.status_code == 200 and "Please fix" not in empty.content.decode()
    assert client_for(UserFactory()).get("/staff/reconciliation/").status_code == 403


def test_the_review_item_page_says_what_the_state_and_the_portal_show_in_words(
    imported: dict[str, Any],
) -> None:
    from enrollment.models import ReviewItem

    item = ReviewItem.objects.get(kind="recon_not_at_state")
    page = client_for(StaffFactory()).get(f"/staff/reviews/{item.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "the state&#x27;s file does not show the member&#x27;s aligned Medi-Cal plan" in text
    assert "Medi-Cal plan concerned" in text and "Health Plan of San Mateo" in text
    assert "Medi-Cal plan in the file" in text and "CalOptima Health" in text
    assert "Enrollment start here" in text and "February 1, 2025" in text
