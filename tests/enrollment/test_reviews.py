"""Review items: who sees them, how they are resolved, and what a disenroll decision does."""

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import AuditEvent, User
from eligibility.models import Beneficiary, County, MediCalPlan, Organization
from enrollment.models import (
    Enrollment,
    EnrollmentKind,
    ReviewDecision,
    ReviewItem,
    ReviewItemChange,
    ReviewKind,
    ReviewStatus,
)
from enrollment.reviews import (
    review_item_get,
    review_item_list,
    review_item_open,
    review_item_resolve,
    staff_review_view,
)
from notices.models import Notice, NoticeKind
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import Letters, enrolled_member
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(django_capture_on_commit_callbacks: Any) -> Letters:
    """A member enrolled in CareAdvantage (Health Plan of San Mateo) since February 2025."""
    return enrolled_member(django_capture_on_commit_callbacks)


def medi_medi_of(beneficiary: Beneficiary) -> Enrollment:
    return Enrollment.objects.get(beneficiary=beneficiary, kind=EnrollmentKind.MEDI_MEDI)


def open_item(
    member: Letters,
    *,
    key: str = "not-in-file:2027-02",
    kind: str = ReviewKind.NOT_IN_FILE,
    due_date: date | None = date(2027, 3, 31),
    **kwargs: Any,
) -> ReviewItem:
    if "organization" not in kwargs:
        kwargs["enrollment"] = kwargs.get("enrollment", medi_medi_of(member.beneficiary))
    return review_item_open(
        kind=kind,
        beneficiary=member.beneficiary,
        source_key=key,
        detail={"file_month": "2027-02"},
        due_date=due_date,
        **kwargs,
    )


def hpsm_staff() -> User:
    return StaffFactory()


def lacare_staff() -> User:
    return StaffFactory(organization=Organization.objects.get(code="lacare"))


# ---------------------------------------------------------------------------------------------
# Opening


def test_an_item_belongs_to_the_organization_of_the_enrollment_and_opens_once(
    member: Letters,
) -> None:
    first = open_item(member)
    again = open_item(member)
    assert again.pk == first.pk
    assert first.organization == Organization.objects.get(code="hpsm")
    assert first.status == ReviewStatus.OPEN
    assert [(c.from_status, c.to_status) for c in first.changes.all()] == [("", "open")]


# ---------------------------------------------------------------------------------------------
# Resolving


def test_resolving_writes_the_change_row_and_the_audit_row(member: Letters) -> None:
    item = open_item(member)
    staff = hpsm_staff()
    resolved = review_item_resolve(
        actor=staff, review=ReviewItem(pk=item.pk), decision="confirmed", note="  Checked.  "
    )
    assert resolved.status == ReviewStatus.RESOLVED
    assert (resolved.decision, resolved.note, resolved.resolved_by) == (
        "confirmed",
        "Checked.",
        staff,
    )
    assert resolved.resolved_at is not None
    change = ReviewItemChange.objects.filter(review=item).last()
    assert change is not None
    assert (change.from_status, change.to_status, change.actor, change.decision, change.note) == (
        "open",
        "resolved",
        staff,
        "confirmed",
        "Checked.",
    )
    audit = AuditEvent.objects.get(object_type="review_item", action="update")
    assert audit.actor == staff
    assert audit.object_id == str(item.pk)
    assert audit.detail == {
        "beneficiary": member.beneficiary.pk,
        "status": ["open", "resolved"],
        "decision": "confirmed",
    }


def test_second_resolution_is_a_conflict_and_changes_nothing(member: Letters) -> None:
    item = open_item(member)
    staff = hpsm_staff()
    review_item_resolve(actor=staff, review=item, decision="no_action", note="Fine.")
    with pytest.raises(Conflict) as refused:
        review_item_resolve(actor=staff, review=item, decision="confirmed", note="Again.")
    assert refused.value.status_code == 409
    assert refused.value.extra["status"] == "resolved"
    item.refresh_from_db()
    assert item.decision == "no_action"
    assert item.changes.count() == 2


