"""Issue 10, the rules to the day: later elections, no retroactive start, cancellations, reviews.

Each rule is tested through the service and through the API or the pages (42 CFR 422.66,
422.68; CMS Medicare Advantage enrollment guidance; domain.md section 6).
"""

from datetime import date

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.errors import Conflict, DomainError, Forbidden
from accounts.models import User
from eligibility.models import County, MediCalPlan, MediMediPlan
from eligibility.rules import first_of_next_month
from eligibility.selectors import california_today
from enrollment import services
from enrollment.models import (
    Application,
    ApplicationStatus,
    Enrollment,
    EnrollmentKind,
    ReviewItem,
)
from notices.models import Notice
from notices.rendering import notice_render
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

BLUE_SHIELD = "Blue Shield TotalDual"
LA_CARE = "L.A. Care Medicare Plus"


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user: User) -> Client:
    return login_verified(Client(), user)


def la_member(user: User | None = None):
    """A member in Los Angeles already in the L.A. Care Medi-Cal plan (from the state's file)."""
    person = BeneficiaryFactory(user=user, county=County.objects.get(name="Los Angeles"))
    earlier = Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name="L.A. Care"),
        start_date=date(2024, 1, 1),
    )
    return person, earlier


def submitted(person, plan_name: str, when=None) -> Application:
    draft = services.application_create(
        beneficiary=person, actor=None, plan=MediMediPlan.objects.get(name=plan_name)
    )
    return services.application_submit(application=draft, actor=None, now=when)


def medi_medi_of(application: Application) -> Enrollment:
    return Enrollment.objects.get(application=application, kind=EnrollmentKind.MEDI_MEDI)


def medi_cal_made_by(application: Application) -> Enrollment:
    return Enrollment.objects.get(application=application, kind=EnrollmentKind.MEDI_CAL)


# --- A later election made before the first one starts replaces it ---------------------------


def test_a_later_election_before_the_first_starts_replaces_it(
    django_capture_on_commit_callbacks,
) -> None:
    person, earlier_medi_cal = la_member()
    admin = AdminFactory()  # two organizations' plans
    first = submitted(person, BLUE_SHIELD, at(2026, 11, 20))
    second = submitted(person, LA_CARE, at(2026, 11, 27))
    services.application_approve(application=first, actor=admin, today=date(2026, 11, 21))
    replaced = medi_medi_of(first)
    replaced_medi_cal = medi_cal_made_by(first)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=second, actor=admin, today=date(2026, 11, 28))

    replaced.refresh_from_db()
    replaced_medi_cal.refresh_from_db()
    assert (replaced.cancelled, replaced.end_reason) == (True, "superseded")
    assert (replaced_medi_cal.cancelled, replaced_medi_cal.end_reason) == (True, "superseded")
    new = medi_medi_of(second)
    assert (new.start_date, new.end_date, new.cancelled) == (date(2026, 12, 1), None, False)
    # The earlier L.A. Care Medi-Cal enrollment, ended by the first approval, is put back and
    # is the new plan's aligned Medi-Cal plan: it continues, linked to the new enrollment.
    earlier_medi_cal.refresh_from_db()
    assert (earlier_medi_cal.end_date, earlier_medi_cal.cancelled) == (None, False)
    assert earlier_medi_cal.aligned_with == new
    live = Enrollment.objects.filter(beneficiary=person, cancelled=False)
    assert sorted((e.kind, e.start_date, e.end_date) for e in live) == [
        ("medi_cal", date(2024, 1, 1), None),
        ("medi_medi", date(2026, 12, 1), None),
    ]
    # The member gets the new confirmation; the replaced application's history says why.
    confirmation = Notice.objects.get(idempotency_key=f"enrollment-confirmed:{new.pk}")
    assert confirmation.context["plan_name"] == LA_CARE
    first.refresh_from_db()
    assert first.status == ApplicationStatus.APPROVED
    last = first.status_changes.last()
    assert last is not None
    assert "Superseded" in last.note and str(second.pk) in last.note
    assert last.reason_codes == ["superseded"]


