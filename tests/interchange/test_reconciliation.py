"""Reconciliation: after each import, the state's Medi-Cal plan per person against the enrollments
here. Each kind of discrepancy is found from a real imported file; each opens a review item for
the plan's organization once, a later file that agrees closes it, and the report counts them.

These run on SQLite and, in CI, on PostgreSQL (the same set-based SQL).
"""

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accounts.errors import Forbidden, NotFound
from accounts.models import AuditEvent
from eligibility.models import Beneficiary, MediCalPlan, Organization
from enrollment.models import Enrollment, ReviewItem
from interchange.models import EligibilityImport, ReconciliationDiscrepancy
from interchange.reconciliation import reconciliation_view
from interchange.selectors import import_report_build
from tests.enrollment.conftest import enrolled_member
from tests.factories import AdminFactory, StaffFactory, UserFactory
from tests.interchange.test_import_csv import person, run, write

pytestmark = pytest.mark.django_db

JAN = date(2027, 1, 1)
FEB = date(2027, 2, 1)
KIND_KEYS = ("recon_not_at_state", "recon_not_here", "recon_start_differs")


def row_of(beneficiary: Beneficiary, month: str = "2027-01", **overrides: str) -> dict[str, str]:
    """The state's record of an enrolled member as it stands (San Mateo, Health Plan of San
    Mateo's Medi-Cal plan, full Medi-Cal since 2020), with ``overrides``."""
    values = {
        "file_month": month,
        "cin": beneficiary.cin,
        "mbi": beneficiary.mbi,
        "last_name": beneficiary.last_name,
        "first_name": beneficiary.first_name,
        "date_of_birth": beneficiary.date_of_birth.isoformat(),
        "address_line1": beneficiary.address_line1,
        "city": "San Mateo",
        "zip": "94401",
        "county_fips": "06081",
        "medicare_part_a_start": "2020-01-01",
        "medicare_part_b_start": "2020-01-01",
        "medi_cal_start": "2020-01-01",
        "medi_cal_plan_code": "MC-HPSM",
    }
    return person(0, **{**values, **overrides})


@pytest.fixture
def member(django_capture_on_commit_callbacks: Any) -> Beneficiary:
    """A member of CareAdvantage (Health Plan of San Mateo) since February 2025, with the
    aligned Medi-Cal plan enrollment in Health Plan of San Mateo."""
    return enrolled_member(django_capture_on_commit_callbacks).beneficiary


def hpsm() -> MediCalPlan:
    return MediCalPlan.objects.get(state_code="MC-HPSM")


def caloptima() -> MediCalPlan:
    return MediCalPlan.objects.get(state_code="MC-CALOPTIMA")


def aligned(member: Beneficiary) -> Enrollment:
    return Enrollment.objects.get(beneficiary=member, kind="medi_cal", aligned_with__isnull=False)


def reviews(kind: str) -> list[ReviewItem]:
    return list(ReviewItem.objects.filter(kind=kind).order_by("id"))


def test_a_file_that_agrees_with_the_enrollments_finds_nothing(
    tmp_path: Path, member: Beneficiary
) -> None:
    report = run(write(tmp_path / "jan.csv", [row_of(member), person(1)]))

    assert report["reconciliation"] == {
        **dict.fromkeys(KIND_KEYS, 0),
        "review_items_opened": 0,
        "review_items_closed": 0,
    }
    assert not ReconciliationDiscrepancy.objects.exists()
    # Person 1, in no Medi-Medi Plan, was moved into the file's plan by the merge: no discrepancy.
    assert Enrollment.objects.filter(
        beneficiary__cin=person(1)["cin"], medi_cal_plan=caloptima()
    ).exists()


