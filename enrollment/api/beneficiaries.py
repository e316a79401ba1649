"""The beneficiaries API: people on the state's eligibility records, as the reader may see them.

``GET /api/v1/beneficiaries`` (staff and admins; a member is refused with 403) lists, by id,
the people the reader may see: staff those who applied to or are enrolled in their
organization's plans, admins everyone. ``GET /api/v1/beneficiaries/{id}`` answers one of them;
a member may read only their own record; anyone else's answers 404. The selectors in
``enrollment.beneficiaries`` decide and audit; these views only parse and serialize.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from eligibility.models import Beneficiary, Language, MSPCategory, Sex, ShareOfCostStatus
from enrollment import beneficiaries
from enrollment.api.pagination import KeysetPagination, request_cursor
from enrollment.api.views import request_user

SCOPES = [
    ("full", "Full scope"),
    ("restricted", "Restricted scope"),
    ("none", "No Medi-Cal scope: a Medicare Savings Program only"),
]
NO_BENEFICIARY = OpenApiResponse(description="No such beneficiary, or not one you may see")


class BeneficiaryFilterSerializer(serializers.Serializer):
    mbi = serializers.CharField(
        required=False,
        max_length=32,
        help_text="Medicare number (MBI); lower case and dashes are accepted.",
    )
    cin = serializers.CharField(
        required=False,
        max_length=32,
        help_text="Medi-Cal CIN (8 digits and a letter) or the 14-character benefits card id.",
    )
    county = serializers.CharField(
        required=False, max_length=16, help_text="County FIPS code, 06 and 3 digits (06081)."
    )
    enrolled = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only people with a Medi-Medi enrollment covering today; false: without.",
    )


class BeneficiaryCountySerializer(serializers.Serializer):
    fips = serializers.CharField()
    name = serializers.CharField()


class MedicareSerializer(serializers.Serializer):
    part_a_start = serializers.DateField(allow_null=True)
    part_a_end = serializers.DateField(allow_null=True)
    part_b_start = serializers.DateField(allow_null=True)
    part_b_end = serializers.DateField(allow_null=True)


class MediCalPeriodSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="Null while the period is open.")
    scope = serializers.ChoiceField(
        choices=SCOPES, help_text="`none` for a period of a Medicare Savings Program only."
    )
    aid_code = serializers.CharField(allow_null=True)
    share_of_cost = serializers.ChoiceField(choices=ShareOfCostStatus.choices)
    msp = serializers.ChoiceField(choices=MSPCategory.choices)


class BeneficiaryDualStatusSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CMS monthly dual status code (00-09, NA).")
    category = serializers.CharField()
    full_benefit = serializers.BooleanField()


class CurrentMediCalPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="The Medi-Cal plan; null for another organization's."
    )
    name = serializers.CharField()
    state_code = serializers.CharField(allow_null=True)
    enrollment = serializers.IntegerField(
        allow_null=True, help_text="The enrollment; null for another organization's."
    )
    start_date = serializers.DateField()


class BeneficiarySerializer(serializers.Serializer):
    """A person (``enrollment.beneficiaries.BeneficiaryRecord``)."""

    id = serializers.IntegerField()
    mbi = serializers.CharField()
    cin = serializers.CharField()
    first_name = serializers.CharField()
    middle_initial = serializers.CharField(allow_null=True)
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    date_of_death = serializers.DateField(allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, allow_null=True)
    county = BeneficiaryCountySerializer()
    language = serializers.ChoiceField(choices=Language.choices)
    medicare = MedicareSerializer(help_text="Medicare Part A and Part B entitlement dates.")
    medi_cal = MediCalPeriodSerializer(many=True, help_text="Medi-Cal periods, oldest first.")
    dual_status = BeneficiaryDualStatusSerializer(
        allow_null=True,
        help_text="Today's dual status from the eligibility rules; null for contradictory facts.",
    )
    medi_cal_plan = CurrentMediCalPlanSerializer(
        allow_null=True, help_text="The Medi-Cal plan enrollment covering today, if any."
    )


class BeneficiaryListView(GenericAPIView[Any]):
    """People the caller may see, by id: staff their organization's members, admins all."""

    serializer_class = BeneficiarySerializer
    queryset = Beneficiary.objects.none()  # for schema generation only: the selector reads
    pagination_class = KeysetPagination

    @extend_schema(
        parameters=[BeneficiaryFilterSerializer],
        responses={
            200: BeneficiarySerializer(many=True),
            403: OpenApiResponse(description="Only plan enrollment staff and admins list people"),
        },
    )
    def get(self, request: Request) -> Response:
        actor = request_user(request)
        beneficiaries.beneficiary_list_require(actor=actor)
        filters = BeneficiaryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = beneficiaries.beneficiary_list_page(
            actor=actor, cursor=request_cursor(request), **filters.validated_data
        )
        assert isinstance(self.paginator, KeysetPagination)
        rows = BeneficiarySerializer(page.object_list, many=True).data
        return self.paginator.respond(request, page, list(rows))


class BeneficiaryDetailView(GenericAPIView[Any]):
    """One person: a member only themselves; staff their organization's members; admins any."""

    serializer_class = BeneficiarySerializer
    queryset = Beneficiary.objects.none()
    pagination_class = None

    @extend_schema(responses={200: BeneficiarySerializer, 404: NO_BENEFICIARY})
    def get(self, request: Request, pk: str) -> Response:
        record = beneficiaries.beneficiary_detail(
            actor=request_user(request), beneficiary_id=int(pk)
        )
        return Response(BeneficiarySerializer(record).data)
