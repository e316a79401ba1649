"""Member pages: signup, linking, applying, following an application, leaving a plan."""

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role, User
from eligibility.models import County, MediMediPlan
from eligibility.rules import last_day_of_month
from eligibility.selectors import california_today
from enrollment import services
from enrollment.models import Application, ApplicationStatus, Enrollment
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-passphrase-2026"


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def error_summary(response: Any) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', text(response))
    assert match, "no error summary on the page"
    return match.group(0)


def logged_in(user: User) -> Client:
    client = Client()
    return login_verified(client, user)


@pytest.fixture
def member() -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user, first_name="Rosa", last_name="Quintero")
    return user


@pytest.fixture
def careadvantage() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


def draft_for(user: User, plan: MediMediPlan | None = None) -> Application:
    return services.application_create(beneficiary=user.beneficiary, actor=user, plan=plan)


def form_data(plan: MediMediPlan | None, action: str, **overrides: str) -> dict[str, str]:
    data = {
        "plan": str(plan.pk) if plan else "",
        "contact_email": "rosa@example.test",
        "contact_phone": "650-555-0100",
        "language": "en",
        "notice_format": "standard",
        "action": action,
    }
    data.update(overrides)
    return data


def started_enrollment_for(user: User, plan: MediMediPlan) -> Enrollment:
    """An approved application whose Medi-Medi coverage started long ago (February 2025)."""
    draft = draft_for(user, plan)
    submitted = services.application_submit(application=draft, actor=user, now=at(2025, 1, 10))
    services.application_approve(
        application=submitted, actor=StaffFactory(), today=date(2025, 1, 15)
    )
    return Enrollment.objects.get(beneficiary=user.beneficiary, kind="medi_medi")


# --- Signup and linking --------------------------------------------------------------------


def test_signup_creates_a_member_named_by_lower_cased_email_and_sends_them_to_linking() -> None:
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "Rosa.Q@Example.TEST", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/link/"
    user = User.objects.get(username="rosa.q@example.test")
    assert user.email == "rosa.q@example.test"
    assert user.role == Role.MEMBER
    assert user.check_password(PASSWORD)
    # Logged in: the home page sends a member without a linked record to linking.
    assert client.get("/me/")["Location"] == "/me/link/"


