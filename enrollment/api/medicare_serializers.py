"""How Medicare's answer shows in the API: the ``medicare`` of enrollments and applications."""

from rest_framework import serializers

from enrollment.models import (
    ElectionPeriod,
    MedicareStatus,
    MedicareSubmissionKind,
    MedicareTransaction,
)

# What an answer may say, and what a reply file's row came to (named enums in the schema).
ANSWER_CHOICES = [(MedicareStatus.ACCEPTED, "Accepted"), (MedicareStatus.REJECTED, "Rejected")]
ROW_STATUS_CHOICES = [("applied", "Applied"), ("unchanged", "Unchanged"), ("error", "Error")]


class MedicareSummarySerializer(serializers.Serializer):
    """A submission to Medicare and its answer (``enrollment.models.MedicareSubmission``)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=MedicareStatus.choices,
        help_text="`pending` until Medicare's answer is recorded, then `accepted` or `rejected`.",
    )
    kind = serializers.ChoiceField(choices=MedicareSubmissionKind.choices)
    transaction_type = serializers.ChoiceField(
        choices=MedicareTransaction.choices, help_text="MARx transaction type: 61, 51 or 80."
    )
    election_period = serializers.ChoiceField(
        choices=[("", "None recorded"), *ElectionPeriod.choices],
        help_text="Blank for a disenrollment.",
    )
    effective_date = serializers.DateField(
        help_text="First day of coverage (enrollment, switch), or the last (disenrollment)."
    )
    submitted_on = serializers.DateField()
    reply_code = serializers.CharField(
        allow_null=True, help_text="CMS's transaction reply code (3 digits); null while pending."
    )
    reply_text = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: object) -> dict[str, object]:
        data = super().to_representation(instance)
        for key in ("reply_code", "reply_text"):
            data[key] = data[key] or None
        return data
