"""Extensions, expedited-request denials and the oral notice of integrated appeals and
grievances (42 CFR 422.630, 422.633): the rules of who may do what when, the due time that
moves, one extension and one letter each, the API's status codes and error bodies, other
organizations, and the staff page's forms."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import AuditEvent, User
from care import appeals
from care.models import AppealCase, CareCase
from care.tasks import care_daily
from eligibility.models import Beneficiary
from notices.models import Notice
from notices.rendering import notice_render
from tests.auth_helpers import login_verified

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)  # 09:30 in California
NEXT_DAY = RECEIVED + timedelta(days=1)


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


def refused_fields(error: DomainError) -> set[str]:
    """The fields a service's refusal names (its ``fields``)."""
    fields = error.extra["fields"]
    assert isinstance(fields, dict)
    return set(fields)


def history(case: AppealCase) -> list[str]:
    return [change.to_status for change in AppealCase.objects.get(pk=case.pk).changes.all()]


# ---------------------------------------------------------------------------------------------
# Extensions: the rules


def _resolved(filed: AppealCase, staff: User) -> None:
    appeals.appeal_case_resolve(actor=staff, case_id=filed.pk, outcome="favorable", now=NEXT_DAY)


def _extended(filed: AppealCase, staff: User) -> None:
    appeals.appeal_case_extend(
        actor=staff, case_id=filed.pk, requested_by="member", days=3, now=NEXT_DAY
    )


EXTENSION_RULES: list[tuple[str, dict[str, Any], Callable[..., None] | None, Any]] = [
    # (what, the call's arguments, what happened to the case before, the answer)
    ("the plan, with why", {"requested_by": "plan", "reason": "Records asked."}, None, 14),
    ("the member, without why", {"requested_by": "member"}, None, 14),
    ("fewer days", {"requested_by": "member", "days": 5}, None, 5),
    ("the plan, without why", {"requested_by": "plan", "reason": "  "}, None, {"reason"}),
    ("more than 14 days", {"requested_by": "member", "days": 15}, None, {"days"}),
    ("no days", {"requested_by": "member", "days": 0}, None, {"days"}),
    ("nobody asked", {"requested_by": "the moon"}, None, {"requested_by"}),
    ("a second extension", {"requested_by": "member"}, _extended, Conflict),
    ("a resolved case", {"requested_by": "member"}, _resolved, Conflict),
]


@pytest.mark.parametrize(
    ("what", "arguments", "before", "answer"),
    EXTENSION_RULES,
    ids=[row[0] for row in EXTENSION_RULES],
)
def test_extension_rules(case, member, staff, what, arguments, before, answer) -> None:
    filed = file(member.user, case)
    if before is not None:
        before(filed, staff)
    filed.refresh_from_db()
    due = filed.due_at
    if isinstance(answer, int):
        extended = appeals.appeal_case_extend(
            actor=staff, case_id=filed.pk, now=NEXT_DAY, **arguments
        )
        assert extended.due_at == due + timedelta(days=answer)
        assert extended.due_at_before_extension == due
        assert extended.extension_days == answer
        assert extended.extended_by == staff and extended.extended_at == NEXT_DAY
        assert extended.extension_requested_by == arguments["requested_by"]
        return
    if answer is Conflict:
        with pytest.raises(Conflict):
            appeals.appeal_case_extend(actor=staff, case_id=filed.pk, now=NEXT_DAY, **arguments)
    else:
        with pytest.raises(DomainError) as refused:
            appeals.appeal_case_extend(actor=staff, case_id=filed.pk, now=NEXT_DAY, **arguments)
        assert refused_fields(refused.value) == answer
    filed.refresh_from_db()
    assert filed.due_at == due  # refused: nothing moved


def test_a_case_is_extended_only_before_its_due_time(case, member, staff) -> None:
    filed = file(member.user, case, "grievance", expedited=True)  # due in 24 hours
    with pytest.raises(Conflict, match="due time has passed"):
        appeals.appeal_case_extend(
            actor=staff, case_id=filed.pk, requested_by="member", now=filed.due_at
        )
    assert not letters(filed, "appeal_extension")
    assert history(filed) == ["open"]


