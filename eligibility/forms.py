from datetime import date
from typing import Any

from django import forms

from accounts.fields import StrictDateFormField
from eligibility.models import County
from eligibility.rules import InvalidFacts, MediCalScope, MSPCategory, PersonFacts, ShareOfCost

YES_NO = [("yes", "Yes"), ("no", "No")]


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: County) -> str:
        return obj.name


class ScreenerForm(forms.Form):
    """The eligibility questions in plain language; every field has a visible label."""

    county = CountyChoiceField(
        queryset=County.objects.order_by("name"),
        to_field_name="fips",
        label="Which California county do you live in?",
        empty_label="Choose your county",
    )
    as_of = StrictDateFormField(
        label="Check for which date?",
        help_text="Coverage starts the first day of the next month.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    medicare_part_a = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="Do you have Medicare Part A (hospital insurance)?",
    )
    medicare_part_b = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="Do you have Medicare Part B (medical insurance)?",
    )
    medi_cal = forms.ChoiceField(
        choices=[
            (MediCalScope.FULL.value, "Yes, full-scope Medi-Cal"),
            (
                MediCalScope.RESTRICTED.value,
                "Yes, but restricted (emergency or pregnancy services only)",
            ),
            (MediCalScope.NONE.value, "No Medi-Cal"),
        ],
        widget=forms.RadioSelect,
        label="Do you have Medi-Cal?",
    )
    share_of_cost = forms.ChoiceField(
        choices=[
            (ShareOfCost.NONE.value, "No share of cost"),
            (ShareOfCost.MET.value, "I have a share of cost and it is met this month"),
            (ShareOfCost.UNMET.value, "I have a share of cost and it is not met this month"),
        ],
        widget=forms.RadioSelect,
        initial=ShareOfCost.NONE.value,
        label="Do you have a Medi-Cal share of cost?",
    )
    medicare_savings_program = forms.ChoiceField(
        choices=[
            (MSPCategory.NONE.value, "None, or I don't know"),
            (MSPCategory.QMB.value, "QMB (Qualified Medicare Beneficiary)"),
            (MSPCategory.SLMB.value, "SLMB (Specified Low-Income Medicare Beneficiary)"),
            (MSPCategory.QI.value, "QI (Qualifying Individual)"),
            (MSPCategory.QDWI.value, "QDWI (Qualified Disabled and Working Individual)"),
        ],
        initial=MSPCategory.NONE.value,
        label="Does Medi-Cal pay your Medicare premiums through a Medicare Savings Program?",
    )
    incarcerated = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, initial="no", label="Are you incarcerated?"
    )
    lawfully_present = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
        label="Are you a U.S. citizen or lawfully present in the United States?",
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
            self.add_error(exc.field, str(exc))
            return cleaned
        cleaned["facts"] = facts
        return cleaned

    @classmethod
    def initial_for(cls, today: date) -> dict[str, Any]:
        return {"as_of": today}
