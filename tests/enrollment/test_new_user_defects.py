"""Defects a new user found in a real browser: applying again for the plan one is in, contact
details nobody can use, a denial confirmed before its note was checked, a withdrawal with no
confirmation, and an empty Apply form that still created a draft."""

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.errors import Conflict, DomainError
from accounts.models import User
from eligibility.models import MediMediPlan
from eligibility.selectors import OfferedPlan
from enrollment import services
from enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentKind
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def logged_in(user: User) -> Client:
    return login_verified(Client(), user)


@pytest.fixture
def careadvantage() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


@pytest.fixture
def member() -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user, first_name="Rosa", last_name="Quintero")
    return user


def enrolled(user: User, plan: MediMediPlan) -> Application:
    """Applied in January 2025, approved: covered by ``plan`` from February 2025, no end."""
    draft = services.application_create(beneficiary=user.beneficiary, actor=user, plan=plan)
    application = services.application_submit(application=draft, actor=user, now=at(2025, 1, 10))
    return services.application_approve(
        application=application, actor=StaffFactory(), today=date(2025, 1, 15)
    )


def submitted(user: User, plan: MediMediPlan) -> Application:
    draft = services.application_create(beneficiary=user.beneficiary, actor=user, plan=plan)
    return services.application_submit(application=draft, actor=user, now=at(2026, 11, 27))


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


# --- 1. Applying again for the plan one is enrolled in -------------------------------------


def test_submitting_for_the_plan_the_member_is_enrolled_in_is_refused_and_nothing_is_sent(
    member: User, careadvantage: MediMediPlan
) -> None:
    enrolled(member, careadvantage)
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    with pytest.raises(Conflict) as excinfo:
        services.application_submit(application=draft, actor=member, now=at(2026, 11, 27))
    assert excinfo.value.message.startswith("You are already enrolled in this plan.")
    assert excinfo.value.extra["field"] == "plan"
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.submitted_at is None
    assert [c.to_status for c in draft.status_changes.all()] == ["draft"]


def test_submission_and_approval_share_the_already_enrolled_rule(
    member: User, careadvantage: MediMediPlan
) -> None:
    first = enrolled(member, careadvantage)
    medi_medi = Enrollment.objects.get(application=first, kind=EnrollmentKind.MEDI_MEDI)
    found = services.enrolled_in_plan(
        beneficiary_id=member.beneficiary.pk, plan_id=careadvantage.pk, day=date(2027, 1, 1)
    )
    assert found == medi_medi
    # Once the enrollment ends before the day, the rule no longer applies.
    Enrollment.objects.filter(pk=medi_medi.pk).update(end_date=date(2026, 12, 31))
    assert (
        services.enrolled_in_plan(
            beneficiary_id=member.beneficiary.pk, plan_id=careadvantage.pk, day=date(2027, 1, 1)
        )
        is None
    )


def test_the_plan_the_member_is_in_is_not_offered_but_another_plan_is_a_switch(
    member: User, careadvantage: MediMediPlan
) -> None:
    enrolled(member, careadvantage)
    other = MediMediPlan.objects.exclude(pk=careadvantage.pk).first()
    assert other is not None
    offered = [
        OfferedPlan(plan.pk, plan.name, None, "Org", "", "Medi-Cal plan")
        for plan in (careadvantage, other)
    ]
    open_plans, enrolled_plans = services.plans_to_apply_for(
        member.beneficiary, offered, today=date(2026, 11, 27)
    )
    assert [p.id for p in open_plans] == [other.pk]
    assert [p.id for p in enrolled_plans] == [careadvantage.pk]


def test_member_home_does_not_offer_applying_for_the_plan_the_member_is_in(
    member: User, careadvantage: MediMediPlan
) -> None:
    enrolled(member, careadvantage)
    page = text(logged_in(member).get("/me/"))
    assert "Apply to join a Medi-Medi Plan</a>" not in page
    assert "You are enrolled in CareAdvantage, so you do not need to apply for it again." in page


def test_member_home_offers_applying_to_a_member_not_enrolled(member: User) -> None:
    page = text(logged_in(member).get("/me/"))
    assert "Apply to join a Medi-Medi Plan</a>" in page


def test_apply_page_of_an_enrolled_member_offers_no_form_and_creates_nothing(
    member: User, careadvantage: MediMediPlan
) -> None:
    enrolled(member, careadvantage)
    client = logged_in(member)
    page = text(client.get("/me/applications/new/"))
    assert "You are already enrolled" in page
    assert 'name="plan"' not in page
    client.post("/me/applications/new/", form_data(careadvantage, "submit"))
    assert Application.objects.filter(beneficiary=member.beneficiary).count() == 1


