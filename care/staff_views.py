"""Staff care pages: the work queue and a member's care (coordinator, assessment, care plan,
team, continuity of care, history). Thin adapters over ``care.selectors`` and ``care.services``:
who may see or do what is decided there (members 403, another organization 404), which also
audits. Every page works without JavaScript; actions are POSTs with a CSRF token.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.models import User
from care import questionnaire, selectors, services
from care.forms import (
    UI,
    AssessmentForm,
    CarePlanForm,
    DecideForm,
    DischargeForm,
    HospitalStayForm,
    OutreachForm,
    PlanItemFormSet,
    ReassignForm,
    TeamMemberForm,
    form_error_apply,
    language_of,
)
from care.models import (
    Assessment,
    AssessmentStatus,
    CarePlan,
    CareTask,
    ContinuityRequest,
    TaskKind,
    TaskStatus,
)
from eligibility.selectors import california_today


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class TaskFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *TaskKind.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *TaskStatus.choices]
    )
    overdue = forms.TypedChoiceField(
        label="Overdue",
        required=False,
        choices=[("", "Overdue or not"), ("yes", "Overdue only"), ("no", "Not overdue")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    mine = forms.BooleanField(label="Only my members", required=False)


@login_required
@require_GET
def staff_care_tasks(request: HttpRequest) -> HttpResponse:
    """The work queue: assessments due and overdue, plans to write, reassessments; counts."""
    user = _user(request)
    filters = {key: value for key, value in request.GET.items() if key != "page"}
    form = TaskFilterForm(filters or {"status": "open"})
    page = None
    counts = selectors.care_task_counts(actor=user)  # refuses members (403)
    if form.is_valid():
        data = form.cleaned_data
        page = selectors.care_task_page(
            actor=user,
            page_number=request.GET.get("page"),
            kind=data["kind"] or None,
            status=data["status"] or None,
            overdue=data["overdue"],
            mine=bool(data["mine"]),
        )
    kinds = dict(TaskKind.choices)
    return render(
        request,
        "care/staff_tasks.html",
        {
            "form": form,
            "page": page,
            "counts": [(kinds[kind], row) for kind, row in counts.items()],
        },
    )


def _render_case(request: HttpRequest, pk: int, status: int = 200, **bound: Any) -> HttpResponse:
    user = _user(request)
    view = selectors.staff_care_get(actor=user, enrollment_id=pk)
    context = {
        "view": view,
        "beneficiary": view.enrollment.beneficiary,
        "reassign_form": bound.get("reassign_form")
        or ReassignForm(
            coordinators=selectors.coordinator_choices(actor=user, case=view.case),
            prefix="reassign",
        ),
        "outreach_form": bound.get("outreach_form")
        or OutreachForm(prefix="outreach", initial={"attempted_on": california_today()}),
        "team_form": bound.get("team_form") or TeamMemberForm(prefix="team"),
        "hospital_form": bound.get("hospital_form") or HospitalStayForm(prefix="hospital"),
        "hospital_stays": [
            (
                stay,
                bound.get("discharge_form")
                if bound.get("discharge_id") == stay.pk
                else DischargeForm(prefix="discharge", auto_id=f"id_discharge{stay.pk}_%s"),
            )
            for stay in view.hospital_stays
        ],
        "bound_discharge": bound.get("discharge_form"),
        "decide_form": DecideForm(prefix="decide"),
        "bound_decide": bound.get("decide_form"),
        "bound_decide_id": bound.get("decide_id"),
        "assessment_due": view.assessment is not None
        and view.assessment.status == AssessmentStatus.DUE,
    }
    return render(request, "care/staff_care.html", context, status=status)


def _case_action(
    request: HttpRequest,
    form: Any,
    run: Callable[[dict[str, Any]], object],
    *,
    enrollment_id: int,
    success: str,
    **bound: Any,
) -> HttpResponse:
    """One staff action on a case from its bound form: done, say so and go back to the case;
    refused, show the case again with the form's errors (403 and 404 pass through)."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(request, success)
            return redirect("staff-care", pk=enrollment_id)
    return _render_case(request, enrollment_id, status=400, **bound)


