"""Appeals and grievances pages: staff ``/staff/care/appeals/`` (open cases, overdue first, a
resolve form each, the extend and "not expedited" forms where they apply, and a form to record
one taken by phone) and members ``/me/care/cases/`` (their cases and a form to file one). Thin
adapters over ``care.appeals``, which decides who may see or do what (and audits). No
JavaScript; actions are POSTs with a CSRF token; the two that send a letter ask for a
confirmation box to be ticked.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.models import User
from care import appeals, selectors
from care.forms import AppealFileForm, form_error_apply
from care.models import AppealCase, AppealKind, AppealOutcome, ExtensionRequestedBy


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class StaffFileForm(forms.Form):
    """A grievance or appeal a member gave staff by phone: staff's words, about the member (the
    member's own online form is ``care.forms.AppealFileForm``). The member is found by their
    Medicare number among the staff's organization's active Medi-Medi enrollments
    (``care.selectors.staff_enrollment_by_mbi``)."""

    mbi = forms.CharField(
        label="The member's Medicare number (MBI)",
        max_length=20,
        help_text="11 letters and digits, from the member's Medicare card; dashes are fine.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the member's Medicare number (MBI)."},
    )
    representative = forms.IntegerField(
        label="Authorized representative number (if they called for the member)",
        min_value=1,
        required=False,
    )
    kind = forms.ChoiceField(
        label="What is it?",
        choices=[
            (
                AppealKind.GRIEVANCE,
                "A grievance: the member is unhappy with the plan or their care",
            ),
            (AppealKind.APPEAL, "An appeal: the member disagrees with a decision the plan made"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a grievance or an appeal."},
    )
    description = forms.CharField(
        label="What the member told you",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write down what the member told you."},
    )
    expedited = forms.BooleanField(
        label="The member's health needs a fast answer (expedited)",
        required=False,
        help_text="The member says, or a doctor says, that waiting the usual time could "
        "seriously harm the member's health.",
    )


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
    oral_notice_at = forms.DateTimeField(
        label="When you told the member the decision by phone (Pacific time)",
        required=False,
        help_text="Required for an expedited appeal decided against the member.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, expedited: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not expedited:  # only an expedited decision is told by phone
            del self.fields["oral_notice_at"]


class ExtendForm(forms.Form):
    requested_by = forms.ChoiceField(
        label="Who asked for more time",
        choices=ExtensionRequestedBy.choices,
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(label="Days to add", min_value=1)
    reason = forms.CharField(
        label="Why (required when the plan needs more information; it is in the member's letter)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="Move the due time and send the member the extension letter. A case is extended "
        "only once."
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        maximum = settings.APPEAL_EXTENSION_MAX_DAYS[kind]
        days = self.fields["days"]
        assert isinstance(days, forms.IntegerField)
        days.max_value = maximum
        days.validators.append(MaxValueValidator(maximum))
        days.widget.attrs["max"] = maximum
        days.initial = maximum
        days.help_text = f"1 to {maximum} calendar days."


class DenyExpediteForm(forms.Form):
    reason = forms.CharField(
        label="Why the member's health does not need the fast timeframe (in the letter)",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="Move the case to the standard timeframe and send the member the letter."
    )


def _staff_render(
    request: HttpRequest,
    *,
    file_form: StaffFileForm | None = None,
    bound: tuple[int, str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The staff page; ``bound``: the case, action and form with errors to show again."""
    cases = appeals.appeal_staff_queue(actor=_user(request))
    rows = []
    for case in cases:
        actions: dict[str, forms.Form | None] = {
            "resolve": ResolveForm(prefix=f"resolve-{case.pk}", expedited=case.expedited),
            "extend": None
            if appeals.appeal_extension_refusal(case)
            else ExtendForm(prefix=f"extend-{case.pk}", kind=case.kind),
            "deny": None
            if appeals.appeal_expedite_denial_refusal(case)
            else DenyExpediteForm(prefix=f"deny-{case.pk}"),
        }
        if bound is not None and bound[0] == case.pk:
            actions[bound[1]] = bound[2]
        rows.append((case, appeals.appeal_is_overdue(case), actions))
    shown = bound is not None and any(case.pk == bound[0] for case in cases)
    return render(
        request,
        "care/appeals_staff.html",
        {
            "rows": rows,
            "file_form": file_form or StaffFileForm(prefix="file"),
            "action_form": bound[2] if bound is not None else None,
            # The refused action of a case no longer listed (resolved meanwhile): its errors on top.
            "unlisted_form": bound[2] if bound is not None and not shown else None,
        },
        status=status,
    )


