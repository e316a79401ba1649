"""Forms for the member and staff pages. They check the shape of the input; the services
decide what is allowed."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.fields import StrictDateFormField
from eligibility.models import Language, MediMediPlan, NoticeFormat
from eligibility.selectors import OfferedPlan, county_choices
from eligibility.templatetags.phone import phone_span
from enrollment import services
from enrollment.models import ApplicationStatus, DenialReason


class DateInput(forms.DateInput):
    """A native date picker; it sends ``YYYY-MM-DD``, which every DateField accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LinkForm(forms.Form):
    """The three things a member gives to prove who they are."""

    identifier = forms.CharField(
        label=_("Medicare number (MBI) or Medi-Cal CIN"),
        max_length=32,
        help_text=_(
            "Your Medicare number is on your red, white and blue Medicare card, for example "
            "1EG4-TE5-MK73. Your Medi-Cal CIN is 8 numbers and a letter, on your Benefits "
            "Identification Card."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter your Medicare number (MBI) or Medi-Cal CIN")},
    )
    date_of_birth = StrictDateFormField(
        label=_("Date of birth"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter your date of birth, for example 1950-03-14"),
            "invalid": _("Enter your date of birth as year-month-day, for example 1950-03-14"),
        },
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=64,
        help_text=_("As it appears on your Medicare or Medi-Cal card."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Enter your last name")},
    )


def plan_choice_label(plan: OfferedPlan) -> str:
    """Say what a plan is, who runs it and which Medi-Cal plan comes with it."""
    words = {
        "plan": conditional_escape(plan.name),
        "organization": conditional_escape(plan.organization),
        "medi_cal": conditional_escape(plan.aligned_medi_cal_plan),
        "phone": phone_span(plan.member_phone),  # never broken mid-number at 320 px
    }
    if plan.member_phone:
        return mark_safe(  # noqa: S308 - every part escaped above; the phone is a span
            gettext(
                "%(plan)s, from %(organization)s. Your Medi-Cal plan would be %(medi_cal)s. "
                "Member services: %(phone)s."
            )
            % words
        )
    return mark_safe(  # noqa: S308 - every part escaped above
        gettext("%(plan)s, from %(organization)s. Your Medi-Cal plan would be %(medi_cal)s.")
        % words
    )


class ApplicationForm(forms.Form):
    """A member's choices on an application: one plan, contact details, language and format.

    Only the plans offered to the member are choices. A draft may be saved without a plan;
    submitting one without a plan is refused by ``application_submit``.
    """

    plan = forms.TypedChoiceField(
        label=_("Which Medi-Medi Plan do you want to join?"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(
        label=_("Email address"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.com")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        help_text=_("A number where the plan can reach you about this application."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("In which language should we write to you?"),
        choices=Language.choices,
        help_text=_("Every letter about your coverage will be in this language."),
        error_messages={"required": _("Choose the language of your letters")},
    )
    notice_format = forms.ChoiceField(
        label=_("In which format do you want your letters?"),
        # The labels are in the catalog (enrollment.member_words).
        choices=[(value, _(label)) for value, label in NoticeFormat.choices],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the format of your letters")},
    )

    def __init__(
        self,
        *args: Any,
        plans: Sequence[OfferedPlan],
        account_email: str = "",
        plan_required_for: str | None = None,
        **kwargs: Any,
    ) -> None:
        """``account_email`` counts as a way to reach the member (``contact_clean``);
        ``plan_required_for`` ("submit" or "save") makes a plan required (a new application)."""
        super().__init__(*args, **kwargs)
        self.account_email = account_email
        self.plan_required_for = plan_required_for
        field = self.fields["plan"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(plan.id, plan_choice_label(plan)) for plan in plans]

    def clean_plan(self) -> MediMediPlan | None:
        plan_id = self.cleaned_data.get("plan")
        if self.plan_required_for is not None:
            try:
                services.plan_required(plan_id, submitting=self.plan_required_for == "submit")
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code="required") from exc
        if plan_id is None:
            return None
        return MediMediPlan.objects.get(pk=plan_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "contact_email" not in cleaned:
            return cleaned  # the email's own format error is shown already
        try:
            email, phone = services.contact_clean(
                email=cleaned["contact_email"],
                phone=cleaned.get("contact_phone", ""),
                account_email=self.account_email,
            )
        except DomainError as exc:
            fields = exc.extra.get("fields")
            for field, message in (fields if isinstance(fields, dict) else {}).items():
                self.add_error(field, message)
        else:
            cleaned["contact_email"], cleaned["contact_phone"] = email, phone
        return cleaned


class RequestInfoForm(forms.Form):
    note = forms.CharField(
        label="What does the member need to send or confirm?",
        help_text="The member sees this note on their application page and in their letter.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DenyForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label="Reasons for the denial",
        choices=DenialReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one reason."},
    )
    note = forms.CharField(
        label="Note to the member",
        required=False,
        help_text="Required with the reason “Another reason”. The member sees it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        """The service's own check (``denial_check``), so the confirmation page never shows a
        denial the service would refuse."""
        cleaned = super().clean() or {}
        if "reasons" in cleaned:
            try:
                services.denial_check(cleaned["reasons"], cleaned.get("note", ""))
            except DomainError as exc:
                field = exc.extra.get("field")
                self.add_error(field if isinstance(field, str) else None, exc.message)
        return cleaned


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Why is the application withdrawn? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApproveForm(forms.Form):
    """Approve; an admin may keep an effective date that has passed, with a reason."""

    effective_date = StrictDateFormField(
        label="Keep this effective date (admins only, optional)",
        help_text=(
            "Leave empty: approved after the effective date, coverage starts on the next first "
            "of a month."
        ),
        required=False,
        widget=DateInput(),
    )
    reason = forms.CharField(
        label="Why the date is kept", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StaffDisenrollForm(forms.Form):
    requested_on = StrictDateFormField(
        label="Date the member asked to leave",
        help_text="Coverage ends on the last day of this month.",
        widget=DateInput(),
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MediMediPlan) -> str:
        return obj.name


class QueueFilterForm(forms.Form):
    """The work queue's filters: a GET form, so a filtered queue can be bookmarked."""

    new = forms.BooleanField(
        label="Only new applications (submitted, not yet reviewed)", required=False
    )
    status = forms.ChoiceField(label="Status", required=False)
    plan = PlanChoiceField(
        label="Plan", queryset=MediMediPlan.objects.none(), required=False, empty_label="Any plan"
    )
    county = forms.ChoiceField(label="County", required=False)
    submitted_from = StrictDateFormField(
        label="Submitted on or after", required=False, widget=DateInput()
    )
    submitted_to = StrictDateFormField(
        label="Submitted on or before", required=False, widget=DateInput()
    )
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=64,
        help_text="A Medicare number (MBI), a Medi-Cal CIN, or a name (last name, or first and last).",
    )
    date_of_birth = StrictDateFormField(
        label="Date of birth",
        required=False,
        help_text="Narrows a name search.",
        widget=DateInput(),
    )

    def __init__(
        self, *args: Any, plans: QuerySet[MediMediPlan], statuses: Sequence[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, PlanChoiceField)
        plan_field.queryset = plans
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [("", "Any status")] + [
            (value, ApplicationStatus(value).label) for value in statuses
        ]
        county_field = self.fields["county"]
        assert isinstance(county_field, forms.ChoiceField)
        county_field.choices = [("", "Any county"), *county_choices()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("submitted_from")
        end: date | None = cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "This date must be on or after the first date.")
        return cleaned

    def selector_arguments(self) -> dict[str, Any]:
        """The cleaned filters as ``application_queue`` takes them."""
        data = self.cleaned_data
        plan = data.get("plan")
        return {
            "status": data.get("status") or None,
            "plan": plan.pk if plan else None,
            "county": data.get("county") or None,
            "submitted_from": data.get("submitted_from"),
            "submitted_to": data.get("submitted_to"),
            "new": bool(data.get("new")),
            "search": data.get("q") or None,
            "date_of_birth": data.get("date_of_birth"),
        }
