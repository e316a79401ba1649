"""The appeals and grievances API: thin adapters over ``care.appeals``.

``POST /api/v1/grievances`` and ``POST /api/v1/appeals`` (``enrollment``, ``description``,
``expedited``, staff also ``representative``) → 201 with ``due_at``; ``GET`` the same paths
(paged, filter ``status``) and ``/{id}``; ``POST /{id}/resolve`` (``outcome``, ``note``,
``oral_notice_at``); ``POST /{id}/extend`` (``requested_by``, ``reason``, ``days``) and
``POST /{id}/deny-expedite`` (``reason``). Who may see or do what is decided in
``care.appeals``.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from care import appeals
from care.models import (
    AppealCase,
    AppealCaseChange,
    AppealKind,
    AppealOutcome,
    AppealStatus,
    ExtensionRequestedBy,
)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class AppealCreateSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    description = serializers.CharField(max_length=5000)
    expedited = serializers.BooleanField(
        default=False, help_text="The member's health needs a fast answer."
    )
    representative = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="The member's authorized representative who filed it (staff recording a call).",
    )


class AppealChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppealCaseChange
        fields = ["from_status", "to_status", "at", "note"]
        read_only_fields = fields


class AppealCaseSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField(help_text="Open and past its due time.")
    outcome = serializers.ChoiceField(
        choices=AppealOutcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty while open.",
    )
    extension_requested_by = serializers.ChoiceField(
        choices=ExtensionRequestedBy.choices,
        allow_blank=True,
        read_only=True,
        help_text="Who asked for the case's one extension; empty until extended.",
    )

    class Meta:
        model = AppealCase
        fields = [
            "id",
            "kind",
            "enrollment",
            "channel",
            "description",
            "expedited",
            "representative",
            "received_at",
            "due_at",
            "status",
            "overdue",
            "outcome",
            "resolution_note",
            "resolved_at",
            "oral_notice_at",
            "extended_at",
            "extension_requested_by",
            "extension_days",
            "extension_reason",
            "due_at_before_extension",
            "expedite_denied_at",
            "expedite_denial_reason",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "expedited": {"help_text": "On the expedited clock now (false once denied)."},
            "oral_notice_at": {"help_text": "When the member was told the decision by phone."},
            "extended_at": {"help_text": "When the case's one extension was recorded."},
            "due_at_before_extension": {"help_text": "The due time the extension moved."},
            "expedite_denied_at": {
                "help_text": "When the plan decided the expedited request did not qualify."
            },
        }

    def get_overdue(self, case: AppealCase) -> bool:
        return appeals.appeal_is_overdue(case)


class AppealCaseDetailSerializer(AppealCaseSerializer):
    history = AppealChangeSerializer(source="changes", many=True, read_only=True)

    class Meta(AppealCaseSerializer.Meta):
        fields = [*AppealCaseSerializer.Meta.fields, "history"]
        read_only_fields = fields


class AppealResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AppealOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    oral_notice_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the member was told the decision by phone: required for an expedited "
        "appeal decided against the member.",
    )


class AppealExtendSerializer(serializers.Serializer):
    requested_by = serializers.ChoiceField(
        choices=ExtensionRequestedBy.choices,
        help_text="`member`: the member asked for more time; `plan`: the plan needs more "
        "information and the delay is in the member's interest (then `reason` is required).",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Why: it is written in the member's letter.",
    )
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=366,
        help_text="Calendar days, 1 to the setting's maximum (14); the maximum when absent.",
    )


class AppealDenyExpediteSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000,
        help_text="Why the member's health does not need the fast timeframe (in the letter).",
    )


class ListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AppealStatus.choices, required=False)


class _CasesView(generics.ListAPIView):
    """Staff: their organization's cases; members: their own; open ones soonest due first."""

    kind: str = ""
    serializer_class = AppealCaseSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AppealCase.objects.none()
        filters = ListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return appeals.appeal_case_list(
            actor=_user(self.request), kind=self.kind, **filters.validated_data
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        appeals.appeal_cases_audit(actor=_user(request), cases=rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(
        request=AppealCreateSerializer,
        responses={
            201: AppealCaseSerializer,
            404: OpenApiResponse(description="No such enrollment, or not one you may see."),
        },
    )
    def post(self, request: Request) -> Response:
        body = AppealCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = appeals.appeal_case_file(
            actor=_user(request),
            kind=self.kind,
            enrollment_id=data["enrollment"],
            description=data["description"],
            expedited=data["expedited"],
            representative_id=data["representative"],
        )
        return Response(AppealCaseSerializer(case).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(parameters=[ListFilterSerializer]))
class GrievanceListView(_CasesView):
    """File a grievance (any dissatisfaction), or list grievances."""

    kind = AppealKind.GRIEVANCE


@extend_schema_view(get=extend_schema(parameters=[ListFilterSerializer]))
class AppealListView(_CasesView):
    """File an appeal of an adverse decision (an integrated reconsideration), or list appeals."""

    kind = AppealKind.APPEAL


class _CaseDetailView(APIView):
    kind: str = ""

    @extend_schema(responses={200: AppealCaseDetailSerializer})
    def get(self, request: Request, pk: str) -> Response:
        case = appeals.appeal_case_get(actor=_user(request), case_id=int(pk), kind=self.kind)
        return Response(AppealCaseDetailSerializer(case).data)


class GrievanceDetailView(_CaseDetailView):
    """One grievance with its history."""

    kind = AppealKind.GRIEVANCE


class AppealDetailView(_CaseDetailView):
    """One appeal with its history."""

    kind = AppealKind.APPEAL


class _CaseResolveView(APIView):
    kind: str = ""

    @extend_schema(
        request=AppealResolveSerializer,
        responses={
            200: AppealCaseSerializer,
            409: OpenApiResponse(description="Already resolved (body has `status`)."),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        case_id = int(pk)
        appeals.appeal_case_require_resolvable(
            actor=_user(request), case_id=case_id, kind=self.kind
        )
        body = AppealResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = appeals.appeal_case_resolve(
            actor=_user(request),
            case_id=case_id,
            kind=self.kind,
            outcome=body.validated_data["outcome"],
            note=body.validated_data["note"],
            oral_notice_at=body.validated_data["oral_notice_at"],
        )
        return Response(AppealCaseSerializer(case).data)


class GrievanceResolveView(_CaseResolveView):
    """Resolve a grievance (staff of the member's plan, admins); queues the decision letter."""

    kind = AppealKind.GRIEVANCE


class AppealResolveView(_CaseResolveView):
    """Decide an appeal (staff of the member's plan, admins); queues the decision letter, with
    the member's hearing and independent review rights when it goes against them."""

    kind = AppealKind.APPEAL


_CHANGE_RESPONSES = {
    200: AppealCaseSerializer,
    403: OpenApiResponse(description="Members may not change a case."),
    404: OpenApiResponse(description="No such case, or not one you may see."),
}


class _CaseExtendView(APIView):
    kind: str = ""

    @extend_schema(
        request=AppealExtendSerializer,
        responses={
            **_CHANGE_RESPONSES,
            409: OpenApiResponse(
                description="Resolved, already extended once, or past its due time (body has "
                "`status` and `due_at`)."
            ),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        case_id = int(pk)
        appeals.appeal_case_require_resolvable(
            actor=_user(request), case_id=case_id, kind=self.kind
        )
        body = AppealExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = appeals.appeal_case_extend(
            actor=_user(request), case_id=case_id, kind=self.kind, **body.validated_data
        )
        return Response(AppealCaseSerializer(case).data)


class GrievanceExtendView(_CaseExtendView):
    """Extend a grievance's due time once, by up to 14 days, before it is due; queues the
    member's extension letter (staff of the member's plan, admins)."""

    kind = AppealKind.GRIEVANCE


class AppealExtendView(_CaseExtendView):
    """Extend an appeal's due time once, by up to 14 days, before it is due; queues the
    member's extension letter (staff of the member's plan, admins)."""

    kind = AppealKind.APPEAL


class _CaseDenyExpediteView(APIView):
    kind: str = ""

    @extend_schema(
        request=AppealDenyExpediteSerializer,
        responses={
            **_CHANGE_RESPONSES,
            409: OpenApiResponse(
                description="Resolved, not expedited, extended, or past its expedited due "
                "time (body has `status` and `expedited`)."
            ),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        case_id = int(pk)
        appeals.appeal_case_require_resolvable(
            actor=_user(request), case_id=case_id, kind=self.kind
        )
        body = AppealDenyExpediteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = appeals.appeal_case_deny_expedite(
            actor=_user(request),
            case_id=case_id,
            kind=self.kind,
            reason=body.validated_data["reason"],
        )
        return Response(AppealCaseSerializer(case).data)


class GrievanceDenyExpediteView(_CaseDenyExpediteView):
    """Decide an expedited grievance request does not qualify: it moves to the standard clock
    (due 30 days from receipt) and the member gets a letter (staff, admins)."""

    kind = AppealKind.GRIEVANCE


class AppealDenyExpediteView(_CaseDenyExpediteView):
    """Decide an expedited appeal request does not qualify: it moves to the standard clock
    (due 30 days from receipt) and the member gets a letter (staff, admins)."""

    kind = AppealKind.APPEAL
