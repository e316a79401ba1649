"""The plan-wide transfers API: thin adapters over ``enrollment.transfers``.

``GET /api/v1/transfers/{id}`` (the run: plans, counties, date, status, counts) and
``GET /api/v1/transfers/{id}/unplaced`` (the members it could not move, with why; paged).
Admins see every transfer; staff those out of their organization's plans; members 403;
anyone else 404. Decided in ``enrollment.transfers``, never here.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from enrollment import transfers
from enrollment.api.beneficiaries import BeneficiaryCountySerializer
from enrollment.transfer_models import PlanTransferMember, TransferReason


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class UnplacedSerializer(serializers.ModelSerializer):
    beneficiary = serializers.IntegerField(source="beneficiary_id")
    first_name = serializers.CharField(source="beneficiary.first_name")
    last_name = serializers.CharField(source="beneficiary.last_name")
    county = BeneficiaryCountySerializer()
    reason = serializers.ChoiceField(choices=TransferReason.choices)
    reason_text = serializers.CharField(source="get_reason_display")
    enrollment = serializers.IntegerField(
        source="old_enrollment_id", help_text="The enrollment in the old plan, unchanged."
    )

    class Meta:
        model = PlanTransferMember
        fields = [
            "beneficiary",
            "first_name",
            "last_name",
            "county",
            "reason",
            "reason_text",
            "enrollment",
        ]
        read_only_fields = fields


class LetterPlanSerializer(serializers.Serializer):
    kind = serializers.CharField()
    send_on = serializers.DateField()
    late = serializers.BooleanField()


class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="transfer_id")
    status = serializers.CharField()
    from_plan = serializers.CharField()
    to_plan = serializers.CharField()
    counties = serializers.ListField(child=serializers.CharField())
    effective_date = serializers.DateField()
    members = serializers.IntegerField()
    moves = serializers.IntegerField(help_text="Moved (or, before it runs, who would move).")
    cannot = serializers.DictField(
        child=serializers.IntegerField(), help_text="Members who cannot move, by reason code."
    )
    letters = LetterPlanSerializer(many=True)


class TransferDetailView(GenericAPIView):
    serializer_class = TransferSerializer
    pagination_class = None

    def get(self, request: Request, pk: int) -> Response:
        report = transfers.transfer_report(actor=_user(request), transfer_id=int(pk))
        return Response(TransferSerializer(report).data)


class TransferUnplacedView(GenericAPIView):
    """The members a transfer could not move: staff decide what happens to each."""

    serializer_class = UnplacedSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return PlanTransferMember.objects.none()
        return transfers.transfer_unplaced(
            actor=_user(self.request), transfer_id=int(self.kwargs["pk"])
        )

    @extend_schema(responses={200: UnplacedSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        transfers.transfer_unplaced_audit(actor=_user(request), transfer_id=int(pk), rows=rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