def test_signup_applies_the_password_validators_and_refuses_a_taken_email() -> None:
    UserFactory(username="taken@example.test")
    client = Client()
    weak = client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": "password", "password2": "password"},
    )
    assert weak.status_code == 200
    assert "This password is too common." in text(weak)
    assert 'role="alert"' in error_summary(weak)
    taken = client.post(
        "/accounts/signup/",
        {"email": "TAKEN@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "already exists" in text(taken)
    assert User.objects.count() == 1


def test_signup_and_login_pages_label_every_input() -> None:
    for url in ("/accounts/signup/", "/accounts/login/"):
        page = text(Client().get(url))
        for input_id in re.findall(
            r'<input[^>]*type="(?:text|email|password)"[^>]*id="([^"]+)"', page
        ):
            assert f'<label for="{input_id}">' in page, (url, input_id)


def test_a_failed_match_shows_the_same_message_for_a_wrong_birth_date_and_an_unknown_mbi() -> None:
    person = BeneficiaryFactory()
    client = logged_in(UserFactory())
    wrong_birth_date = client.post(
        "/me/link/",
        {"identifier": person.mbi, "date_of_birth": "1901-01-01", "last_name": person.last_name},
    )
    unknown_mbi = client.post(
        "/me/link/",
        {"identifier": "1EG4-TE5-MK73", "date_of_birth": "1950-05-17", "last_name": "Nobody"},
    )
    assert wrong_birth_date.status_code == unknown_mbi.status_code == 200
    assert error_summary(wrong_birth_date) == error_summary(unknown_mbi)
    assert "We could not match those details" in error_summary(unknown_mbi)
    person.refresh_from_db()
    assert person.user_id is None


def test_linking_with_a_cin_links_the_account_and_opens_my_medi_medi() -> None:
    user = UserFactory()
    person = BeneficiaryFactory(first_name="Rosa", last_name="Quintero")
    client = logged_in(user)
    response = client.post(
        "/me/link/",
        {"identifier": person.cin, "date_of_birth": "1950-05-17", "last_name": "QUINTERO"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    person.refresh_from_db()
    assert person.user_id == user.pk
    home = text(client.get("/me/"))
    assert "Rosa Quintero" in home
    assert "San Mateo" in home
    assert "Standard print" in home


def test_link_form_errors_link_to_their_fields() -> None:
    response = logged_in(UserFactory()).post("/me/link/", {"identifier": "", "last_name": ""})
    summary = error_summary(response)
    assert 'href="#id_identifier"' in summary
    assert 'href="#id_date_of_birth"' in summary


# --- Applying ------------------------------------------------------------------------------


def test_member_signs_up_links_applies_saves_resumes_submits_and_follows_the_application(
    careadvantage: MediMediPlan,
) -> None:
    person = BeneficiaryFactory(first_name="Rosa", last_name="Quintero")
    client = Client()
    client.post(
        "/accounts/signup/",
        {"email": "rosa@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.post(
        "/me/link/",
        {"identifier": person.mbi, "date_of_birth": "1950-05-17", "last_name": "Quintero"},
    )

    new = client.get("/me/applications/new/")
    page = text(new)
    # A San Mateo member is offered CareAdvantage only, in a labelled radio group.
    assert re.findall(r'<input type="radio" name="plan" value="(\d+)"', page) == [
        str(careadvantage.pk)
    ]
    assert "CareAdvantage, from Health Plan of San Mateo" in page
    assert "L.A. Care Medicare Plus" not in page
    assert "<legend>Which Medi-Medi Plan do you want to join?</legend>" in page
    assert "<legend>In which format do you want your letters?</legend>" in page

    saved = client.post("/me/applications/new/", form_data(careadvantage, "save"))
    application = Application.objects.get(beneficiary=person)
    assert saved["Location"] == f"/me/applications/{application.pk}/"
    assert application.status == ApplicationStatus.DRAFT
    assert application.plan == careadvantage
    assert application.contact_phone == "650-555-0100"

    resumed = text(client.get(f"/me/applications/{application.pk}/edit/"))
    assert f'value="{careadvantage.pk}" id="id_plan_0" checked' in resumed
    assert 'value="650-555-0100"' in resumed

    submitted = client.post(
        f"/me/applications/{application.pk}/edit/",
        form_data(careadvantage, "submit", language="es", notice_format="large_print"),
    )
    assert submitted["Location"] == f"/me/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert (application.language, application.notice_format) == ("es", "large_print")
    assert application.effective_date is not None

    status_page = text(client.get(f"/me/applications/{application.pk}/"))
    assert "Status: <strong" in status_page and ">Submitted</strong>" in status_page
    assert f"{application.effective_date:%B} {application.effective_date.day}, " in status_page
    history = re.search(r'<table class="history">.*?</table>', status_page)
    assert history
    assert "<td>(started)</td> <td>Draft</td>" in history.group(0)
    assert "<td>Draft</td> <td>Submitted</td>" in history.group(0)
    assert "Your application is submitted." in status_page


def test_submitting_a_new_application_without_a_plan_creates_nothing_and_points_at_the_plan(
    member: User,
) -> None:
    client = logged_in(member)
    response = client.post("/me/applications/new/", form_data(None, "submit"))
    assert response.status_code == 200
    assert not Application.objects.filter(beneficiary=member.beneficiary).exists()
    summary = error_summary(response)
    assert 'href="#id_plan_0"' in summary
    assert "Choose a plan before submitting." in summary
    # Nothing was saved, so the page still posts to the new application.
    assert 'action="/me/applications/new/"' in text(response)


def test_a_refused_submission_shows_every_reason_and_keeps_the_draft(
    member: User, careadvantage: MediMediPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accounts.errors import NotEligible

    def refuse(**kwargs: Any) -> None:
        raise NotEligible(
            "You cannot join a Medi-Medi Plan now.",
            reasons=[
                {"code": "INCARCERATED", "message": "People who are incarcerated cannot join."},
                {"code": "NO_MEDI_CAL", "message": "You need Medi-Cal as well as Medicare."},
            ],
        )

    monkeypatch.setattr(services, "application_submit", refuse)
    draft = draft_for(member, careadvantage)
    client = logged_in(member)
    response = client.post(
        f"/me/applications/{draft.pk}/edit/", form_data(careadvantage, "submit"), follow=True
    )
    page = text(response)
    alert = re.search(r'<div class="messages messages-error" role="alert">.*?</div>', page)
    assert alert
    assert "You cannot join a Medi-Medi Plan now." in alert.group(0)
    assert "People who are incarcerated cannot join." in alert.group(0)
    assert "You need Medi-Cal as well as Medicare." in alert.group(0)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_a_member_who_is_not_eligible_sees_every_reason_and_no_plan_choice() -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user, medicare_part_a_start=None, medi_cal=False)
    client = logged_in(user)
    page = text(client.get("/me/applications/new/"))
    assert "You cannot join a Medi-Medi Plan now" in page
    assert "You need Medicare Part A (hospital insurance)." in page
    assert "You need Medi-Cal as well as Medicare." in page
    assert 'name="plan"' not in page
    assert "Submit application" not in page
    client.post("/me/applications/new/", form_data(None, "submit"))
    assert not Application.objects.exists()


def test_a_member_in_a_county_with_another_plan_is_offered_only_that_countys_plans() -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user, county=County.objects.get(name="Orange"))
    page = text(logged_in(user).get("/me/applications/new/"))
    assert "CalOptima Health OneCare" in page
    assert "CareAdvantage" not in page


def test_a_member_must_link_before_applying() -> None:
    response = logged_in(UserFactory()).get("/me/applications/new/")
    assert response["Location"] == "/me/link/"


def test_a_submitted_application_can_no_longer_be_edited(
    member: User, careadvantage: MediMediPlan
) -> None:
    application = services.application_submit(
        application=draft_for(member, careadvantage), actor=member
    )
    client = logged_in(member)
    response = client.post(
        f"/me/applications/{application.pk}/edit/", form_data(careadvantage, "save", language="es")
    )
    assert response["Location"] == f"/me/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.language == "en"


# --- Withdrawing ---------------------------------------------------------------------------


def test_withdrawing_a_draft_asks_for_confirmation_and_only_a_post_withdraws(
    member: User, careadvantage: MediMediPlan
) -> None:
    draft = draft_for(member, careadvantage)
    client = logged_in(member)
    confirm = client.get(f"/me/applications/{draft.pk}/withdraw/")
    assert "Yes, withdraw my application" in text(confirm)
    assert 'name="csrfmiddlewaretoken"' in text(confirm)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    response = client.post(f"/me/applications/{draft.pk}/withdraw/", follow=True)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.WITHDRAWN
    assert "Your application is withdrawn." in text(response)


def test_withdrawing_a_decided_application_shows_the_refusal(
    member: User, careadvantage: MediMediPlan
) -> None:
    application = draft_for(member, careadvantage)
    services.application_withdraw(application=application, actor=member)
    response = logged_in(member).post(f"/me/applications/{application.pk}/withdraw/", follow=True)
    assert response.status_code == 200
    assert "An application that is withdrawn cannot become withdrawn." in text(response)


# --- Who sees what -------------------------------------------------------------------------


def test_member_a_gets_404_for_member_bs_application(
    member: User, careadvantage: MediMediPlan
) -> None:
    theirs = draft_for(member, careadvantage)
    other = UserFactory()
    BeneficiaryFactory(user=other)
    client = logged_in(other)
    for path in ("", "edit/", "withdraw/"):
        assert client.get(f"/me/applications/{theirs.pk}/{path}").status_code == 404
    assert client.post(f"/me/applications/{theirs.pk}/withdraw/").status_code == 404
    assert (
        client.post(
            f"/me/applications/{theirs.pk}/edit/", form_data(careadvantage, "submit")
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == ApplicationStatus.DRAFT


def test_member_pages_need_a_login() -> None:
    for path in ("/me/", "/me/link/", "/me/applications/new/", "/staff/queue/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_posts_without_a_csrf_token_are_refused(member: User, careadvantage: MediMediPlan) -> None:
    draft = draft_for(member, careadvantage)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(f"/me/applications/{draft.pk}/withdraw/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


# --- Home and disenrollment ----------------------------------------------------------------


def test_home_lists_applications_with_status_and_enrollments(
    member: User, careadvantage: MediMediPlan
) -> None:
    started_enrollment_for(member, careadvantage)
    draft_for(member, careadvantage)
    page = text(logged_in(member).get("/me/"))
    assert "<title>My Medi-Medi · California Medi-Medi Portal</title>" in page
    assert ">Approved</span>" in page
    assert ">Draft</span>" in page
    assert "Health Plan of San Mateo" in page  # the aligned Medi-Cal plan
    assert "February 1, 2025" in page
    assert "Leave this plan" in page
    # The one plan offered in San Mateo is the one the member is in: applying is not offered.
    assert 'href="/me/applications/new/"' not in page
    assert "You are enrolled in CareAdvantage" in page


def test_member_disenrollment_ends_on_the_last_day_of_the_month_and_medi_cal_continues(
    member: User, careadvantage: MediMediPlan
) -> None:
    medi_medi = started_enrollment_for(member, careadvantage)
    client = logged_in(member)
    end = last_day_of_month(california_today())
    confirm = text(client.get(f"/me/enrollments/{medi_medi.pk}/disenroll/"))
    assert f"{end:%B} {end.day}, {end.year}" in confirm
    assert "Your Medi-Cal plan coverage continues" in confirm
    medi_medi.refresh_from_db()
    assert medi_medi.end_date is None  # GET changes nothing

    done = client.post(f"/me/enrollments/{medi_medi.pk}/disenroll/", follow=True)
    medi_medi.refresh_from_db()
    assert medi_medi.end_date == end
    assert medi_medi.end_reason == "disenrolled"
    medi_cal = Enrollment.objects.get(beneficiary=member.beneficiary, kind="medi_cal")
    assert medi_cal.end_date is None
    assert "Your Medi-Cal plan coverage continues." in text(done)

    again = client.post(f"/me/enrollments/{medi_medi.pk}/disenroll/", follow=True)
    assert "already ended or is already set to end" in text(again)


def test_member_cannot_disenroll_another_members_enrollment(
    member: User, careadvantage: MediMediPlan
) -> None:
    medi_medi = started_enrollment_for(member, careadvantage)
    other = UserFactory()
    BeneficiaryFactory(user=other)
    assert logged_in(other).post(f"/me/enrollments/{medi_medi.pk}/disenroll/").status_code == 404
    medi_medi.refresh_from_db()
    assert medi_medi.end_date is None


def test_application_status_shows_the_info_request_note_and_denial_reasons(
    member: User, careadvantage: MediMediPlan
) -> None:
    application = services.application_submit(
        application=draft_for(member, careadvantage), actor=member
    )
    staff = StaffFactory()
    services.application_request_info(
        application=application, actor=staff, note="Send proof of address"
    )
    client = logged_in(member)
    page = text(client.get(f"/me/applications/{application.pk}/"))
    assert "We need more information from you" in page
    assert "Send proof of address" in page
    services.application_deny(
        application=application, actor=staff, reasons=["IDENTITY_NOT_VERIFIED", "OTHER"], note="x1"
    )
    page = text(client.get(f"/me/applications/{application.pk}/"))
    assert "We could not verify your identity." in page
    assert "Another reason, explained in the note." in page
    assert "right to appeal" in page
    assert staff.username not in page  # members see what happened, not staff usernames
