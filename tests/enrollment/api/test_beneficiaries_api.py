"""The beneficiaries API: who sees whom, the filters, the fields, audit, pages and queries."""

from datetime import date, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Role, User
from eligibility.models import (
    Beneficiary,
    County,
    MediCalEligibility,
    MediCalPlan,
    MediMediPlan,
    Organization,
)
from eligibility.selectors import california_today
from enrollment import beneficiaries
from enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentKind
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/beneficiaries"
SINCE = date(2025, 2, 1)


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def enroll(person: Beneficiary, org_code: str, *, start: date = SINCE, end: Any = None) -> None:
    """A Medi-Medi enrollment in the organization's plan with its aligned Medi-Cal one."""
    organization = Organization.objects.get(code=org_code)
    medi_medi = Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_MEDI,
        medi_medi_plan=MediMediPlan.objects.filter(organization=organization).first(),
        start_date=start,
        end_date=end,
    )
    Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.filter(organization=organization).first(),
        start_date=start,
        end_date=end,
        aligned_with=medi_medi,
    )


def medi_cal_plan_only(person: Beneficiary, plan_name: str) -> Enrollment:
    return Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name=plan_name),
        start_date=SINCE,
    )


@pytest.fixture
def staff() -> User:
    return StaffFactory()  # Health Plan of San Mateo


@pytest.fixture
def lacare_staff() -> User:
    return StaffFactory(organization=Organization.objects.get(code="lacare"))


@pytest.fixture
def people() -> dict[str, Beneficiary]:
    """One person per way of being (or not being) in HPSM's scope."""
    la = County.objects.get(fips="06037")
    people = {
        "enrolled": BeneficiaryFactory(),
        "applied": BeneficiaryFactory(),
        "draft_only": BeneficiaryFactory(),
        "lacare": BeneficiaryFactory(county=la),
        "nobody": BeneficiaryFactory(),
    }
    enroll(people["enrolled"], "hpsm")
    careadvantage = MediMediPlan.objects.get(name="CareAdvantage")
    Application.objects.create(
        beneficiary=people["applied"],
        plan=careadvantage,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=at(2026, 1, 5),
    )
    Application.objects.create(beneficiary=people["draft_only"], plan=careadvantage)
    enroll(people["lacare"], "lacare")
    return people


