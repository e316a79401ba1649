"""The Health Risk Assessment online: a member saves a partial assessment and finishes it later;
only "Send" needs every required answer; sensitive questions take "Prefer not to say" (stored as
such, in English and Spanish); a coordinator during a call fills it as before."""

import re
from typing import Any

import pytest
from django.test import Client

from accounts.errors import Conflict, DomainError
from accounts.models import AuditEvent, User
from care import services
from care.models import AssessmentStatus, TaskKind, TaskStatus
from care.questionnaire import CURRENT_VERSION, DECLINED, VERSIONS, answers_validate
from tests.auth_helpers import login_verified
from tests.care.test_pages import FORM
from tests.care.test_services import ANSWERS

pytestmark = pytest.mark.django_db

PAGE = "/me/care/assessment/"


def client_for(user: User) -> Client:
    return login_verified(Client(), user)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def hra_task_status(case: Any) -> str:
    return case.tasks.get(kind=TaskKind.HRA).status


def test_saving_a_partial_assessment_keeps_the_answers_and_does_not_complete_the_hra(
    case, member
) -> None:
    client = client_for(member.user)
    partial = {"general_health": "fair", "has_caregiver": "no", "hospital_stays": "2"}
    answer = client.post(PAGE, {**partial, "lang": "en", "action": "draft"})
    assert answer.status_code == 302 and answer["Location"] == "/me/care/"
    assessment = case.assessments.get()
    assert assessment.status == AssessmentStatus.DUE and assessment.completed_on is None
    assert assessment.answers == {
        "general_health": "fair",
        "has_caregiver": False,
        "hospital_stays": 2,
    }
    assert assessment.questionnaire_version == CURRENT_VERSION
    assert hra_task_status(case) == TaskStatus.OPEN
    assert not case.tasks.filter(kind=TaskKind.CARE_PLAN).exists()
    assert not assessment.changes.exclude(to_status=AssessmentStatus.DUE).exists()
    saved = AuditEvent.objects.get(
        actor=member.user, object_type="assessment", object_id=str(assessment.pk)
    )
    assert saved.detail["draft"] is True and "fair" not in str(saved.detail)

    # Coming back: the saved answers are filled in.
    again = text(client.get(PAGE + "?lang=en"))
    assert "You saved some answers before." in again
    assert re.search(r'name="general_health" value="fair"[^>]*checked', again)
    assert re.search(r'name="has_caregiver" value="no"[^>]*checked', again)
    assert 'name="hospital_stays" value="2"' in again

    # Then it is finished and sent.
    done = client.post(PAGE, {**FORM, "lang": "en", "action": "submit"})
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert hra_task_status(case) == TaskStatus.DONE


def test_a_draft_still_refuses_an_answer_the_question_does_not_take(case, member) -> None:
    client = client_for(member.user)
    answer = client.post(PAGE, {"hospital_stays": "999", "lang": "en", "action": "draft"})
    assert answer.status_code == 400
    assert "Enter a whole number from 0 to 50." in text(answer)
    assert case.assessments.get().answers == {}


def test_sending_with_a_required_answer_missing_is_refused_with_the_errors(case, member) -> None:
    client = client_for(member.user)
    missing = {k: v for k, v in FORM.items() if k not in {"housing", "feeling_down"}}
    answer = client.post(PAGE, {**missing, "lang": "en", "action": "submit"})
    assert answer.status_code == 400
    body = text(answer)
    assert "There is a problem" in body and body.count("Answer this question.") >= 2
    assessment = case.assessments.get()
    assert assessment.status == AssessmentStatus.DUE and assessment.answers == {}
    assert hra_task_status(case) == TaskStatus.OPEN


def test_the_page_marks_required_questions_and_says_what_it_does(case, member) -> None:
    body = text(client_for(member.user).get(PAGE + "?lang=en"))
    assert "Answer what you can" not in body
    assert "You can save your answers and finish later." in body
    required = sum(1 for q in VERSIONS[CURRENT_VERSION].questions if q.required)
    assert body.count(">Required</div>") == required
    assert "Save and finish later" in body


