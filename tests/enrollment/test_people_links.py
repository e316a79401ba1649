"""Who each organization's staff may see, kept as rows by the database (issue 12):
``enrollment.people_links.OrganizationPerson``, read by ``access.beneficiary_scope``.

Every test writes applications and enrollments the way some part of the portal does (the
services, a plan-wide transfer's set-based insert, a plain ``save``, a delete, an admin's edit of
a plan) and then checks, for staff of every organization, that the people list shows exactly
the people the rule names (``access.beneficiary_scope_by_records``, asked of the records): no
one missing, no one of another organization. Runs on SQLite and PostgreSQL (the triggers are
written for each)."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from eligibility.models import (
    Beneficiary,
    County,
    MediCalPlan,
    MediMediPlan,
    Organization,
    ServiceArea,
)
from enrollment import access, beneficiaries, people_links, services
from enrollment.models import (
    Application,
    ApplicationStatus,
    Enrollment,
    EnrollmentKind,
    OrganizationPerson,
)
from enrollment.transfers import transfer_plan
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SINCE = date(2025, 2, 1)


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def plan(name: str) -> MediMediPlan:
    return MediMediPlan.objects.get(name=name)


def listed(staff: User) -> set[int]:
    """The ids the staff member's people list shows, all pages (the API's selector)."""
    seen: set[int] = set()
    cursor = None
    while True:
        page = beneficiaries.beneficiary_list_page(actor=staff, cursor=cursor, page_size=2)
        seen |= {record.id for record in page.object_list}
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


def by_records(staff: User) -> set[int]:
    return set(
        Beneficiary.objects.filter(access.beneficiary_scope_by_records(staff)).values_list(
            "pk", flat=True
        )
    )


def assert_rows_match_the_records() -> None:
    """For staff of every organization: the rows give exactly the people the records give."""
    for organization in Organization.objects.all():
        staff = StaffFactory(organization=organization)
        assert set(
            Beneficiary.objects.filter(access.beneficiary_scope(staff)).values_list("pk", flat=True)
        ) == by_records(staff), organization.code


def medi_medi(person: Beneficiary, medi_medi_plan: MediMediPlan, **fields: Any) -> Enrollment:
    return Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_MEDI,
        medi_medi_plan=medi_medi_plan,
        start_date=fields.pop("start_date", SINCE),
        **fields,
    )


def medi_cal(person: Beneficiary, name: str) -> Enrollment:
    return Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name=name),
        start_date=SINCE,
    )


def submitted(person: Beneficiary, medi_medi_plan: MediMediPlan) -> Application:
    return Application.objects.create(
        beneficiary=person,
        plan=medi_medi_plan,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=at(2025, 1, 10),
    )


def test_staff_see_exactly_the_people_who_applied_to_or_are_enrolled_in_their_plans() -> None:
    careadvantage, wellcare = plan("CareAdvantage"), plan("Wellcare by Health Net")
    applied = BeneficiaryFactory()
    submitted(applied, careadvantage)
    enrolled_only = BeneficiaryFactory()
    medi_medi(enrolled_only, careadvantage)
    medi_cal_plan_only = BeneficiaryFactory()
    medi_cal(medi_cal_plan_only, "Health Plan of San Mateo")
    ended_long_ago = BeneficiaryFactory()
    medi_medi(
        ended_long_ago, careadvantage, start_date=date(2020, 1, 1), end_date=date(2021, 1, 31)
    )
    draft_only = BeneficiaryFactory()
    Application.objects.create(beneficiary=draft_only, plan=careadvantage)
    elsewhere = BeneficiaryFactory()
    submitted(elsewhere, wellcare)
    medi_cal(elsewhere, "Health Net Community Solutions")
    both = BeneficiaryFactory()
    submitted(both, careadvantage)
    medi_medi(both, wellcare)
    BeneficiaryFactory()  # nobody's

    hpsm, health_net = StaffFactory(), StaffFactory(organization=org("healthnet"))

    assert listed(hpsm) == {
        applied.pk,
        enrolled_only.pk,
        medi_cal_plan_only.pk,
        ended_long_ago.pk,
        both.pk,
    }
    assert listed(health_net) == {elsewhere.pk, both.pk}
    assert listed(StaffFactory(organization=org("iehp"))) == set()
    assert_rows_match_the_records()


def test_the_api_lists_and_opens_only_the_organizations_people() -> None:
    mine, theirs = BeneficiaryFactory(), BeneficiaryFactory()
    medi_medi(mine, plan("CareAdvantage"))
    medi_medi(theirs, plan("Wellcare by Health Net"))
    client = APIClient()
    client.force_authenticate(StaffFactory())

    response = client.get("/api/v1/beneficiaries")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/beneficiaries/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/beneficiaries/{theirs.pk}").status_code == 404


def test_a_draft_links_its_person_when_submitted_through_the_services() -> None:
    member = UserFactory()
    person = BeneficiaryFactory(user=member)
    staff = StaffFactory()
    draft = services.application_create(
        beneficiary=person, actor=member, plan=plan("CareAdvantage")
    )
    assert person.pk not in listed(staff)

    services.application_submit(application=draft, actor=member, now=at(2025, 1, 10))

    assert listed(staff) == {person.pk}
    assert_rows_match_the_records()


def test_people_moved_by_a_plan_wide_transfer_are_seen_by_both_organizations() -> None:
    """The transfer inserts the new enrollments set-based (COPY on PostgreSQL): the receiving
    organization sees the people it moved in; the old one keeps seeing its former members."""
    wellcare, iehp = plan("Wellcare by Health Net"), plan("IEHP DualChoice")
    riverside = County.objects.get(name="Riverside")
    people = [BeneficiaryFactory(county=riverside) for _ in range(3)]
    start = date(2023, 1, 1)
    area = ServiceArea.objects.get(plan=wellcare, county=riverside, start_date__lte=start)
    for person in people:
        mm = medi_medi(person, wellcare, start_date=start, member_id=f"T{person.pk:08d}")
        Enrollment.objects.create(
            beneficiary=person,
            kind=EnrollmentKind.MEDI_CAL,
            medi_cal_plan=area.aligned_medi_cal_plan,
            start_date=start,
            aligned_with=mm,
        )
    iehp_staff = StaffFactory(organization=org("iehp"))
    assert listed(iehp_staff) == set()

    report = transfer_plan(
        actor=AdminFactory(),
        from_plan=wellcare,
        to_plan=iehp,
        counties=[riverside],
        effective=date(2024, 1, 1),
        dry_run=False,
        today=date(2023, 10, 1),
    )

    assert report.moved_now == 3
    ids = {person.pk for person in people}
    assert listed(iehp_staff) == ids
    assert listed(StaffFactory(organization=org("healthnet"))) == ids
    assert_rows_match_the_records()


def test_a_person_is_no_longer_listed_once_nothing_links_them() -> None:
    careadvantage, wellcare = plan("CareAdvantage"), plan("Wellcare by Health Net")
    hpsm = StaffFactory()
    deleted = BeneficiaryFactory()
    application = submitted(deleted, careadvantage)
    moved = BeneficiaryFactory()
    enrollment = medi_medi(moved, careadvantage)
    kept = BeneficiaryFactory()  # two links: losing one keeps them
    submitted(kept, careadvantage)
    second = medi_medi(kept, careadvantage)
    assert listed(hpsm) == {deleted.pk, moved.pk, kept.pk}

    application.delete()
    enrollment.medi_medi_plan = wellcare  # a correction: it was never ours
    enrollment.save()
    second.delete()

    assert listed(hpsm) == {kept.pk}
    assert listed(StaffFactory(organization=org("healthnet"))) == {moved.pk}
    assert_rows_match_the_records()


def test_withdrawing_the_submission_or_moving_the_person_follows_the_records() -> None:
    careadvantage = plan("CareAdvantage")
    hpsm = StaffFactory()
    first, second = BeneficiaryFactory(), BeneficiaryFactory()
    application = submitted(first, careadvantage)

    application.beneficiary_id = second.pk  # a correction of whose application it is
    application.save()
    assert listed(hpsm) == {second.pk}

    Application.objects.filter(pk=application.pk).update(submitted_at=None)
    assert listed(hpsm) == set()
    assert_rows_match_the_records()


def test_a_plan_moved_to_another_organization_takes_its_people_along() -> None:
    # A plan no service area aligns yet (PostgreSQL refuses moving an aligned plan alone).
    legacy = MediMediPlan.objects.create(organization=org("hpsm"), name="A plan being set up")
    person = BeneficiaryFactory()
    medi_medi(person, legacy, start_date=date(2020, 1, 1), end_date=date(2022, 12, 31))
    hpsm, scfhp = StaffFactory(), StaffFactory(organization=org("scfhp"))
    assert person.pk in listed(hpsm)

    MediMediPlan.objects.filter(pk=legacy.pk).update(organization=org("scfhp"))

    assert person.pk not in listed(hpsm)
    assert person.pk in listed(scfhp)
    assert_rows_match_the_records()


def test_the_backfill_rebuilds_every_row_from_the_records() -> None:
    """The migration's backfill (also a repair): set-based, idempotent (ON CONFLICT)."""
    careadvantage = plan("CareAdvantage")
    people = [BeneficiaryFactory() for _ in range(4)]
    submitted(people[0], careadvantage)
    medi_medi(people[1], careadvantage)
    medi_cal(people[2], "Health Net Community Solutions")
    expected = set(OrganizationPerson.objects.values_list("organization_id", "beneficiary_id"))
    assert len(expected) == 3
    OrganizationPerson.objects.all().delete()
    stray = OrganizationPerson.objects.create(organization=org("lacare"), beneficiary=people[3])

    with connection.cursor() as cursor:
        for _ in range(2):  # twice: the second run changes nothing
            for statement in people_links.backfill(vendor=connection.vendor):
                cursor.execute(statement)

    rows = set(OrganizationPerson.objects.values_list("organization_id", "beneficiary_id"))
    assert rows == expected
    assert not OrganizationPerson.objects.filter(pk=stray.pk).exists()


