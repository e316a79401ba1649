"""Authorized representatives: recorded by the member or staff, audited, and sent a copy of
every letter queued to the member while their appointment is valid."""

import importlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import AuditEvent, User
from eligibility.models import Beneficiary, BeneficiaryLetter, MediMediPlan, Organization
from eligibility.notifications import recipient_key
from eligibility.selectors import california_today
from enrollment import representatives, services
from enrollment.letters import member_notices
from enrollment.models import AuthorizedRepresentative, RepresentativeLetter
from notices.models import Notice
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

DETAILS: dict[str, Any] = {
    "name": "Tess Helper",
    "relationship": "Daughter",
    "document": "Durable power of attorney, signed 2026-03-02",
    "email": "tess@example.test",
    "address": "1 Helper Way\nSan Mateo, CA 94401",
}


@pytest.fixture
def member() -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    return user


def add(actor: User, beneficiary_id: int | None = None, **changes: Any) -> AuthorizedRepresentative:
    fields = {**DETAILS, "valid_from": california_today() - timedelta(days=1), **changes}
    return representatives.representative_add(actor=actor, beneficiary_id=beneficiary_id, **fields)


def submitted(user: User) -> Any:
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    draft = services.application_create(actor=user, plan=plan)
    return services.application_submit(application=draft, actor=user, now=at(2026, 11, 27))


def test_member_records_a_representative_for_their_own_record(member: User) -> None:
    rep = add(member)
    assert rep.beneficiary == member.beneficiary
    assert rep.created_by == member
    assert AuditEvent.objects.filter(
        actor=member, action="create", object_type="representative", object_id=str(rep.pk)
    ).exists()
    assert list(representatives.representatives_list(actor=member)) == [rep]


def test_member_cannot_record_one_for_someone_else(member: User) -> None:
    other = BeneficiaryFactory()
    with pytest.raises(NotFound):
        add(member, other.pk)


def test_member_without_a_linked_record_is_told_to_link_it() -> None:
    with pytest.raises(Forbidden):
        add(UserFactory())


