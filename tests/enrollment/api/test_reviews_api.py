"""The review items API: listing, filters, paging, one item, resolving, and every refusal."""

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent, User
from eligibility.models import Organization
from enrollment.models import Enrollment, EnrollmentKind, ReviewItem, ReviewKind
from enrollment.reviews import review_item_open
from notices.models import Notice, NoticeKind
from tests.enrollment.conftest import Letters, enrolled_member
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "kind",
    "beneficiary",
    "enrollment",
    "organization",
    "due_date",
    "status",
    "detail",
    "decision",
    "note",
    "created_at",
    "resolved_at",
}


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def member(django_capture_on_commit_callbacks: Any) -> Letters:
    return enrolled_member(django_capture_on_commit_callbacks)


@pytest.fixture
def staff() -> User:
    return StaffFactory()


def medi_medi_of(member: Letters) -> Enrollment:
    return Enrollment.objects.get(beneficiary=member.beneficiary, kind=EnrollmentKind.MEDI_MEDI)


def open_item(
    member: Letters,
    key: str = "not-in-file:2027-02",
    kind: str = ReviewKind.NOT_IN_FILE,
    due_date: date | None = date(2027, 3, 31),
) -> ReviewItem:
    return review_item_open(
        kind=kind,
        beneficiary=member.beneficiary,
        enrollment=medi_medi_of(member),
        source_key=key,
        detail={"file_month": "2027-02"},
        due_date=due_date,
    )


def test_staff_list_their_organizations_items_with_every_field(
    member: Letters, staff: User
) -> None:
    item = open_item(member)
    review_item_open(
        kind=ReviewKind.MOVED,
        beneficiary=BeneficiaryFactory(),
        source_key="lacare",
        detail={},
        organization=Organization.objects.get(code="lacare"),
    )
    response = client_for(staff).get("/api/v1/reviews")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert set(row) == FIELDS
    assert row == {
        "id": item.pk,
        "kind": "not_in_file",
        "beneficiary": member.beneficiary.pk,
        "enrollment": medi_medi_of(member).pk,
        "organization": Organization.objects.get(code="hpsm").pk,
        "due_date": "2027-03-31",
        "status": "open",
        "detail": {"file_month": "2027-02"},
        "decision": None,
        "note": "",
        "created_at": row["created_at"],
        "resolved_at": None,
    }
    audit = AuditEvent.objects.get(object_type="review_item_list")
    assert audit.detail == {"ids": [item.pk], "beneficiaries": [member.beneficiary.pk]}


def test_the_list_filters_by_kind_status_and_beneficiary(member: Letters, staff: User) -> None:
    moved = open_item(member, key="moved", kind=ReviewKind.MOVED)
    died = open_item(member, key="died", kind=ReviewKind.DIED)
    client = client_for(staff)
    resolved = client.post(
        f"/api/v1/reviews/{died.pk}/resolve", {"decision": "confirmed", "note": "Seen."}
    )
    assert resolved.status_code == 200

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/reviews?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("kind=moved") == [moved.pk]
    assert ids("status=resolved") == [died.pk]
    assert ids("status=open") == [moved.pk]
    assert ids(f"beneficiary={member.beneficiary.pk}") == [moved.pk, died.pk]
    assert ids(f"beneficiary={member.beneficiary.pk + 100}") == []


