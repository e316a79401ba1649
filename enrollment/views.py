"""Member and staff pages for applications and enrollments.

Views are thin adapters: they call one selector or service with the acting user and show what
it said (``DomainError.message``, and every reason of a ``NotEligible``). Who may see or do what
is decided there (``enrollment.access``), never here: a refusal raises ``Forbidden`` or
``NotFound``, which Django answers as its 403 and 404 pages. They hold no business rules and
write no audit rows. Every page is server-rendered and works without JavaScript; every change is
a POST with a CSRF token, and a GET never changes anything.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import DomainError, Forbidden, NotEligible, NotFound
from accounts.form_bounce import form_bounce, form_bounced
from accounts.models import User
from accounts.ratelimit import client_address
from eligibility.models import Beneficiary
from eligibility.rules import InvalidFacts
from eligibility.rules.dual_status import DESCRIPTIONS
from eligibility.selectors import (
    EligibilityResult,
    OfferedPlan,
    beneficiary_offer,
    california_today,
)
from eligibility.services import beneficiary_link
from eligibility.words import reason_text
from enrollment import selectors, services
from enrollment.forms import (
    ApplicationForm,
    ApproveForm,
    DenyForm,
    LinkForm,
    QueueFilterForm,
    RequestInfoForm,
    StaffDisenrollForm,
    WithdrawForm,
)
from enrollment.keyset import InvalidCursor
from enrollment.letters import member_id_cards
from enrollment.medicare_forms import submission_rows
from enrollment.models import (
    OPEN_FOR_STAFF,
    Application,
    ApplicationStatus,
    DenialReason,
    Enrollment,
    EnrollmentKind,
)
from enrollment.representatives import application_representatives
from enrollment.selectors import HistoryRow, application_history, can_become, denial_labels

SUBMIT = "submit"

# ---------------------------------------------------------------------------------------------
# Shared helpers


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _member_record(user: User) -> Beneficiary | None:
    """The member's linked record (refuses staff and admins: 403)."""
    return selectors.member_record(actor=user)


def _show_domain_error(request: HttpRequest, exc: DomainError) -> None:
    """Put a refusal on the page: the message and, for ``NotEligible``, every reason."""
    messages.error(request, exc.message)
    reasons = exc.extra.get("reasons") if isinstance(exc, NotEligible) else None
    for reason in reasons if isinstance(reasons, list | tuple) else ():
        messages.error(request, reason_text(reason), extra_tags="reason")


def _field_error(form: forms.Form, exc: DomainError) -> bool:
    """Attach a service's refusal to the form field it names; False when it names none."""
    field = exc.extra.get("field")
    if isinstance(field, str) and field in form.fields:
        form.add_error(field, exc.message)
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Members


def _offer_for(beneficiary: Beneficiary) -> EligibilityResult | None:
    """Check the member's recorded facts as of today, as the screener does, with the plans.

    None when the recorded facts contradict each other (no check can be made).
    """
    try:
        return beneficiary_offer(beneficiary, as_of=california_today())
    except InvalidFacts:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def member_link(request: HttpRequest) -> HttpResponse:
    """Link the account to the person's record with an MBI or CIN, birth date and last name."""
    user = _user(request)
    if _member_record(user) is not None:
        messages.info(
            request, gettext("Your account is already linked to your Medicare and Medi-Cal record.")
        )
        return redirect("member-home")
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            beneficiary_link(user=user, client_address=client_address(request), **form.cleaned_data)
        except DomainError as exc:
            # One message whatever went wrong: never say whether the record exists.
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Your account is now linked to your record."))
            return redirect("member-home")
    return render(request, "enrollment/link.html", {"form": form})


