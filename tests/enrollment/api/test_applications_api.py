"""The applications and enrollments API: every status code, through token and session auth."""

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent, User
from eligibility.models import County, MediMediPlan, Organization
from enrollment import services
from enrollment.models import Application, Enrollment, ReviewItem
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def member() -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    return user


@pytest.fixture
def careadvantage() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


def submitted_for(user: User, plan: MediMediPlan) -> Application:
    draft = services.application_create(beneficiary=user.beneficiary, actor=user, plan=plan)
    return services.application_submit(application=draft, actor=user, now=at(2026, 11, 27))


def test_token_endpoint_gives_a_working_token(member: User) -> None:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token",
        {"username": member.username, "password": "pw-for-tests-1"},
        format="json",
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
    assert client.get("/api/v1/applications").status_code == 200
    bad = APIClient().post(
        "/api/v1/auth/token", {"username": member.username, "password": "no"}, format="json"
    )
    assert bad.status_code == 400


def test_anonymous_requests_are_refused() -> None:
    assert client_for(None).get("/api/v1/applications").status_code in (401, 403)
    assert client_for(None).get("/api/v1/beneficiaries/1/enrollments").status_code in (401, 403)


def test_member_applies_submits_and_follows_the_application(
    member: User, careadvantage: MediMediPlan
) -> None:
    client = client_for(member)
    created = client.post(
        "/api/v1/applications",
        {"plan": careadvantage.pk, "contact_phone": "650-555-0100"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft"
    assert body["beneficiary"] == member.beneficiary.pk
    assert body["contact_phone"] == "650-555-0100"
    app_id = body["id"]
    patched = client.patch(f"/api/v1/applications/{app_id}", {"language": "es"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["language"] == "es"
    submitted = client.post(f"/api/v1/applications/{app_id}/submit/")
    assert submitted.status_code == 200
    data = submitted.json()
    assert data["status"] == "submitted"
    assert data["effective_date"] is not None
    assert data["determination"]["eligible"] is True
    assert data["determination"]["dual_status"]["code"] == "08"
    assert [h["to_status"] for h in data["history"]] == ["draft", "submitted"]
    listed = client.get("/api/v1/applications").json()
    assert [a["id"] for a in listed["results"]] == [app_id]


def test_member_without_a_linked_record_cannot_apply(careadvantage: MediMediPlan) -> None:
    response = client_for(UserFactory()).post(
        "/api/v1/applications", {"plan": careadvantage.pk}, format="json"
    )
    assert response.status_code == 403


def test_submission_refused_is_422_with_reasons(careadvantage: MediMediPlan) -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user, medicare_part_a_start=None)
    client = client_for(user)
    app_id = client.post("/api/v1/applications", {"plan": careadvantage.pk}, format="json").json()[
        "id"
    ]
    response = client.post(f"/api/v1/applications/{app_id}/submit")
    assert response.status_code == 422
    assert [r["code"] for r in response.json()["reasons"]] == ["NO_MEDICARE_PART_A"]


def test_submitting_twice_is_409(member: User, careadvantage: MediMediPlan) -> None:
    application = submitted_for(member, careadvantage)
    response = client_for(member).post(f"/api/v1/applications/{application.pk}/submit")
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"


def test_staff_approve_and_the_enrollments_appear(
    member: User, careadvantage: MediMediPlan
) -> None:
    application = submitted_for(member, careadvantage)
    staff = client_for(StaffFactory())
    response = staff.post(f"/api/v1/applications/{application.pk}/approve")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "approved"
    kinds = {e["kind"]: e for e in data["enrollments"]}
    assert set(kinds) == {"medi_medi", "medi_cal"}
    assert kinds["medi_cal"]["aligned_with"] == kinds["medi_medi"]["id"]
    assert kinds["medi_medi"]["plan"] == careadvantage.pk
    enrollments = staff.get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/enrollments").json()
    assert {e["kind"] for e in enrollments} == {"medi_medi", "medi_cal"}
    assert {"id", "kind", "plan", "start_date", "end_date", "aligned_with"} <= set(enrollments[0])
    again = staff.post(f"/api/v1/applications/{application.pk}/approve")
    assert again.status_code == 409
    assert again.json()["status"] == "approved"


def test_deny_needs_coded_reasons_and_answers_409_when_decided(
    member: User, careadvantage: MediMediPlan
) -> None:
    application = submitted_for(member, careadvantage)
    staff = client_for(StaffFactory())
    url = f"/api/v1/applications/{application.pk}/deny"
    assert staff.post(url, {"reasons": []}, format="json").status_code == 400
    assert staff.post(url, {"reasons": ["NOPE"]}, format="json").status_code == 400
    other = staff.post(url, {"reasons": ["OTHER"]}, format="json")
    assert other.status_code == 400 and "note" in other.json()
    ok = staff.post(url, {"reasons": ["IDENTITY_NOT_VERIFIED"], "note": "No match"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["denial_reasons"] == [
        {"code": "IDENTITY_NOT_VERIFIED", "message": "We could not verify your identity."}
    ]
    assert staff.post(url, {"reasons": ["OTHER"], "note": "x"}, format="json").status_code == 409


def test_request_info_and_withdraw(member: User, careadvantage: MediMediPlan) -> None:
    application = submitted_for(member, careadvantage)
    staff = client_for(StaffFactory())
    assert (
        staff.post(
            f"/api/v1/applications/{application.pk}/request-info", {}, format="json"
        ).status_code
        == 400
    )
    asked = staff.post(
        f"/api/v1/applications/{application.pk}/request-info",
        {"note": "Send proof of address"},
        format="json",
    )
    assert asked.status_code == 200
    assert asked.json()["history"][-1]["note"] == "Send proof of address"
    withdrawn = client_for(member).post(
        f"/api/v1/applications/{application.pk}/withdraw", {}, format="json"
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert staff.post(f"/api/v1/applications/{application.pk}/approve").status_code == 409


def test_members_cannot_decide(member: User, careadvantage: MediMediPlan) -> None:
    application = submitted_for(member, careadvantage)
    assert (
        client_for(member).post(f"/api/v1/applications/{application.pk}/approve").status_code == 403
    )


def test_staff_of_another_organization_get_404(member: User, careadvantage: MediMediPlan) -> None:
    application = submitted_for(member, careadvantage)
    outsider = client_for(StaffFactory(organization=Organization.objects.get(code="lacare")))
    for path in ("", "/approve", "/deny", "/request-info", "/withdraw"):
        method = outsider.get if path == "" else outsider.post
        assert method(f"/api/v1/applications/{application.pk}{path}").status_code == 404
    assert (
        outsider.get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/enrollments").status_code
        == 404
    )
    assert outsider.get("/api/v1/applications").json()["results"] == []


def test_member_cannot_see_another_member(member: User, careadvantage: MediMediPlan) -> None:
    application = submitted_for(member, careadvantage)
    other = UserFactory()
    BeneficiaryFactory(user=other)
    client = client_for(other)
    assert client.get(f"/api/v1/applications/{application.pk}").status_code == 404
    assert (
        client.get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/enrollments").status_code == 404
    )
    assert client.get("/api/v1/applications").json()["results"] == []


def test_staff_do_not_see_drafts_and_admins_see_everything(
    member: User, careadvantage: MediMediPlan
) -> None:
    draft = services.application_create(
        beneficiary=member.beneficiary, actor=member, plan=careadvantage
    )
    assert client_for(StaffFactory()).get(f"/api/v1/applications/{draft.pk}").status_code == 404
    assert client_for(AdminFactory()).get(f"/api/v1/applications/{draft.pk}").status_code == 200


def test_staff_reads_are_audited(member: User, careadvantage: MediMediPlan) -> None:
    application = submitted_for(member, careadvantage)
    staff_user = StaffFactory()
    client_for(staff_user).get(f"/api/v1/applications/{application.pk}")
    client_for(staff_user).get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/enrollments")
    reads = AuditEvent.objects.filter(actor=staff_user, action="read")
    assert {(e.object_type, e.object_id) for e in reads} == {
        ("application", str(application.pk)),
        ("beneficiary_enrollments", str(member.beneficiary.pk)),
    }


def test_disenroll_through_the_api(member: User, careadvantage: MediMediPlan) -> None:
    application = submitted_for(member, careadvantage)
    staff_user = StaffFactory()
    services.application_approve(application=application, actor=staff_user)
    medi_medi = Enrollment.objects.get(kind="medi_medi")
    medi_cal = Enrollment.objects.get(kind="medi_cal")
    staff = client_for(staff_user)
    assert (
        staff.post(f"/api/v1/enrollments/{medi_cal.pk}/disenroll", {}, format="json").status_code
        == 404
    )
    lacare = client_for(StaffFactory(organization=Organization.objects.get(code="lacare")))
    assert (
        lacare.post(f"/api/v1/enrollments/{medi_medi.pk}/disenroll", {}, format="json").status_code
        == 404
    )
    assert (
        client_for(member)
        .post(
            f"/api/v1/enrollments/{medi_medi.pk}/disenroll",
            {"requested_on": "2027-01-01"},
            format="json",
        )
        .status_code
        == 403
    )
    response = staff.post(
        f"/api/v1/enrollments/{medi_medi.pk}/disenroll/",
        {"requested_on": "2027-02-10", "note": "Member called"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["end_date"] == "2027-02-28"
    again = staff.post(
        f"/api/v1/enrollments/{medi_medi.pk}/disenroll",
        {"requested_on": "2027-02-11"},
        format="json",
    )
    assert again.status_code == 409


def test_member_leaving_the_aligned_medi_cal_plan_opens_a_disenrollment_review(
    member: User, careadvantage: MediMediPlan
) -> None:
    services.application_approve(
        application=submitted_for(member, careadvantage), actor=StaffFactory()
    )
    medi_cal = Enrollment.objects.get(kind="medi_cal")
    medi_medi = Enrollment.objects.get(kind="medi_medi")
    response = client_for(member).post(
        f"/api/v1/enrollments/{medi_cal.pk}/disenroll", {}, format="json"
    )
    assert response.status_code == 202
    body = response.json()
    assert body["review"]["kind"] == "medi_cal_plan_mismatch"
    assert body["review"]["status"] == "open"
    assert "being reviewed" in body["detail"]
    review = ReviewItem.objects.get(pk=body["review"]["id"])
    assert review.enrollment == medi_medi
    assert review.organization_id == careadvantage.organization_id
    # Nothing ends before staff decide; asking again opens no second review.
    again = client_for(member).post(
        f"/api/v1/enrollments/{medi_cal.pk}/disenroll", {}, format="json"
    )
    assert again.json()["review"]["id"] == review.pk
    assert not Enrollment.objects.filter(end_date__isnull=False).exists()


def test_staff_still_cannot_end_a_medi_cal_plan_enrollment(
    member: User, careadvantage: MediMediPlan
) -> None:
    services.application_approve(
        application=submitted_for(member, careadvantage), actor=StaffFactory()
    )
    medi_cal = Enrollment.objects.get(kind="medi_cal")
    response = client_for(AdminFactory()).post(
        f"/api/v1/enrollments/{medi_cal.pk}/disenroll", {}, format="json"
    )
    assert response.status_code == 400
    assert not ReviewItem.objects.exists()


QUEUE_CASES: list[tuple[str, Any]] = [
    ("status=submitted", 2),
    ("status=approved", 1),
    ("new=true", 2),
    ("county=06081", 3),
    ("county=Los%20Angeles", 0),
    ("submitted_from=2026-11-27&submitted_to=2026-11-27", 3),
    ("submitted_from=2026-11-28", 0),
]


@pytest.mark.parametrize(("query", "expected"), QUEUE_CASES)
def test_queue_filters(careadvantage: MediMediPlan, query: str, expected: int) -> None:
    staff_user = StaffFactory()
    users = []
    for _ in range(3):
        user = UserFactory()
        BeneficiaryFactory(user=user)
        users.append(user)
    apps = [submitted_for(u, careadvantage) for u in users]
    services.application_approve(application=apps[0], actor=staff_user)
    response = client_for(staff_user).get(f"/api/v1/applications?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_queue_search_by_mbi_cin_and_name_with_birth_date(careadvantage: MediMediPlan) -> None:
    user = UserFactory()
    person = BeneficiaryFactory(
        user=user, first_name="Rosa", last_name="Quintero", date_of_birth=date(1948, 2, 3)
    )
    other = UserFactory()
    BeneficiaryFactory(user=other)
    mine = submitted_for(user, careadvantage)
    submitted_for(other, careadvantage)
    staff = client_for(StaffFactory())

    def ids(query: str) -> list[int]:
        return [a["id"] for a in staff.get(f"/api/v1/applications?{query}").json()["results"]]

    mbi_with_dashes = f"{person.mbi[:4]}-{person.mbi[4:7]}-{person.mbi[7:]}".lower()
    assert ids(f"q={mbi_with_dashes}") == [mine.pk]
    assert ids(f"q={person.cin}") == [mine.pk]
    assert ids("q=quintero&date_of_birth=1948-02-03") == [mine.pk]
    assert ids("q=Rosa%20Quintero") == [mine.pk]
    assert ids("q=quintero&date_of_birth=1948-02-04") == []


@pytest.mark.parametrize(
    "query", ["status=nope", "submitted_from=yesterday", "plan=abc", "date_of_birth=1/2/1950"]
)
def test_bad_queue_filters_are_400(query: str) -> None:
    response = client_for(StaffFactory()).get(f"/api/v1/applications?{query}")
    assert response.status_code == 400


def test_queue_is_paged(careadvantage: MediMediPlan) -> None:
    for _ in range(27):
        user = UserFactory()
        BeneficiaryFactory(user=user)
        submitted_for(user, careadvantage)
    page = client_for(StaffFactory()).get("/api/v1/applications").json()
    assert page["count"] == 27
    assert len(page["results"]) == 25
    assert page["next"] is not None


def test_me_and_link(member: User) -> None:
    stranger = UserFactory()
    person = BeneficiaryFactory()
    client = client_for(stranger)
    assert client.get("/api/v1/me").json()["beneficiary"] is None
    wrong = client.post(
        "/api/v1/me/link",
        {"identifier": person.mbi, "date_of_birth": "1901-01-01", "last_name": person.last_name},
        format="json",
    )
    unknown = client.post(
        "/api/v1/me/link",
        {"identifier": "1EG4-TE5-MK73", "date_of_birth": "1950-05-17", "last_name": "Nobody"},
        format="json",
    )
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json()["detail"] == unknown.json()["detail"]
    ok = client.post(
        "/api/v1/me/link",
        {
            "identifier": person.cin,
            "date_of_birth": "1950-05-17",
            "last_name": person.last_name.upper(),
        },
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["beneficiary"] == person.pk


def test_schema_lists_every_endpoint(client: Any) -> None:
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/applications",
        "/api/v1/applications/{id}/approve",
        "/api/v1/applications/{id}/request-info",
        "/api/v1/beneficiaries/{id}/enrollments",
        "/api/v1/enrollments/{id}/disenroll",
    ):
        assert path in schema, path


def test_la_county_queue_filter_by_plan(careadvantage: MediMediPlan) -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user, county=County.objects.get(name="San Mateo"))
    submitted_for(user, careadvantage)
    staff = client_for(StaffFactory())
    assert staff.get(f"/api/v1/applications?plan={careadvantage.pk}").json()["count"] == 1
    other_plan = MediMediPlan.objects.get(name="IEHP DualChoice")
    assert staff.get(f"/api/v1/applications?plan={other_plan.pk}").json()["count"] == 0


def test_the_queue_makes_a_fixed_number_of_queries_however_many_rows(
    careadvantage: MediMediPlan, django_assert_max_num_queries: Any
) -> None:
    staff_user = StaffFactory()
    for _ in range(6):
        user = UserFactory()
        BeneficiaryFactory(user=user)
        services.application_approve(
            application=submitted_for(user, careadvantage), actor=staff_user
        )
    client = client_for(AdminFactory())
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/applications").json()
    assert page["count"] == 6
    assert all(len(row["enrollments"]) == 2 for row in page["results"])