def test_prefer_not_to_say_is_accepted_and_stored_for_the_sensitive_questions(case, member) -> None:
    declined = {"little_interest": DECLINED, "feeling_down": DECLINED}
    declined |= {"substance_concern": DECLINED, "safe_at_home": DECLINED}
    answer = client_for(member.user).post(
        PAGE, {**FORM, **declined, "lang": "en", "action": "submit"}
    )
    assert answer.status_code == 302
    done = case.assessments.get(status=AssessmentStatus.COMPLETED)
    assert done.questionnaire_version == CURRENT_VERSION
    for key in declined:
        assert done.answers[key] == "prefer_not_to_say"
    assert done.answers["has_caregiver"] is False


def test_prefer_not_to_say_is_refused_for_a_question_that_is_not_sensitive() -> None:
    errors = answers_validate(CURRENT_VERSION, {**ANSWERS, "housing": DECLINED})
    assert errors == {"housing": "Choose one of the answers offered."}
    errors = answers_validate(CURRENT_VERSION, {**ANSWERS, "transportation": DECLINED})
    assert errors == {"transportation": "Answer yes or no."}


def test_the_earlier_version_still_reads_as_it_did_without_prefer_not_to_say() -> None:
    assert answers_validate("2026.1", ANSWERS) == {}
    assert answers_validate("2026.1", {**ANSWERS, "feeling_down": DECLINED}) == {
        "feeling_down": "Choose one of the answers offered."
    }


def test_the_spanish_page_offers_prefer_not_to_say_and_marks_required_questions(
    case, member
) -> None:
    body = text(client_for(member.user).get(PAGE + "?lang=es"))
    assert body.count("Prefiero no contestar") >= 4
    assert "Prefer not to say" not in body
    assert ">Obligatoria</div>" in body and "Guardar y terminar después" in body
    english = text(client_for(member.user).get(PAGE + "?lang=en"))
    assert english.count(">Prefer not to say</label>") == 4


def test_a_spanish_draft_is_saved_and_sending_it_incomplete_gives_spanish_errors(
    case, member
) -> None:
    client = client_for(member.user)
    saved = client.post(
        PAGE, {"feeling_down": DECLINED, "substance_concern": "no", "lang": "es", "action": "draft"}
    )
    assert saved.status_code == 302
    assessment = case.assessments.get()
    assert assessment.language == "es"
    assert assessment.answers == {"feeling_down": DECLINED, "substance_concern": False}
    refused = client.post(PAGE, {"feeling_down": DECLINED, "lang": "es", "action": "submit"})
    assert refused.status_code == 400
    assert "Responda esta pregunta." in text(refused)
    assert case.assessments.get().status == AssessmentStatus.DUE


def test_a_coordinator_still_completes_it_during_a_call_and_may_record_a_decline(
    case, staff
) -> None:
    client = client_for(staff)
    path = f"/staff/care/enrollments/{case.enrollment_id}/assessment/"
    page = text(client.get(path))
    assert "Save and finish later" not in page and "Prefer not to say" in page
    answer = client.post(path, {**FORM, "substance_concern": DECLINED, "lang": "en"})
    assert answer.status_code == 302
    done = case.assessments.get(status=AssessmentStatus.COMPLETED)
    assert done.filled_by == "coordinator" and done.answers["substance_concern"] == DECLINED


def test_a_draft_cannot_be_saved_once_the_assessment_is_closed(case, staff) -> None:
    assessment = case.assessments.get()
    services.assessment_submit(actor=staff, assessment=assessment, answers=ANSWERS)
    with pytest.raises(Conflict):
        services.assessment_draft_save(
            actor=staff, assessment=assessment, answers={"general_health": "good"}
        )


def test_the_draft_service_refuses_an_unknown_question(case, staff) -> None:
    with pytest.raises(DomainError) as refused:
        services.assessment_draft_save(
            actor=staff, assessment=case.assessments.get(), answers={"shoe_size": "9"}
        )
    assert "shoe_size" in refused.value.extra["fields"]
