"""``GET /api/v1/reconciliation?plan=&month=``: one Medi-Cal plan's discrepancies for a month.

A thin adapter over ``interchange.reconciliation``: who may see a plan is decided there (staff
their organization's plans, admins all, members 403, another organization's plan 404), which
also audits the page of rows shown.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from enrollment.models import ReviewStatus
from interchange import reconciliation
from interchange.models import DiscrepancyKind, ReconciliationDiscrepancy


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class DiscrepancySerializer(serializers.ModelSerializer):
    """One discrepancy: who, what the state's file shows, what the enrollments here show."""

    kind = serializers.ChoiceField(choices=DiscrepancyKind.choices, read_only=True)
    month = serializers.SerializerMethodField()
    cin = serializers.CharField(source="beneficiary.cin", read_only=True)
    first_name = serializers.CharField(source="beneficiary.first_name", read_only=True)
    last_name = serializers.CharField(source="beneficiary.last_name", read_only=True)
    plan = serializers.IntegerField(source="medi_cal_plan_id", read_only=True)
    state_plan = serializers.IntegerField(
        source="state_plan_id",
        allow_null=True,
        read_only=True,
        help_text="The Medi-Cal plan the state's file shows (id); null: fee-for-service.",
    )
    state_plan_name = serializers.CharField(
        source="state_plan.name", default=None, allow_null=True, read_only=True
    )
    enrollment = serializers.IntegerField(
        source="enrollment_id",
        allow_null=True,
        read_only=True,
        help_text="The Medi-Cal plan enrollment here concerned (id); null: none.",
    )
    review_item = serializers.IntegerField(source="review_item_id", allow_null=True, read_only=True)
    review_status = serializers.ChoiceField(
        source="review_item.status",
        choices=ReviewStatus.choices,
        default=None,
        allow_null=True,
        read_only=True,
    )
    eligibility_import = serializers.IntegerField(source="eligibility_import_id", read_only=True)

    class Meta:
        model = ReconciliationDiscrepancy
        fields = [
            "id",
            "kind",
            "month",
            "plan",
            "beneficiary",
            "cin",
            "first_name",
            "last_name",
            "state_plan",
            "state_plan_name",
            "state_start",
            "enrollment",
            "portal_start",
            "review_item",
            "review_status",
            "eligibility_import",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_month(self, obj: ReconciliationDiscrepancy) -> str:
        """Return the month, YYYY-MM."""
        return obj.month.strftime("%Y-%m")


class ReconciliationView(mixins.ListModelMixin, GenericAPIView):
    """The discrepancies between the state's files and the enrollments here, per plan and month."""

    serializer_class = DiscrepancySerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ReconciliationDiscrepancy.objects.none()
        actor = _user(self.request)
        reconciliation.reconciliation_require_staff(actor=actor)  # members 403 first
        plan_id, month = reconciliation.reconciliation_arguments(
            plan=self.request.query_params.get("plan"),
            month=self.request.query_params.get("month"),
        )
        self.plan_id, self.month = plan_id, month
        return reconciliation.reconciliation_rows(actor=actor, plan_id=plan_id, month=month)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "plan", int, required=True, description="The Medi-Cal plan's id (required)."
            ),
            OpenApiParameter(
                "month", str, required=True, description="The file's month, YYYY-MM (required)."
            ),
        ],
        description="A Medi-Cal plan's discrepancies for a month, by kind then member: staff "
        "their organization's plans, admins all. Paged like the other lists.",
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        reconciliation.reconciliation_rows_audit(
            actor=_user(request), plan_id=self.plan_id, month=self.month, rows=rows
        )
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
