from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.errors import DomainError
from accounts.fields import StrictDateField
from eligibility.models import EligibilityDetermination, Language, MediMediPlan, NoticeFormat
from enrollment import medicare, services
from enrollment.api.medicare_serializers import MedicareSummarySerializer
from enrollment.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    DenialReason,
    ElectionPeriod,
    EndReason,
    Enrollment,
)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A stored choice that is blank when unset, answered as null rather than ``""``."""

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class DualStatusCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    category = serializers.CharField()


class DeterminationSerializer(serializers.ModelSerializer):
    dual_status = serializers.SerializerMethodField()

    class Meta:
        model = EligibilityDetermination
        fields = [
            "id",
            "as_of",
            "eligible",
            "dual_status",
            "reasons",
            "earliest_effective_date",
            "policy_version",
            "facts",
            "created_at",
        ]

    @extend_schema_field(DualStatusCodeSerializer)
    def get_dual_status(self, obj: EligibilityDetermination) -> dict[str, str]:
        return {"code": obj.dual_status_code, "category": obj.dual_status_category}


class StatusChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = ApplicationStatusChange
        fields = ["from_status", "to_status", "at", "actor", "note", "reason_codes"]


class EnrollmentSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    plan_name = serializers.SerializerMethodField()
    medicare = serializers.SerializerMethodField(
        help_text="Medi-Medi: the latest submission to Medicare about it and its answer; null "
        "when none (a Medi-Cal enrollment)."
    )
    end_reason = BlankAsNullChoiceField(
        choices=EndReason.choices,
        allow_null=True,
        read_only=True,
        help_text="Why the enrollment ended; null while it has not ended.",
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "beneficiary",
            "kind",
            "plan",
            "plan_name",
            "start_date",
            "end_date",
            "cancelled",
            "end_reason",
            "deeming_until",
            "aligned_with",
            "application",
            "medicare",
        ]
        read_only_fields = fields

    def get_plan_name(self, obj: Enrollment) -> str:
        plan = obj.medi_medi_plan if obj.kind == "medi_medi" else obj.medi_cal_plan
        return plan.name if plan else ""

    @extend_schema_field(MedicareSummarySerializer(allow_null=True))
    def get_medicare(self, obj: Enrollment) -> dict[str, Any] | None:
        latest = medicare.latest_submission(obj.medicare_submissions.all())
        return None if latest is None else dict(MedicareSummarySerializer(latest).data)


class DenialReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class OtherApplicationSerializer(serializers.Serializer):
    """Another open application of the same person (``enrollment.selectors.OtherApplication``)."""

    id = serializers.IntegerField(
        allow_null=True, help_text="Null: another organization's application."
    )
    plan_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    effective_date = serializers.DateField(allow_null=True)
    stands = serializers.BooleanField(
        help_text="The one that counts: of the open submitted ones, the one submitted last."
    )


class ApplicationSerializer(serializers.ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(
        queryset=MediMediPlan.objects.all(), required=False, allow_null=True
    )
    plan_name = serializers.CharField(
        source="plan.name", default=None, read_only=True, allow_null=True
    )
    organization = serializers.CharField(
        source="plan.organization.name", default=None, read_only=True, allow_null=True
    )
    county = serializers.CharField(source="beneficiary.county.fips", read_only=True)
    determination = DeterminationSerializer(read_only=True, allow_null=True)
    approval_determination = DeterminationSerializer(read_only=True, allow_null=True)
    denial_reasons = serializers.SerializerMethodField()
    history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    enrollments = EnrollmentSerializer(many=True, read_only=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    notice_format = serializers.ChoiceField(choices=NoticeFormat.choices, required=False)
    election_period = BlankAsNullChoiceField(
        choices=ElectionPeriod.choices,
        allow_null=True,
        read_only=True,
        help_text="The election period staff recorded; null for the member's own application.",
    )
    medicare = serializers.SerializerMethodField(
        help_text="Once approved: the enrollment (or switch) submitted to Medicare and whether "
        "Medicare has confirmed it; null before."
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "status",
            "beneficiary",
            "county",
            "plan",
            "plan_name",
            "organization",
            "contact_email",
            "contact_phone",
            "language",
            "notice_format",
            "submitted_at",
            "effective_date",
            "effective_date_note",
            "channel",
            "received_on",
            "signed_by",
            "election_period",
            "determination",
            "approval_determination",
            "denial_reasons",
            "decision_note",
            "decided_at",
            "history",
            "enrollments",
            "medicare",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "beneficiary",
            "submitted_at",
            "effective_date",
            "effective_date_note",
            "channel",
            "received_on",
            "signed_by",
            "election_period",
            "decision_note",
            "decided_at",
            "created_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Contact details through the one check (``services.contact_clean``): a US phone,
        stored normalized, and a way to reach the member. A body naming only one of the two is
        checked for its format here and, with the other, by the service that writes it."""
        if "contact_email" not in attrs and "contact_phone" not in attrs:
            return attrs
        request = self.context.get("request")
        user = getattr(request, "user", None)
        both = "contact_email" in attrs and "contact_phone" in attrs
        try:
            email, phone = services.contact_clean(
                email=attrs.get("contact_email", ""),
                phone=attrs.get("contact_phone", ""),
                account_email=getattr(user, "email", "") or "",
                require_reachable=both,
            )
        except DomainError as exc:
            fields = exc.extra.get("fields")
            raise serializers.ValidationError(
                {k: [v] for k, v in fields.items()} if isinstance(fields, dict) else exc.message
            ) from exc
        if "contact_email" in attrs:
            attrs["contact_email"] = email
        if "contact_phone" in attrs:
            attrs["contact_phone"] = phone
        return attrs

    @extend_schema_field(MedicareSummarySerializer(allow_null=True))
    def get_medicare(self, obj: Application) -> dict[str, Any] | None:
        submission = medicare.application_submission(obj) if obj.pk else None
        return None if submission is None else dict(MedicareSummarySerializer(submission).data)

    @extend_schema_field(DenialReasonSerializer(many=True))
    def get_denial_reasons(self, obj: Application) -> list[dict[str, str]]:
        return [
            {"code": code, "message": DenialReason(code).label}
            for code in obj.denial_reasons
            if code in DenialReason.values
        ]


