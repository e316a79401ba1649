"""Applications that start elsewhere: staff record an election received by phone, on paper, in
person or through a broker, and the election period's dates decide when coverage starts."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.errors import DomainError, Forbidden, NotEligible, NotFound
from accounts.models import AuditEvent, Role, User
from eligibility.models import Beneficiary, MediMediPlan
from eligibility.notifications import recipient_key
from eligibility.selectors import california_today
from enrollment import intake, selectors, services
from enrollment.models import Application, ApplicationStatus, ElectionPeriod
from notices.models import Notice
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> User:
    return StaffFactory()


@pytest.fixture
def plan() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


def record(actor: User, person: Beneficiary, chosen: MediMediPlan, **changes: Any) -> Application:
    arguments: dict[str, Any] = {
        "actor": actor,
        "beneficiary_id": person.pk,
        "plan": chosen,
        "channel": "phone",
        "received_on": date(2026, 11, 20),
        "signed_by": "The member, by phone",
        "election_period": ElectionPeriod.INTEGRATED_CARE_SEP,
        "now": at(2026, 11, 27),
    }
    arguments.update(changes)
    return intake.application_intake(**arguments)


def test_phone_election_is_submitted_with_the_month_after_it_was_received(
    staff: User, plan: MediMediPlan, django_capture_on_commit_callbacks: Any
) -> None:
    person = BeneficiaryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        application = record(staff, person, plan, received_on=date(2026, 11, 2))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.effective_date == date(2026, 12, 1)
    assert application.channel == "phone"
    assert application.received_on == date(2026, 11, 2)
    assert application.signed_by == "The member, by phone"
    assert application.created_by == staff
    assert application.determination is not None and application.determination.eligible
    history = list(application.status_changes.values_list("from_status", "to_status", "actor"))
    assert history == [("", "submitted", staff.pk)]
    assert AuditEvent.objects.filter(
        actor=staff, action="create", object_type="application", object_id=str(application.pk)
    ).exists()
    received = Notice.objects.get(recipient_key=recipient_key(person), kind="application_received")
    assert received.context["received_date"] == "2026-11-02"
    assert received.context["expected_effective_date"] == "2026-12-01"


def test_a_recorded_election_goes_into_the_organizations_queue(
    staff: User, plan: MediMediPlan
) -> None:
    application = record(staff, BeneficiaryFactory(), plan)
    queue = selectors.application_queue(actor=staff)
    assert application.pk in {a.pk for a in queue}
    reviewed = services.application_start_review(application=application, actor=staff)
    assert reviewed.status == ApplicationStatus.IN_REVIEW


def test_members_cannot_record_an_election_for_anyone(plan: MediMediPlan) -> None:
    member = UserFactory()
    own = BeneficiaryFactory(user=member)
    with pytest.raises(Forbidden):
        record(member, own, plan)
    assert not Application.objects.exists()


def test_staff_record_elections_only_for_their_organizations_plans(staff: User) -> None:
    other_plan = MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
    with pytest.raises(Forbidden):
        record(staff, BeneficiaryFactory(), other_plan)


def test_admins_record_elections_for_any_plan(plan: MediMediPlan) -> None:
    application = record(AdminFactory(), BeneficiaryFactory(), plan)
    assert application.status == ApplicationStatus.SUBMITTED


def test_staff_without_an_organization_cannot_record_an_election(plan: MediMediPlan) -> None:
    lonely = UserFactory(role=Role.STAFF)  # no membership
    with pytest.raises(Forbidden):
        record(lonely, BeneficiaryFactory(), plan)


def test_unknown_person_is_not_found(staff: User, plan: MediMediPlan) -> None:
    ghost = Beneficiary(pk=10**9)
    with pytest.raises(NotFound):
        record(staff, ghost, plan)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"received_on": date(2026, 11, 28)}, "received_on", id="future"),
        pytest.param({"received_on": date(2026, 9, 27)}, "received_on", id="over-60-days"),
        pytest.param({"received_on": None}, "received_on", id="missing"),
        pytest.param({"channel": "online"}, "channel", id="online-is-not-elsewhere"),
        pytest.param({"signed_by": "  "}, "signed_by", id="nobody-signed"),
        pytest.param({"plan": None}, "plan", id="no-plan"),
        pytest.param({"election_period": "nope"}, "election_period", id="unknown-period"),
    ],
)
def test_bad_facts_are_refused_by_field(
    staff: User, plan: MediMediPlan, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        record(staff, BeneficiaryFactory(), plan, **changes)
    assert refused.value.extra["field"] == field
    assert not Application.objects.exists()


def test_sixty_days_back_is_still_accepted(staff: User, plan: MediMediPlan) -> None:
    application = record(staff, BeneficiaryFactory(), plan, received_on=date(2026, 9, 28))
    # Recorded on 2026-11-27: October 1 is in the past, and no enrollment is retroactive.
    assert application.effective_date == date(2026, 12, 1)
    assert "no retroactive enrollment" in application.effective_date_note


def test_a_request_recorded_late_never_promises_a_start_in_the_past(
    staff: User, plan: MediMediPlan, django_capture_on_commit_callbacks: Any
) -> None:
    person = BeneficiaryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        application = record(staff, person, plan, received_on=date(2026, 10, 5))
    assert application.effective_date == date(2026, 12, 1)
    received = Notice.objects.get(recipient_key=recipient_key(person), kind="application_received")
    assert received.context["expected_effective_date"] == "2026-12-01"


# Election periods (42 CFR 422.62; CMS Medicare Managed Care Manual, chapter 2, section 30).


@pytest.mark.parametrize(
    "received", [date(2026, 10, 15), date(2026, 11, 27)], ids=["first-day", "inside"]
)
def test_annual_election_period_takes_effect_on_january_first(
    staff: User, plan: MediMediPlan, received: date
) -> None:
    application = record(
        staff, BeneficiaryFactory(), plan, received_on=received, election_period="aep"
    )
    assert application.effective_date == date(2027, 1, 1)
    assert "January 1" in application.effective_date_note


def test_annual_election_period_ends_on_december_seventh(staff: User, plan: MediMediPlan) -> None:
    with pytest.raises(DomainError) as refused:
        record(
            staff,
            BeneficiaryFactory(),
            plan,
            received_on=date(2026, 12, 8),
            election_period="aep",
            now=at(2026, 12, 10),
        )
    assert refused.value.extra["field"] == "election_period"


def test_annual_election_period_does_not_open_before_october_fifteenth(
    staff: User, plan: MediMediPlan
) -> None:
    with pytest.raises(DomainError) as refused:
        record(
            staff, BeneficiaryFactory(), plan, received_on=date(2026, 10, 14), election_period="aep"
        )
    assert refused.value.extra["field"] == "election_period"


def test_open_enrollment_period_is_january_to_march_only(staff: User, plan: MediMediPlan) -> None:
    with pytest.raises(DomainError) as refused:
        record(staff, BeneficiaryFactory(), plan, election_period="oep")
    assert refused.value.extra["field"] == "election_period"


def test_open_enrollment_without_a_known_plan_is_accepted_with_a_note(
    staff: User, plan: MediMediPlan
) -> None:
    application = record(
        staff,
        BeneficiaryFactory(),
        plan,
        received_on=date(2027, 2, 10),
        election_period="oep",
        now=at(2027, 2, 12),
    )
    assert application.effective_date == date(2027, 3, 1)
    assert "cannot confirm" in application.effective_date_note


def test_integrated_care_sep_is_refused_for_a_partial_dual(staff: User, plan: MediMediPlan) -> None:
    partial = BeneficiaryFactory(medi_cal={"scope": "", "msp": "QMB", "aid_code": ""})
    with pytest.raises(DomainError) as refused:
        record(staff, partial, plan, election_period="icsep")
    assert refused.value.extra["field"] == "election_period"
    assert "full-benefit" in refused.value.message


def test_a_person_the_rules_refuse_is_not_eligible_whatever_the_period(
    staff: User, plan: MediMediPlan
) -> None:
    no_medi_cal = BeneficiaryFactory(medi_cal=False)
    with pytest.raises(NotEligible):
        record(staff, no_medi_cal, plan, election_period="other_sep")


def test_initial_coverage_before_medicare_starts_takes_effect_when_it_starts(
    staff: User, plan: MediMediPlan
) -> None:
    newcomer = BeneficiaryFactory(
        medicare_part_a_start=date(2027, 1, 1), medicare_part_b_start=date(2027, 1, 1)
    )
    application = record(staff, newcomer, plan, election_period="icep")
    assert application.effective_date == date(2027, 1, 1)


def test_initial_coverage_outside_the_seven_months_is_refused(
    staff: User, plan: MediMediPlan
) -> None:
    long_ago = BeneficiaryFactory()  # Medicare since 2020
    with pytest.raises(DomainError) as refused:
        record(staff, long_ago, plan, election_period="icep")
    assert refused.value.extra["field"] == "election_period"


def test_person_found_by_mbi_or_cin_with_date_of_birth(staff: User) -> None:
    person = BeneficiaryFactory()
    by_mbi = intake.intake_person_find(
        actor=staff, identifier=person.mbi.lower(), date_of_birth=person.date_of_birth
    )
    by_cin = intake.intake_person_find(
        actor=staff, identifier=person.cin, date_of_birth=person.date_of_birth
    )
    assert by_mbi == by_cin == person
    assert AuditEvent.objects.filter(
        actor=staff, action="read", object_type="beneficiary", object_id=str(person.pk)
    ).exists()
    with pytest.raises(DomainError) as refused:
        intake.intake_person_find(
            actor=staff, identifier=person.mbi, date_of_birth=date(1999, 1, 1)
        )
    assert refused.value.extra["field"] == "identifier"


def test_members_cannot_look_people_up() -> None:
    person = BeneficiaryFactory()
    with pytest.raises(Forbidden):
        intake.intake_person_find(
            actor=UserFactory(), identifier=person.mbi, date_of_birth=person.date_of_birth
        )


# The staff page: "Start an application" from the work queue.


def _page(user: User) -> Any:

    return login_verified(Client(), user)


def _form(person: Beneficiary, plan: MediMediPlan, **changes: Any) -> dict[str, Any]:

    return {
        "identifier": person.mbi,
        "date_of_birth": person.date_of_birth.isoformat(),
        "plan": plan.pk,
        "channel": "walk_in",
        "received_on": california_today().isoformat(),
        "signed_by": "The member, in person",
        "election_period": "icsep",
        **changes,
    }


def test_queue_links_to_the_start_page_which_offers_only_the_organizations_plans(
    staff: User, plan: MediMediPlan
) -> None:
    client = _page(staff)
    assert 'href="/staff/applications/new/"' in client.get("/staff/queue/").content.decode()
    page = client.get("/staff/applications/new/").content.decode()
    assert f'value="{plan.pk}"' in page
    other = MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
    assert f'value="{other.pk}"' not in page


def test_staff_page_records_a_walk_in_election_and_shows_it(
    staff: User, plan: MediMediPlan
) -> None:
    person = BeneficiaryFactory()
    response = _page(staff).post("/staff/applications/new/", _form(person, plan))
    assert response.status_code == 302
    application = Application.objects.get(beneficiary=person)
    assert response["Location"] == f"/staff/applications/{application.pk}/"
    assert application.channel == "walk_in"
    assert application.status == ApplicationStatus.SUBMITTED
    shown = _page(staff).get(response["Location"]).content.decode()
    assert "In person" in shown
    assert "Authorized representatives" in shown


def test_staff_page_puts_refusals_on_their_fields_with_the_summary(
    staff: User, plan: MediMediPlan
) -> None:
    person = BeneficiaryFactory()
    wrong_birth = _form(person, plan, date_of_birth="1901-01-01")
    page = _page(staff).post("/staff/applications/new/", wrong_birth)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="error-summary"' in body
    assert 'href="#id_identifier"' in body
    aep_in_summer = _form(person, plan, election_period="aep")
    page = _page(staff).post("/staff/applications/new/", aep_in_summer)

    today = california_today()
    if not date(today.year, 10, 15) <= today <= date(today.year, 12, 7):
        assert 'href="#id_election_period_0"' in page.content.decode()
    future = _form(person, plan, received_on="2999-01-01")
    page = _page(staff).post("/staff/applications/new/", future)
    assert 'href="#id_received_on"' in page.content.decode()
    assert (
        not Application.objects.filter(beneficiary=person).exclude(election_period="aep").exists()
    )


def test_members_cannot_open_the_start_page() -> None:
    member = UserFactory()
    BeneficiaryFactory(user=member)
    assert _page(member).get("/staff/applications/new/").status_code == 403