def test_api_submission_for_the_plan_the_member_is_in_answers_409(
    member: User, careadvantage: MediMediPlan
) -> None:
    enrolled(member, careadvantage)
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    client = APIClient()
    client.force_authenticate(member)
    response = client.post(f"/api/v1/applications/{draft.pk}/submit")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"].startswith("You are already enrolled in this plan.")
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_staff_application_page_warns_when_the_person_is_already_in_the_plan(
    member: User, careadvantage: MediMediPlan
) -> None:
    enrolled(member, careadvantage)
    # An application for the same plan that reached staff before submission refused it.
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    Application.objects.filter(pk=draft.pk).update(
        status=ApplicationStatus.SUBMITTED,
        effective_date=date(2027, 1, 1),
        submitted_at=at(2026, 11, 27),
    )
    staff = StaffFactory()
    page = text(logged_in(staff).get(f"/staff/applications/{draft.pk}/"))
    assert "This person is already enrolled in this plan (from" in page
    other = submitted(_new_member(), careadvantage)
    clean = text(logged_in(staff).get(f"/staff/applications/{other.pk}/"))
    assert "already enrolled in this plan" not in clean


def _new_member() -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    return user


# --- 2. Contact details ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "650-555-0100",
        "(650) 555-0100",
        "650.555.0100",
        "6505550100",
        "1-650-555-0100",
        "+1 650 555 0100",
    ],
)
def test_a_us_phone_number_is_stored_normalized(raw: str) -> None:
    assert services.contact_clean(email="", phone=raw) == ("", "650-555-0100")


@pytest.mark.parametrize(
    "raw", ["abc", "555-0100", "650-555-01000", "2-650-555-0100", "650x5550100"]
)
def test_a_phone_that_is_not_a_us_number_is_refused_on_the_phone_field(raw: str) -> None:
    with pytest.raises(DomainError) as excinfo:
        services.contact_clean(email="rosa@example.test", phone=raw)
    fields = excinfo.value.extra["fields"]
    assert isinstance(fields, dict) and set(fields) == {"contact_phone"}


def test_no_phone_and_no_email_is_refused_unless_the_account_has_an_email() -> None:
    with pytest.raises(DomainError) as excinfo:
        services.contact_clean(email="", phone="", account_email="")
    fields = excinfo.value.extra["fields"]
    assert isinstance(fields, dict) and set(fields) == {"contact_email"}
    assert services.contact_clean(email="", phone="", account_email="rosa@example.test") == (
        "rosa@example.test",
        "",
    )