def ids_of(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# ---------------------------------------------------------------------------------------------
# Who sees whom


def test_admin_lists_everyone_by_id(people: dict[str, Beneficiary]) -> None:
    body = client_for(AdminFactory()).get(LIST).json()
    assert body["count"] == Beneficiary.objects.count()
    assert [row["id"] for row in body["results"]] == sorted(p.pk for p in people.values())
    assert body["previous"] is None


def test_staff_list_holds_only_people_who_applied_to_or_joined_their_organization(
    people: dict[str, Beneficiary], staff: User
) -> None:
    assert ids_of(client_for(staff).get(LIST)) == [people["enrolled"].pk, people["applied"].pk]


def test_staff_of_another_organization_see_only_their_own_people(
    people: dict[str, Beneficiary], lacare_staff: User
) -> None:
    client = client_for(lacare_staff)
    assert ids_of(client.get(LIST)) == [people["lacare"].pk]
    for name in ("enrolled", "applied", "draft_only", "nobody"):
        answer = client.get(f"{LIST}/{people[name].pk}")
        assert answer.status_code == 404, name
        assert answer.json() == {"detail": "No such beneficiary.", "code": "not_found"}


def test_staff_read_their_organizations_people_in_full(
    people: dict[str, Beneficiary], staff: User
) -> None:
    client = client_for(staff)
    for name in ("enrolled", "applied"):
        assert client.get(f"{LIST}/{people[name].pk}").json()["id"] == people[name].pk
    for name in ("draft_only", "lacare", "nobody"):
        assert client.get(f"{LIST}/{people[name].pk}").status_code == 404, name


def test_staff_without_an_organization_see_nobody(people: dict[str, Beneficiary]) -> None:
    loner = UserFactory(role=Role.STAFF)
    assert ids_of(client_for(loner).get(LIST)) == []
    assert client_for(loner).get(f"{LIST}/{people['enrolled'].pk}").status_code == 404


def test_member_is_refused_the_list_before_their_filters_are_read() -> None:
    member = UserFactory()
    BeneficiaryFactory(user=member)
    for query in ("", "?mbi=nonsense", "?enrolled=maybe", "?county=99999"):
        answer = client_for(member).get(LIST + query)
        assert answer.status_code == 403, query
        assert answer.json()["code"] == "forbidden"


def test_member_reads_only_their_own_record(people: dict[str, Beneficiary]) -> None:
    member = UserFactory()
    own = BeneficiaryFactory(user=member)
    client = client_for(member)
    assert client.get(f"{LIST}/{own.pk}").json()["id"] == own.pk
    assert client.get(f"{LIST}/{people['enrolled'].pk}").status_code == 404
    assert not AuditEvent.objects.filter(actor=member, action="read").exists()


def test_anonymous_callers_are_refused() -> None:
    person = BeneficiaryFactory()
    assert client_for(None).get(LIST).status_code == 401
    assert client_for(None).get(f"{LIST}/{person.pk}").status_code == 401


def test_unknown_id_is_not_found_and_the_other_beneficiary_routes_still_answer(
    people: dict[str, Beneficiary], staff: User
) -> None:
    client = client_for(staff)
    assert client.get(f"{LIST}/987654321").status_code == 404
    person = people["enrolled"].pk
    assert client.get(f"{LIST}/{person}/enrollments").status_code == 200
    assert client.get(f"{LIST}/{person}/notices").status_code == 200
    assert client.get(f"{LIST}/{person}/").status_code == 200


# ---------------------------------------------------------------------------------------------
# Filters


def test_mbi_filter_accepts_lower_case_and_dashes(people: dict[str, Beneficiary]) -> None:
    person = people["applied"]
    card = f"{person.mbi[:4]}-{person.mbi[4:7]}-{person.mbi[7:]}".lower()
    answer = client_for(AdminFactory()).get(LIST, {"mbi": card})
    assert ids_of(answer) == [person.pk]


def test_cin_filter_accepts_the_cin_and_the_benefits_card_id(
    people: dict[str, Beneficiary],
) -> None:
    person = people["nobody"]
    client = client_for(AdminFactory())
    assert ids_of(client.get(LIST, {"cin": person.cin.lower()})) == [person.pk]
    assert ids_of(client.get(LIST, {"cin": person.cin + "12501"})) == [person.pk]


def test_county_filter_takes_a_fips_code(people: dict[str, Beneficiary]) -> None:
    client = client_for(AdminFactory())
    assert ids_of(client.get(LIST, {"county": "06037"})) == [people["lacare"].pk]
    assert people["lacare"].pk not in ids_of(client.get(LIST, {"county": "06081"}))


def test_enrolled_filter_keeps_people_with_a_medi_medi_enrollment_covering_today(
    people: dict[str, Beneficiary],
) -> None:
    ended = BeneficiaryFactory()
    enroll(ended, "hpsm", end=date(2025, 6, 30))
    future = BeneficiaryFactory()
    enroll(future, "hpsm", start=california_today() + timedelta(days=40))
    medi_cal_only = BeneficiaryFactory()
    medi_cal_plan_only(medi_cal_only, "Health Plan of San Mateo")
    client = client_for(AdminFactory())
    enrolled = [people["enrolled"].pk, people["lacare"].pk]
    assert ids_of(client.get(LIST, {"enrolled": "true"})) == enrolled
    not_enrolled = ids_of(client.get(LIST, {"enrolled": "false"}))
    assert set(not_enrolled) == set(Beneficiary.objects.values_list("pk", flat=True)) - set(
        enrolled
    )
    assert {ended.pk, future.pk, medi_cal_only.pk} <= set(not_enrolled)


def test_filters_combine(people: dict[str, Beneficiary], staff: User) -> None:
    client = client_for(staff)
    assert ids_of(client.get(LIST, {"county": "06081", "enrolled": "true"})) == [
        people["enrolled"].pk
    ]
    # Another organization's person is not found through a filter either.
    assert ids_of(client.get(LIST, {"mbi": people["lacare"].mbi})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"mbi": "1EG4-TE5-MK7"}, "mbi"),
        ({"mbi": "1EG4TE5MK7S"}, "mbi"),  # S is never an MBI letter
        ({"cin": "9000000A"}, "cin"),
        ({"cin": "90000000A123"}, "cin"),
        ({"county": "San Mateo"}, "county"),
        ({"county": "6081"}, "county"),
        ({"county": "06999"}, "county"),
        ({"enrolled": "maybe"}, "enrolled"),
    ],
    ids=[
        "mbi-short",
        "mbi-bad-letter",
        "cin-short",
        "cin-not-a-card",
        "county-name",
        "county-4-digits",
        "county-unknown",
        "enrolled-not-boolean",
    ],
)
def test_a_bad_filter_value_answers_400_naming_the_filter(
    query: dict[str, str], field: str, staff: User
) -> None:
    answer = client_for(staff).get(LIST, query)
    assert answer.status_code == 400
    body = answer.json()
    assert list(body) == [field]
    assert body[field] and all(isinstance(message, str) and message for message in body[field])
    if field in ("mbi", "cin"):
        assert query[field] not in body[field][0]  # an identifier is never repeated back
    assert not AuditEvent.objects.filter(actor=staff, action="read").exists()