def test_a_member_the_state_shows_in_no_plan_is_not_at_the_state(
    tmp_path: Path, member: Beneficiary
) -> None:
    report = run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="")]))

    assert report["reconciliation"]["recon_not_at_state"] == 1
    assert report["reconciliation"]["review_items_opened"] == 1
    found = ReconciliationDiscrepancy.objects.get()
    assert (found.kind, found.month, found.medi_cal_plan, found.state_plan) == (
        "recon_not_at_state",
        JAN,
        hpsm(),
        None,
    )
    assert found.organization == Organization.objects.get(code="hpsm")
    assert (found.enrollment, found.portal_start) == (aligned(member), date(2025, 2, 1))
    assert found.state_start == date(2020, 1, 1)
    item = found.review_item
    assert item is not None
    assert (item.kind, item.status, item.beneficiary_id) == (
        "recon_not_at_state",
        "open",
        member.pk,
    )
    assert item.organization == found.organization and item.enrollment == aligned(member)
    assert item.detail["file_month"] == "2027-01" and item.detail["to_plan"] is None
    assert [c.to_status for c in item.changes.all()] == ["open"]


def test_a_member_the_state_shows_in_another_plan_is_a_discrepancy_for_both_plans(
    tmp_path: Path, member: Beneficiary
) -> None:
    report = run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="MC-CALOPTIMA")]))

    counts = report["reconciliation"]
    assert (counts["recon_not_at_state"], counts["recon_not_here"]) == (1, 1)
    assert counts["review_items_opened"] == 2
    not_here = ReconciliationDiscrepancy.objects.get(kind="recon_not_here")
    assert (not_here.medi_cal_plan, not_here.state_plan, not_here.enrollment) == (
        caloptima(),
        caloptima(),
        None,
    )
    assert not_here.organization == Organization.objects.get(code="caloptima")
    assert not_here.review_item is not None
    assert not_here.review_item.organization.code == "caloptima"
    # The member keeps the aligned plan (the merge never moves a member).
    assert aligned(member).end_date is None


def test_a_state_coverage_starting_after_the_enrollment_here_is_a_start_date_discrepancy(
    tmp_path: Path, member: Beneficiary
) -> None:
    report = run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_start="2026-06-01")]))

    assert report["reconciliation"]["recon_start_differs"] == 1
    assert report["reconciliation"]["recon_not_at_state"] == 0
    found = ReconciliationDiscrepancy.objects.get()
    assert (found.kind, found.state_start, found.portal_start) == (
        "recon_start_differs",
        date(2026, 6, 1),
        date(2025, 2, 1),
    )
    assert found.review_item is not None and found.review_item.kind == "recon_start_differs"


def test_people_dead_before_the_files_month_are_not_compared(
    tmp_path: Path, member: Beneficiary
) -> None:
    rows = [
        row_of(member, medi_cal_plan_code="", date_of_death="2026-12-10"),
        person(1, date_of_death="2026-11-02"),
    ]
    report = run(write(tmp_path / "jan.csv", rows))

    assert report["reconciliation"]["review_items_opened"] == 0
    assert not ReconciliationDiscrepancy.objects.exists()


def test_the_same_file_again_opens_nothing_and_a_corrected_file_of_the_month_reuses_the_item(
    tmp_path: Path, member: Beneficiary
) -> None:
    path = write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="")])
    run(path)
    again = run(path)
    assert again["duplicate_file"] is True
    assert again["reconciliation"]["review_items_opened"] == 0

    corrected = run(
        write(tmp_path / "jan-corrected.csv", [row_of(member, medi_cal_plan_code=""), person(1)])
    )

    assert corrected["duplicate_file"] is False
    assert corrected["reconciliation"]["recon_not_at_state"] == 1
    assert corrected["reconciliation"]["review_items_opened"] == 0
    assert ReconciliationDiscrepancy.objects.count() == 1
    assert len(reviews("recon_not_at_state")) == 1
    assert ReconciliationDiscrepancy.objects.get().eligibility_import_id == corrected["id"]


def test_a_discrepancy_that_lasts_keeps_one_open_item_listed_each_month(
    tmp_path: Path, member: Beneficiary
) -> None:
    run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="")]))
    feb = run(write(tmp_path / "feb.csv", [row_of(member, "2027-02", medi_cal_plan_code="")]))

    assert feb["reconciliation"]["recon_not_at_state"] == 1
    assert feb["reconciliation"]["review_items_opened"] == 0
    rows = list(ReconciliationDiscrepancy.objects.order_by("month"))
    assert [r.month for r in rows] == [JAN, FEB]
    assert rows[0].review_item_id == rows[1].review_item_id is not None