def test_draft_edit_with_a_bad_phone_and_no_email_shows_field_errors_and_keeps_the_draft(
    member: User, careadvantage: MediMediPlan
) -> None:
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    before = (draft.contact_email, draft.contact_phone)
    response = logged_in(member).post(
        f"/me/applications/{draft.pk}/edit/",
        form_data(careadvantage, "save", contact_phone="abc", contact_email=""),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Enter a US phone number with 10 digits, for example 650-555-0100" in page
    assert 'href="#id_contact_phone"' in page
    draft.refresh_from_db()
    assert (draft.contact_email, draft.contact_phone) == before


def test_draft_edit_with_no_way_to_reach_the_member_is_refused_on_the_email_field(
    member: User, careadvantage: MediMediPlan
) -> None:
    member.email = ""
    member.save()
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    response = logged_in(member).post(
        f"/me/applications/{draft.pk}/edit/",
        form_data(careadvantage, "save", contact_phone="", contact_email=""),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Give a phone number or an email address" in page
    assert 'href="#id_contact_email"' in page


def test_contact_errors_are_translated() -> None:
    with translation.override("es"), pytest.raises(DomainError) as excinfo:
        services.contact_clean(email="", phone="abc")
    assert excinfo.value.extra["fields"]["contact_phone"].startswith("Escriba un número")
    with translation.override("es"), pytest.raises(Conflict) as refused:
        raise Conflict(translation.gettext(services.ALREADY_IN_PLAN_MEMBER_MESSAGE))
    assert refused.value.message.startswith("Usted ya está inscrito")


def test_draft_edit_stores_the_phone_normalized(member: User, careadvantage: MediMediPlan) -> None:
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    logged_in(member).post(
        f"/me/applications/{draft.pk}/edit/",
        form_data(careadvantage, "save", contact_phone="(650) 555 0199"),
    )
    draft.refresh_from_db()
    assert draft.contact_phone == "650-555-0199"


def test_api_refuses_a_bad_phone_with_a_field_keyed_error(
    member: User, careadvantage: MediMediPlan
) -> None:
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    client = APIClient()
    client.force_authenticate(member)
    response = client.patch(
        f"/api/v1/applications/{draft.pk}", {"contact_phone": "abc"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["contact_phone"]
    ok = client.patch(
        f"/api/v1/applications/{draft.pk}", {"contact_phone": "1 (650) 555-0100"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["contact_phone"] == "650-555-0100"


def test_api_refuses_clearing_every_contact_when_the_account_has_no_email(
    member: User, careadvantage: MediMediPlan
) -> None:
    member.email = ""
    member.save()
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    client = APIClient()
    client.force_authenticate(member)
    response = client.patch(
        f"/api/v1/applications/{draft.pk}",
        {"contact_phone": "", "contact_email": ""},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["contact_email"]
    # One field at a time: the service checks the draft as a whole.
    client.patch(f"/api/v1/applications/{draft.pk}", {"contact_phone": ""}, format="json")
    second = client.patch(f"/api/v1/applications/{draft.pk}", {"contact_email": ""}, format="json")
    assert second.status_code == 400
    assert list(second.json()) == ["contact_email"]


# --- 3. Deny: the note is checked before the confirmation -----------------------------------


def test_denial_check_needs_a_note_with_another_reason() -> None:
    with pytest.raises(DomainError) as excinfo:
        services.denial_check(["OTHER"], " ")
    assert excinfo.value.extra["field"] == "note"
    assert services.denial_check(["OTHER", "OTHER"], "Moved away") == ["OTHER"]


def test_deny_confirmation_with_another_reason_and_no_note_goes_back_with_the_error(
    careadvantage: MediMediPlan,
) -> None:
    application = submitted(_new_member(), careadvantage)
    client = logged_in(StaffFactory())
    response = client.post(
        f"/staff/applications/{application.pk}/deny/confirm/",
        {"deny-reasons": ["OTHER"], "deny-note": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/applications/{application.pk}/"
    page = text(client.get(response["Location"]))
    assert "Explain the reason “Another reason” in the note." in page
    assert "Yes, deny" not in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_deny_confirmation_lists_the_reasons_without_a_double_period(
    careadvantage: MediMediPlan,
) -> None:
    application = submitted(_new_member(), careadvantage)
    response = logged_in(StaffFactory()).post(
        f"/staff/applications/{application.pk}/deny/confirm/",
        {"deny-reasons": ["OTHER"], "deny-note": "Moved out of the county"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Yes, deny the application" in page
    assert ".." not in re.sub(r"<[^>]+>", "", page)


# --- 4. Mark withdrawn asks first -----------------------------------------------------------


def test_mark_withdrawn_asks_for_confirmation_before_anything_changes(
    careadvantage: MediMediPlan,
) -> None:
    application = submitted(_new_member(), careadvantage)
    client = logged_in(StaffFactory())
    confirm_url = f"/staff/applications/{application.pk}/withdraw/confirm/"
    assert f'action="{confirm_url}"' in text(client.get(f"/staff/applications/{application.pk}/"))
    confirm = text(client.post(confirm_url, {"withdraw-note": "Called to withdraw"}))
    assert "Yes, mark it withdrawn" in confirm
    assert f'action="/staff/applications/{application.pk}/withdraw/"' in confirm
    assert "“Called to withdraw”" in confirm
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    client.post(
        f"/staff/applications/{application.pk}/withdraw/", {"withdraw-note": "Called to withdraw"}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_mark_withdrawn_confirmation_of_a_closed_application_goes_back_with_a_message(
    careadvantage: MediMediPlan,
) -> None:
    application = submitted(_new_member(), careadvantage)
    staff = StaffFactory()
    services.application_mark_withdrawn(application=application, actor=staff)
    response = logged_in(staff).post(f"/staff/applications/{application.pk}/withdraw/confirm/")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/applications/{application.pk}/"


# --- 5. An empty Apply form creates nothing -------------------------------------------------


def test_saving_a_new_application_without_a_plan_creates_nothing(member: User) -> None:
    response = logged_in(member).post("/me/applications/new/", form_data(None, "save"))
    assert response.status_code == 200
    assert "Choose a plan before you save your application." in text(response)
    assert not Application.objects.filter(beneficiary=member.beneficiary).exists()