def test_an_expedited_case_moves_14_days_past_its_expedited_due_time(case, member, staff) -> None:
    filed = file(member.user, case, expedited=True)  # due in 72 hours
    extended = appeals.appeal_case_extend(
        actor=staff,
        case_id=filed.pk,
        requested_by="plan",
        reason="We asked the specialist for test results.",
        now=NEXT_DAY,
    )
    assert extended.due_at == RECEIVED + timedelta(hours=72, days=14)
    assert extended.expedited  # still expedited, on a longer clock


def test_extending_moves_the_due_time_writes_history_and_queues_one_letter(
    case, member, staff
) -> None:
    Beneficiary.objects.filter(pk=member.beneficiary.pk).update(preferred_language="es")
    filed = file(member.user, case)
    appeals.appeal_case_extend(
        actor=staff,
        case_id=filed.pk,
        requested_by="plan",
        reason="We asked your doctor for your records.",
        now=NEXT_DAY,
    )
    assert history(filed) == ["open", "extended"]
    change = AppealCase.objects.get(pk=filed.pk).changes.last()
    assert change is not None and change.actor == staff and change.from_status == "open"
    assert "14 days" in change.note and "records" in change.note
    (letter,) = letters(filed, "appeal_extension")
    assert letter.language == "es"
    assert letter.context["due_date"] == "2026-04-15"  # April 1 (30 days) + 14
    assert letter.context["previous_due_date"] == "2026-04-01"
    rendered = notice_render(letter)
    assert "Necesitamos más tiempo" in rendered.subject
    assert "queja acelerada" in rendered.text  # may file an expedited grievance if they disagree
    assert "We asked your doctor for your records." in rendered.text
    with pytest.raises(Conflict, match="extended once"):
        appeals.appeal_case_extend(
            actor=staff, case_id=filed.pk, requested_by="member", now=NEXT_DAY
        )
    assert len(letters(filed, "appeal_extension")) == 1  # one extension, one letter
    assert history(filed) == ["open", "extended"]
    assert AuditEvent.objects.filter(
        actor=staff, object_type="appeal_case", object_id=str(filed.pk), action="update"
    ).exists()


def test_the_members_own_request_letter_does_not_offer_a_grievance_about_it(
    case, member, staff
) -> None:
    filed = file(member.user, case, "grievance")
    appeals.appeal_case_extend(actor=staff, case_id=filed.pk, requested_by="member", now=NEXT_DAY)
    (letter,) = letters(filed, "appeal_extension")
    text = notice_render(letter).text
    assert "You asked us for more time." in text
    assert "expedited) grievance" not in text


def test_the_maximum_extension_is_a_setting(case, member, staff, settings) -> None:
    settings.APPEAL_EXTENSION_MAX_DAYS = {**settings.APPEAL_EXTENSION_MAX_DAYS, "appeal": 7}
    filed = file(member.user, case)
    with pytest.raises(DomainError):
        appeals.appeal_case_extend(
            actor=staff, case_id=filed.pk, requested_by="member", days=8, now=NEXT_DAY
        )
    extended = appeals.appeal_case_extend(
        actor=staff, case_id=filed.pk, requested_by="member", now=NEXT_DAY
    )
    assert extended.due_at == RECEIVED + timedelta(days=30 + 7)


def test_the_daily_job_flags_an_extended_case_only_after_its_new_due_time(
    case, member, staff
) -> None:
    now = datetime.now(UTC)
    filed = file(member.user, case, "grievance", expedited=True, now=now - timedelta(hours=20))
    appeals.appeal_case_extend(actor=staff, case_id=filed.pk, requested_by="member", now=now)
    assert care_daily.delay().get()["appeals_overdue"] == 0
    assert not appeals.appeal_is_overdue(AppealCase.objects.get(pk=filed.pk))