@login_required
@require_GET
def staff_care(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's care: everything, with its history and the actions."""
    return _render_case(request, pk)


@login_required
@require_POST
def staff_care_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = selectors.care_case_for_enrollment(actor=user, enrollment_id=pk)
    form = ReassignForm(
        request.POST,
        coordinators=selectors.coordinator_choices(actor=user, case=case),
        prefix="reassign",
    )
    return _case_action(
        request,
        form,
        lambda data: services.coordinator_reassign(
            actor=user, case=case, coordinator=data["coordinator"], note=data["note"]
        ),
        enrollment_id=pk,
        success="The coordinator is changed.",
        reassign_form=form,
    )


@login_required
@require_POST
def staff_care_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    view = selectors.staff_care_get(actor=user, enrollment_id=pk)
    form = OutreachForm(request.POST, prefix="outreach")
    if view.assessment is None:
        return _render_case(request, pk, status=400, outreach_form=form)
    assessment = Assessment(pk=view.assessment.pk)
    return _case_action(
        request,
        form,
        lambda data: services.outreach_record(actor=user, assessment=assessment, **data),
        enrollment_id=pk,
        success="The attempt is recorded.",
        outreach_form=form,
    )


@login_required
@require_POST
def staff_care_team(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = selectors.care_case_for_enrollment(actor=user, enrollment_id=pk)
    form = TeamMemberForm(request.POST, prefix="team")
    return _case_action(
        request,
        form,
        lambda data: services.team_member_add(actor=user, case=case, **data),
        enrollment_id=pk,
        success="Added to the care team.",
        team_form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_care_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator fills the member's due assessment during a call, in English or Spanish."""
    user = _user(request)
    view = selectors.staff_care_get(actor=user, enrollment_id=pk)
    language = language_of(request, view.enrollment.beneficiary.preferred_language)
    current = questionnaire.questionnaire_get(questionnaire.CURRENT_VERSION)
    assert current is not None
    due = (
        view.assessment
        if view.assessment and view.assessment.status == AssessmentStatus.DUE
        else None
    )
    form = AssessmentForm(
        request.POST if request.method == "POST" else None, questionnaire=current, language=language
    )
    if request.method == "POST" and due is not None and form.is_valid():
        try:
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
            messages.success(request, "The assessment is complete. Write the care plan next.")
            return redirect("staff-care", pk=pk)
    return render(
        request,
        "care/assessment_form.html",
        {
            "form": form,
            "due": due,
            "ui": UI[language],
            "language": language,
            "other_language": "es" if language == "en" else "en",
            "staff": True,
            "view": view,
            "action": request.path,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_care_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the next revision of the care plan (from the latest assessment, or a reason)."""
    user = _user(request)
    view = selectors.staff_care_get(actor=user, enrollment_id=pk)
    owners = [
        (str(entry.id), f"{entry.name} ({entry.role_label})") for entry in view.team if entry.id
    ]
    completed = [a for a in view.assessments if a.status == AssessmentStatus.COMPLETED]
    data = request.POST if request.method == "POST" else None
    stays = [
        (
            stay.pk,
            f"{stay.facility}, {date_format(stay.admitted_on)} to "
            + (date_format(stay.discharged_on) if stay.discharged_on else "still in hospital"),
        )
        for stay in view.hospital_stays
    ]
    form = CarePlanForm(data, prefix="plan", stays=stays)
    items = PlanItemFormSet(data, prefix="items", form_kwargs={"owners": owners})
    if request.method == "POST" and form.is_valid() and items.is_valid():
        entries = [
            services.PlanItemInput(
                kind=row["kind"],
                description=row.get("description", ""),
                target_date=row["target_date"],
                owner=int(row["owner"]) if row.get("owner") not in ("", "member", None) else None,
                owner_is_member=row.get("owner") == "member",
            )
            for row in items.cleaned_data
            if row.get("kind")
        ]
        source = completed[-1] if completed and form.cleaned_data["from_assessment"] else None
        try:
            services.care_plan_write(
                actor=user,
                case=view.case,
                items=entries,
                assessment=source,
                hospital_stay=next(
                    (s for s in view.hospital_stays if s.pk == form.cleaned_data["hospital_stay"]),
                    None,
                ),
                reason=form.cleaned_data["reason"],
                summary=form.cleaned_data["summary"],
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(
                request, "The care plan is saved. Share it with the member when ready."
            )
            return redirect("staff-care", pk=pk)
    return render(
        request,
        "care/care_plan_form.html",
        {"form": form, "items": items, "view": view, "completed": completed},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def staff_care_plan_share(request: HttpRequest, pk: int) -> HttpResponse:
    plan = services.care_plan_share(actor=_user(request), care_plan=CarePlan(pk=pk))
    messages.success(
        request, f"Revision {plan.revision} of the care plan is shared with the member."
    )
    return redirect("staff-care", pk=plan.case.enrollment_id)


@login_required
@require_POST
def staff_continuity_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    services.continuity_request_require_visible(actor=user, request_id=pk)
    request_row = selectors.continuity_request_get(actor=user, request_id=pk)
    form = DecideForm(request.POST, prefix="decide")
    return _case_action(
        request,
        form,
        lambda data: services.continuity_request_decide(
            actor=user, request=ContinuityRequest(pk=pk), **data
        ),
        enrollment_id=request_row.enrollment_id,
        success="The continuity of care request is decided.",
        decide_form=form,
        decide_id=pk,
    )


@login_required
@require_POST
def staff_care_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a continuity of care ending reminder done (the member was told)."""
    task = services.care_task_done(actor=_user(request), task=CareTask(pk=pk))
    messages.success(request, "The work item is done.")
    return redirect("staff-care", pk=task.case.enrollment_id)


@login_required
@require_POST
def staff_care_hospital_stay(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a hospital stay; with its discharge date, the care plan is due for revision."""
    user = _user(request)
    case = selectors.care_case_for_enrollment(actor=user, enrollment_id=pk)
    form = HospitalStayForm(request.POST, prefix="hospital")
    return _case_action(
        request,
        form,
        lambda data: services.hospital_stay_record(actor=user, case_id=case.pk, **data),
        enrollment_id=pk,
        success="The hospital stay is recorded.",
        hospital_form=form,
    )


@login_required
@require_POST
def staff_care_hospital_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the discharge of a stay recorded while the member was in hospital."""
    user = _user(request)
    stay = selectors.hospital_stay_get(actor=user, stay_id=pk)
    form = DischargeForm(request.POST, prefix="discharge", auto_id=f"id_discharge{pk}_%s")
    return _case_action(
        request,
        form,
        lambda data: services.hospital_stay_discharge(actor=user, stay_id=pk, **data),
        enrollment_id=stay.case.enrollment_id,
        success="The discharge is recorded.",
        discharge_form=form,
        discharge_id=pk,
    )