@pytest.mark.parametrize(
    ("decision", "note", "field"),
    [
        ("maybe", "Checked.", "decision"),
        ("", "Checked.", "decision"),
        ("confirmed", "", "note"),
        ("confirmed", "   ", "note"),
    ],
    ids=["unknown-decision", "no-decision", "empty-note", "blank-note"],
)
def test_a_decision_and_a_note_are_required(
    member: Letters, decision: str, note: str, field: str
) -> None:
    item = open_item(member)
    with pytest.raises(DomainError) as refused:
        review_item_resolve(actor=hpsm_staff(), review=item, decision=decision, note=note)
    assert refused.value.status_code == 400
    assert refused.value.extra["field"] == field
    item.refresh_from_db()
    assert item.status == ReviewStatus.OPEN


def test_disenroll_decision_ends_the_medi_medi_enrollment_and_queues_the_letter(
    member: Letters, django_capture_on_commit_callbacks: Any
) -> None:
    item = open_item(member, kind=ReviewKind.MEDI_CAL_PLAN_MISMATCH, key="mismatch:1")
    staff = hpsm_staff()
    with django_capture_on_commit_callbacks(execute=True):
        review_item_resolve(
            actor=staff, review=item, decision=ReviewDecision.DISENROLL, note="State confirmed."
        )
    medi_medi = medi_medi_of(member.beneficiary)
    assert medi_medi.end_reason == "disenrolled"
    assert medi_medi.end_date is not None
    assert medi_medi.ended_by == staff
    medi_cal = Enrollment.objects.get(beneficiary=member.beneficiary, kind=EnrollmentKind.MEDI_CAL)
    assert medi_cal.end_date is None  # the Medi-Cal plan enrollment continues
    letter = Notice.objects.get(idempotency_key=f"disenrollment-confirmed:{medi_medi.pk}")
    assert letter.kind == NoticeKind.DISENROLLMENT_CONFIRMATION
    item.refresh_from_db()
    assert (item.status, item.decision) == ("resolved", "disenroll")


def test_disenroll_decision_on_a_medi_cal_item_ends_the_aligned_medi_medi_enrollment(
    member: Letters,
) -> None:
    medi_cal = Enrollment.objects.get(beneficiary=member.beneficiary, kind=EnrollmentKind.MEDI_CAL)
    item = open_item(member, key="medi-cal:1", enrollment=medi_cal)
    review_item_resolve(actor=AdminFactory(), review=item, decision="disenroll", note="Ends.")
    assert medi_medi_of(member.beneficiary).end_reason == "disenrolled"


def test_disenroll_decision_without_an_open_enrollment_is_refused_and_nothing_is_written(
    member: Letters,
) -> None:
    medi_medi = medi_medi_of(member.beneficiary)
    medi_medi.end_date = date(2027, 3, 31)
    medi_medi.end_reason = "medicare_ended"
    medi_medi.save()
    item = open_item(member)
    with pytest.raises(DomainError) as refused:
        review_item_resolve(actor=hpsm_staff(), review=item, decision="disenroll", note="End it.")
    assert refused.value.extra["field"] == "decision"
    item.refresh_from_db()
    assert item.status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(object_type="review_item", action="update").exists()


def test_another_organizations_staff_cannot_resolve_the_item(member: Letters) -> None:
    item = open_item(member)
    with pytest.raises(NotFound):
        review_item_resolve(actor=lacare_staff(), review=item, decision="confirmed", note="x")
    item.refresh_from_db()
    assert item.status == ReviewStatus.OPEN


def test_a_member_cannot_resolve_even_their_own_item(member: Letters) -> None:
    item = open_item(member)
    with pytest.raises(Forbidden):
        review_item_resolve(actor=member.user, review=item, decision="confirmed", note="x")
    with pytest.raises(Forbidden):
        review_item_list(actor=member.user)