def test_a_discrepancy_the_next_file_no_longer_shows_is_closed_by_the_system(
    tmp_path: Path, member: Beneficiary
) -> None:
    run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="MC-CALOPTIMA")]))
    assert len(reviews("recon_not_at_state")) == len(reviews("recon_not_here")) == 1

    feb = run(write(tmp_path / "feb.csv", [row_of(member, "2027-02")]))

    assert feb["reconciliation"]["review_items_closed"] == 2
    assert feb["reconciliation"]["recon_not_at_state"] == 0
    for item in [*reviews("recon_not_at_state"), *reviews("recon_not_here")]:
        assert (item.status, item.decision, item.resolved_by) == ("resolved", "no_action", None)
        assert "agree again" in item.note and item.resolved_at is not None
        last = list(item.changes.all())[-1]
        assert (last.from_status, last.to_status, last.actor) == ("open", "resolved", None)
    # January's rows stay: the page of January still shows what January's file said.
    assert ReconciliationDiscrepancy.objects.filter(month=JAN).count() == 2


def test_a_change_file_without_the_person_leaves_their_item_open(
    tmp_path: Path, member: Beneficiary
) -> None:
    run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="")]))

    feb = run(write(tmp_path / "feb.csv", [person(1, file_month="2027-02")]), "--kind", "changes")

    assert feb["reconciliation"]["review_items_closed"] == 0
    assert reviews("recon_not_at_state")[0].status == "open"


def test_the_report_carries_the_counts_for_the_api_and_the_admin_page(
    tmp_path: Path, member: Beneficiary
) -> None:
    report = run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="")]))
    imp = EligibilityImport.objects.get(pk=report["id"])

    built = import_report_build(eligibility_import=imp)

    assert built["reconciliation"] == report["reconciliation"]
    assert list(built["reconciliation"]) == [
        *KIND_KEYS,
        "review_items_opened",
        "review_items_closed",
    ]


# -- who sees the reconciliation page's data ----------------------------------------------------


def test_staff_see_their_plans_reconciliation_and_the_read_is_audited(
    tmp_path: Path, member: Beneficiary
) -> None:
    run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="MC-CALOPTIMA")]))
    staff = StaffFactory()  # Health Plan of San Mateo

    view = reconciliation_view(actor=staff, plan_id=hpsm().pk, month=JAN, page_number=None)

    assert view.counts == {"recon_not_at_state": 1, "recon_not_here": 0, "recon_start_differs": 0}
    assert view.open_items == 1
    assert [row.beneficiary_id for row in view.page.object_list] == [member.pk]
    event = AuditEvent.objects.get(object_type="reconciliation_list")
    assert event.actor == staff and event.detail["beneficiaries"] == [member.pk]


def test_staff_of_another_organization_and_members_see_nothing_admins_see_all(
    tmp_path: Path, member: Beneficiary
) -> None:
    run(write(tmp_path / "jan.csv", [row_of(member, medi_cal_plan_code="MC-CALOPTIMA")]))
    other = StaffFactory(organization=Organization.objects.get(code="caloptima"))

    with pytest.raises(NotFound):
        reconciliation_view(actor=other, plan_id=hpsm().pk, month=JAN, page_number=None)
    with pytest.raises(Forbidden):
        reconciliation_view(actor=UserFactory(), plan_id=hpsm().pk, month=JAN, page_number=None)
    theirs = reconciliation_view(actor=other, plan_id=caloptima().pk, month=JAN, page_number=None)
    assert theirs.counts["recon_not_here"] == 1
    admin = AdminFactory()
    for plan in (hpsm(), caloptima()):
        view = reconciliation_view(actor=admin, plan_id=plan.pk, month=JAN, page_number=None)
        assert view.page.paginator.count == 1
