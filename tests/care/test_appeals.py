"""Integrated appeals and grievances: deadlines, letters in the member's language, the hearing
rights of a decision against the member, access across organizations, the API's status codes
and error bodies, the overdue flag and the pages."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.errors import Conflict, Forbidden, NotFound
from accounts.models import AuditEvent, User
from care import appeals
from care.models import AppealCase, CareCase
from care.tasks import care_daily
from eligibility.models import Beneficiary
from notices.models import Notice
from notices.rendering import notice_render
from tests.auth_helpers import login_verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)  # 09:30 in California


def client_for(user: User) -> Client:
    return login_verified(Client(), user)


def post(user: User, path: str, body: dict[str, Any]) -> Any:
    return client_for(user).post(path, body, content_type="application/json")


def letters(case: AppealCase, kind: str) -> list[Notice]:
    return list(Notice.objects.filter(kind=kind, idempotency_key__endswith=f":{case.pk}"))


def file(actor: User, case: CareCase, kind: str = "appeal", **kwargs: Any) -> AppealCase:
    return appeals.appeal_case_file(
        actor=actor,
        kind=kind,
        enrollment_id=case.enrollment_id,
        description=kwargs.pop("description", "The plan denied my wheelchair."),
        now=kwargs.pop("now", RECEIVED),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("kind", "expedited", "hours"),
    [
        ("grievance", False, 30 * 24),
        ("grievance", True, 24),
        ("appeal", False, 30 * 24),
        ("appeal", True, 72),
    ],
)
def test_each_kind_is_due_by_the_regulations_deadline(
    case, member, kind: str, expedited: bool, hours: int
) -> None:
    filed = file(member.user, case, kind, expedited=expedited)
    assert filed.due_at == RECEIVED + timedelta(hours=hours)
    assert filed.channel == "online"
    assert [(c.from_status, c.to_status) for c in filed.changes.all()] == [("", "open")]


def test_the_deadlines_are_settings(case, member, settings) -> None:
    settings.APPEAL_DUE_HOURS = {**settings.APPEAL_DUE_HOURS, "appeal_expedited": 48}
    assert file(member.user, case, expedited=True).due_at == RECEIVED + timedelta(hours=48)


def test_filing_queues_one_acknowledgment_in_the_members_language(case, member, staff) -> None:
    Beneficiary.objects.filter(pk=member.beneficiary.pk).update(preferred_language="es")
    filed = file(staff, case, "grievance", expedited=True)
    assert filed.channel == "phone"
    (acknowledgment,) = letters(filed, "appeal_acknowledgment")
    assert acknowledgment.language == "es"
    assert acknowledgment.context["due_date"] == "2026-03-03"
    assert acknowledgment.context["due_time"] == "09:30"
    rendered = notice_render(acknowledgment)
    assert "Recibimos su queja" in rendered.subject
    assert "acelerada" in rendered.text and "09:30" in rendered.text


def test_an_appeal_decided_against_the_member_names_hearing_and_review_rights(
    case, member, staff
) -> None:
    filed = file(member.user, case)
    appeals.appeal_case_resolve(
        actor=staff, case_id=filed.pk, outcome="adverse", note="Not medically necessary."
    )
    (decision,) = letters(filed, "appeal_resolution")
    text = notice_render(decision).text
    assert "against you" in text
    assert "State Fair Hearing" in text
    assert "Independent Medical Review" in text
    assert "Independent Review Entity" in text
    assert "Not medically necessary." in text
    with pytest.raises(Conflict):
        appeals.appeal_case_resolve(actor=staff, case_id=filed.pk, outcome="favorable")
    assert len(letters(filed, "appeal_resolution")) == 1  # sent once
    filed.refresh_from_db()
    assert [c.to_status for c in filed.changes.all()] == ["open", "resolved"]
    assert filed.resolved_by == staff and filed.outcome == "adverse"


def test_the_spanish_adverse_letter_names_the_rights_in_spanish(case, member, staff) -> None:
    Beneficiary.objects.filter(pk=member.beneficiary.pk).update(preferred_language="es")
    filed = file(member.user, case)
    appeals.appeal_case_resolve(actor=staff, case_id=filed.pk, outcome="adverse", note="No.")
    (decision,) = letters(filed, "appeal_resolution")
    assert decision.language == "es"
    assert "Audiencia Estatal Imparcial" in notice_render(decision).text


def test_a_favorable_or_grievance_decision_has_no_hearing_paragraph(case, member, staff) -> None:
    won = file(member.user, case)
    appeals.appeal_case_resolve(actor=staff, case_id=won.pk, outcome="favorable")
    grievance = file(member.user, case, "grievance")
    appeals.appeal_case_resolve(actor=staff, case_id=grievance.pk, outcome="adverse", note="Ok")
    for resolved in (won, grievance):
        (decision,) = letters(resolved, "appeal_resolution")
        assert "State Fair Hearing" not in notice_render(decision).text


def test_other_organizations_and_members_cannot_see_or_resolve(case, member, other_staff) -> None:
    filed = file(member.user, case)
    for outsider in (other_staff, UserFactory()):
        with pytest.raises(NotFound):
            appeals.appeal_case_get(actor=outsider, case_id=filed.pk)
        assert not appeals.appeal_case_list(actor=outsider).exists()
    with pytest.raises(NotFound):
        file(other_staff, case)
    with pytest.raises(NotFound):
        appeals.appeal_case_resolve(actor=other_staff, case_id=filed.pk, outcome="favorable")
    with pytest.raises(Forbidden):
        appeals.appeal_case_resolve(actor=member.user, case_id=filed.pk, outcome="favorable")
    with pytest.raises(Forbidden):
        file(member.user, case, by_phone=True)


def test_the_daily_job_flags_cases_past_due_once(case, member) -> None:
    late = file(member.user, case, "grievance", expedited=True)
    on_time = file(member.user, case, now=datetime.now(UTC))
    assert care_daily.delay().get()["appeals_overdue"] == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.overdue and late.overdue_since is not None
    assert not on_time.overdue
    assert [c.to_status for c in late.changes.all()] == ["open", "overdue"]
    assert care_daily.delay().get()["appeals_overdue"] == 0


# ---------------------------------------------------------------------------------------------
# API


def test_a_member_files_a_grievance_through_the_api(case, member) -> None:
    answer = post(
        member.user,
        "/api/v1/grievances",
        {"enrollment": case.enrollment_id, "description": "Rude staff", "expedited": True},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["kind"] == "grievance" and body["status"] == "open" and body["expedited"]
    received = datetime.fromisoformat(body["received_at"])
    assert datetime.fromisoformat(body["due_at"]) - received == timedelta(hours=24)
    detail = client_for(member.user).get(f"/api/v1/grievances/{body['id']}")
    assert detail.status_code == 200
    assert [row["to_status"] for row in detail.json()["history"]] == ["open"]
    # An appeal's id is not a grievance's.
    assert client_for(member.user).get(f"/api/v1/appeals/{body['id']}").status_code == 404


def test_api_errors_are_keyed_by_field(case, member, other_staff) -> None:
    empty = post(member.user, "/api/v1/appeals", {})
    assert empty.status_code == 400 and set(empty.json()) == {"enrollment", "description"}
    blank = post(member.user, "/api/v1/appeals", {"enrollment": case.enrollment_id})
    assert blank.status_code == 400 and list(blank.json()) == ["description"]
    spaces = post(
        member.user, "/api/v1/appeals", {"enrollment": case.enrollment_id, "description": "  "}
    )
    assert spaces.status_code == 400 and "description" in spaces.json()
    theirs = post(
        other_staff, "/api/v1/appeals", {"enrollment": case.enrollment_id, "description": "x"}
    )
    assert theirs.status_code == 404


def test_resolving_through_the_api(case, member, staff, other_staff) -> None:
    filed = file(member.user, case)
    path = f"/api/v1/appeals/{filed.pk}/resolve"
    assert post(member.user, path, {"outcome": "favorable"}).status_code == 403
    assert post(other_staff, path, {"outcome": "favorable"}).status_code == 404
    assert post(staff, f"/api/v1/grievances/{filed.pk}/resolve", {}).status_code == 404
    assert list(post(staff, path, {"outcome": "maybe"}).json()) == ["outcome"]
    assert post(staff, path, {"outcome": "adverse"}).json() == {
        "note": ["Write why the decision is against the member."]
    }
    done = post(staff, path, {"outcome": "adverse", "note": "Not covered."})
    assert done.status_code == 200
    assert done.json()["status"] == "resolved" and done.json()["outcome"] == "adverse"
    again = post(staff, path, {"outcome": "favorable"})
    assert again.status_code == 409 and again.json()["status"] == "resolved"


def test_lists_are_scoped_and_staff_reads_audited(case, member, staff, other_staff) -> None:
    filed = file(member.user, case)
    mine = client_for(member.user).get("/api/v1/appeals").json()
    assert [row["id"] for row in mine["results"]] == [filed.pk]
    assert client_for(UserFactory()).get("/api/v1/appeals").json()["results"] == []
    assert client_for(other_staff).get("/api/v1/appeals").json()["results"] == []
    theirs = client_for(staff).get("/api/v1/appeals?status=open").json()
    assert [row["id"] for row in theirs["results"]] == [filed.pk]
    assert theirs["results"][0]["overdue"] is True  # received in March 2026, long past
    assert client_for(staff).get("/api/v1/grievances").json()["results"] == []
    assert AuditEvent.objects.filter(actor=staff, object_type="appeal_case", action="read")
    assert client_for(staff).get("/api/v1/appeals?status=nope").status_code == 400


# ---------------------------------------------------------------------------------------------
# Pages


def test_the_staff_page_lists_overdue_first_and_resolves(case, member, staff) -> None:
    later = file(member.user, case, now=datetime.now(UTC), description="Later one")
    overdue = file(member.user, case, description="Overdue one")
    page = client_for(staff).get("/staff/care/appeals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Overdue one") < html.index("Later one")
    assert f'for="id_resolve-{overdue.pk}-note"' in html
    prefix = f"resolve-{overdue.pk}"
    refused = client_for(staff).post(
        f"/staff/care/appeals/{overdue.pk}/resolve/", {f"{prefix}-outcome": "adverse"}
    )
    assert refused.status_code == 400 and "error-summary" in refused.content.decode()
    done = client_for(staff).post(
        f"/staff/care/appeals/{overdue.pk}/resolve/",
        {f"{prefix}-outcome": "favorable", f"{prefix}-note": ""},
    )
    assert done.status_code == 302
    assert AppealCase.objects.get(pk=overdue.pk).status == "resolved"
    assert AppealCase.objects.get(pk=later.pk).status == "open"
    assert client_for(member.user).get("/staff/care/appeals/").status_code == 403


def test_staff_record_a_phone_grievance_on_the_page(case, member, staff) -> None:
    answer = client_for(staff).post(
        "/staff/care/appeals/new/",
        {
            "file-mbi": case.enrollment.beneficiary.mbi,
            "file-kind": "grievance",
            "file-description": "Called about a late ride.",
        },
    )
    assert answer.status_code == 302
    recorded = AppealCase.objects.get()
    assert recorded.channel == "phone" and recorded.filed_by == staff
    assert recorded.enrollment_id == case.enrollment_id


def test_staffs_phone_form_speaks_about_the_member_and_asks_for_their_mbi(case, staff) -> None:
    page = client_for(staff).get("/staff/care/appeals/").content.decode()
    assert "The member&#x27;s Medicare number (MBI)" in page
    assert "The member&#x27;s health needs a fast answer (expedited)" in page
    assert "the member is unhappy with the plan or their care" in page
    assert "Enrollment number" not in page and "My health" not in page
    assert "I am unhappy" not in page


def test_staff_record_a_phone_appeal_by_mbi_with_dashes_and_lower_case(case, staff) -> None:
    mbi = case.enrollment.beneficiary.mbi
    typed = f"{mbi[:4]}-{mbi[4:7]}-{mbi[7:]}".lower()
    answer = client_for(staff).post(
        "/staff/care/appeals/new/",
        {"file-mbi": typed, "file-kind": "appeal", "file-description": "Denied MRI."},
    )
    assert answer.status_code == 302
    assert AppealCase.objects.get().enrollment_id == case.enrollment_id


def test_an_mbi_not_among_the_organizations_members_is_refused_on_the_field(
    case, staff, other_staff
) -> None:
    mbi = case.enrollment.beneficiary.mbi
    body = {"file-mbi": mbi, "file-kind": "grievance", "file-description": "Late ride."}
    # Another organization's staff do not find this member (nor learn that they exist).
    refused = client_for(other_staff).post("/staff/care/appeals/new/", body)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "No active Medi-Medi enrollment of your organization has that Medicare number" in text
    assert 'href="#id_file-mbi"' in text
    # A malformed number says what is wrong with it.
    bad = client_for(staff).post("/staff/care/appeals/new/", {**body, "file-mbi": "12345"})
    assert bad.status_code == 400
    assert "A Medicare number (MBI) has 11 letters and digits." in bad.content.decode()
    # An ended enrollment is not active.
    case.enrollment.end_date = date(2025, 3, 31)
    case.enrollment.save(update_fields=["end_date"])
    ended = client_for(staff).post("/staff/care/appeals/new/", body)
    assert ended.status_code == 400
    assert not AppealCase.objects.exists()


def test_a_member_files_online_on_their_page(case, member) -> None:
    page = client_for(member.user).get("/me/care/cases/")
    assert page.status_code == 200 and 'for="id_case-description"' in page.content.decode()
    missing = client_for(member.user).post("/me/care/cases/new/", {"case-kind": "appeal"})
    assert missing.status_code == 400 and "error-summary" in missing.content.decode()
    sent = client_for(member.user).post(
        "/me/care/cases/new/",
        {"case-kind": "appeal", "case-description": "Denied my MRI", "case-expedited": "on"},
    )
    assert sent.status_code == 302
    filed = AppealCase.objects.get()
    assert filed.expedited and filed.due_at - filed.received_at == timedelta(hours=72)
    assert len(letters(filed, "appeal_acknowledgment")) == 1