# ---------------------------------------------------------------------------------------------
# Audit


def test_each_page_of_the_list_is_audited_with_the_ids_shown(
    people: dict[str, Beneficiary], staff: User
) -> None:
    client_for(staff).get(LIST)
    row = AuditEvent.objects.get(actor=staff, action="read")
    assert row.object_type == "beneficiary_list"
    shown = [people["enrolled"].pk, people["applied"].pk]
    assert row.detail["ids"] == shown
    assert AuditEvent.objects.about_member(people["applied"].pk).filter(pk=row.pk).exists()


def test_reading_one_record_writes_one_audit_row(
    people: dict[str, Beneficiary], staff: User
) -> None:
    admin = AdminFactory()
    client_for(admin).get(f"{LIST}/{people['nobody'].pk}")
    client_for(staff).get(f"{LIST}/{people['enrolled'].pk}")
    client_for(staff).get(f"{LIST}/{people['lacare'].pk}")  # 404: nothing was read
    assert list(
        AuditEvent.objects.filter(action="read")
        .order_by("pk")
        .values_list("actor", "object_type", "object_id")
    ) == [
        (admin.pk, "beneficiary", str(people["nobody"].pk)),
        (staff.pk, "beneficiary", str(people["enrolled"].pk)),
    ]


# ---------------------------------------------------------------------------------------------
# Fields