def test_only_staff_of_the_plan_extend(case, member, staff, other_staff) -> None:
    filed = file(member.user, case)
    with pytest.raises(Forbidden):
        appeals.appeal_case_extend(
            actor=member.user, case_id=filed.pk, requested_by="member", now=NEXT_DAY
        )
    with pytest.raises(NotFound):
        appeals.appeal_case_extend(
            actor=other_staff, case_id=filed.pk, requested_by="member", now=NEXT_DAY
        )
    with pytest.raises(NotFound):
        appeals.appeal_case_extend(
            actor=staff, case_id=filed.pk, kind="grievance", requested_by="member", now=NEXT_DAY
        )
    assert not letters(filed, "appeal_extension")


# ---------------------------------------------------------------------------------------------
# Expedited requests that do not qualify


@pytest.mark.parametrize(
    ("kind", "standard_days"),
    [("appeal", 30), ("grievance", 30)],
)
def test_a_denied_expedited_request_moves_to_the_standard_clock_from_receipt(
    case, member, staff, kind: str, standard_days: int
) -> None:
    filed = file(member.user, case, kind, expedited=True)
    moved = appeals.appeal_case_deny_expedite(
        actor=staff,
        case_id=filed.pk,
        reason="Waiting does not put your health at serious risk.",
        now=RECEIVED + timedelta(hours=3),
    )
    assert not moved.expedited
    assert moved.due_at == RECEIVED + timedelta(days=standard_days)
    assert moved.expedite_denied_by == staff
    assert moved.expedite_denial_reason.startswith("Waiting")
    assert history(filed) == ["open", "expedite_denied"]
    (letter,) = letters(filed, "appeal_expedite_denied")
    assert letter.context["due_date"] == "2026-04-01"
    assert letter.context["received_date"] == "2026-03-02"
    text = notice_render(letter).text
    assert "will not be expedited" in notice_render(letter).subject
    assert "standard timeframe" in text and "April 1, 2026" in text
    assert "fast (expedited) grievance" in text


EXPEDITE_DENIAL_RULES: list[tuple[str, bool, Callable[..., None] | None, str, Any]] = [
    # (what, filed expedited, what happened before, reason, the answer)
    ("not expedited", False, None, "No.", Conflict),
    ("already extended", True, _extended, "No.", Conflict),
    ("resolved", True, _resolved, "No.", Conflict),
    ("without why", True, None, " ", "reason"),
]


@pytest.mark.parametrize(
    ("what", "expedited", "before", "reason", "answer"),
    EXPEDITE_DENIAL_RULES,
    ids=[row[0] for row in EXPEDITE_DENIAL_RULES],
)
def test_expedite_denial_rules(
    case, member, staff, what, expedited, before, reason, answer
) -> None:
    filed = file(member.user, case, expedited=expedited)
    if before is not None:
        before(filed, staff)
    with pytest.raises(DomainError) as refused:
        appeals.appeal_case_deny_expedite(
            actor=staff, case_id=filed.pk, reason=reason, now=NEXT_DAY
        )
    if answer is Conflict:
        assert isinstance(refused.value, Conflict)
    else:
        assert refused.value.extra["field"] == answer
    assert not letters(filed, "appeal_expedite_denied")


def test_an_expedited_request_cannot_be_denied_after_its_expedited_due_time(
    case, member, staff
) -> None:
    filed = file(member.user, case, "grievance", expedited=True)
    with pytest.raises(Conflict, match="expedited due time has passed"):
        appeals.appeal_case_deny_expedite(
            actor=staff, case_id=filed.pk, reason="No.", now=RECEIVED + timedelta(hours=25)
        )