def test_members_see_themselves_and_admins_everyone() -> None:
    member = UserFactory()
    person = BeneficiaryFactory(user=member)
    other = BeneficiaryFactory()
    submitted(other, plan("CareAdvantage"))

    assert set(
        Beneficiary.objects.filter(access.beneficiary_scope(member)).values_list("pk", flat=True)
    ) == {person.pk}
    admin_sees = Beneficiary.objects.filter(access.beneficiary_scope(AdminFactory()))
    assert {person.pk, other.pk} <= set(admin_sees.values_list("pk", flat=True))


def test_a_staff_login_without_a_membership_sees_no_one() -> None:
    staff = UserFactory(role="staff")
    submitted(BeneficiaryFactory(), plan("CareAdvantage"))

    assert not Beneficiary.objects.filter(access.beneficiary_scope(staff)).exists()


def test_the_people_list_reads_the_organizations_rows_on_postgresql() -> None:
    """The list's page is one range of the organization's rows in id order (no walk of the
    state's people checking each): the plan names the link table's unique index."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    for _ in range(3):
        medi_medi(BeneficiaryFactory(), plan("CareAdvantage"))
    staff = StaffFactory()
    queryset = beneficiaries.beneficiary_list(actor=staff).order_by("id").values("id")[:26]
    plan_text = queryset.explain()
    assert "organization_person_unique" in plan_text


def test_medi_cal_plan_enrollments_from_the_states_file_link_their_people(tmp_path: Path) -> None:
    """The eligibility-file loader writes Medi-Cal plan enrollments set-based (COPY and one
    INSERT ... SELECT on PostgreSQL): the plan's organization sees the people at once, and a
    move to another plan adds the new organization while the old one keeps its former member."""
    from tests.interchange.test_import_csv import person, run, write

    run(write(tmp_path / "jan.csv", [person(1), person(2)]))
    people = set(Beneficiary.objects.values_list("pk", flat=True))
    caloptima, lacare = (StaffFactory(organization=org(code)) for code in ("caloptima", "lacare"))
    assert listed(caloptima) == people
    assert listed(lacare) == set()

    moved = [person(1, file_month="2027-03", county_fips="06037", medi_cal_plan_code="MC-LACARE")]
    run(write(tmp_path / "mar.csv", moved))

    assert listed(caloptima) == people
    assert listed(lacare) == {Beneficiary.objects.get(cin=person(1)["cin"]).pk}
    assert_rows_match_the_records()
