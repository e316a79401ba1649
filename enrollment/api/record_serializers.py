"""Serializers for what the selectors return about a person (not model serializers)."""

from rest_framework import serializers

from enrollment.api.medicare_serializers import MedicareSummarySerializer
from enrollment.models import EndReason, EnrollmentKind


class BeneficiaryEnrollmentSerializer(serializers.Serializer):
    """An enrollment as the reader may see it (``enrollment.selectors.EnrollmentView``)."""

    id = serializers.IntegerField(
        allow_null=True, help_text="Null for another organization's enrollment."
    )
    kind = serializers.ChoiceField(choices=EnrollmentKind.choices)
    plan = serializers.IntegerField(allow_null=True)
    plan_name = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    cancelled = serializers.BooleanField()
    end_reason = serializers.ChoiceField(choices=EndReason.choices, allow_null=True)
    aligned_with = serializers.IntegerField(allow_null=True)
    deeming_until = serializers.DateField(
        allow_null=True,
        help_text=(
            "Medi-Medi only: full Medi-Cal was lost; the plan continues through this day unless "
            "Medi-Cal returns. Null otherwise (and for another organization's enrollment)."
        ),
    )
    medicare = MedicareSummarySerializer(
        allow_null=True,
        help_text=(
            "Medi-Medi: the latest submission to Medicare about it and its answer. Null for a "
            "Medi-Cal enrollment, and for another organization's enrollment."
        ),
    )
