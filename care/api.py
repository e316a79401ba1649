"""The care API: thin adapters over ``care.selectors`` and ``care.services``.

``GET /api/v1/enrollments/{id}/care``, ``GET /api/v1/care/tasks`` (filters ``kind``,
``status``, ``overdue``, ``mine``; paged), ``POST /api/v1/continuity-requests``,
``POST /api/v1/continuity-requests/{id}/decide``, ``POST
/api/v1/enrollments/{id}/care/hospital-stays`` and ``POST
/api/v1/care/hospital-stays/{id}/discharge``. Who may see or do what is decided there.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.fields import StrictDateField
from accounts.models import User
from care import selectors, services
from care.models import (
    AssessmentKind,
    AssessmentStatus,
    CareTask,
    ContinuityRequest,
    ContinuityStatus,
    ContinuityUrgency,
    HospitalStay,
    OutreachAttempt,
    PlanItemKind,
    TaskKind,
    TaskStatus,
)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutreachAttempt
        fields = ["attempted_on", "channel", "result"]
        read_only_fields = fields


class HraSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AssessmentKind.choices)
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    overdue = serializers.BooleanField(help_text="Still due after its due date passed.")
    attempts = AttemptSerializer(many=True, help_text="Outreach attempts, oldest first.")
    completed_on = serializers.DateField(allow_null=True)


class CoordinatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()


class PlanItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PlanItemKind.choices)
    description = serializers.CharField()
    owner = serializers.CharField(
        help_text="Who carries it out: a team member, the member, or the coordinator."
    )
    target_date = serializers.DateField()


class CarePlanSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    reason = serializers.CharField()
    summary = serializers.CharField()
    assessment = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    shared_on = serializers.DateField(allow_null=True)
    items = PlanItemSerializer(many=True)


class TeamEntrySerializer(serializers.Serializer):
    role = serializers.CharField(help_text="`member`, `care_coordinator`, or a team role.")
    name = serializers.CharField()
    organization = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class HospitalStaySerializer(serializers.ModelSerializer):
    class Meta:
        model = HospitalStay
        fields = ["id", "facility", "admitted_on", "discharged_on", "recorded_at"]
        read_only_fields = fields


class HospitalStayCreateSerializer(serializers.Serializer):
    facility = serializers.CharField(max_length=128, help_text="The hospital's name.")
    admitted_on = StrictDateField()
    discharged_on = StrictDateField(
        required=False, allow_null=True, default=None, help_text="Empty while still in hospital."
    )


class DischargeSerializer(serializers.Serializer):
    discharged_on = StrictDateField()


class CareSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    coordinator = CoordinatorSerializer(allow_null=True)
    hra = HraSerializer(allow_null=True, help_text="The current assessment (due, or the latest).")
    care_plan = CarePlanSerializer(
        allow_null=True, help_text="The latest revision (members: the latest shared)."
    )
    care_team = TeamEntrySerializer(many=True)
    member_phone = serializers.CharField(help_text="The plan's one member services number.")
    hospital_stays = HospitalStaySerializer(many=True, help_text="Latest admission first.")


def _care_body(view: selectors.CareView) -> dict[str, Any]:
    coordinator = view.coordinator
    plan = view.care_plan
    return {
        "enrollment": view.enrollment.pk,
        "coordinator": (
            {
                "id": coordinator.pk,
                "name": selectors.coordinator_name(coordinator),
                "email": coordinator.membership.user.email,
            }
            if coordinator
            else None
        ),
        "hra": selectors.hra_summary(view),
        "care_plan": (
            {
                "revision": plan.revision,
                "reason": plan.reason,
                "summary": plan.summary,
                "assessment": plan.assessment_id,
                "created_at": plan.created_at,
                "shared_on": plan.shared_on,
                "items": [
                    {
                        "kind": item.kind,
                        "description": item.description,
                        "owner": (
                            item.owner.name
                            if item.owner
                            else "member"
                            if item.owner_is_member
                            else "care coordinator"
                        ),
                        "target_date": item.target_date,
                    }
                    for item in plan.items.all()
                ],
            }
            if plan
            else None
        ),
        "care_team": [
            {
                "role": entry.role,
                "name": entry.name,
                "organization": entry.organization,
                "phone": entry.phone,
                "email": entry.email,
            }
            for entry in view.team
        ],
        "member_phone": view.member_phone,
        "hospital_stays": view.hospital_stays,
    }


class EnrollmentCareView(APIView):
    """A member's care coordination: coordinator, assessment, care plan and team."""

    @extend_schema(responses={200: CareSerializer})
    def get(self, request: Request, pk: str) -> Response:
        view = selectors.enrollment_care_get(actor=_user(request), enrollment_id=int(pk))
        return Response(CareSerializer(_care_body(view)).data)


class TaskFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TaskKind.choices, required=False)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    mine = serializers.BooleanField(required=False, default=False, help_text="Only my cases.")