def test_a_record_has_every_field(staff: User) -> None:
    person = BeneficiaryFactory(
        middle_initial="Q",
        sex="F",
        preferred_language="es",
        medicare_part_a_start=date(2019, 3, 1),
        medicare_part_b_start=date(2019, 4, 1),
        medicare_part_b_end=date(2099, 12, 31),
        medi_cal={"start_date": date(2018, 1, 1), "end_date": date(2019, 12, 31)},
    )
    MediCalEligibility.objects.create(
        beneficiary=person, start_date=date(2020, 1, 1), scope="full", aid_code="1H", msp="QMB"
    )
    enroll(person, "hpsm")
    body = client_for(staff).get(f"{LIST}/{person.pk}").json()
    medi_cal_enrollment = Enrollment.objects.get(beneficiary=person, kind="medi_cal")
    assert body == {
        "id": person.pk,
        "mbi": person.mbi,
        "cin": person.cin,
        "first_name": person.first_name,
        "middle_initial": "Q",
        "last_name": person.last_name,
        "date_of_birth": "1950-05-17",
        "date_of_death": None,
        "sex": "F",
        "county": {"fips": "06081", "name": "San Mateo"},
        "language": "es",
        "medicare": {
            "part_a_start": "2019-03-01",
            "part_a_end": None,
            "part_b_start": "2019-04-01",
            "part_b_end": "2099-12-31",
        },
        "medi_cal": [
            {
                "start_date": "2018-01-01",
                "end_date": "2019-12-31",
                "scope": "full",
                "aid_code": "10",
                "share_of_cost": "none",
                "msp": "none",
            },
            {
                "start_date": "2020-01-01",
                "end_date": None,
                "scope": "full",
                "aid_code": "1H",
                "share_of_cost": "none",
                "msp": "QMB",
            },
        ],
        "dual_status": {"code": "02", "category": "QMB_PLUS", "full_benefit": True},
        "medi_cal_plan": {
            "id": medi_cal_enrollment.medi_cal_plan_id,
            "name": "Health Plan of San Mateo",
            "state_code": "MC-HPSM",
            "enrollment": medi_cal_enrollment.pk,
            "start_date": "2025-02-01",
        },
    }
    # The list answers the same record.
    assert client_for(staff).get(LIST).json()["results"] == [body]


def test_partial_dual_with_an_msp_only_period_shows_scope_none_and_qmb_only() -> None:
    person = BeneficiaryFactory(medi_cal={"scope": "", "aid_code": "", "msp": "QMB"})
    body = client_for(AdminFactory()).get(f"{LIST}/{person.pk}").json()
    assert body["medi_cal"] == [
        {
            "start_date": "2020-01-01",
            "end_date": None,
            "scope": "none",
            "aid_code": None,
            "share_of_cost": "none",
            "msp": "QMB",
        }
    ]
    assert body["dual_status"] == {"code": "01", "category": "QMB_ONLY", "full_benefit": False}
    assert body["medi_cal_plan"] is None
    assert body["middle_initial"] is None and body["sex"] is None


@pytest.mark.parametrize(
    ("facts", "code", "category"),
    [
        ({"medi_cal": {"scope": "restricted", "aid_code": "58"}}, "09", "OTHER_DUAL"),
        ({"medi_cal": {"share_of_cost": "unmet"}}, "NA", "NON_DUAL"),
        ({"medi_cal": {"msp": "SLMB"}}, "04", "SLMB_PLUS"),
        ({"medi_cal": False}, "NA", "NON_DUAL"),
        ({"medicare_part_a_start": None, "medicare_part_b_start": None}, "00", "NOT_MEDICARE"),
        ({"medi_cal": {"end_date": date(2021, 1, 31)}}, "NA", "NON_DUAL"),
    ],
    ids=["restricted", "soc-unmet", "slmb-plus", "no-medi-cal", "no-medicare", "period-ended"],
)
def test_dual_status_is_todays_code_from_the_rules(
    facts: dict[str, Any], code: str, category: str
) -> None:
    person = BeneficiaryFactory(**facts)
    body = client_for(AdminFactory()).get(f"{LIST}/{person.pk}").json()
    assert (body["dual_status"]["code"], body["dual_status"]["category"]) == (code, category)


def test_contradictory_facts_answer_a_null_dual_status() -> None:
    person = BeneficiaryFactory(medi_cal={"msp": "QI"})  # QI excludes full Medi-Cal
    assert client_for(AdminFactory()).get(f"{LIST}/{person.pk}").json()["dual_status"] is None


def test_death_date_is_shown() -> None:
    person = BeneficiaryFactory(date_of_death=date(2026, 3, 14))
    body = client_for(AdminFactory()).get(f"{LIST}/{person.pk}").json()
    assert body["date_of_death"] == "2026-03-14"


