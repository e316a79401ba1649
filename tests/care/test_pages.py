"""The care pages: staff fill the assessment during a call, members online, in either language;
the work queue; the member's care page."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from care import services
from care.models import AssessmentStatus, CarePlan, TaskKind
from tests.auth_helpers import login_verified

pytestmark = pytest.mark.django_db

FORM: dict[str, Any] = {
    "general_health": "fair",
    "conditions": ["diabetes"],
    "hospital_stays": "0",
    "help_with": ["none"],
    "has_caregiver": "no",
    "housing": "stable",
    "safe_at_home": "yes",
    "transportation": "no",
    "preferred_language": "es",
    "needs_interpreter": "yes",
    "format": "standard",
    "little_interest": "0",
    "feeling_down": "1",
    "substance_concern": "no",
    "receives_ihss": "no",
}


def client_for(user: User) -> Client:
    return login_verified(Client(), user)


def test_the_member_reads_the_assessment_in_spanish_and_sees_errors_in_spanish(
    case, member
) -> None:
    client = client_for(member.user)
    page = client.get("/me/care/assessment/?lang=es")
    assert page.status_code == 200
    assert "Evaluación de Riesgos de Salud" in page.content.decode()
    assert '<div lang="es">' in page.content.decode()
    answer = client.post("/me/care/assessment/", {**FORM, "housing": "", "lang": "es"})
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "Hay un problema" in body and "Responda esta pregunta." in body
    assert case.assessments.get().status == AssessmentStatus.DUE


def test_the_member_completes_the_assessment_online(case, member) -> None:
    answer = client_for(member.user).post("/me/care/assessment/", {**FORM, "lang": "en"})
    assert answer.status_code == 302 and answer["Location"] == "/me/care/"
    done = case.assessments.get(status=AssessmentStatus.COMPLETED)
    assert done.filled_by == "member" and done.language == "en"
    assert done.answers["has_caregiver"] is False and done.answers["hospital_stays"] == 0


def test_a_coordinator_fills_it_during_a_call_in_spanish(case, staff) -> None:
    client = client_for(staff)
    path = f"/staff/care/enrollments/{case.enrollment_id}/assessment/"
    assert "¿Cómo es su salud?".lower() in client.get(path + "?lang=es").content.decode().lower()
    answer = client.post(path, {**FORM, "lang": "es"})
    assert answer.status_code == 302
    done = case.assessments.get(status=AssessmentStatus.COMPLETED)
    assert (done.filled_by, done.language) == ("coordinator", "es")
    assert case.tasks.filter(kind=TaskKind.CARE_PLAN, status="open").exists()


def test_staff_record_an_attempt_and_bad_input_shows_the_error_summary(case, staff) -> None:
    client = client_for(staff)
    path = f"/staff/care/enrollments/{case.enrollment_id}/outreach/"
    bad = client.post(
        path,
        {
            "outreach-attempted_on": "01/02/2025",
            "outreach-channel": "phone",
            "outreach-result": "no_answer",
        },
    )
    assert bad.status_code == 400 and 'class="error-summary"' in bad.content.decode()
    good = client.post(
        path,
        {
            "outreach-attempted_on": "2025-02-03",
            "outreach-channel": "phone",
            "outreach-result": "no_answer",
        },
    )
    assert good.status_code == 302
    assert case.assessments.get().attempts.count() == 1


def test_staff_write_and_share_a_care_plan_from_the_pages(case, staff, member) -> None:
    services.assessment_submit(
        actor=staff,
        assessment=case.assessments.get(),
        answers={
            key: (
                value
                if not isinstance(value, str)
                or key
                not in {
                    "has_caregiver",
                    "safe_at_home",
                    "transportation",
                    "needs_interpreter",
                    "substance_concern",
                    "receives_ihss",
                }
                else value == "yes"
            )
            for key, value in {**FORM, "hospital_stays": 0}.items()
        },
    )
    client = client_for(staff)
    path = f"/staff/care/enrollments/{case.enrollment_id}/plan/"
    form = {
        "plan-from_assessment": "on",
        "plan-summary": "Diabetes follow-up",
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
        "items-0-kind": "goal",
        "items-0-description": "A1C under 8",
        "items-0-owner": "member",
        "items-0-target_date": "2025-09-01",
    }
    assert client.post(path, form).status_code == 302
    plan = CarePlan.objects.get(case=case)
    assert plan.assessment is not None and plan.items.get().owner_is_member
    member_page = client_for(member.user).get("/me/care/").content.decode()
    assert "A1C under 8" not in member_page  # not shared yet
    assert client.post(f"/staff/care/plans/{plan.pk}/share/").status_code == 302
    assert "A1C under 8" in client_for(member.user).get("/me/care/").content.decode()


def test_the_work_queue_page_shows_counts_and_overdue_items(case, staff, other_staff) -> None:
    services.care_tasks_mark_overdue(today=date(2025, 6, 1))
    page = client_for(staff).get("/staff/care/tasks/", {"overdue": "yes"}).content.decode()
    assert "Overdue" in page and case.enrollment.beneficiary.full_name in page
    other = client_for(other_staff).get("/staff/care/tasks/").content.decode()
    assert case.enrollment.beneficiary.full_name not in other


def test_the_member_sees_their_team_and_asks_for_continuity_of_care(case, member, staff) -> None:
    services.team_member_add(
        actor=staff,
        case=case,
        role="county_mental_health",
        name="San Mateo County BHRS",
        phone="650-555-0199",
    )
    client = client_for(member.user)
    page = client.get("/me/care/").content.decode()
    assert "San Mateo County BHRS" in page and "Care coordinator" in page
    bad = client.post(
        "/me/care/continuity/",
        {
            "coc-provider_name": "Dr. Ortiz",
            "coc-npi": "1234567890",
            "coc-specialty": "Cardiology",
            "coc-last_seen_on": "2024-12-01",
            "coc-urgency": "standard",
        },
    )
    assert bad.status_code == 400 and "valid check digit" in bad.content.decode()
    good = client.post(
        "/me/care/continuity/",
        {
            "coc-provider_name": "Dr. Ortiz",
            "coc-npi": "1234567893",
            "coc-specialty": "Cardiology",
            "coc-last_seen_on": "2024-12-01",
            "coc-urgency": "urgent",
        },
    )
    assert good.status_code == 302
    assert case.enrollment.continuity_requests.get().urgency == "urgent"


def test_staff_add_to_the_care_team_and_a_missing_name_shows_the_case_with_the_error(
    case, staff
) -> None:
    client = client_for(staff)
    path = f"/staff/care/enrollments/{case.enrollment_id}/team/"
    bad = client.post(path, {"team-role": "ihss_social_worker", "team-name": ""})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'class="error-summary"' in body and "<title>Error:" in body
    good = client.post(
        path, {"team-role": "ihss_social_worker", "team-name": "Ana Ruiz", "team-phone": "555-0100"}
    )
    assert good.status_code == 302
    assert good["Location"] == f"/staff/care/enrollments/{case.enrollment_id}/"
    assert case.team.filter(name="Ana Ruiz").exists()


def test_the_assessment_page_links_back_to_my_care_in_the_questionnaires_language(
    case, member
) -> None:
    client = client_for(member.user)
    spanish = client.get("/me/care/assessment/?lang=es").content.decode()
    assert '<a href="/me/care/">Volver a mi cuidado</a>' in spanish
    assert "Back to my care" not in spanish
    english = client.get("/me/care/assessment/?lang=en").content.decode()
    assert '<a href="/me/care/">Back to my care</a>' in english


def test_an_empty_continuity_request_says_what_to_write_in_each_field_in_spanish(
    case, member
) -> None:
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), member.user)
    response = client.post("/me/care/continuity/", {"coc-urgency": ""})
    body = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Escriba el nombre del proveedor.",
        "Escriba el NPI de 10 dígitos del proveedor.",
        "Escriba la especialidad del proveedor.",
        "Escriba la fecha en que vio al proveedor por última vez.",
        "Elija qué tan urgente es la solicitud.",
    ):
        assert message in body
    assert "Este campo es" not in body and "This field is required" not in body


def test_an_empty_continuity_request_says_what_to_write_in_english(case, member) -> None:
    body = client_for(member.user).post("/me/care/continuity/", {}).content.decode()
    assert "Write the provider&#x27;s name." in body
    assert "Enter the date you last saw the provider." in body
    assert "This field is required" not in body


def test_the_continuity_date_last_seen_is_a_date_picker_that_keeps_its_date_in_spanish(
    case, member
) -> None:
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), member.user)
    page = client.get("/me/care/").content.decode()
    assert '<input type="date" name="coc-last_seen_on"' in page
    sent_back = client.post(
        "/me/care/continuity/",
        {"coc-npi": "1234567893", "coc-last_seen_on": "2024-12-01", "coc-urgency": "standard"},
    ).content.decode()
    assert 'name="coc-last_seen_on" value="2024-12-01"' in sent_back