def test_program_items_without_an_organization_are_the_admins(member: Letters) -> None:
    item = open_item(member, key="program:1", organization=None)
    assert item.organization_id is None
    with pytest.raises(NotFound):
        review_item_get(actor=hpsm_staff(), review_id=item.pk)
    admin = AdminFactory()
    resolved = review_item_resolve(actor=admin, review=item, decision="no_action", note="Seen.")
    assert resolved.resolved_by == admin


def test_resolving_an_unknown_item_is_not_found() -> None:
    with pytest.raises(NotFound):
        review_item_resolve(
            actor=AdminFactory(), review=ReviewItem(pk=999999), decision="confirmed", note="x"
        )


# ---------------------------------------------------------------------------------------------
# Reading


def test_staff_list_their_organizations_items_by_due_date_then_id(member: Letters) -> None:
    late = open_item(member, key="a", due_date=date(2027, 5, 31))
    undated = open_item(member, key="b", due_date=None)
    soon = open_item(member, key="c", due_date=date(2027, 3, 31))
    soon_too = open_item(member, key="d", due_date=date(2027, 3, 31))
    other = BeneficiaryFactory()
    elsewhere = review_item_open(
        kind=ReviewKind.MOVED,
        beneficiary=other,
        source_key="elsewhere",
        detail={},
        organization=Organization.objects.get(code="lacare"),
    )
    program = review_item_open(
        kind=ReviewKind.DIED, beneficiary=other, source_key="program", detail={}
    )
    assert list(review_item_list(actor=hpsm_staff())) == [soon, soon_too, late, undated]
    assert list(review_item_list(actor=lacare_staff())) == [elsewhere]
    assert set(review_item_list(actor=AdminFactory())) == {
        soon,
        soon_too,
        late,
        undated,
        elsewhere,
        program,
    }


def test_staff_filter_the_list_by_kind_status_and_member(member: Letters) -> None:
    moved = open_item(member, key="moved", kind=ReviewKind.MOVED)
    lost = open_item(member, key="lost", kind=ReviewKind.MEDI_CAL_LOST)
    staff = hpsm_staff()
    review_item_resolve(actor=staff, review=lost, decision="confirmed", note="Deeming.")
    assert list(review_item_list(actor=staff, kind="moved")) == [moved]
    assert list(review_item_list(actor=staff, status="resolved")) == [lost]
    assert list(review_item_list(actor=staff, beneficiary_id=member.beneficiary.pk)) == [
        moved,
        lost,
    ]
    assert list(review_item_list(actor=staff, beneficiary_id=member.beneficiary.pk + 1)) == []


def test_reading_one_item_is_audited_with_the_member(member: Letters) -> None:
    item = open_item(member)
    staff = hpsm_staff()
    read = review_item_get(actor=staff, review_id=item.pk)
    assert [c.to_status for c in read.changes.all()] == ["open"]
    audit = AuditEvent.objects.get(object_type="review_item", action="read")
    assert (audit.actor, audit.object_id) == (staff, str(item.pk))
    assert audit.detail == {"beneficiary": member.beneficiary.pk}
    assert AuditEvent.objects.about_member(member.beneficiary.pk).filter(pk=audit.pk).exists()
    with pytest.raises(NotFound):
        review_item_get(actor=lacare_staff(), review_id=item.pk)


# ---------------------------------------------------------------------------------------------
# Pages


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def logged_in(user: User) -> Client:
    return login_verified(Client(), user)