# ---------------------------------------------------------------------------------------------
# The Medi-Cal plan


def test_medi_cal_plan_is_the_enrollment_covering_today() -> None:
    person = BeneficiaryFactory()
    Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name="L.A. Care"),
        start_date=date(2023, 1, 1),
        end_date=date(2025, 1, 31),
    )
    current = medi_cal_plan_only(person, "Health Plan of San Mateo")
    Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name="L.A. Care"),
        start_date=date(2024, 1, 1),
        end_date=date(2024, 1, 31),
        cancelled=True,
    )
    plan = client_for(AdminFactory()).get(f"{LIST}/{person.pk}").json()["medi_cal_plan"]
    assert (plan["id"], plan["enrollment"], plan["state_code"]) == (
        current.medi_cal_plan_id,
        current.pk,
        "MC-HPSM",
    )


def test_no_medi_cal_plan_when_the_enrollment_ended() -> None:
    person = BeneficiaryFactory()
    enroll(person, "hpsm", end=date(2025, 6, 30))
    assert client_for(AdminFactory()).get(f"{LIST}/{person.pk}").json()["medi_cal_plan"] is None


def test_staff_see_only_that_a_person_has_another_organizations_medi_cal_plan(
    staff: User,
) -> None:
    person = BeneficiaryFactory()
    Application.objects.create(
        beneficiary=person,
        plan=MediMediPlan.objects.get(name="CareAdvantage"),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=at(2026, 1, 5),
    )
    medi_cal_plan_only(person, "L.A. Care")
    plan = client_for(staff).get(f"{LIST}/{person.pk}").json()["medi_cal_plan"]
    assert plan == {
        "id": None,
        "name": "Another Medi-Cal plan",
        "state_code": None,
        "enrollment": None,
        "start_date": "2025-02-01",
    }


# ---------------------------------------------------------------------------------------------
# Pages and queries


def test_list_is_paginated_in_pages_of_the_api_page_size() -> None:
    people = [BeneficiaryFactory(medi_cal=False) for _ in range(27)]
    client = client_for(AdminFactory())
    first = client.get(LIST).json()
    assert first["count"] == 27
    assert first["count_capped"] is False
    assert len(first["results"]) == 25
    assert first["previous"] is None
    assert "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in first["results"] + second["results"]] == [p.pk for p in people]
    assert second["next"] is None
    back = client.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]
    bad = client.get(LIST, {"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert "cursor" in bad.json()


def test_a_page_of_fifty_takes_a_fixed_few_queries(
    staff: User, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    monkeypatch.setattr(beneficiaries, "PAGE_SIZE", 50)
    for n in range(50):
        person = BeneficiaryFactory(medi_cal={"msp": "QMB" if n % 2 else "none"})
        MediCalEligibility.objects.create(
            beneficiary=person, start_date=date(2010, 1, 1), end_date=date(2019, 12, 31)
        )
        enroll(person, "hpsm")
    client = client_for(staff)
    # organization and its plans, counties and service areas (cached afterwards), the page's
    # ids, the capped count, its rows, periods, Medi-Cal plan enrollments, audit row
    with django_assert_max_num_queries(10):
        body = client.get(LIST, {"enrolled": "true", "county": "06081"}).json()
    assert len(body["results"]) == 50
    assert all(len(row["medi_cal"]) == 2 and row["medi_cal_plan"] for row in body["results"])


def test_every_bad_filter_is_reported_at_once(people: dict[str, Beneficiary]) -> None:
    response = client_for(AdminFactory()).get(
        "/api/v1/beneficiaries", {"mbi": "nope", "cin": "12", "county": "06999"}
    )

    assert response.status_code == 400
    assert set(response.json()) == {"mbi", "cin", "county"}
    assert response.json()["county"] == ["No California county has the FIPS code 06999."]