@pytest.mark.parametrize(
    "query",
    ["kind=unknown", "status=closed", "beneficiary=abc", "beneficiary=0", f"beneficiary={2**63}"],
)
def test_a_bad_filter_is_a_400_keyed_by_the_filter(staff: User, query: str) -> None:
    response = client_for(staff).get(f"/api/v1/reviews?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


def test_the_list_is_paged_25_at_a_time(member: Letters, staff: User) -> None:
    for n in range(27):
        open_item(member, key=f"item:{n}", due_date=date(2027, 3, 1 + n))
    client = client_for(staff)
    first = client.get("/api/v1/reviews").json()
    assert first["count"] == 27
    assert len(first["results"]) == 25
    assert [row["due_date"] for row in first["results"]][:2] == ["2027-03-01", "2027-03-02"]
    second = client.get(first["next"]).json()
    assert [row["due_date"] for row in second["results"]] == ["2027-03-26", "2027-03-27"]


def test_one_item_carries_its_changes(member: Letters, staff: User) -> None:
    item = open_item(member)
    response = client_for(staff).get(f"/api/v1/reviews/{item.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS | {"changes"}
    assert body["changes"] == [
        {
            "from_status": None,
            "to_status": "open",
            "at": body["changes"][0]["at"],
            "actor": None,
            "decision": None,
            "note": "",
        }
    ]
    assert AuditEvent.objects.filter(object_type="review_item", object_id=str(item.pk)).exists()


def test_staff_resolve_an_item_and_get_it_back(member: Letters, staff: User) -> None:
    item = open_item(member)
    response = client_for(staff).post(
        f"/api/v1/reviews/{item.pk}/resolve",
        {"decision": "confirmed", "note": "The state confirmed it."},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decision"], body["note"]) == (
        "resolved",
        "confirmed",
        "The state confirmed it.",
    )
    assert body["resolved_at"] is not None
    assert [(c["from_status"], c["to_status"], c["actor"]) for c in body["changes"]] == [
        (None, "open", None),
        ("open", "resolved", staff.username),
    ]


def test_a_disenroll_decision_through_the_api_ends_the_enrollment(
    member: Letters, staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    item = open_item(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            f"/api/v1/reviews/{item.pk}/resolve", {"decision": "disenroll", "note": "Gone."}
        )
    assert response.status_code == 200
    enrollment = medi_medi_of(member)
    assert enrollment.end_reason == "disenrolled"
    assert Notice.objects.filter(
        kind=NoticeKind.DISENROLLMENT_CONFIRMATION,
        idempotency_key=f"disenrollment-confirmed:{enrollment.pk}",
    ).exists()


def test_resolving_twice_is_a_409_with_the_status(member: Letters, staff: User) -> None:
    item = open_item(member)
    client = client_for(staff)
    body = {"decision": "no_action", "note": "Fine."}
    assert client.post(f"/api/v1/reviews/{item.pk}/resolve", body).status_code == 200
    again = client.post(f"/api/v1/reviews/{item.pk}/resolve", body)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert again.json()["status"] == "resolved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "note": "x"}, "decision"),
        ({"note": "x"}, "decision"),
        ({"decision": "confirmed", "note": ""}, "note"),
        ({"decision": "confirmed", "note": "   "}, "note"),
        ({"decision": "confirmed"}, "note"),
    ],
    ids=["unknown-decision", "no-decision", "empty-note", "blank-note", "no-note"],
)
def test_a_bad_decision_or_an_empty_note_is_a_400(
    member: Letters, staff: User, body: dict[str, str], field: str
) -> None:
    item = open_item(member)
    response = client_for(staff).post(f"/api/v1/reviews/{item.pk}/resolve", body)
    assert response.status_code == 400
    assert field in response.json()
    item.refresh_from_db()
    assert item.status == "open"


def test_disenroll_without_an_open_enrollment_is_a_400_on_the_decision(
    member: Letters, staff: User
) -> None:
    item = review_item_open(
        kind=ReviewKind.DIED,
        beneficiary=member.beneficiary,
        source_key="died",
        detail={},
        organization=Organization.objects.get(code="hpsm"),
    )
    response = client_for(staff).post(
        f"/api/v1/reviews/{item.pk}/resolve", {"decision": "disenroll", "note": "x"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["decision"]


def test_members_are_refused_403_and_other_organizations_staff_404(member: Letters) -> None:
    item = open_item(member)
    own = client_for(member.user)
    assert own.get("/api/v1/reviews").status_code == 403
    assert own.get(f"/api/v1/reviews/{item.pk}").status_code == 403
    refused = own.post(f"/api/v1/reviews/{item.pk}/resolve", {})
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    other = client_for(StaffFactory(organization=Organization.objects.get(code="lacare")))
    assert other.get("/api/v1/reviews").json()["count"] == 0
    assert other.get(f"/api/v1/reviews/{item.pk}").status_code == 404
    # 404 before the body is looked at: an outsider learns nothing about the fields.
    hidden = other.post(f"/api/v1/reviews/{item.pk}/resolve", {})
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert client_for(None).get("/api/v1/reviews").status_code == 401


def test_admins_see_and_resolve_every_item(member: Letters) -> None:
    item = open_item(member)
    program = review_item_open(
        kind=ReviewKind.DIED, beneficiary=BeneficiaryFactory(), source_key="p", detail={}
    )
    admin = client_for(AdminFactory())
    assert {row["id"] for row in admin.get("/api/v1/reviews").json()["results"]} == {
        item.pk,
        program.pk,
    }
    response = admin.post(
        f"/api/v1/reviews/{program.pk}/resolve", {"decision": "no_action", "note": "Seen."}
    )
    assert response.status_code == 200
    assert response.json()["organization"] is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_staff_resolving_one_item_at_once_get_one_200_and_one_409(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.enrollment.test_concurrency import in_parallel

    member = enrolled_member(django_capture_on_commit_callbacks)
    item = open_item(member)
    first, second = StaffFactory(), StaffFactory()

    def resolve(user: User, decision: str) -> Any:
        def call() -> int:
            body = {"decision": decision, "note": f"By {user.username}."}
            return client_for(user).post(f"/api/v1/reviews/{item.pk}/resolve", body).status_code

        return call

    statuses = in_parallel([resolve(first, "disenroll"), resolve(second, "no_action")])
    assert sorted(statuses) == [200, 409]
    item.refresh_from_db()
    assert item.changes.filter(to_status="resolved").count() == 1
    assert AuditEvent.objects.filter(object_type="review_item", action="update").count() == 1
    ended = medi_medi_of(member).end_reason == "disenrolled"
    assert ended == (item.decision == "disenroll")
