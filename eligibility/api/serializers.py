from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.fields import StrictDateField
from eligibility.models import County
from eligibility.rules import InvalidFacts, MediCalScope, MSPCategory, PersonFacts, ShareOfCost
from eligibility.selectors import county_lookup


@extend_schema_field(OpenApiTypes.STR)
class CountyField(serializers.Field):
    """A county by name (any case) or 5-digit FIPS code."""

    default_error_messages = {
        "unknown": "Unknown county {value!r}: give a California county name or its 5-digit FIPS code.",
        "invalid": "Give the county as a name or a FIPS code string.",
    }

    def to_internal_value(self, data: Any) -> County:
        if not isinstance(data, str):
            self.fail("invalid")
        county = county_lookup(data)
        if county is None:
            self.fail("unknown", value=data[:64])
        return county

    def to_representation(self, value: County) -> str:
        return value.fips


class EligibilityCheckRequestSerializer(serializers.Serializer):
    county = CountyField(help_text="County name (case-insensitive) or 5-digit FIPS, e.g. 06081.")
    as_of = StrictDateField(
        required=False, help_text="Check date, YYYY-MM-DD. Defaults to today in California."
    )
    medicare_part_a = serializers.BooleanField()
    medicare_part_b = serializers.BooleanField()
    medi_cal = serializers.ChoiceField(choices=[c.value for c in MediCalScope])
    share_of_cost = serializers.ChoiceField(
        choices=[c.value for c in ShareOfCost], default=ShareOfCost.NONE.value
    )
    medicare_savings_program = serializers.ChoiceField(
        choices=[c.value for c in MSPCategory], default=MSPCategory.NONE.value
    )
    incarcerated = serializers.BooleanField(default=False)
    lawfully_present = serializers.BooleanField(default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        facts = PersonFacts(
            medicare_part_a=attrs["medicare_part_a"],
            medicare_part_b=attrs["medicare_part_b"],
            medi_cal=MediCalScope(attrs["medi_cal"]),
            share_of_cost=ShareOfCost(attrs["share_of_cost"]),
            msp=MSPCategory(attrs["medicare_savings_program"]),
            incarcerated=attrs["incarcerated"],
            lawfully_present=attrs["lawfully_present"],
        )
        try:
            facts.validate()
        except InvalidFacts as exc:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from exc
        attrs["facts"] = facts
        return attrs


class DualStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    category = serializers.CharField()
    full_benefit = serializers.BooleanField()


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class CountySerializer(serializers.Serializer):
    fips = serializers.CharField()
    name = serializers.CharField()
    medi_medi_available_from = serializers.DateField()


class OfferedPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    contract_id = serializers.CharField(allow_null=True, help_text="H1234-001; null if unknown.")
    organization = serializers.CharField()
    member_phone = serializers.CharField(allow_blank=True, help_text="Empty when not on file.")
    aligned_medi_cal_plan = serializers.CharField()


class EligibilityCheckResponseSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    as_of = serializers.DateField()
    dual_status = DualStatusSerializer()
    reasons = ReasonSerializer(many=True)
    county = CountySerializer()
    earliest_effective_date = serializers.DateField(allow_null=True)
    plans = OfferedPlanSerializer(many=True)