def test_a_denied_expedited_case_may_still_be_extended_once(case, member, staff) -> None:
    filed = file(member.user, case, expedited=True)
    appeals.appeal_case_deny_expedite(actor=staff, case_id=filed.pk, reason="No.", now=NEXT_DAY)
    extended = appeals.appeal_case_extend(
        actor=staff, case_id=filed.pk, requested_by="member", now=NEXT_DAY
    )
    assert extended.due_at == RECEIVED + timedelta(days=30 + 14)
    assert history(filed) == ["open", "expedite_denied", "extended"]
    assert len(letters(filed, "appeal_expedite_denied")) == 1
    assert len(letters(filed, "appeal_extension")) == 1


# ---------------------------------------------------------------------------------------------
# The oral notice of an expedited decision


def test_an_expedited_appeal_decided_against_the_member_needs_the_phone_call(
    case, member, staff
) -> None:
    filed = file(member.user, case, expedited=True)
    with pytest.raises(DomainError) as refused:
        appeals.appeal_case_resolve(
            actor=staff, case_id=filed.pk, outcome="adverse", note="No.", now=NEXT_DAY
        )
    assert refused_fields(refused.value) == {"oral_notice_at"}
    with pytest.raises(DomainError, match="Check the form"):
        appeals.appeal_case_resolve(
            actor=staff,
            case_id=filed.pk,
            outcome="adverse",
            note="No.",
            oral_notice_at=NEXT_DAY + timedelta(hours=2),  # in the future
            now=NEXT_DAY,
        )
    with pytest.raises(DomainError):
        appeals.appeal_case_resolve(
            actor=staff,
            case_id=filed.pk,
            outcome="adverse",
            note="No.",
            oral_notice_at=RECEIVED - timedelta(hours=1),  # before it was received
            now=NEXT_DAY,
        )
    told = NEXT_DAY - timedelta(minutes=10)
    resolved = appeals.appeal_case_resolve(
        actor=staff,
        case_id=filed.pk,
        outcome="adverse",
        note="No.",
        oral_notice_at=told,
        now=NEXT_DAY,
    )
    assert resolved.oral_notice_at == told and resolved.oral_notice_by == staff
    assert history(filed) == ["open", "resolved"]


def test_other_decisions_do_not_need_the_phone_call(case, member, staff) -> None:
    won = file(member.user, case, expedited=True)
    grievance = file(member.user, case, "grievance", expedited=True)
    standard = file(member.user, case)
    appeals.appeal_case_resolve(actor=staff, case_id=won.pk, outcome="favorable", now=NEXT_DAY)
    appeals.appeal_case_resolve(
        actor=staff, case_id=grievance.pk, outcome="adverse", note="No.", now=NEXT_DAY
    )
    with pytest.raises(DomainError) as refused:  # a standard case records no phone notice
        appeals.appeal_case_resolve(
            actor=staff,
            case_id=standard.pk,
            outcome="favorable",
            oral_notice_at=NEXT_DAY,
            now=NEXT_DAY,
        )
    assert refused_fields(refused.value) == {"oral_notice_at"}
    assert AppealCase.objects.get(pk=won.pk).oral_notice_at is None


# ---------------------------------------------------------------------------------------------
# API


def test_extending_through_the_api(case, member, staff, other_staff) -> None:
    filed = file(member.user, case, now=datetime.now(UTC))
    path = f"/api/v1/appeals/{filed.pk}/extend"
    assert post(member.user, path, {"requested_by": "member"}).status_code == 403
    assert post(other_staff, path, {"requested_by": "member"}).status_code == 404
    assert post(staff, f"/api/v1/grievances/{filed.pk}/extend", {}).status_code == 404
    assert post(staff, "/api/v1/appeals/99999999/extend", {}).status_code == 404
    assert post(staff, path, {}).json() == {"requested_by": ["This field is required."]}
    assert list(post(staff, path, {"requested_by": "nobody"}).json()) == ["requested_by"]
    assert post(staff, path, {"requested_by": "plan"}).json() == {
        "reason": [
            "Write what information the plan needs and how waiting is in the member's interest."
        ]
    }
    assert post(staff, path, {"requested_by": "member", "days": 15}).json() == {
        "days": ["Extend by 1 to 14 days."]
    }
    assert list(post(staff, path, {"requested_by": "member", "days": "x"}).json()) == ["days"]
    done = post(staff, path, {"requested_by": "plan", "reason": "Records", "days": 10})
    assert done.status_code == 200
    body = done.json()
    assert body["extension_days"] == 10 and body["extension_requested_by"] == "plan"
    due = datetime.fromisoformat(body["due_at"])
    assert due - datetime.fromisoformat(body["due_at_before_extension"]) == timedelta(days=10)
    again = post(staff, path, {"requested_by": "member"})
    assert again.status_code == 409
    assert again.json()["code"] == "conflict" and again.json()["status"] == "open"
    assert len(letters(filed, "appeal_extension")) == 1
    detail = client_for(member.user).get(f"/api/v1/appeals/{filed.pk}").json()
    assert [row["to_status"] for row in detail["history"]] == ["open", "extended"]


