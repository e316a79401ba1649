"""The member's care pages: their team and the one phone number, their shared care plan, their
assessment to fill online (English or Spanish) and continuity of care requests. Thin adapters
over ``care.selectors`` and ``care.services`` (staff and admins: 403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.models import User
from care import questionnaire, selectors, services
from care.forms import UI, AssessmentForm, ContinuityForm, form_error_apply, language_of
from care.models import Assessment, AssessmentStatus


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _render(
    request: HttpRequest, form: ContinuityForm | None = None, status: int = 200
) -> HttpResponse:
    view = selectors.member_care_get(actor=_user(request))
    return render(
        request,
        "care/member_care.html",
        {
            "view": view,
            "form": form or ContinuityForm(prefix="coc"),
            "assessment_due": view is not None
            and view.assessment is not None
            and view.assessment.status == AssessmentStatus.DUE,
        },
        status=status,
    )


@login_required
@require_GET
def member_care(request: HttpRequest) -> HttpResponse:
    """My care: coordinator, team, phone number, care plan, assessment, continuity of care."""
    return _render(request)


@login_required
@require_POST
def member_continuity_new(request: HttpRequest) -> HttpResponse:
    """Ask to keep seeing a provider who is not in the plan's network."""
    user = _user(request)
    view = selectors.member_care_get(actor=user)
    if view is None:
        raise NotFound(gettext("You have no Medi-Medi Plan enrollment."))
    form = ContinuityForm(request.POST, prefix="coc")
    if form.is_valid():
        try:
            created = services.continuity_request_create(
                actor=user, enrollment_id=view.enrollment.pk, **form.cleaned_data
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(
                request,
                gettext("Your request is received. The plan decides by %(date)s.")
                % {"date": date_format(created.decision_due, "DATE_FORMAT")},
            )
            return redirect("member-care")
    return _render(request, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def member_care_assessment(request: HttpRequest) -> HttpResponse:
    """Fill my Health Risk Assessment online, in English or Spanish."""
    user = _user(request)
    view = selectors.member_care_get(actor=user)
    default = view.enrollment.beneficiary.preferred_language if view else "en"
    language = language_of(request, default)
    current = questionnaire.questionnaire_get(questionnaire.CURRENT_VERSION)
    assert current is not None
    due = (
        view.assessment
        if view is not None and view.assessment and view.assessment.status == AssessmentStatus.DUE
        else None
    )
    # "Save and finish later" keeps a draft (the assessment stays due); "Send" submits it.
    saving_draft = request.POST.get("action") == "draft"
    saved = due.answers if due is not None and due.answers else None
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        questionnaire=current,
        language=language,
        saved=saved,
    )
    if request.method == "POST" and due is not None and form.is_valid():
        try:
            if saving_draft:
                services.assessment_draft_save(
                    actor=user,
                    assessment=Assessment(pk=due.pk),
                    answers=form.answers(),
                    language=language,
                )
            else:
                services.assessment_submit(
                    actor=user,
                    assessment=Assessment(pk=due.pk),
                    answers=form.answers(),
                    language=language,
                )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            if saving_draft:
                messages.success(request, UI[language]["draft_saved"])
                return redirect("member-care")
            messages.success(
                request,
                "Gracias. Su coordinador de cuidado usará sus respuestas."
                if language == "es"
                else "Thank you. Your care coordinator will use your answers.",
            )
            return redirect("member-care")
    return render(
        request,
        "care/assessment_form.html",
        {
            "form": form,
            "due": due,
            "ui": UI[language],
            "language": language,
            "other_language": "es" if language == "en" else "en",
            "staff": False,
            "view": view,
            "action": request.path,
            "draft": bool(saved) and request.method == "GET",
        },
        status=400 if form.errors else 200,
    )
