"""Appeals and grievances pages: staff ``/staff/care/appeals/`` (open cases, overdue first, a
resolve form each, and a form to record one taken by phone) and members ``/me/care/cases/``
(their cases and a form to file one). Thin adapters over ``care.appeals``, which decides who
may see or do what (and audits). No JavaScript; actions are POSTs with a CSRF token.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError, NotFound
from accounts.models import User
from care import appeals, selectors
from care.forms import form_error_apply
from care.models import AppealKind, AppealOutcome


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class FileForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is it?",
        choices=[
            (AppealKind.GRIEVANCE, "A grievance: I am unhappy with the plan or my care"),
            (AppealKind.APPEAL, "An appeal: I disagree with a decision the plan made"),
        ],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="Tell us what happened", max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    expedited = forms.BooleanField(
        label="My health needs a fast answer (expedited)",
        required=False,
        help_text="Waiting the usual time could seriously harm my health.",
    )


class StaffFileForm(FileForm):
    enrollment = forms.IntegerField(
        label="Enrollment number", min_value=1, help_text="The member's Medi-Medi enrollment."
    )
    representative = forms.IntegerField(
        label="Authorized representative number (if they called for the member)",
        min_value=1,
        required=False,
    )
    field_order = ["enrollment", "representative", "kind", "description", "expedited"]


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision", choices=AppealOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Why (required for a decision against the member)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _staff_render(
    request: HttpRequest,
    *,
    file_form: StaffFileForm | None = None,
    resolve_form: ResolveForm | None = None,
    resolve_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    cases = appeals.appeal_staff_queue(actor=_user(request))
    rows = [
        (
            case,
            appeals.appeal_is_overdue(case),
            resolve_form
            if case.pk == resolve_id and resolve_form is not None
            else ResolveForm(prefix=f"resolve-{case.pk}"),
        )
        for case in cases
    ]
    return render(
        request,
        "care/appeals_staff.html",
        {
            "rows": rows,
            "file_form": file_form or StaffFileForm(prefix="file"),
            "resolve_form": resolve_form,
        },
        status=status,
    )


@login_required
@require_GET
def staff_appeals(request: HttpRequest) -> HttpResponse:
    return _staff_render(request)


@login_required
@require_POST
def staff_appeal_new(request: HttpRequest) -> HttpResponse:
    """Record a grievance or appeal taken by phone."""
    form = StaffFileForm(request.POST, prefix="file")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = appeals.appeal_case_file(
                actor=_user(request),
                kind=data["kind"],
                enrollment_id=data["enrollment"],
                description=data["description"],
                expedited=data["expedited"],
                representative_id=data["representative"],
                by_phone=True,
            )
        except NotFound:
            form.add_error("enrollment", "No such enrollment of your plan.")
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(request, f"Recorded. It is due by {_when(case)}.")
            return redirect("staff-appeals")
    return _staff_render(request, file_form=form, status=400)


@login_required
@require_POST
def staff_appeal_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    appeals.appeal_case_require_resolvable(actor=user, case_id=pk)
    form = ResolveForm(request.POST, prefix=f"resolve-{pk}")
    if form.is_valid():
        try:
            appeals.appeal_case_resolve(actor=user, case_id=pk, **form.cleaned_data)
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(request, "The case is resolved and the decision letter is queued.")
            return redirect("staff-appeals")
    return _staff_render(request, resolve_form=form, resolve_id=pk, status=400)


def _when(case: appeals.AppealCase) -> str:
    due = appeals.local_time(case.due_at)
    return f"{due:%B} {due.day}, {due.year} at {due:%H:%M} (Pacific time)"


def _member_render(
    request: HttpRequest, form: FileForm | None = None, status: int = 200
) -> HttpResponse:
    cases = appeals.appeal_member_cases(actor=_user(request))
    return render(
        request,
        "care/appeals_member.html",
        {"cases": cases, "form": form or FileForm(prefix="case")},
        status=status,
    )


@login_required
@require_GET
def member_appeals(request: HttpRequest) -> HttpResponse:
    """My grievances and appeals, and the form to file one."""
    return _member_render(request)


@login_required
@require_POST
def member_appeal_new(request: HttpRequest) -> HttpResponse:
    """File a grievance or an appeal online."""
    user = _user(request)
    view = selectors.member_care_get(actor=user)
    if view is None:
        raise NotFound("You have no Medi-Medi Plan enrollment.")
    form = FileForm(request.POST, prefix="case")
    if form.is_valid():
        try:
            case = appeals.appeal_case_file(
                actor=user, enrollment_id=view.enrollment.pk, **form.cleaned_data
            )
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(
                request, f"We received it. We will answer by {_when(case)}. A letter is on its way."
            )
            return redirect("member-appeals")
    return _member_render(request, form, status=400)