def test_an_earlier_election_does_not_replace_a_later_one_already_approved() -> None:
    person, _ = la_member()
    admin = AdminFactory()
    older = submitted(person, BLUE_SHIELD, at(2026, 11, 20))
    later = submitted(person, LA_CARE, at(2026, 11, 27))
    services.application_approve(application=later, actor=admin, today=date(2026, 11, 28))
    # The older election is closed by the later one's approval: nothing is left to decide.
    older.refresh_from_db()
    assert older.status == "withdrawn"
    assert older.status_changes.last().note == (
        f"Replaced by application {later.pk}, a later election that was approved."
    )
    with pytest.raises(Conflict):
        services.application_approve(application=older, actor=admin, today=date(2026, 11, 29))
    assert medi_medi_of(later).cancelled is False


def test_an_enrollment_that_has_started_is_switched_not_replaced() -> None:
    person, _ = la_member()
    admin = AdminFactory()
    first = submitted(person, BLUE_SHIELD, at(2026, 1, 10))
    services.application_approve(application=first, actor=admin, today=date(2026, 1, 20))
    second = submitted(person, LA_CARE, at(2026, 5, 20))
    services.application_approve(application=second, actor=admin, today=date(2026, 5, 25))
    old = medi_medi_of(first)
    assert (old.end_date, old.cancelled, old.end_reason) == (
        date(2026, 5, 31),
        False,
        "plan_switch",
    )


def test_api_approval_of_a_later_election_replaces_the_future_enrollment() -> None:
    person, _ = la_member()
    admin = AdminFactory()
    first = submitted(person, BLUE_SHIELD)  # now: coverage from the next first of a month
    second = submitted(person, LA_CARE)
    client = api(admin)
    assert client.post(f"/api/v1/applications/{first.pk}/approve").status_code == 200
    response = client.post(f"/api/v1/applications/{second.pk}/approve")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    replaced = medi_medi_of(first)
    assert (replaced.cancelled, replaced.end_reason) == (True, "superseded")
    history = client.get(f"/api/v1/applications/{first.pk}").json()["history"]
    assert "Superseded" in history[-1]["note"]
    enrollments = client.get(f"/api/v1/applications/{first.pk}").json()["enrollments"]
    assert {e["end_reason"] for e in enrollments} == {"superseded"}


# --- No retroactive enrollment ------------------------------------------------------------------


def test_approval_after_the_effective_date_moves_it_to_the_next_first_of_a_month() -> None:
    application = submitted(BeneficiaryFactory(), "CareAdvantage", at(2026, 10, 10))
    assert application.effective_date == date(2026, 11, 1)
    services.application_approve(
        application=application, actor=StaffFactory(), today=date(2026, 11, 15)
    )
    application.refresh_from_db()
    assert application.effective_date == date(2026, 12, 1)
    assert "after the effective date 2026-11-01" in application.effective_date_note
    assert "2026-12-01" in application.effective_date_note
    assert medi_medi_of(application).start_date == date(2026, 12, 1)
    assert medi_cal_made_by(application).start_date == date(2026, 12, 1)
    assert application.status_changes.last().note == application.effective_date_note


def test_approval_on_the_effective_date_keeps_it() -> None:
    application = submitted(BeneficiaryFactory(), "CareAdvantage", at(2026, 10, 10))
    services.application_approve(
        application=application, actor=StaffFactory(), today=date(2026, 11, 1)
    )
    application.refresh_from_db()
    assert (application.effective_date, application.effective_date_note) == (date(2026, 11, 1), "")


def test_only_an_admin_keeps_an_earlier_effective_date_with_a_reason() -> None:
    application = submitted(BeneficiaryFactory(), "CareAdvantage", at(2026, 10, 10))
    with pytest.raises(Forbidden):
        services.application_approve(
            application=application,
            actor=StaffFactory(),
            today=date(2026, 11, 15),
            effective_date=date(2026, 11, 1),
            reason="Election received on time; approval delayed",
        )
    admin = AdminFactory()
    with pytest.raises(DomainError) as excinfo:
        services.application_approve(
            application=application,
            actor=admin,
            today=date(2026, 11, 15),
            effective_date=date(2026, 11, 1),
        )
    assert excinfo.value.extra["field"] == "reason"
    with pytest.raises(DomainError) as excinfo:
        services.application_approve(
            application=application,
            actor=admin,
            today=date(2026, 11, 15),
            effective_date=date(2026, 11, 15),
            reason="x",
        )
    assert excinfo.value.extra["field"] == "effective_date"
    # Keeping means an earlier date: a later one than the rule gives (2026-12-01) is refused.
    with pytest.raises(DomainError, match="not set a later one") as excinfo:
        services.application_approve(
            application=application,
            actor=admin,
            today=date(2026, 11, 15),
            effective_date=date(2027, 1, 1),
            reason="x",
        )
    assert excinfo.value.extra["field"] == "effective_date"
    services.application_approve(
        application=application,
        actor=admin,
        today=date(2026, 11, 15),
        effective_date=date(2026, 11, 1),
        reason="Election received on time; approval delayed",
    )
    application.refresh_from_db()
    assert application.effective_date == date(2026, 11, 1)
    assert "approval delayed" in application.effective_date_note
    assert medi_medi_of(application).start_date == date(2026, 11, 1)