@login_required
@require_GET
def member_home(request: HttpRequest) -> HttpResponse:
    """Show My Medi-Medi: the member's record, applications and enrollments."""
    user = _user(request)
    beneficiary = _member_record(user)
    if beneficiary is None:
        return redirect("member-link")
    applications = selectors.member_applications(actor=user)
    enrollments = selectors.member_enrollments(actor=user)
    offer = _offer_for(beneficiary)
    open_plans, enrolled_plans = (
        services.plans_to_apply_for(beneficiary, offer.plans, today=california_today())
        if offer is not None and offer.decision.eligible
        else (None, [])
    )
    return render(
        request,
        "enrollment/home.html",
        {
            "beneficiary": beneficiary,
            "applications": applications,
            "enrollments": enrollments,
            # None: the Apply page explains why no plan can be chosen; [] : every offered plan
            # is one the member is already in, so applying is not offered.
            "open_plans": open_plans,
            "enrolled_plans": enrolled_plans,
            "id_cards": member_id_cards(beneficiary),
            "withdrawable": {
                a.pk for a in applications if can_become(a, ApplicationStatus.WITHDRAWN)
            },
        },
    )


def _member_and_record(request: HttpRequest) -> tuple[User, Beneficiary | None]:
    """Return the logged-in user and the record linked to them, if any."""
    user = _user(request)
    return user, _member_record(user)


def _letter_language_guess(beneficiary: Beneficiary, user: User) -> str:
    """The letters' language a new application proposes: the record's, except that a record on
    English (the state's default) and an account that chose Spanish propose Spanish. The member
    sees the choice; submitting makes it the record's standing request (docs/i18n.md)."""
    if beneficiary.preferred_language == "en" and user.preferred_language == "es":
        return "es"
    return beneficiary.preferred_language


def _application_changes(form: ApplicationForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "plan": data["plan"],
        "contact_email": data["contact_email"],
        "contact_phone": data["contact_phone"],
        "language": data["language"],
        "notice_format": data["notice_format"],
    }


def _render_application_form(
    request: HttpRequest,
    *,
    beneficiary: Beneficiary,
    offer: EligibilityResult | None,
    form: ApplicationForm | None,
    application: Application | None,
    enrolled_plans: list[OfferedPlan] | None = None,
) -> HttpResponse:
    return render(
        request,
        "enrollment/application_form.html",
        {
            "beneficiary": beneficiary,
            "offer": offer,
            "form": form,
            "application": application,
            "enrolled_plans": enrolled_plans or [],
        },
    )


def _save_or_submit(
    request: HttpRequest,
    *,
    user: User,
    beneficiary: Beneficiary,
    offer: EligibilityResult,
    form: ApplicationForm,
    application: Application,
) -> HttpResponse:
    """Stop at the saved draft, or submit it; a refused submission keeps the draft."""
    if request.POST.get("action") != SUBMIT:
        messages.success(
            request, gettext("Your application is saved as a draft. You can finish it later.")
        )
        return redirect("member-application", pk=application.pk)
    try:
        services.application_submit(application=application, actor=user)
    except DomainError as exc:
        if _field_error(form, exc):
            messages.info(request, gettext("Your answers are saved as a draft."))
            return _render_application_form(
                request, beneficiary=beneficiary, offer=offer, form=form, application=application
            )
        _show_domain_error(request, exc)
        messages.info(request, gettext("Your answers are saved as a draft."))
        return redirect("member-application-edit", pk=application.pk)
    messages.success(request, gettext("Your application is submitted. We will write to you."))
    return redirect("member-application", pk=application.pk)