def test_denying_an_expedited_request_through_the_api(case, member, staff, other_staff) -> None:
    filed = file(member.user, case, "grievance", expedited=True, now=datetime.now(UTC))
    path = f"/api/v1/grievances/{filed.pk}/deny-expedite"
    assert post(member.user, path, {"reason": "x"}).status_code == 403
    assert post(other_staff, path, {"reason": "x"}).status_code == 404
    assert post(staff, f"/api/v1/appeals/{filed.pk}/deny-expedite", {}).status_code == 404
    assert post(staff, path, {}).json() == {"reason": ["This field is required."]}
    assert post(staff, path, {"reason": "  "}).status_code == 400
    done = post(staff, path, {"reason": "Not about a refusal to expedite."})
    assert done.status_code == 200 and done.json()["expedited"] is False
    assert done.json()["expedite_denied_at"]
    received = datetime.fromisoformat(done.json()["received_at"])
    assert datetime.fromisoformat(done.json()["due_at"]) - received == timedelta(days=30)
    again = post(staff, path, {"reason": "x"})
    assert again.status_code == 409 and again.json()["expedited"] is False
    assert len(letters(filed, "appeal_expedite_denied")) == 1


def test_resolving_an_expedited_appeal_through_the_api_records_the_call(
    case, member, staff
) -> None:
    now = datetime.now(UTC)
    filed = file(member.user, case, expedited=True, now=now - timedelta(hours=1))
    path = f"/api/v1/appeals/{filed.pk}/resolve"
    missing = post(staff, path, {"outcome": "adverse", "note": "No."})
    assert missing.status_code == 400 and list(missing.json()) == ["oral_notice_at"]
    assert list(post(staff, path, {"outcome": "adverse", "oral_notice_at": "soon"}).json()) == [
        "oral_notice_at"
    ]
    both = post(staff, path, {"outcome": "adverse"}).json()
    assert set(both) == {"note", "oral_notice_at"}
    told = (now - timedelta(minutes=5)).isoformat()
    done = post(staff, path, {"outcome": "adverse", "note": "No.", "oral_notice_at": told})
    assert done.status_code == 200
    assert datetime.fromisoformat(done.json()["oral_notice_at"]) == datetime.fromisoformat(told)


# ---------------------------------------------------------------------------------------------
# The staff page


