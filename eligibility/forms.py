from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.fields import StrictDateFormField
from eligibility.models import County
from eligibility.rules import InvalidFacts, MediCalScope, MSPCategory, PersonFacts, ShareOfCost

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _choose(message: "StrOrPromise") -> dict[str, Any]:
    """A field's error messages when it is left empty: what to do, not "This field is required"."""
    return {"required": message}


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: County) -> str:
        return obj.name


class ScreenerForm(forms.Form):
    """The eligibility questions in plain language; every field has a visible label."""

    county = CountyChoiceField(
        queryset=County.objects.order_by("name"),
        to_field_name="fips",
        label=_("Which California county do you live in?"),
        empty_label=_("Choose your county"),
        error_messages={
            "required": _("Choose your county"),
            "invalid_choice": _("Choose your county from the list"),
        },
    )
    as_of = StrictDateFormField(
        label=_("Check for which date?"),
        help_text=_("Coverage starts the first day of the next month."),
        error_messages={
            "required": _("Enter the date to check, for example 2027-03-14"),
            "invalid": _("Enter the date to check as year-month-day, for example 2027-03-14"),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    medicare_part_a = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label=_("Do you have Medicare Part A (hospital insurance)?"),
        error_messages=_choose(_("Answer whether you have Medicare Part A")),
    )
    medicare_part_b = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label=_("Do you have Medicare Part B (medical insurance)?"),
        error_messages=_choose(_("Answer whether you have Medicare Part B")),
    )
    medi_cal = forms.ChoiceField(
        choices=[
            (MediCalScope.FULL.value, _("Yes, full-scope Medi-Cal")),
            (
                MediCalScope.RESTRICTED.value,
                _("Yes, but restricted (emergency or pregnancy services only)"),
            ),
            (MediCalScope.NONE.value, _("No Medi-Cal")),
        ],
        widget=forms.RadioSelect,
        label=_("Do you have Medi-Cal?"),
        error_messages=_choose(_("Answer whether you have Medi-Cal")),
    )
    share_of_cost = forms.ChoiceField(
        choices=[
            (ShareOfCost.NONE.value, _("No share of cost")),
            (ShareOfCost.MET.value, _("I have a share of cost and it is met this month")),
            (ShareOfCost.UNMET.value, _("I have a share of cost and it is not met this month")),
        ],
        widget=forms.RadioSelect,
        initial=ShareOfCost.NONE.value,
        label=_("Do you have a Medi-Cal share of cost?"),
        error_messages=_choose(_("Answer whether you have a Medi-Cal share of cost")),
    )
    medicare_savings_program = forms.ChoiceField(
        choices=[
            (MSPCategory.NONE.value, _("None, or I don't know")),
            (MSPCategory.QMB.value, _("QMB (Qualified Medicare Beneficiary)")),
            (MSPCategory.SLMB.value, _("SLMB (Specified Low-Income Medicare Beneficiary)")),
            (MSPCategory.QI.value, _("QI (Qualifying Individual)")),
            (MSPCategory.QDWI.value, _("QDWI (Qualified Disabled and Working Individual)")),
        ],
        initial=MSPCategory.NONE.value,
        label=_("Does Medi-Cal pay your Medicare premiums through a Medicare Savings Program?"),
        error_messages=_choose(_("Choose your Medicare Savings Program, or None")),
    )
    incarcerated = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        label=_("Are you incarcerated?"),
        error_messages=_choose(_("Answer whether you are incarcerated")),
    )
    lawfully_present = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
        label=_("Are you a U.S. citizen or lawfully present in the United States?"),
        error_messages=_choose(
            _("Answer whether you are a U.S. citizen or lawfully present in the United States")
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        facts = PersonFacts(
            medicare_part_a=cleaned["medicare_part_a"] == "yes",
            medicare_part_b=cleaned["medicare_part_b"] == "yes",
            medi_cal=MediCalScope(cleaned["medi_cal"]),
            share_of_cost=ShareOfCost(cleaned["share_of_cost"]),
            msp=MSPCategory(cleaned["medicare_savings_program"]),
            incarcerated=cleaned["incarcerated"] == "yes",
            lawfully_present=cleaned["lawfully_present"] == "yes",
        )
        try:
            facts.validate()
        except InvalidFacts as exc:
            # The rules speak English; the one contradiction they find, said in the page's words.
            message = (
                _(
                    "%(program)s cannot be combined with full-scope Medi-Cal: QI and QDWI are "
                    "only for people without full Medi-Cal. Choose None or another answer."
                )
                % {"program": facts.msp.value}
                if exc.field == "medicare_savings_program"
                else str(exc)
            )
            self.add_error(exc.field, message)
            return cleaned
        cleaned["facts"] = facts
        return cleaned

    @classmethod
    def initial_for(cls, today: date) -> dict[str, Any]:
        return {"as_of": today}