class CareTaskSerializer(serializers.ModelSerializer):
    enrollment = serializers.IntegerField(source="case.enrollment_id", read_only=True)
    beneficiary = serializers.IntegerField(source="case.enrollment.beneficiary_id", read_only=True)
    coordinator = serializers.IntegerField(
        source="case.coordinator_id", read_only=True, allow_null=True
    )

    class Meta:
        model = CareTask
        fields = [
            "id",
            "kind",
            "status",
            "due_date",
            "overdue",
            "overdue_since",
            "enrollment",
            "beneficiary",
            "coordinator",
            "assessment",
            "continuity_request",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema(parameters=[TaskFilterSerializer])
class CareTaskListView(generics.ListAPIView):
    """The coordinators' work queue: assessments due, care plans to write, reassessments."""

    serializer_class = CareTaskSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CareTask.objects.none()
        filters = TaskFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.care_task_list(actor=_user(self.request), **filters.validated_data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        selectors.care_task_rows_audit(actor=_user(request), tasks=rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class ContinuityCreateSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    provider_name = serializers.CharField(max_length=128)
    npi = serializers.CharField(max_length=10, help_text="10 digits, with its check digit.")
    specialty = serializers.CharField(max_length=128)
    last_seen_on = StrictDateField()
    urgency = serializers.ChoiceField(
        choices=ContinuityUrgency.choices, default=ContinuityUrgency.STANDARD
    )


class ContinuitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ContinuityRequest
        fields = [
            "id",
            "enrollment",
            "provider_name",
            "npi",
            "specialty",
            "last_seen_on",
            "urgency",
            "received_on",
            "decision_due",
            "status",
            "note",
            "valid_until",
            "decided_at",
        ]
        read_only_fields = fields


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[(ContinuityStatus.APPROVED, "Approved"), (ContinuityStatus.DENIED, "Denied")]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ContinuityCreateView(APIView):
    """Ask to keep seeing an out-of-network provider (a member for themselves, staff for a
    member of their plan)."""

    @extend_schema(
        request=ContinuityCreateSerializer,
        responses={
            201: ContinuitySerializer,
            404: OpenApiResponse(description="No such enrollment, or not one you may see."),
        },
    )
    def post(self, request: Request) -> Response:
        body = ContinuityCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = services.continuity_request_create(
            actor=_user(request),
            enrollment_id=data["enrollment"],
            provider_name=data["provider_name"],
            npi=data["npi"],
            specialty=data["specialty"],
            last_seen_on=data["last_seen_on"],
            urgency=data["urgency"],
        )
        return Response(ContinuitySerializer(created).data, status=status.HTTP_201_CREATED)


class ContinuityDecideView(APIView):
    """Approve (until up to 12 months from the enrollment's start) or deny a request."""

    @extend_schema(
        request=DecideSerializer,
        responses={
            200: ContinuitySerializer,
            409: OpenApiResponse(description="Already decided (body has `status`)."),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        request_id = int(pk)
        services.continuity_request_require_visible(actor=_user(request), request_id=request_id)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = services.continuity_request_decide(
            actor=_user(request),
            request=ContinuityRequest(pk=request_id),
            decision=body.validated_data["decision"],
            note=body.validated_data["note"],
        )
        return Response(ContinuitySerializer(decided).data)


class HospitalStayCreateView(APIView):
    """Record a member's hospital stay (staff of the member's plan, admins). With a discharge
    date, a ``care_plan`` work item is opened, due ``CARE_PLAN_AFTER_DISCHARGE_DAYS`` later."""

    @extend_schema(
        request=HospitalStayCreateSerializer,
        responses={
            201: HospitalStaySerializer,
            403: OpenApiResponse(description="Members may not record hospital stays."),
            404: OpenApiResponse(description="No such enrollment, or not one you may see."),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        user = _user(request)
        case = selectors.care_case_for_enrollment(actor=user, enrollment_id=int(pk))
        body = HospitalStayCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stay = services.hospital_stay_record(actor=user, case_id=case.pk, **body.validated_data)
        return Response(HospitalStaySerializer(stay).data, status=status.HTTP_201_CREATED)


class HospitalStayDischargeView(APIView):
    """Record the discharge of a stay recorded while the member was still in hospital."""

    @extend_schema(
        request=DischargeSerializer,
        responses={
            200: HospitalStaySerializer,
            403: OpenApiResponse(description="Members may not record hospital stays."),
            404: OpenApiResponse(description="No such stay, or not one you may see."),
            409: OpenApiResponse(description="The discharge is already recorded."),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        user = _user(request)
        selectors.hospital_stay_get(actor=user, stay_id=int(pk))
        body = DischargeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stay = services.hospital_stay_discharge(
            actor=user, stay_id=int(pk), discharged_on=body.validated_data["discharged_on"]
        )
        return Response(HospitalStaySerializer(stay).data)