def test_the_staff_page_extends_after_confirmation(case, member, staff) -> None:
    filed = file(member.user, case, now=datetime.now(UTC))
    html = client_for(staff).get("/staff/care/appeals/").content.decode()
    assert f'action="/staff/care/appeals/{filed.pk}/extend/"' in html
    assert f"/staff/care/appeals/{filed.pk}/deny-expedite/" not in html  # not expedited
    prefix = f"extend-{filed.pk}"
    url = f"/staff/care/appeals/{filed.pk}/extend/"
    unconfirmed = client_for(staff).post(
        url, {f"{prefix}-requested_by": "member", f"{prefix}-days": "14"}
    )
    assert unconfirmed.status_code == 400
    assert "<title>Error:" in unconfirmed.content.decode()
    assert AppealCase.objects.get(pk=filed.pk).extended_at is None
    unjustified = client_for(staff).post(
        url,
        {f"{prefix}-requested_by": "plan", f"{prefix}-days": "14", f"{prefix}-confirm": "on"},
    )
    assert unjustified.status_code == 400
    assert "how waiting is in the member" in unjustified.content.decode()
    done = client_for(staff).post(
        url,
        {f"{prefix}-requested_by": "member", f"{prefix}-days": "7", f"{prefix}-confirm": "on"},
    )
    assert done.status_code == 302
    extended = AppealCase.objects.get(pk=filed.pk)
    assert extended.extension_days == 7 and extended.extended_by == staff
    page = client_for(staff).get("/staff/care/appeals/").content.decode()
    assert "Extended 7 days" in page
    assert f'action="/staff/care/appeals/{filed.pk}/extend/"' not in page  # once only
    late = client_for(staff).post(
        url,
        {f"{prefix}-requested_by": "member", f"{prefix}-days": "7", f"{prefix}-confirm": "on"},
    )
    assert late.status_code == 400 and "extended once" in late.content.decode()
    member_page = client_for(member.user).get("/me/care/cases/").content.decode()
    assert "Extended by 7 days" in member_page


def test_the_staff_page_moves_an_expedited_case_to_the_standard_timeframe(
    case, member, staff, other_staff
) -> None:
    filed = file(member.user, case, expedited=True, now=datetime.now(UTC))
    url = f"/staff/care/appeals/{filed.pk}/deny-expedite/"
    html = client_for(staff).get("/staff/care/appeals/").content.decode()
    assert f'action="{url}"' in html
    assert f'for="id_resolve-{filed.pk}-oral_notice_at"' in html  # expedited: the call's time
    prefix = f"deny-{filed.pk}"
    assert client_for(staff).post(url, {f"{prefix}-reason": "No."}).status_code == 400
    assert client_for(other_staff).post(url, {}).status_code == 404
    assert client_for(member.user).post(url, {}).status_code == 403
    done = client_for(staff).post(url, {f"{prefix}-reason": "No.", f"{prefix}-confirm": "on"})
    assert done.status_code == 302
    assert not AppealCase.objects.get(pk=filed.pk).expedited
    assert len(letters(filed, "appeal_expedite_denied")) == 1


def test_the_staff_page_asks_for_the_call_before_an_adverse_expedited_decision(
    case, member, staff
) -> None:
    filed = file(member.user, case, expedited=True, now=datetime.now(UTC) - timedelta(hours=2))
    prefix = f"resolve-{filed.pk}"
    url = f"/staff/care/appeals/{filed.pk}/resolve/"
    refused = client_for(staff).post(url, {f"{prefix}-outcome": "adverse", f"{prefix}-note": "No"})
    assert refused.status_code == 400
    assert "told the member the decision by phone" in refused.content.decode()
    told = appeals.local_time(datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    done = client_for(staff).post(
        url,
        {
            f"{prefix}-outcome": "adverse",
            f"{prefix}-note": "No",
            f"{prefix}-oral_notice_at": told,
        },
    )
    assert done.status_code == 302
    resolved = AppealCase.objects.get(pk=filed.pk)
    assert resolved.status == "resolved" and resolved.oral_notice_by == staff
    assert appeals.local_time(resolved.oral_notice_at).strftime("%Y-%m-%dT%H:%M") == told


def test_a_refused_action_on_a_case_no_longer_listed_shows_why_on_top(case, member, staff) -> None:
    filed = file(member.user, case, now=datetime.now(UTC))
    appeals.appeal_case_resolve(actor=staff, case_id=filed.pk, outcome="favorable")
    prefix = f"extend-{filed.pk}"
    late = client_for(staff).post(
        f"/staff/care/appeals/{filed.pk}/extend/",
        {f"{prefix}-requested_by": "member", f"{prefix}-days": "3", f"{prefix}-confirm": "on"},
    )
    assert late.status_code == 400
    assert "This case is already resolved." in late.content.decode()
