"""The applications and enrollments API: thin adapters over the selectors and services.

Views parse the request, call one selector or service with the acting user, and serialize what
comes back. Who may see or do what is decided there (``enrollment.access``), never here; a
refusal is a domain error that the API error handler turns into its status (403, 404, 409...).
"""

from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.ratelimit import client_address
from eligibility.services import beneficiary_link
from enrollment import selectors, services
from enrollment.api.intake import IntakeSerializer, intake_create
from enrollment.api.pagination import KeysetPagination, request_cursor
from enrollment.api.record_serializers import BeneficiaryEnrollmentSerializer
from enrollment.api.serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ApproveSerializer,
    DenySerializer,
    DisenrollSerializer,
    EnrollmentSerializer,
    LeaveRequestSerializer,
    LinkSerializer,
    MeSerializer,
    NoteSerializer,
    QueueFilterSerializer,
    RequestInfoSerializer,
)
from enrollment.models import Application, Enrollment

CONFLICT = OpenApiResponse(description="Illegal move for the current status (body has `status`)")
NOT_ELIGIBLE = OpenApiResponse(description="Refused by the rules (body has `reasons`)")


def request_user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(parameters=[QueueFilterSerializer]),
    create=extend_schema(
        description=(
            "A member starts a draft application for themselves. Staff and admins record an "
            "election received by phone, paper, in person or through a broker by naming the "
            "`beneficiary` (body: Intake); it is created submitted."
        ),
        request=PolymorphicProxySerializer(
            component_name="ApplicationCreate",
            serializers=[ApplicationSerializer, IntakeSerializer],
            resource_type_field_name=None,
        ),
        responses={201: ApplicationDetailSerializer},
    ),
    retrieve=extend_schema(responses=ApplicationDetailSerializer),
    partial_update=extend_schema(
        description="Change a draft (plan, contact, language, format).",
        responses=ApplicationDetailSerializer,
    ),
    update=extend_schema(responses=ApplicationDetailSerializer),
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
    queryset = Application.objects.none()  # for schema generation only: the selectors read
    pagination_class = KeysetPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def _pk(self) -> int:
        """The application id from the path (the service or selector decides who may use it)."""
        return int(self.kwargs["pk"])

    def _visible_pk(self) -> int:
        """The application id, once the actor may see it: an outsider is told 404 before
        anything else (not which role or which fields would be needed)."""
        pk = self._pk()
        selectors.application_require_visible(actor=request_user(self.request), application_id=pk)
        return pk

    def _reply(self, request: Request, application_id: int, **kwargs: Any) -> Response:
        actor = request_user(request)
        application = selectors.application_get(actor=actor, application_id=application_id)
        # The person's other open applications, and which election stands (issue 10).
        application.other_open_applications = list(  # type: ignore[attr-defined]
            selectors.open_applications(
                actor=actor, beneficiary_id=application.beneficiary_id, exclude=application.pk
            )
        )
        serializer = ApplicationDetailSerializer(application, context=self.get_serializer_context())
        return Response(serializer.data, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = QueueFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        search = data.pop("q", None)
        page = selectors.application_list_page(
            actor=request_user(request), cursor=request_cursor(request), search=search, **data
        )
        rows = self.get_serializer(page.object_list, many=True).data
        assert isinstance(self.paginator, KeysetPagination)
        return self.paginator.respond(request, page, list(rows))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._reply(request, self._pk())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        if isinstance(request.data, dict) and request.data.get("beneficiary") is not None:
            # An election made elsewhere, for a named person: the service allows staff only.
            return self._reply(request, intake_create(request), status=status.HTTP_201_CREATED)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_create(actor=user, **serializer.validated_data)
        return self._reply(request, application.pk, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application_id = self._visible_pk()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.application_update_draft(
            application=Application(pk=application_id),
            actor=request_user(request),
            changes=dict(serializer.validated_data),
        )
        return self._reply(request, application_id)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=None, responses={200: ApplicationDetailSerializer, 409: CONFLICT, 422: NOT_ELIGIBLE}
    )
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request: Request, pk: str | None = None) -> Response:
        application_id = self._visible_pk()
        services.application_submit(
            application=Application(pk=application_id), actor=request_user(request)
        )
        return self._reply(request, application_id)

    @extend_schema(request=None, responses={200: ApplicationDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: str | None = None) -> Response:
        application_id = self._visible_pk()
        services.application_start_review(
            application=Application(pk=application_id), actor=request_user(request)
        )
        return self._reply(request, application_id)

    @extend_schema(
        request=ApproveSerializer,
        responses={200: ApplicationDetailSerializer, 409: CONFLICT, 422: NOT_ELIGIBLE},
        description=(
            "Approve and enroll. Approved after the effective date, coverage starts on the next "
            "first of a month and `effective_date_note` says why; an admin may keep an earlier "
            "`effective_date` with a `reason` (staff: 403)."
        ),
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request: Request, pk: str | None = None) -> Response:
        application_id = self._visible_pk()
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_approve(
            application=Application(pk=application_id),
            actor=request_user(request),
            effective_date=body.validated_data.get("effective_date"),
            reason=body.validated_data["reason"],
        )
        return self._reply(request, application_id)

    @extend_schema(
        request=DenySerializer, responses={200: ApplicationDetailSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="deny")
    def deny(self, request: Request, pk: str | None = None) -> Response:
        application_id = self._visible_pk()
        body = DenySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_deny(
            application=Application(pk=application_id),
            actor=request_user(request),
            reasons=body.validated_data["reasons"],
            note=body.validated_data["note"],
        )
        return self._reply(request, application_id)

    @extend_schema(
        request=RequestInfoSerializer, responses={200: ApplicationDetailSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request: Request, pk: str | None = None) -> Response:
        application_id = self._visible_pk()
        body = RequestInfoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_request_info(
            application=Application(pk=application_id),
            actor=request_user(request),
            note=body.validated_data["note"],
        )
        return self._reply(request, application_id)

    @extend_schema(
        request=NoteSerializer, responses={200: ApplicationDetailSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        application_id = self._visible_pk()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_withdraw(
            application=Application(pk=application_id),
            actor=request_user(request),
            note=body.validated_data["note"],
        )
        return self._reply(request, application_id)


class BeneficiaryEnrollmentsView(APIView):
    """A person's enrollments, Medi-Medi and Medi-Cal, oldest first.

    Staff see their organization's enrollments in full; of another organization only the kind
    and the dates (`id`, `plan` and `end_reason` null, `plan_name` "Another Medi-Medi Plan").
    """

    @extend_schema(responses={200: BeneficiaryEnrollmentSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        views = selectors.beneficiary_enrollments(
            actor=request_user(request), beneficiary_id=int(pk)
        )
        return Response(BeneficiaryEnrollmentSerializer(views, many=True).data)


class DisenrollView(APIView):
    """End a Medi-Medi enrollment on the last day of the month of the request.

    A member asking to leave the aligned Medi-Cal plan opens a disenrollment review for the
    plan's staff (202, with the review); nothing ends until they decide.
    """

    @extend_schema(
        request=DisenrollSerializer,
        responses={
            200: EnrollmentSerializer,
            202: LeaveRequestSerializer,
            400: OpenApiResponse(description="Staff: not a Medi-Medi enrollment"),
            409: CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = DisenrollSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.enrollment_leave(
            enrollment=Enrollment(pk=int(pk)),
            actor=request_user(request),
            requested_on=body.validated_data.get("requested_on"),
            note=body.validated_data["note"],
        )
        if result.review is None:
            return Response(EnrollmentSerializer(result.enrollment).data)
        review = result.review
        answer = {
            "detail": services.LEAVE_REVIEW_MESSAGE,
            "enrollment": result.enrollment.pk,
            "review": {
                "id": review.pk,
                "kind": review.kind,
                "status": review.status,
                "due_date": review.due_date,
            },
        }
        return Response(LeaveRequestSerializer(answer).data, status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    """Who is logged in, and the beneficiary record their account is linked to."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(selectors.me(actor=request_user(request))).data)


class LinkView(APIView):
    """Link the logged-in member to their record: MBI or CIN, date of birth and last name."""

    @extend_schema(request=LinkSerializer, responses={200: MeSerializer})
    def post(self, request: Request) -> Response:
        user = request_user(request)
        selectors.member_record(actor=user)  # staff and admins are refused before any input
        body = LinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        beneficiary_link(user=user, client_address=client_address(request), **body.validated_data)
        return Response(MeSerializer(selectors.me(actor=user)).data)