def listed_ids(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/staff/reviews/(\d+)/"', text(response))]


def test_the_list_page_shows_only_the_organizations_items(member: Letters) -> None:
    own = open_item(member, kind=ReviewKind.MOVED)
    elsewhere = review_item_open(
        kind=ReviewKind.DIED,
        beneficiary=BeneficiaryFactory(),
        source_key="elsewhere",
        detail={},
        organization=Organization.objects.get(code="lacare"),
    )
    response = logged_in(hpsm_staff()).get("/staff/reviews/")
    assert response.status_code == 200
    page = text(response)
    assert listed_ids(response) == [own.pk]
    assert "Moved out of the service area" in page
    assert "2027-03-31" in page
    # The member's name links to the staff page of their record (their application).
    assert f'href="/staff/applications/{member.application.pk}/"' in page
    assert 'aria-current="page">Reviews</a>' in page
    assert AuditEvent.objects.get(object_type="review_item_list").detail["ids"] == [own.pk]
    assert listed_ids(logged_in(lacare_staff()).get("/staff/reviews/")) == [elsewhere.pk]
    assert logged_in(member.user).get("/staff/reviews/").status_code == 403


def test_the_list_page_filters_by_kind_and_status(member: Letters) -> None:
    moved = open_item(member, key="moved", kind=ReviewKind.MOVED)
    lost = open_item(member, key="lost", kind=ReviewKind.MEDI_CAL_LOST)
    staff = hpsm_staff()
    review_item_resolve(actor=staff, review=lost, decision="confirmed", note="Deeming.")
    client = logged_in(staff)
    assert listed_ids(client.get("/staff/reviews/?kind=moved")) == [moved.pk]
    assert listed_ids(client.get("/staff/reviews/?status=resolved")) == [lost.pk]
    assert listed_ids(client.get("/staff/reviews/?status=open&kind=medi_cal_lost")) == []
    # The work first: with no filter, the open items; "Any status" shows every item.
    assert listed_ids(client.get("/staff/reviews/")) == [moved.pk]
    assert sorted(listed_ids(client.get("/staff/reviews/?status="))) == sorted([moved.pk, lost.pk])
    bad = client.get("/staff/reviews/?kind=nonsense")
    assert bad.status_code == 200
    assert 'class="error-summary"' in text(bad)
    assert 'href="#id_kind"' in text(bad)
    assert listed_ids(bad) == []


def test_the_item_page_shows_the_history_and_resolves_with_the_form(member: Letters) -> None:
    item = open_item(member)
    client = logged_in(hpsm_staff())
    page = client.get(f"/staff/reviews/{item.pk}/")
    assert page.status_code == 200
    body = text(page)
    assert "Not in this month&#x27;s eligibility file" in body
    assert "Status history of review item" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'type="radio" name="resolve-decision"' in body
    resolved = client.post(
        f"/staff/reviews/{item.pk}/resolve/",
        {"resolve-decision": "no_action", "resolve-note": "Back in next month's file."},
        follow=True,
    )
    assert resolved.redirect_chain == [(f"/staff/reviews/{item.pk}/", 302)]
    body = text(resolved)
    assert "The review item is resolved." in body
    assert "Back in next month&#x27;s file." in body
    assert "no action remains" in body
    item.refresh_from_db()
    assert (item.status, item.decision) == ("resolved", "no_action")


def test_the_resolve_form_shows_errors_next_to_the_fields_and_at_the_top(
    member: Letters,
) -> None:
    item = open_item(member)
    response = logged_in(hpsm_staff()).post(
        f"/staff/reviews/{item.pk}/resolve/",
        {"resolve-decision": "", "resolve-note": " "},
        follow=True,
    )
    # Back on the item's own URL (never left on /resolve/), the form as sent with its errors.
    assert response.redirect_chain == [(f"/staff/reviews/{item.pk}/", 302)]
    assert response.status_code == 200
    body = text(response)
    assert body.count('class="error-summary" role="alert"') == 1
    assert 'href="#id_resolve-decision_0">Decision: Choose a decision.' in body
    assert 'href="#id_resolve-note">Note: Write a note that explains the decision.' in body
    assert 'id="id_resolve-note_error"' in body
    assert "<title>Error: " in body
    item.refresh_from_db()
    assert item.status == ReviewStatus.OPEN


def test_a_disenroll_decision_the_service_refuses_goes_back_onto_the_form(
    member: Letters,
) -> None:
    item = review_item_open(
        kind=ReviewKind.DIED,
        beneficiary=member.beneficiary,
        source_key="died",
        detail={},
        organization=Organization.objects.get(code="hpsm"),
    )
    client = logged_in(hpsm_staff())
    response = client.post(
        f"/staff/reviews/{item.pk}/resolve/",
        {"resolve-decision": "disenroll", "resolve-note": "End it."},
        follow=True,
    )
    assert response.redirect_chain == [(f"/staff/reviews/{item.pk}/", 302)]
    assert "There is no open Medi-Medi Plan enrollment" in text(response)
    assert 'id="id_resolve-decision_error"' in text(response)
    assert "End it.</textarea>" in text(response)
    # Taken once: the page shown again is the plain one.
    again = text(client.get(f"/staff/reviews/{item.pk}/"))
    assert 'id="id_resolve-decision_error"' not in again


def test_resolving_a_resolved_item_on_the_page_says_so(member: Letters) -> None:
    item = open_item(member)
    staff = hpsm_staff()
    review_item_resolve(actor=staff, review=item, decision="confirmed", note="Done.")
    response = logged_in(staff).post(
        f"/staff/reviews/{item.pk}/resolve/",
        {"resolve-decision": "no_action", "resolve-note": "Again."},
        follow=True,
    )
    assert "This review item is already resolved." in text(response)
    item.refresh_from_db()
    assert item.decision == "confirmed"


def test_another_organizations_staff_get_404_and_members_403_on_the_item_pages(
    member: Letters,
) -> None:
    item = open_item(member)
    other = logged_in(lacare_staff())
    assert other.get(f"/staff/reviews/{item.pk}/").status_code == 404
    assert other.post(f"/staff/reviews/{item.pk}/resolve/", {}).status_code == 404
    own = logged_in(member.user)
    assert own.get(f"/staff/reviews/{item.pk}/").status_code == 403
    assert own.post(f"/staff/reviews/{item.pk}/resolve/", {}).status_code == 403


# ---------------------------------------------------------------------------------------------
# Admin


def test_the_admin_shows_items_read_only_with_their_changes_and_audits_the_reads(
    member: Letters,
) -> None:
    item = open_item(member)
    admin = AdminFactory()
    client = logged_in(admin)
    listing = client.get("/admin/enrollment/reviewitem/")
    assert listing.status_code == 200
    page = client.get(f"/admin/enrollment/reviewitem/{item.pk}/change/")
    assert page.status_code == 200
    assert "Review item changes" in text(page)
    assert client.get("/admin/enrollment/reviewitem/add/").status_code == 403
    reads = AuditEvent.objects.filter(actor=admin, action="read")
    assert reads.get(object_type="review_item_list").detail["beneficiaries"] == [
        member.beneficiary.pk
    ]
    assert reads.get(object_type="review_item", object_id=str(item.pk)).detail == {
        "via": "admin",
        "view": "change",
        "beneficiary": member.beneficiary.pk,
    }


def test_the_detail_reads_as_names_and_dates_not_ids(member: Letters) -> None:
    san_mateo, los_angeles = (
        County.objects.get(name="San Mateo"),
        County.objects.get(name="Los Angeles"),
    )
    item = review_item_open(
        kind=ReviewKind.MOVED,
        beneficiary=member.beneficiary,
        source_key="moved:2027-02",
        detail={
            "file_month": "2027-02-01",
            "from_county": san_mateo.pk,
            "to_county": los_angeles.pk,
            "from_plan": MediCalPlan.objects.get(name="Health Plan of San Mateo").pk,
            "to_plan": None,
            "ends_on": "2027-02-28",
        },
        enrollment=medi_medi_of(member.beneficiary),
    )

    rows = dict(staff_review_view(actor=hpsm_staff(), review_id=item.pk).detail_rows)

    assert rows == {
        "State file month": "February 2027",
        "County on record before": "San Mateo",
        "County in the file": "Los Angeles",
        "Medi-Cal plan on record": "Health Plan of San Mateo",
        "Medi-Cal plan in the file": "None (fee-for-service Medi-Cal)",
        "Enrollment ends on": "February 28, 2027",
    }
