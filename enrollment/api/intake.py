"""API for applications that start elsewhere and for authorized representatives: thin adapters.

Staff start an application through ``POST /api/v1/applications`` with ``beneficiary`` (the
application view hands such a request to ``intake_create``). Representatives are recorded by the
member (``/api/v1/me/representatives``) or staff (``/api/v1/beneficiaries/{id}/representatives``);
``enrollment.representatives`` decides who may.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import StrictDateField
from accounts.models import User
from eligibility.models import Language, MediMediPlan, NoticeFormat
from enrollment import intake, representatives
from enrollment.models import AuthorizedRepresentative, Channel, ElectionPeriod


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class IntakeSerializer(serializers.Serializer):
    """An election received by phone, paper, in person or through a broker (staff only)."""

    beneficiary = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    plan = serializers.PrimaryKeyRelatedField(queryset=MediMediPlan.objects.all())
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in Channel if c in intake.INTAKE_CHANNELS]
    )
    received_on = StrictDateField(help_text="The day the plan received the request.")
    signed_by = serializers.CharField(max_length=128)
    election_period = serializers.ChoiceField(choices=ElectionPeriod.choices)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    notice_format = serializers.ChoiceField(choices=NoticeFormat.choices, required=False)


def intake_create(request: Request) -> int:
    """Validate the body and record the election; return the new application's id."""
    intake.intake_require_staff(actor=_user(request))  # a member is refused before any input
    body = IntakeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = dict(body.validated_data)
    application = intake.application_intake(
        actor=_user(request), beneficiary_id=data.pop("beneficiary"), **data
    )
    return application.pk


class RepresentativeSerializer(serializers.ModelSerializer):
    valid_from = StrictDateField()
    valid_to = StrictDateField(required=False, allow_null=True)

    class Meta:
        model = AuthorizedRepresentative
        fields = [
            "id",
            "beneficiary",
            "name",
            "relationship",
            "phone",
            "email",
            "address",
            "document",
            "valid_from",
            "valid_to",
            "created_at",
        ]
        read_only_fields = ["id", "beneficiary", "created_at"]
        extra_kwargs = {
            "phone": {"required": False},
            "email": {"required": False},
            "address": {"required": False},
        }


class RepresentativeEndSerializer(serializers.Serializer):
    valid_to = StrictDateField(required=False, help_text="Last day it is valid; default today.")


class _Representatives(APIView):
    """List and record representatives; ``_person`` is the path's person (None: the member)."""

    def _person(self, kwargs: dict[str, Any]) -> int | None:
        return int(kwargs["pk"]) if "pk" in kwargs else None

    @extend_schema(responses={200: RepresentativeSerializer(many=True)})
    def get(self, request: Request, **kwargs: Any) -> Response:
        rows = representatives.representatives_list(
            actor=_user(request), beneficiary_id=self._person(kwargs)
        )
        return Response(RepresentativeSerializer(rows, many=True).data)

    @extend_schema(
        request=RepresentativeSerializer,
        responses={201: RepresentativeSerializer, 400: OpenApiResponse(description="Invalid")},
    )
    def post(self, request: Request, **kwargs: Any) -> Response:
        # Who may is decided first, so an outsider learns nothing from the body's errors.
        representatives.representatives_require_access(
            actor=_user(request), beneficiary_id=self._person(kwargs)
        )
        body = RepresentativeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        added = representatives.representative_add(
            actor=_user(request), beneficiary_id=self._person(kwargs), **body.validated_data
        )
        return Response(RepresentativeSerializer(added).data, status=status.HTTP_201_CREATED)


class MeRepresentativesView(_Representatives):
    """The member's own authorized representatives."""


class BeneficiaryRepresentativesView(_Representatives):
    """A person's authorized representatives (staff of an organization serving them, admins)."""


class _RepresentativeEnd(APIView):
    def _person(self, kwargs: dict[str, Any]) -> int | None:
        return int(kwargs["pk"]) if "pk" in kwargs else None

    @extend_schema(
        request=RepresentativeEndSerializer,
        responses={200: RepresentativeSerializer, 409: OpenApiResponse(description="Ended")},
    )
    def post(self, request: Request, rep_pk: int, **kwargs: Any) -> Response:
        representatives.representatives_require_access(
            actor=_user(request), beneficiary_id=self._person(kwargs)
        )
        body = RepresentativeEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ended = representatives.representative_end(
            actor=_user(request),
            representative_id=int(rep_pk),
            beneficiary_id=self._person(kwargs),
            valid_to=body.validated_data.get("valid_to"),
        )
        return Response(RepresentativeSerializer(ended).data)


class MeRepresentativeEndView(_RepresentativeEnd):
    """End one of the member's own representatives."""


class BeneficiaryRepresentativeEndView(_RepresentativeEnd):
    """End a person's representative (staff of an organization serving them, admins)."""