def test_api_approval_after_the_effective_date_says_so_and_staff_cannot_keep_the_date() -> None:
    today = california_today()
    moved_to = first_of_next_month(today)
    late = submitted(BeneficiaryFactory(), "CareAdvantage", at(2026, 9, 10))
    staff = StaffFactory()
    refused = api(staff).post(
        f"/api/v1/applications/{late.pk}/approve",
        {"effective_date": "2026-10-01", "reason": "late"},
        format="json",
    )
    assert refused.status_code == 403
    response = api(staff).post(f"/api/v1/applications/{late.pk}/approve")
    assert response.status_code == 200
    body = response.json()
    assert body["effective_date"] == moved_to.isoformat()
    assert "no retroactive enrollment" in body["effective_date_note"]

    kept = submitted(BeneficiaryFactory(), "CareAdvantage", at(2026, 9, 10))
    response = api(AdminFactory()).post(
        f"/api/v1/applications/{kept.pk}/approve",
        {"effective_date": "2026-10-01", "reason": "Paper form received in September"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["effective_date"] == "2026-10-01"
    assert "Paper form received in September" in response.json()["effective_date_note"]


def test_staff_page_says_the_effective_date_moved() -> None:
    late = submitted(BeneficiaryFactory(), "CareAdvantage", at(2026, 9, 10))
    staff = StaffFactory()
    client = page(staff)
    response = client.post(f"/staff/applications/{late.pk}/approve/", follow=True)
    text = response.content.decode()
    assert "no retroactive enrollment" in text
    late.refresh_from_db()
    assert late.effective_date == first_of_next_month(california_today())


def test_admin_keeps_the_date_on_the_staff_page_and_staff_see_no_field() -> None:
    application = submitted(BeneficiaryFactory(), "CareAdvantage", at(2026, 9, 10))
    staff_page = page(StaffFactory()).get(f"/staff/applications/{application.pk}/").content.decode()
    assert "approve-effective_date" not in staff_page
    admin = page(AdminFactory())
    assert (
        "approve-effective_date"
        in admin.get(f"/staff/applications/{application.pk}/").content.decode()
    )
    admin.post(
        f"/staff/applications/{application.pk}/approve/",
        {"approve-effective_date": "2026-10-01", "approve-reason": "Received by phone on time"},
    )
    application.refresh_from_db()
    assert application.effective_date == date(2026, 10, 1)
    assert "Received by phone on time" in application.effective_date_note


# --- A cancellation before the start cancels the aligned Medi-Cal enrollment too ------------------


def test_disenrollment_before_the_start_cancels_the_pair_and_restores_the_earlier_medi_cal(
    django_capture_on_commit_callbacks,
) -> None:
    person, earlier_medi_cal = la_member()
    application = submitted(person, BLUE_SHIELD, at(2026, 11, 20))
    services.application_approve(
        application=application, actor=AdminFactory(), today=date(2026, 11, 21)
    )
    earlier_medi_cal.refresh_from_db()
    assert earlier_medi_cal.end_date == date(2026, 11, 30)  # ended by the approval
    medi_medi = medi_medi_of(application)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_disenroll(
            enrollment=medi_medi, actor=None, requested_on=date(2026, 10, 25)
        )
    medi_medi.refresh_from_db()
    aligned = medi_cal_made_by(application)
    earlier_medi_cal.refresh_from_db()
    assert (medi_medi.cancelled, aligned.cancelled) == (True, True)
    assert (earlier_medi_cal.end_date, earlier_medi_cal.end_reason, earlier_medi_cal.cancelled) == (
        None,
        "",
        False,
    )
    letter = Notice.objects.get(idempotency_key=f"disenrollment-confirmed:{medi_medi.pk}")
    assert letter.context["cancelled"] is True
    assert letter.context["start_date"] == "2026-12-01"
    text = notice_render(letter).text
    assert "is cancelled" in text
    assert "ends on" not in text
    assert "L.A. Care" in text  # the Medi-Cal plan the member has again


def test_a_never_started_enrollments_letter_in_spanish_says_it_is_cancelled(
    django_capture_on_commit_callbacks,
) -> None:
    person, _ = la_member()
    person.preferred_language = "es"
    person.save()
    application = submitted(person, BLUE_SHIELD, at(2026, 11, 20))
    services.application_approve(
        application=application, actor=AdminFactory(), today=date(2026, 11, 21)
    )
    medi_medi = medi_medi_of(application)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_disenroll(
            enrollment=medi_medi, actor=None, requested_on=date(2026, 10, 25)
        )
    letter = Notice.objects.get(idempotency_key=f"disenrollment-confirmed:{medi_medi.pk}")
    text = notice_render(letter).text
    assert "está cancelada" in text
    assert "termina el" not in text


def test_api_disenrollment_before_the_start_cancels_the_aligned_medi_cal_too() -> None:
    user = UserFactory()
    person, earlier_medi_cal = la_member(user)
    draft = services.application_create(
        beneficiary=person, actor=user, plan=MediMediPlan.objects.get(name=BLUE_SHIELD)
    )
    application = services.application_submit(application=draft, actor=user)  # starts next month
    services.application_approve(application=application, actor=AdminFactory())
    medi_medi = medi_medi_of(application)
    # Asked in the month before it starts: the last day of this month is before the start.
    response = api(user).post(f"/api/v1/enrollments/{medi_medi.pk}/disenroll", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["cancelled"] is True
    assert medi_cal_made_by(application).cancelled is True
    earlier_medi_cal.refresh_from_db()
    assert earlier_medi_cal.end_date is None
    # The member's pages never say "You are enrolled" for it.
    detail = page(user).get(f"/me/applications/{application.pk}/").content.decode()
    assert "You are enrolled" not in detail
    assert "cancelled before coverage started" in detail


def test_a_superseded_application_page_says_why() -> None:
    user = UserFactory()
    person, _ = la_member(user)
    admin = AdminFactory()
    first = submitted(person, BLUE_SHIELD, at(2026, 11, 20))
    second = submitted(person, LA_CARE, at(2026, 11, 27))
    services.application_approve(application=first, actor=admin, today=date(2026, 11, 21))
    services.application_approve(application=second, actor=admin, today=date(2026, 11, 28))
    detail = page(user).get(f"/me/applications/{first.pk}/").content.decode()
    assert "You are enrolled" not in detail
    assert "the later choice is the one that counts" in detail


# --- Leaving the aligned Medi-Cal plan opens a disenrollment review ------------------------------


def test_member_asking_to_leave_the_aligned_medi_cal_plan_opens_a_review() -> None:
    user = UserFactory()
    person = BeneficiaryFactory(user=user)
    application = submitted(person, "CareAdvantage", at(2026, 10, 10))
    services.application_approve(
        application=application, actor=StaffFactory(), today=date(2026, 10, 20)
    )
    medi_cal = medi_cal_made_by(application)
    result = services.enrollment_leave(enrollment=medi_cal, actor=user)
    assert result.review is not None
    assert result.review.kind == "medi_cal_plan_mismatch"
    assert result.review.enrollment == medi_medi_of(application)
    assert result.review.detail["source"] == "member_request"
    medi_cal.refresh_from_db()
    assert medi_cal.end_date is None  # nothing ends before staff decide
    shown = page(StaffFactory()).get(f"/staff/reviews/{result.review.pk}/").content.decode()
    assert "Health Plan of San Mateo" in shown  # the Medi-Cal plan the member asks to leave
    assert "asks to leave the aligned Medi-Cal plan" in shown


def test_member_page_request_to_leave_the_medi_cal_plan_says_it_is_being_reviewed() -> None:
    user = UserFactory()
    person = BeneficiaryFactory(user=user)
    application = submitted(person, "CareAdvantage", at(2026, 10, 10))
    services.application_approve(
        application=application, actor=StaffFactory(), today=date(2026, 10, 20)
    )
    medi_cal = medi_cal_made_by(application)
    client = page(user)
    assert "Ask to leave this Medi-Cal plan" in client.get("/me/").content.decode()
    confirm = client.get(f"/me/enrollments/{medi_cal.pk}/disenroll/").content.decode()
    assert "Ask to leave this Medi-Cal plan" in confirm
    done = client.post(f"/me/enrollments/{medi_cal.pk}/disenroll/", follow=True).content.decode()
    assert "being reviewed" in done
    assert ReviewItem.objects.filter(beneficiary=person, kind="medi_cal_plan_mismatch").count() == 1


# --- Several open applications --------------------------------------------------------------------


def test_member_starting_another_application_is_told_which_one_stands() -> None:
    user = UserFactory()
    person = BeneficiaryFactory(user=user)
    pending = submitted(person, "CareAdvantage")
    text = page(user).get("/me/applications/new/").content.decode()
    assert f"You already have application {pending.pk} for CareAdvantage" in text
    assert "the one that counts" in text


def test_api_application_lists_the_other_open_applications_and_which_stands() -> None:
    user = UserFactory()
    person = BeneficiaryFactory(user=user)
    older = submitted(person, "CareAdvantage", at(2026, 11, 20))
    newer = submitted(person, "CareAdvantage", at(2026, 11, 27))
    draft = services.application_create(beneficiary=person, actor=user)
    others = api(user).get(f"/api/v1/applications/{draft.pk}").json()["other_open_applications"]
    assert [(o["id"], o["stands"]) for o in others] == [(newer.pk, True), (older.pk, False)]
    staff_view = api(StaffFactory()).get(f"/api/v1/applications/{older.pk}").json()
    assert [(o["id"], o["stands"]) for o in staff_view["other_open_applications"]] == [
        (newer.pk, True)
    ]  # staff never see a member's draft


def test_staff_page_shows_the_members_other_open_applications() -> None:
    person = BeneficiaryFactory()
    one = submitted(person, "CareAdvantage", at(2026, 11, 20))
    two = submitted(person, "CareAdvantage", at(2026, 11, 27))
    text = page(StaffFactory()).get(f"/staff/applications/{one.pk}/").content.decode()
    assert "other open applications" in text
    assert f'href="/staff/applications/{two.pk}/"' in text
    assert "Yes: the latest election" in text


def test_a_switch_cancelled_before_it_starts_puts_the_earlier_plan_and_its_medi_cal_back(
    django_capture_on_commit_callbacks,
) -> None:
    """CMS: a cancelled election leaves the member where they were, in the earlier plan."""
    person, _ = la_member()
    first = submitted(person, "L.A. Care Medicare Plus", at(2026, 9, 20))
    services.application_approve(application=first, actor=AdminFactory(), today=date(2026, 9, 21))
    earlier, earlier_medi_cal = (
        medi_medi_of(first),
        Enrollment.objects.get(aligned_with=medi_medi_of(first)),
    )
    switch = submitted(person, BLUE_SHIELD, at(2026, 11, 20))
    services.application_approve(application=switch, actor=AdminFactory(), today=date(2026, 11, 21))
    earlier.refresh_from_db()
    assert (earlier.end_date, earlier.replaced_by) == (date(2026, 11, 30), medi_medi_of(switch))

    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_disenroll(
            enrollment=medi_medi_of(switch), actor=None, requested_on=date(2026, 11, 25)
        )

    earlier.refresh_from_db()
    earlier_medi_cal.refresh_from_db()
    assert (earlier.end_date, earlier.end_reason, earlier.replaced_by) == (None, "", None)
    assert (earlier_medi_cal.end_date, earlier_medi_cal.cancelled) == (None, False)
    assert earlier_medi_cal.aligned_with == earlier  # aligned again, every day
    assert medi_medi_of(switch).cancelled


def test_the_staff_page_says_before_approving_when_coverage_would_start_once_the_date_passed() -> (
    None
):
    person, _ = la_member()
    application = submitted(person, BLUE_SHIELD, at(2025, 1, 10))  # effective 2025-02-01: passed
    moved = first_of_next_month(california_today())

    page_text = page(AdminFactory()).get(f"/staff/applications/{application.pk}/").content.decode()

    assert "has passed" in page_text
    assert f"coverage starts on <strong>{moved:%B} {moved.day}, {moved.year}</strong>" in page_text
    assert "To keep the earlier date, enter it below with the reason." in page_text