class DenySerializer(serializers.Serializer):
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=DenialReason.choices), allow_empty=False
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            services.denial_check(attrs["reasons"], attrs["note"])
        except DomainError as exc:
            raise serializers.ValidationError({str(exc.extra.get("field")): [exc.message]}) from exc
        return attrs


class ApproveSerializer(serializers.Serializer):
    effective_date = StrictDateField(
        required=False,
        help_text=(
            "Admins only: keep this first of a month as the effective date although the approval "
            "comes after it (with `reason`). Otherwise an approval after the effective date moves "
            "coverage to the next first of a month."
        ),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class LeaveReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)


class LeaveRequestSerializer(serializers.Serializer):
    detail = serializers.CharField()
    enrollment = serializers.IntegerField()
    review = LeaveReviewSerializer()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequestInfoSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="What the member must send or confirm.")


class DisenrollSerializer(serializers.Serializer):
    requested_on = StrictDateField(
        required=False, help_text="Date of the request (staff only); defaults to today."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class QueueFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, required=False)
    plan = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    county = serializers.CharField(required=False, help_text="FIPS or name")
    submitted_from = StrictDateField(required=False)
    submitted_to = StrictDateField(required=False)
    new = serializers.BooleanField(required=False, default=False, help_text="Only newly submitted")
    q = serializers.CharField(required=False, help_text="MBI, CIN, or a name")
    date_of_birth = StrictDateField(required=False)


class LinkSerializer(serializers.Serializer):
    identifier = serializers.CharField(help_text="Medicare number (MBI) or Medi-Cal CIN")
    date_of_birth = StrictDateField()
    last_name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    organization = serializers.IntegerField(allow_null=True)
    beneficiary = serializers.IntegerField(allow_null=True)


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application as the detail and action answers give it, with the person's others."""

    other_open_applications = OtherApplicationSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "other_open_applications"]