def _tell_open_applications(request: HttpRequest, user: User) -> None:
    """A member starting another application is told which open ones exist and which stands."""
    if request.method != "GET":
        return
    for other in selectors.member_open_applications(actor=user):
        submitted = (
            gettext("submitted %(date)s")
            % {"date": formats.date_format(other.submitted_at, "DATE_FORMAT")}
            if other.submitted_at
            else gettext("not submitted yet")
        )
        stands = (
            " "
            + gettext(
                "It is the one that counts now; if you submit a new one and it is approved "
                "before coverage starts, the new one replaces it."
            )
            if other.stands
            else ""
        )
        words = {
            "number": other.id,
            "plan": other.plan_name,
            "status": gettext(other.status_label).lower(),
            "submitted": submitted,
        }
        messages.warning(
            request,
            gettext(
                "You already have application %(number)s for %(plan)s (%(status)s, %(submitted)s)."
            )
            % words
            + stands
            + " "
            + gettext(
                "Only one Medi-Medi Plan can cover you: the last choice you submit is the one "
                "that counts. You can withdraw an application you no longer want."
            ),
        )


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    """Start an application: choose one of the plans offered in the member's county."""
    user, beneficiary = _member_and_record(request)
    if beneficiary is None:
        return redirect("member-link")
    offer = _offer_for(beneficiary)
    _tell_open_applications(request, user)
    if offer is None or not offer.decision.eligible:
        return _render_application_form(
            request, beneficiary=beneficiary, offer=offer, form=None, application=None
        )
    plans, enrolled = services.plans_to_apply_for(
        beneficiary, offer.plans, today=california_today()
    )
    if not plans:
        return _render_application_form(
            request,
            beneficiary=beneficiary,
            offer=offer,
            form=None,
            application=None,
            enrolled_plans=enrolled,
        )
    form = ApplicationForm(
        request.POST or None,
        plans=plans,
        account_email=user.email,
        # A new application needs a plan: nothing is created without one.
        plan_required_for=(request.POST.get("action") or "save") if request.POST else None,
        initial={
            "plan": plans[0].id if len(plans) == 1 else None,
            "contact_email": beneficiary.email or user.email,
            "contact_phone": beneficiary.phone,
            "language": _letter_language_guess(beneficiary, user),
            "notice_format": beneficiary.preferred_format,
        },
    )
    if request.method == "POST" and form.is_valid():
        application = services.application_create(actor=user, **_application_changes(form))
        return _save_or_submit(
            request,
            user=user,
            beneficiary=beneficiary,
            offer=offer,
            form=form,
            application=application,
        )
    return _render_application_form(
        request,
        beneficiary=beneficiary,
        offer=offer,
        form=form,
        application=None,
        enrolled_plans=enrolled,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a draft: change the choices, save again, or submit."""
    user, beneficiary = _member_and_record(request)
    application = selectors.member_application_get(actor=user, application_id=pk)
    assert beneficiary is not None  # the application is the member's own
    if application.status != ApplicationStatus.DRAFT:
        messages.info(
            request, gettext("This application is no longer a draft, so it cannot be changed.")
        )
        return redirect("member-application", pk=application.pk)
    offer = _offer_for(beneficiary)
    if offer is None or not offer.decision.eligible:
        return _render_application_form(
            request, beneficiary=beneficiary, offer=offer, form=None, application=application
        )
    plans, enrolled = services.plans_to_apply_for(
        beneficiary, offer.plans, today=california_today()
    )
    form = ApplicationForm(
        request.POST or None,
        plans=plans,
        account_email=user.email,
        initial={
            "plan": application.plan_id,
            "contact_email": application.contact_email,
            "contact_phone": application.contact_phone,
            "language": application.language,
            "notice_format": application.notice_format,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_update_draft(
                application=application, actor=user, changes=_application_changes(form)
            )
        except DomainError as exc:
            _show_domain_error(request, exc)
            return redirect("member-application", pk=application.pk)
        return _save_or_submit(
            request,
            user=user,
            beneficiary=beneficiary,
            offer=offer,
            form=form,
            application=application,
        )
    return _render_application_form(
        request,
        beneficiary=beneficiary,
        offer=offer,
        form=form,
        application=application,
        enrolled_plans=enrolled,
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show where the application stands: history, decision, effective date, enrollments."""
    user = _user(request)
    application = selectors.member_application_get(actor=user, application_id=pk)
    history = application_history(application)
    asked = [row for row in history if row.to_status == ApplicationStatus.INFO_REQUESTED]
    enrollments = list(application.enrollments.select_related("medi_medi_plan", "medi_cal_plan"))
    return render(
        request,
        "enrollment/application_detail.html",
        {
            "application": application,
            "history": history,
            "info_request": asked[-1] if asked else None,
            "denial_reasons": denial_labels(application.denial_reasons),
            "enrollments": enrollments,
            # Cancelled before it started: the page must not say "You are enrolled".
            "coverage_cancelled": next(
                (e for e in enrollments if e.kind == EnrollmentKind.MEDI_MEDI and e.cancelled),
                None,
            ),
            "can_withdraw": can_become(application, ApplicationStatus.WITHDRAWN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the member to confirm, then withdraw the application (POST only changes it)."""
    user = _user(request)
    application = selectors.member_application_get(actor=user, application_id=pk)
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, actor=user)
        except DomainError as exc:
            _show_domain_error(request, exc)
        else:
            messages.success(request, gettext("Your application is withdrawn."))
        return redirect("member-application", pk=application.pk)
    return render(request, "enrollment/application_withdraw.html", {"application": application})


@login_required
@require_http_methods(["GET", "POST"])
def member_disenroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the member to confirm leaving their Medi-Medi Plan, then end it (POST only)."""
    user = _user(request)
    enrollment = selectors.member_enrollment_get(actor=user, enrollment_id=pk)
    if request.method == "POST":
        try:
            result = services.enrollment_leave(enrollment=enrollment, actor=user)
        except DomainError as exc:
            _show_domain_error(request, exc)
        else:
            if result.review is not None:  # the aligned Medi-Cal plan: a disenrollment review
                messages.info(request, gettext(services.LEAVE_REVIEW_MESSAGE))
            else:
                messages.success(request, _disenrolled_message(result.enrollment))
        return redirect("member-home")
    return render(
        request,
        "enrollment/disenroll_confirm.html",
        {
            "enrollment": enrollment,
            # What the service will set: shown so the member knows before confirming.
            "end_date": services.disenrollment_end_date(california_today()),
            "medi_cal": selectors.enrollment_aligned_medi_cal(enrollment),
        },
    )


def _disenrolled_message(enrollment: Enrollment) -> str:
    plan = enrollment.medi_medi_plan.name if enrollment.medi_medi_plan else "Medi-Medi Plan"
    if enrollment.cancelled:
        return gettext("Your %(plan)s enrollment is cancelled; it will not start.") % {"plan": plan}
    end = enrollment.end_date
    assert end is not None
    return gettext(
        "Your %(plan)s coverage ends on %(date)s. After that you have Original Medicare. Your "
        "Medi-Cal plan coverage continues."
    ) % {"plan": plan, "date": formats.date_format(end, "DATE_FORMAT")}


# ---------------------------------------------------------------------------------------------
# Staff


@login_required
@require_GET
def staff_queue(request: HttpRequest) -> HttpResponse:
    """Show the work queue: filters, search, each application's latest status, 25 a page,
    with "Next" and "Previous" links (keyset cursors) and a count capped at 1,000."""
    user = _user(request)
    filters = {key: value for key, value in request.GET.items() if key not in ("page", "cursor")}
    form = QueueFilterForm(
        filters or None,
        plans=selectors.queue_plans(actor=user),
        statuses=selectors.queue_statuses(actor=user),
    )
    page = None
    rows: list[tuple[Application, HistoryRow | None]] = []
    if not form.is_bound or form.is_valid():
        arguments = form.selector_arguments() if form.is_bound else {}
        try:
            page = selectors.application_queue_page(
                actor=user, cursor=request.GET.get("cursor") or None, **arguments
            )
        except InvalidCursor as exc:  # a stale or mangled link: start from the first page
            messages.error(request, exc.message)
            page = selectors.application_queue_page(actor=user, **arguments)
        for application in page.object_list:
            history = application_history(application)
            rows.append((application, history[-1] if history else None))
    return render(
        request,
        "enrollment/staff/queue.html",
        {"form": form, "page": page, "rows": rows, "filtered": bool(filters)},
    )


@dataclass
class EnrollmentRow:
    enrollment: selectors.EnrollmentView
    disenroll_form: forms.Form | None


def _render_staff_application(
    request: HttpRequest, pk: int, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    """Show the member record to staff (the selector refuses others and audits the read)."""
    view = selectors.staff_application_view(actor=_user(request), application_id=pk)
    bound = bound or {}
    today = california_today()
    rows = []
    for enrollment in view.enrollments:
        form: forms.Form | None = None
        if enrollment.id is not None and enrollment.id in view.endable_enrollment_ids:
            prefix = f"disenroll{enrollment.id}"
            form = bound.get(prefix) or StaffDisenrollForm(
                prefix=prefix, initial={"requested_on": today}
            )
        rows.append(EnrollmentRow(enrollment=enrollment, disenroll_form=form))
    action_forms: dict[str, forms.Form] = {
        "request_info_form": bound.get("info") or RequestInfoForm(prefix="info"),
        "deny_form": bound.get("deny") or DenyForm(prefix="deny"),
        "withdraw_form": bound.get("withdraw") or WithdrawForm(prefix="withdraw"),
        "approve_form": bound.get("approve") or ApproveForm(prefix="approve"),
    }
    return render(
        request,
        "enrollment/staff/application.html",
        {
            "application": view.application,
            "beneficiary": view.beneficiary,
            "medi_cal_periods": view.medi_cal_periods,
            "determinations": [
                (title, determination, DESCRIPTIONS.get(determination.dual_status_category, ""))
                for title, determination in view.determinations
            ],
            "history": view.history,
            "denial_reasons": view.denial_reasons,
            "representatives": application_representatives(application_id=view.application.pk),
            "enrollment_rows": rows,
            "can": view.can,
            "other_open_applications": view.other_open_applications,
            "approval_starts_on": view.approval_starts_on,
            "already_enrolled": _already_enrolled(view),
            "medicare_rows": submission_rows(
                actor=_user(request), application_id=view.application.pk, bound=bound
            ),
            "invalid_forms": [form for form in bound.values() if form.errors],
            **action_forms,
        },
    )


def _already_enrolled(view: selectors.StaffApplicationView) -> Enrollment | None:
    """The enrollment in this application's plan that approval would refuse (same rule)."""
    application = view.application
    day = view.approval_starts_on or application.effective_date
    if application.status not in OPEN_FOR_STAFF or application.plan_id is None or day is None:
        return None
    return services.enrolled_in_plan(
        beneficiary_id=application.beneficiary_id, plan_id=application.plan_id, day=day
    )


@login_required
@require_GET
def staff_application(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one application to staff: the member's facts, determination, history, actions.

    After a refused action the form comes back here, as it was sent, with its errors.
    """
    return _render_staff_application(
        request, pk, bound=form_bounced(request, page="staff-application", pk=pk)
    )


def _bounce(request: HttpRequest, pk: int, form: forms.Form) -> HttpResponse:
    """A refused staff action goes back to the application's own URL (never left on /deny/),
    its form waiting there with its errors (``accounts.form_bounce``).

    An outsider gets the 404 at once, as the page itself would answer.
    """
    selectors.staff_application_require(actor=_user(request), application_id=pk)
    return form_bounce(request, form, page="staff-application", pk=pk)


def _run(request: HttpRequest, pk: int, call: Callable[[], object], success: str) -> HttpResponse:
    """Call the service; show its refusal (never a 500, never silently applied) or success.

    ``Forbidden`` and ``NotFound`` are not shown here: they become the 403 and 404 pages.
    """
    try:
        call()
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        _show_domain_error(request, exc)
    else:
        messages.success(request, success)
    return redirect("staff-application", pk=pk)


def _run_form(
    request: HttpRequest,
    *,
    pk: int,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
) -> HttpResponse:
    """Validate the form, call the service; a refusal about a field goes back onto the form.

    ``success`` is the message to show, or makes it from what the service returned.
    """
    assert form.prefix is not None
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            if not _field_error(form, exc):
                _show_domain_error(request, exc)
                return redirect("staff-application", pk=pk)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect("staff-application", pk=pk)
    return _bounce(request, pk, form)


def _application(pk: int) -> Application:
    """A reference to the application by id: the service loads it and decides who may act."""
    return Application(pk=pk)


@login_required
@require_POST
def staff_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Start reviewing a submitted application."""
    user = _user(request)
    return _run(
        request,
        pk,
        lambda: services.application_start_review(application=_application(pk), actor=user),
        "Review started.",
    )


@login_required
@require_POST
def staff_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve: the service re-checks eligibility and enrolls in both plans, or refuses.

    Approved after the effective date, coverage moves to the next first of a month and the
    message says so; an admin may keep the date with a reason (the service refuses staff).
    """
    user = _user(request)
    return _run_form(
        request,
        pk=pk,
        form=ApproveForm(request.POST, prefix="approve"),
        call=lambda data: services.application_approve(
            application=_application(pk),
            actor=user,
            effective_date=data["effective_date"],
            reason=data["reason"],
        ),
        success=_approved_message,
    )


def _approved_message(application: Application) -> str:
    start = application.effective_date
    assert start is not None
    message = (
        "Approved. The member is enrolled in the Medi-Medi Plan and its aligned Medi-Cal plan "
        f"from {start:%B} {start.day}, {start.year}."
    )
    if application.effective_date_note:
        message += f" {application.effective_date_note}"
    return message


@login_required
@require_POST
def staff_request_info(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the member for information; the note is shown to the member."""
    user = _user(request)
    return _run_form(
        request,
        pk=pk,
        form=RequestInfoForm(request.POST, prefix="info"),
        call=lambda data: services.application_request_info(
            application=_application(pk), actor=user, note=data["note"]
        ),
        success="Information requested. The member sees your note.",
    )


@login_required
@require_POST
def staff_deny(request: HttpRequest, pk: int) -> HttpResponse:
    """Deny with one or more coded reasons and a note."""
    user = _user(request)
    return _run_form(
        request,
        pk=pk,
        form=DenyForm(request.POST, prefix="deny"),
        call=lambda data: services.application_deny(
            application=_application(pk), actor=user, reasons=data["reasons"], note=data["note"]
        ),
        success="Denied. The member is told each reason and how to appeal.",
    )


@login_required
@require_POST
def staff_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the application withdrawn (the member asked, for example by phone)."""
    user = _user(request)
    return _run_form(
        request,
        pk=pk,
        form=WithdrawForm(request.POST, prefix="withdraw"),
        call=lambda data: services.application_mark_withdrawn(
            application=_application(pk), actor=user, note=data["note"]
        ),
        success="Marked as withdrawn.",
    )


@login_required
@require_POST
def staff_disenroll(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    """End a Medi-Medi enrollment of the staff member's organization for this member."""
    user = _user(request)
    selectors.enrollment_require_endable(actor=user, enrollment_id=enrollment_pk)
    return _run_form(
        request,
        pk=pk,
        form=StaffDisenrollForm(request.POST, prefix=f"disenroll{enrollment_pk}"),
        call=lambda data: services.enrollment_disenroll_for_member(
            enrollment=Enrollment(pk=enrollment_pk),
            actor=user,
            requested_on=data["requested_on"],
            note=data["note"],
        ),
        success=_staff_disenrolled_message,
    )


def _staff_disenrolled_message(enrollment: Enrollment) -> str:
    if enrollment.cancelled:
        return "The enrollment is cancelled before it started. Medi-Cal plan coverage continues."
    end = enrollment.end_date
    assert end is not None
    return (
        f"The Medi-Medi Plan enrollment ends on {end:%B} {end.day}, {end.year}. "
        "Medi-Cal plan coverage continues."
    )


# ---------------------------------------------------------------------------------------------
# Confirmation before approve, deny, mark withdrawn and disenroll (docs/look.md). The application page's forms
# post here first: the form is checked (invalid: back to the application page with its errors,
# as a refused action does), then a page says what is about to happen and posts the same fields
# to the action itself. Nothing changes until "Yes" is pressed; the action's own view and the
# service decide as always. A server-rendered page, so it works with a keyboard, a screen
# reader and no JavaScript.


def _confirm(
    request: HttpRequest,
    pk: int,
    *,
    form: forms.Form,
    allowed: Callable[[selectors.StaffApplicationView], bool],
    refused: str,
    context: Callable[[selectors.StaffApplicationView, dict[str, Any]], dict[str, Any]],
) -> HttpResponse:
    if not form.is_valid():
        return _bounce(request, pk, form)
    view = selectors.staff_application_view(actor=_user(request), application_id=pk)
    if not allowed(view):
        messages.error(request, refused)
        return redirect("staff-application", pk=pk)
    prefix = f"{form.prefix}-"
    fields = [
        (key, value)
        for key in request.POST
        if key.startswith(prefix)
        for value in request.POST.getlist(key)
    ]
    return render(
        request,
        "enrollment/staff/confirm.html",
        {
            "application": view.application,
            "beneficiary": view.beneficiary,
            "fields": fields,
            **context(view, form.cleaned_data),
        },
    )


@login_required
@require_POST
def staff_approve_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask "Approve and enroll?" with the plan and the start date; "Yes" posts to approve."""
    return _confirm(
        request,
        pk,
        form=ApproveForm(request.POST, prefix="approve"),
        allowed=lambda view: view.can.get("approve", False),
        refused="This application cannot be approved now.",
        context=lambda view, data: {
            "action": "approve",
            "action_url": reverse("staff-approve", args=[pk]),
            "starts_on": data["effective_date"]
            or view.approval_starts_on
            or view.application.effective_date,
            "kept_date": data["effective_date"],
            "reason": data["reason"],
        },
    )


@login_required
@require_POST
def staff_deny_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask "Deny?" with the reasons and the note the member will read; "Yes" posts to deny."""
    return _confirm(
        request,
        pk,
        form=DenyForm(request.POST, prefix="deny"),
        allowed=lambda view: view.can.get("deny", False),
        refused="This application cannot be denied now.",
        context=lambda view, data: {
            "action": "deny",
            "action_url": reverse("staff-deny", args=[pk]),
            "reasons": [DenialReason(code).label for code in data["reasons"]],
            "note": data["note"],
        },
    )


@login_required
@require_POST
def staff_withdraw_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask "Mark withdrawn?" with the note; "Yes" posts to withdraw."""
    return _confirm(
        request,
        pk,
        form=WithdrawForm(request.POST, prefix="withdraw"),
        allowed=lambda view: view.can.get("withdraw", False),
        refused="This application cannot be marked withdrawn now.",
        context=lambda view, data: {
            "action": "withdraw",
            "action_url": reverse("staff-withdraw", args=[pk]),
            "note": data["note"],
        },
    )


@login_required
@require_POST
def staff_disenroll_confirm(request: HttpRequest, pk: int, enrollment_pk: int) -> HttpResponse:
    """Ask "End this enrollment?" with the end date; "Yes" posts to disenroll."""
    selectors.enrollment_require_endable(actor=_user(request), enrollment_id=enrollment_pk)

    def context(view: selectors.StaffApplicationView, data: dict[str, Any]) -> dict[str, Any]:
        enrollment = next(e for e in view.enrollments if e.id == enrollment_pk)
        return {
            "action": "disenroll",
            "action_url": reverse("staff-disenroll", args=[pk, enrollment_pk]),
            "enrollment": enrollment,
            "requested_on": data["requested_on"],
            "ends_on": services.disenrollment_end_date(data["requested_on"]),
            "note": data["note"],
        }

    return _confirm(
        request,
        pk,
        form=StaffDisenrollForm(request.POST, prefix=f"disenroll{enrollment_pk}"),
        allowed=lambda view: enrollment_pk in view.endable_enrollment_ids,
        refused="This enrollment cannot be ended now.",
        context=context,
    )
