"""The applications and enrollments API. Views check who may act, then call a service."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary
from eligibility.services import beneficiary_link
from enrollment import services
from enrollment.api.serializers import (
    ApplicationSerializer,
    DenySerializer,
    DisenrollSerializer,
    EnrollmentSerializer,
    LinkSerializer,
    MeSerializer,
    NoteSerializer,
    QueueFilterSerializer,
    RequestInfoSerializer,
)
from enrollment.models import Application, Enrollment
from enrollment.selectors import (
    application_queue,
    applications_visible_to,
    beneficiaries_visible_to,
    enrollments_visible_to,
    staff_organization_id,
)

CONFLICT = OpenApiResponse(description="Illegal move for the current status (body has `status`)")
NOT_ELIGIBLE = OpenApiResponse(description="Refused by the rules (body has `reasons`)")


def request_user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def require_staff(user: User) -> None:
    if not (user.is_admin or user.is_plan_staff):
        raise PermissionDenied("Only plan enrollment staff can do this.")


def _audit_staff_read(user: User, object_type: str, object_id: object) -> None:
    """Every read of a member record by staff or an admin is audited."""
    if user.is_admin or user.is_plan_staff:
        audit_record(actor=user, action="read", object_type=object_type, object_id=object_id)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (`Authorization: Token <key>`)."""


@extend_schema_view(
    list=extend_schema(parameters=[QueueFilterSerializer]),
    create=extend_schema(description="A member starts a draft application for themselves."),
    partial_update=extend_schema(description="Change a draft (plan, contact, language, format)."),
)
class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members see and create their own applications; staff work their organization's queue."""

    serializer_class = ApplicationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Application.objects.none()
        user = request_user(self.request)
        if self.action != "list":
            return applications_visible_to(user)
        filters = QueueFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        search = data.pop("q", None)
        return application_queue(user, search=search, **data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self.get_object()
        _audit_staff_read(request_user(request), "application", application.pk)
        return Response(self.get_serializer(application).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        user = request_user(request)
        if user.is_admin or user.is_plan_staff:
            audit_record(
                actor=user,
                action="read",
                object_type="application_queue",
                object_id="list",
                detail={"ids": [row["id"] for row in response.data["results"]]},
            )
        return response

    def _beneficiary_of(self, user: User) -> Beneficiary:
        beneficiary = Beneficiary.objects.filter(user=user).first()
        if beneficiary is None:
            raise PermissionDenied(
                "Link your account to your Medicare and Medi-Cal record before you apply."
            )
        return beneficiary

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        beneficiary = self._beneficiary_of(user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_create(
            beneficiary=beneficiary, actor=user, **serializer.validated_data
        )
        return Response(
            self.get_serializer(applications_visible_to(user).get(pk=application.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self._own(request)
        serializer = self.get_serializer(application, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.application_update_draft(
            application=application,
            actor=request_user(request),
            changes=dict(serializer.validated_data),
        )
        return self._reply(request, application)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def _own(self, request: Request) -> Application:
        application = self.get_object()
        if application.beneficiary.user_id != request_user(request).pk:
            raise PermissionDenied("Only the member can do this with their application.")
        return application

    def _staff_object(self, request: Request) -> Application:
        require_staff(request_user(request))
        return self.get_object()

    def _reply(self, request: Request, application: Application) -> Response:
        fresh = applications_visible_to(request_user(request)).get(pk=application.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        request=None, responses={200: ApplicationSerializer, 409: CONFLICT, 422: NOT_ELIGIBLE}
    )
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request: Request, pk: str | None = None) -> Response:
        application = self._own(request)
        services.application_submit(application=application, actor=request_user(request))
        return self._reply(request, application)

    @extend_schema(request=None, responses={200: ApplicationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: str | None = None) -> Response:
        application = self._staff_object(request)
        services.application_start_review(application=application, actor=request_user(request))
        return self._reply(request, application)

    @extend_schema(
        request=None, responses={200: ApplicationSerializer, 409: CONFLICT, 422: NOT_ELIGIBLE}
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request: Request, pk: str | None = None) -> Response:
        application = self._staff_object(request)
        services.application_approve(application=application, actor=request_user(request))
        return self._reply(request, application)

    @extend_schema(request=DenySerializer, responses={200: ApplicationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="deny")
    def deny(self, request: Request, pk: str | None = None) -> Response:
        application = self._staff_object(request)
        body = DenySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_deny(
            application=application,
            actor=request_user(request),
            reasons=body.validated_data["reasons"],
            note=body.validated_data["note"],
        )
        return self._reply(request, application)

    @extend_schema(
        request=RequestInfoSerializer, responses={200: ApplicationSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request: Request, pk: str | None = None) -> Response:
        application = self._staff_object(request)
        body = RequestInfoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_request_info(
            application=application, actor=request_user(request), note=body.validated_data["note"]
        )
        return self._reply(request, application)

    @extend_schema(request=NoteSerializer, responses={200: ApplicationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        user = request_user(request)
        if not (user.is_admin or user.is_plan_staff) and application.beneficiary.user_id != user.pk:
            raise PermissionDenied("Only the member or staff can withdraw this application.")
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_withdraw(
            application=application, actor=user, note=body.validated_data["note"]
        )
        return self._reply(request, application)


class BeneficiaryEnrollmentsView(APIView):
    """A person's enrollments, Medi-Medi and Medi-Cal, oldest first."""

    @extend_schema(responses={200: EnrollmentSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        beneficiary = get_object_or_404(beneficiaries_visible_to(user), pk=pk)
        _audit_staff_read(user, "beneficiary_enrollments", beneficiary.pk)
        enrollments = Enrollment.objects.filter(beneficiary=beneficiary).select_related(
            "medi_medi_plan", "medi_cal_plan"
        )
        return Response(EnrollmentSerializer(enrollments, many=True).data)


class DisenrollView(APIView):
    """End a Medi-Medi enrollment on the last day of the month of the request."""

    @extend_schema(
        request=DisenrollSerializer,
        responses={
            200: EnrollmentSerializer,
            400: OpenApiResponse(description="Not a Medi-Medi enrollment"),
            409: CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        queryset = enrollments_visible_to(user)
        org = staff_organization_id(user)
        if org is not None:  # staff end only their own organization's enrollments
            queryset = queryset.filter(medi_medi_plan__organization_id=org)
        enrollment = get_object_or_404(queryset, pk=pk)
        body = DisenrollSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        requested_on = body.validated_data.get("requested_on")
        if requested_on is not None and not (user.is_admin or user.is_plan_staff):
            raise PermissionDenied("Members request disenrollment as of today.")
        ended = services.enrollment_disenroll(
            enrollment=enrollment,
            actor=user,
            requested_on=requested_on,
            note=body.validated_data["note"],
        )
        return Response(EnrollmentSerializer(ended).data)


class MeView(APIView):
    """Who is logged in, and the beneficiary record their account is linked to."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        user = request_user(request)
        beneficiary = Beneficiary.objects.filter(user=user).values_list("pk", flat=True).first()
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "role": user.role,
                    "organization": user.organization_id,
                    "beneficiary": beneficiary,
                }
            ).data
        )


class LinkView(APIView):
    """Link the logged-in member to their record: MBI or CIN, date of birth and last name."""

    @extend_schema(request=LinkSerializer, responses={200: MeSerializer})
    def post(self, request: Request) -> Response:
        body = LinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = request_user(request)
        beneficiary = beneficiary_link(user=user, **body.validated_data)
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "role": user.role,
                    "organization": user.organization_id,
                    "beneficiary": beneficiary.pk,
                }
            ).data
        )
