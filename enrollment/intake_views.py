"""Pages for elections made elsewhere (staff) and authorized representatives (members).

Thin adapters like ``enrollment.views``: the forms check the input's shape, the services in
``enrollment.intake`` and ``enrollment.representatives`` decide who may do what and refuse with
a domain error; a refusal about a field goes back onto that field.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.fields import StrictDateFormField
from accounts.models import User
from eligibility.models import MediMediPlan
from eligibility.selectors import california_today
from enrollment import intake, representatives, selectors
from enrollment.forms import DateInput
from enrollment.models import Channel, ElectionPeriod


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _field_error(form: forms.Form, exc: DomainError) -> None:
    """Put a service's refusal on the field it names, or at the top of the form."""
    field = exc.extra.get("field")
    if isinstance(field, str) and field in form.fields:
        form.add_error(field, exc.message)
        return
    form.add_error(None, exc.message)
    reasons = exc.extra.get("reasons")
    for reason in reasons if isinstance(reasons, list | tuple) else ():
        form.add_error(None, str(reason["message"]))


class IntakeForm(forms.Form):
    """Who the election is for, the plan, and how and when it reached the plan."""

    identifier = forms.CharField(
        label="Medicare number (MBI) or Medi-Cal CIN",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = StrictDateFormField(label="Date of birth", widget=DateInput())
    plan = forms.ModelChoiceField(
        label="Plan", queryset=MediMediPlan.objects.none(), empty_label=None
    )
    channel = forms.ChoiceField(
        label="How the request came in",
        choices=[(c.value, c.label) for c in Channel if c in intake.INTAKE_CHANNELS],
        widget=forms.RadioSelect,
    )
    received_on = StrictDateFormField(
        label="Date the plan received the request",
        help_text="It sets the date coverage starts: the first of the next month.",
        widget=DateInput(),
    )
    signed_by = forms.CharField(
        label="Signed or spoken by",
        max_length=128,
        help_text="The person, or their authorized representative (name them).",
    )
    election_period = forms.ChoiceField(
        label="Election period used", choices=ElectionPeriod.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, plans: list[MediMediPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = MediMediPlan.objects.filter(pk__in=[p.pk for p in plans]).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def staff_application_new(request: HttpRequest) -> HttpResponse:
    """Start an application for a person who applied by phone, on paper, in person or with a
    broker: find them by MBI or CIN and date of birth, record the election, submitted."""
    user = _user(request)
    plans = intake.intake_plans(actor=user)  # staff and admins only (403 for others)
    form = IntakeForm(
        request.POST or None,
        plans=plans,
        initial={"received_on": california_today(), "plan": plans[0].pk if plans else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = intake.intake_person_find(
                actor=user, identifier=data["identifier"], date_of_birth=data["date_of_birth"]
            )
            application = intake.application_intake(
                actor=user,
                beneficiary_id=person.pk,
                plan=data["plan"],
                channel=data["channel"],
                received_on=data["received_on"],
                signed_by=data["signed_by"],
                election_period=data["election_period"],
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            _field_error(form, exc)
        else:
            messages.success(
                request, "The application is recorded as submitted and in the work queue."
            )
            return redirect("staff-application", pk=application.pk)
    return render(request, "enrollment/staff/application_new.html", {"form": form})


class RepresentativeForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=128,
        error_messages={"required": _("Enter the representative's name")},
    )
    relationship = forms.CharField(
        label=_("Relationship"),
        max_length=64,
        help_text=_("To the member, for example: daughter."),
        error_messages={"required": _("Say how the representative is related to the member")},
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.com")},
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    address = forms.CharField(
        label=_("Postal address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("An email or a postal address: they get a copy of every letter we send you."),
    )
    document = forms.CharField(
        label=_("Document that names them"),
        max_length=200,
        help_text=_("For example: power of attorney, Appointment of Representative (CMS-1696)."),
        error_messages={"required": _("Name the document that makes them the representative")},
    )
    valid_from = StrictDateFormField(
        label=_("From"),
        widget=DateInput(),
        error_messages={"required": _("Enter the first day they act, for example 2027-03-14")},
    )
    valid_to = StrictDateFormField(
        label=_("To"), required=False, widget=DateInput(), help_text=_("Leave empty if open-ended.")
    )


def _render_representatives(
    request: HttpRequest, user: User, form: RepresentativeForm, beneficiary_id: int | None = None
) -> HttpResponse:
    """The representatives page: a member's own (no ``beneficiary_id``), or staff's for a person."""
    rows = list(representatives.representatives_list(actor=user, beneficiary_id=beneficiary_id))
    today = california_today()
    return render(
        request,
        "enrollment/representatives.html",
        {
            "beneficiary_id": beneficiary_id,
            "form": form,
            "rows": rows,
            "current": {r.pk for r in rows if r.valid_to is None or r.valid_to >= today},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_representatives(request: HttpRequest) -> HttpResponse:
    """The member's authorized representatives: list, add (POST) and end."""
    user = _user(request)
    if selectors.member_record(actor=user) is None:  # staff and admins: 403
        return redirect("member-link")
    form = RepresentativeForm(request.POST or None, initial={"valid_from": california_today()})
    if request.method == "POST" and form.is_valid():
        try:
            representatives.representative_add(actor=user, **form.cleaned_data)
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, gettext("Your representative is recorded."))
            return redirect("member-representatives")
    return _render_representatives(request, user, form)


@login_required
@require_POST
def member_representative_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End one of the member's representatives today."""
    user = _user(request)
    try:
        representatives.representative_end(actor=user, representative_id=pk)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("The representative no longer acts for you from today."))
    return redirect("member-representatives")


@login_required
@require_http_methods(["GET", "POST"])
def staff_representatives(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's authorized representatives for staff: list, record one (POST), end one."""
    user = _user(request)
    intake.intake_require_staff(actor=user)  # members use /me/representatives/
    representatives.representatives_require_access(actor=user, beneficiary_id=pk)
    form = RepresentativeForm(request.POST or None, initial={"valid_from": california_today()})
    if request.method == "POST" and form.is_valid():
        try:
            representatives.representative_add(actor=user, beneficiary_id=pk, **form.cleaned_data)
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, "The representative is recorded.")
            return redirect("staff-beneficiary-representatives", pk=pk)
    return _render_representatives(request, user, form, pk)


@login_required
@require_POST
def staff_representative_end(request: HttpRequest, pk: int, rep_pk: int) -> HttpResponse:
    """End a person's representative today (staff of an organization serving them, admins)."""
    user = _user(request)
    intake.intake_require_staff(actor=user)
    try:
        representatives.representative_end(actor=user, representative_id=rep_pk, beneficiary_id=pk)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The representative no longer acts for the person from today.")
    return redirect("staff-beneficiary-representatives", pk=pk)