def _case_action(
    request: HttpRequest,
    pk: int,
    action: str,
    form: forms.Form,
    run: Callable[[dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """One staff action on a case from its bound form: done, say so and go back to the list;
    refused, the list again with the form's errors (403 and 404 pass through)."""
    if form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "confirm"}
        try:
            run(data)
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(request, success)
            return redirect("staff-appeals")
    return _staff_render(request, bound=(pk, action, form), status=400)


def _case_of(user: User, pk: int) -> AppealCase:
    """The case a staff action is about (``NotFound`` outside the user's cases, members
    ``Forbidden``), read to build its form."""
    appeals.appeal_case_require_resolvable(actor=user, case_id=pk)
    return AppealCase.objects.get(pk=pk)


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
            enrollment = selectors.staff_enrollment_by_mbi(actor=_user(request), mbi=data["mbi"])
        except NotFound as exc:
            form.add_error("mbi", exc.message)
            return _staff_render(request, file_form=form, status=400)
        try:
            case = appeals.appeal_case_file(
                actor=_user(request),
                kind=data["kind"],
                enrollment_id=enrollment.pk,
                description=data["description"],
                expedited=data["expedited"],
                representative_id=data["representative"],
                by_phone=True,
            )
        except NotFound:
            form.add_error("mbi", "No such enrollment of your organization.")
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
    case = _case_of(user, pk)
    form = ResolveForm(request.POST, prefix=f"resolve-{pk}", expedited=case.expedited)
    return _case_action(
        request,
        pk,
        "resolve",
        form,
        lambda data: appeals.appeal_case_resolve(actor=user, case_id=pk, **data),
        "The case is resolved and the decision letter is queued.",
    )


@login_required
@require_POST
def staff_appeal_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """Extend a case once (up to the setting's days), with the member's letter."""
    user = _user(request)
    case = _case_of(user, pk)
    form = ExtendForm(request.POST, prefix=f"extend-{pk}", kind=case.kind)
    return _case_action(
        request,
        pk,
        "extend",
        form,
        lambda data: appeals.appeal_case_extend(actor=user, case_id=pk, **data),
        "The case is extended and the extension letter is queued.",
    )


@login_required
@require_POST
def staff_appeal_deny_expedite(request: HttpRequest, pk: int) -> HttpResponse:
    """The expedited request does not qualify: the standard clock, with the member's letter."""
    user = _user(request)
    _case_of(user, pk)
    form = DenyExpediteForm(request.POST, prefix=f"deny-{pk}")
    return _case_action(
        request,
        pk,
        "deny",
        form,
        lambda data: appeals.appeal_case_deny_expedite(actor=user, case_id=pk, **data),
        "The case is on the standard timeframe now and the letter is queued.",
    )


def _when(case: appeals.AppealCase) -> str:
    due = appeals.local_time(case.due_at)
    return f"{due:%B} {due.day}, {due.year} at {due:%H:%M} (Pacific time)"


def _member_when(case: appeals.AppealCase) -> str:
    """The due time in the page's language and its usual clock, as the rest of the site shows
    it: "December 3, 2026 at 2:05 p.m.", "3 de diciembre de 2026 a las 14:05" (Pacific time,
    said by the message around it)."""
    due = appeals.local_time(case.due_at)
    return gettext("%(date)s at %(time)s") % {
        "date": formats.date_format(due, "DATE_FORMAT"),
        "time": formats.time_format(due, "TIME_FORMAT"),
    }


def _member_render(
    request: HttpRequest, form: AppealFileForm | None = None, status: int = 200
) -> HttpResponse:
    """The member's page (its words in the member's language, docs/i18n.md)."""
    cases = appeals.appeal_member_cases(actor=_user(request))
    return render(
        request,
        "care/appeals_member.html",
        {"cases": cases, "form": form or AppealFileForm(prefix="case")},
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
        raise NotFound(gettext("You have no Medi-Medi Plan enrollment."))
    form = AppealFileForm(request.POST, prefix="case")
    if form.is_valid():
        try:
            case = appeals.appeal_case_file(
                actor=user, enrollment_id=view.enrollment.pk, **form.cleaned_data
            )
        except DomainError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(
                request,
                gettext(
                    "We received it. We will answer by %(when)s (Pacific time). A letter is on its "
                    "way."
                )
                % {"when": _member_when(case)},
            )
            return redirect("member-appeals")
    return _member_render(request, form, status=400)