def test_staff_record_one_for_a_person_their_organization_serves(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted(member)
    staff = StaffFactory()
    rep = add(staff, member.beneficiary.pk)
    assert rep.created_by == staff
    assert [
        r.pk
        for r in representatives.representatives_list(
            actor=staff, beneficiary_id=member.beneficiary.pk
        )
    ] == [rep.pk]
    other_staff = StaffFactory(organization=Organization.objects.get(code="lacare"))
    with pytest.raises(NotFound):
        add(other_staff, member.beneficiary.pk)
    with pytest.raises(NotFound):
        representatives.representatives_list(
            actor=other_staff, beneficiary_id=member.beneficiary.pk
        )


def test_staff_cannot_record_one_for_a_person_their_organization_never_saw() -> None:
    stranger = BeneficiaryFactory()
    with pytest.raises(NotFound):
        add(StaffFactory(), stranger.pk)
    assert add(AdminFactory(), stranger.pk).beneficiary == stranger


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"name": " "}, "name", id="name"),
        pytest.param({"relationship": ""}, "relationship", id="relationship"),
        pytest.param({"document": ""}, "document", id="document"),
        pytest.param({"email": "", "address": ""}, "address", id="no-way-to-write"),
        pytest.param(
            {"valid_from": date(2026, 5, 1), "valid_to": date(2026, 4, 30)},
            "valid_to",
            id="ends-before-it-starts",
        ),
    ],
)
def test_incomplete_representative_is_refused_by_field(
    member: User, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        add(member, **changes)
    assert refused.value.extra["field"] == field
    assert not AuthorizedRepresentative.objects.exists()


def test_ending_a_representative_is_audited_and_cannot_be_moved_later(member: User) -> None:
    rep = add(member)
    today = california_today()
    ended = representatives.representative_end(actor=member, representative_id=rep.pk)
    assert ended.valid_to == today - timedelta(days=1)  # stops now: yesterday was the last day
    assert AuditEvent.objects.filter(
        actor=member, action="update", object_type="representative", object_id=str(rep.pk)
    ).exists()
    with pytest.raises(Conflict):
        representatives.representative_end(
            actor=member, representative_id=rep.pk, valid_to=today + timedelta(days=3)
        )
    with pytest.raises(DomainError) as refused:
        representatives.representative_end(
            actor=member, representative_id=rep.pk, valid_to=rep.valid_from - timedelta(days=1)
        )
    assert refused.value.extra["field"] == "valid_to"


def test_someone_elses_representative_cannot_be_ended(member: User) -> None:
    rep = add(member)
    other = UserFactory()
    BeneficiaryFactory(user=other)
    with pytest.raises(NotFound):
        representatives.representative_end(actor=other, representative_id=rep.pk)


def _letters_to(beneficiary: Beneficiary) -> list[Notice]:
    return list(Notice.objects.filter(recipient_key=recipient_key(beneficiary)).order_by("pk"))


def test_a_valid_representative_gets_a_copy_of_each_letter(
    member: User, django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    rep = add(member)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(member)
    original = Notice.objects.get(
        recipient_key=recipient_key(member.beneficiary), kind="application_received"
    )
    copy = Notice.objects.get(recipient_key=f"representative:{rep.pk}")
    assert copy.idempotency_key == f"{original.idempotency_key}:rep:{rep.pk}"
    assert copy.kind == original.kind
    assert copy.recipient["name"] == "Tess Helper"
    assert copy.recipient["email"] == "tess@example.test"
    assert copy.recipient["address"] == ["1 Helper Way", "San Mateo, CA 94401"]
    assert copy.context["copy_for_representative"] is True
    assert copy.context["copy_of_notice"] == original.pk
    assert copy.context["application_reference"] == str(application.pk)
    assert copy.status == "sent"
    letter = BeneficiaryLetter.objects.get(notice=copy)
    assert letter.beneficiary_id == member.beneficiary.pk
    assert letter.organization_id == original.beneficiary_letter.organization_id


def test_queueing_the_same_letter_again_sends_no_second_copy(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    rep = add(member)
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(member)
    from enrollment import notifications

    notifications.application_received(application)
    assert Notice.objects.filter(recipient_key=f"representative:{rep.pk}").count() == 1


def test_ended_or_future_representatives_get_no_copy(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    today = california_today()
    past = add(member, valid_from=today - timedelta(days=30), valid_to=today - timedelta(days=1))
    future = add(member, valid_from=today + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        submitted(member)
    assert len(_letters_to(member.beneficiary)) == 1
    assert not Notice.objects.filter(
        recipient_key__in=[f"representative:{past.pk}", f"representative:{future.pk}"]
    ).exists()


def test_a_rolled_back_event_sends_no_copy(member: User) -> None:
    add(member)
    from django.db import transaction

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        submitted(member)
        assert Notice.objects.filter(recipient_key__startswith="representative:").exists()
        raise Undo
    assert not Notice.objects.filter(recipient_key__startswith="representative:").exists()


def test_application_page_lists_the_valid_representatives(member: User) -> None:
    rep = add(member)
    today = california_today()
    add(
        member,
        name="Old Helper",
        valid_from=today - timedelta(days=40),
        valid_to=today - timedelta(days=2),
    )
    application = submitted(member)
    shown = representatives.application_representatives(application_id=application.pk)
    assert [r.pk for r in shown] == [rep.pk]


# The member's page /me/representatives/ and the staff application page.


def _page(user: User) -> Any:

    return login_verified(Client(), user)


def test_member_page_records_and_ends_a_representative(member: User) -> None:
    client = _page(member)
    assert 'href="/me/representatives/"' in client.get("/me/").content.decode()
    today = california_today().isoformat()
    response = client.post("/me/representatives/", {**DETAILS, "valid_from": today, "valid_to": ""})
    assert response.status_code == 302
    rep = AuthorizedRepresentative.objects.get(beneficiary=member.beneficiary)
    listed = client.get("/me/representatives/").content.decode()
    assert "Tess Helper" in listed
    ended = client.post(f"/me/representatives/{rep.pk}/end/")
    assert ended.status_code == 302
    rep.refresh_from_db()
    assert rep.valid_to == california_today() - timedelta(days=1)  # stops now


def test_member_page_shows_field_errors_in_the_summary(member: User) -> None:
    page = _page(member).post(
        "/me/representatives/",
        {**DETAILS, "email": "", "address": "", "valid_from": california_today().isoformat()},
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="error-summary"' in body
    assert 'href="#id_address"' in body
    assert not AuthorizedRepresentative.objects.exists()


def test_staff_see_the_representatives_on_the_application_page(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    add(member)
    application = submitted(member)
    page = _page(StaffFactory()).get(f"/staff/applications/{application.pk}/")
    assert page.status_code == 200
    assert "Tess Helper" in page.content.decode()


def test_the_member_sees_each_letter_once_and_staff_see_the_copy(
    member: User, django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    rep = add(member)
    with django_capture_on_commit_callbacks(execute=True):
        submitted(member)
    copy = Notice.objects.get(recipient_key=f"representative:{rep.pk}")
    mine = _page(member).get("/me/letters/")
    assert f"/me/letters/{copy.pk}/" not in mine.content.decode()
    assert _page(member).get(f"/me/letters/{copy.pk}/").status_code == 404
    api = _page(member).get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/notices")
    assert copy.pk not in [row["id"] for row in api.json()]
    staff = _page(StaffFactory()).get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/notices")
    assert copy.pk in [row["id"] for row in staff.json()]


def test_staff_page_records_and_ends_a_persons_representative(member: User) -> None:
    application = submitted(member)
    staff = _page(StaffFactory())
    path = f"/staff/beneficiaries/{member.beneficiary.pk}/representatives/"
    shown = staff.get(f"/staff/applications/{application.pk}/").content.decode()
    assert f'href="{path}"' in shown
    empty = staff.post(path, {"valid_from": california_today().isoformat()})
    assert empty.status_code == 200
    assert 'class="error-summary"' in empty.content.decode()
    response = staff.post(path, {**DETAILS, "valid_from": california_today().isoformat()})
    assert response.status_code == 302
    rep = AuthorizedRepresentative.objects.get(beneficiary=member.beneficiary)
    assert "Tess Helper" in staff.get(path).content.decode()
    assert staff.post(f"{path}{rep.pk}/end/").status_code == 302
    rep.refresh_from_db()
    assert rep.valid_to == california_today() - timedelta(days=1)  # stops now
    other = _page(StaffFactory(organization=Organization.objects.get(code="lacare")))
    assert other.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/beneficiaries/99999999999999999999/representatives/",
        "/me/representatives/99999999999999999999/end/",
    ],
)
def test_page_ids_beyond_bigint_are_404(member: User, path: str) -> None:
    user = AdminFactory() if path.startswith("/staff") else member
    client = _page(user)
    response = client.post(path) if path.endswith("/end/") else client.get(path)
    assert response.status_code == 404


def test_a_resent_copy_goes_again_to_the_representative_not_the_member(
    member: User, django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    rep = add(member)
    with django_capture_on_commit_callbacks(execute=True):
        submitted(member)
    copy = Notice.objects.get(recipient_key=f"representative:{rep.pk}")
    assert copy.status == "sent"

    with django_capture_on_commit_callbacks(execute=True):
        again = services.letter_resend(actor=StaffFactory(), notice_id=copy.pk)

    assert again.recipient_key == f"representative:{rep.pk}"
    assert again.recipient["name"] == "Tess Helper"
    assert again.recipient["email"] == "tess@example.test"
    assert again.context["copy_for_representative"] is True


def test_staff_page_records_and_ends_a_representative_for_the_person(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted(member)  # the person applied to Health Plan of San Mateo: its staff serve them
    client = _page(StaffFactory())
    url = f"/staff/beneficiaries/{member.beneficiary.pk}/representatives/"
    empty = client.get(url).content.decode()
    assert "Back to the work queue" in empty and "None recorded." in empty

    today = california_today().isoformat()
    response = client.post(url, {**DETAILS, "valid_from": today, "valid_to": ""})

    assert response.status_code == 302
    rep = AuthorizedRepresentative.objects.get(beneficiary=member.beneficiary)
    listed = client.get(url).content.decode()
    assert "Tess Helper" in listed
    assert f'action="{url}{rep.pk}/end/"' in listed
    assert client.post(f"{url}{rep.pk}/end/").status_code == 302
    rep.refresh_from_db()
    assert rep.valid_to == california_today() - timedelta(days=1)  # stops now


def test_a_representative_ended_now_gets_no_copy_of_a_letter_queued_later_that_day(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    rep = add(member)
    representatives.representative_end(actor=member, representative_id=rep.pk)

    with django_capture_on_commit_callbacks(execute=True):
        submitted(member)

    assert Notice.objects.filter(recipient_key=recipient_key(member.beneficiary)).exists()
    assert not Notice.objects.filter(recipient_key=f"representative:{rep.pk}").exists()


def test_copies_queued_before_the_link_table_are_linked_by_the_migration(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    rep = add(member)
    with django_capture_on_commit_callbacks(execute=True):
        submitted(member)
    copy = Notice.objects.get(recipient_key=f"representative:{rep.pk}")
    RepresentativeLetter.objects.all().delete()

    importlib.import_module("enrollment.migrations.0011_representative_letters").backfill(
        apps, None
    )

    link = RepresentativeLetter.objects.get(notice=copy)
    assert (link.representative, link.copy_of_id) == (rep, copy.context["copy_of_notice"])
    assert copy not in representatives_member_letters(member)


def representatives_member_letters(user: User) -> list[Notice]:
    return list(member_notices(user.beneficiary))
