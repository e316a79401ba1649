"""The enrollment files out API (administrators only), under ``/api/v1/``: thin adapters over
``interchange.exports``.

``GET /api/v1/enrollment-files`` (paged, newest first: plan, period, control number, counts, who)
and ``GET /api/v1/enrollment-files/{id}/file`` (the stored 834, audited). Files are made with
``manage.py export_834`` or in the admin. Who may read them is decided in ``exports`` (admins;
staff and members 403), never here.
"""

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from interchange import exports
from interchange.models import EnrollmentFileExport


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class EnrollmentFileSerializer(serializers.ModelSerializer):
    plan_code = serializers.CharField(
        source="medi_cal_plan.state_code", help_text="The plan's code at the state."
    )
    plan_name = serializers.CharField(source="medi_cal_plan.name")
    created_by = serializers.CharField(
        source="created_by.username",
        allow_null=True,
        default=None,
        help_text="The administrator; null for the command without --user.",
    )

    class Meta:
        model = EnrollmentFileExport
        fields = [
            "id",
            "medi_cal_plan",
            "plan_code",
            "plan_name",
            "period_start",
            "period_end",
            "full",
            "interchange_control",
            "file_name",
            "sha256",
            "size_bytes",
            "members",
            "additions",
            "terminations",
            "reinstatements",
            "changes",
            "audits",
            "segments",
            "earlier_export",
            "created_by",
            "created_at",
        ]


class EnrollmentFileListView(mixins.ListModelMixin, GenericAPIView):
    """The 834 files made for the Medi-Cal plans, newest first."""

    serializer_class = EnrollmentFileSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return EnrollmentFileExport.objects.none()
        return exports.export_list(actor=_user(self.request))

    @extend_schema(description="The 834 files made for the Medi-Cal plans, newest first.")
    def get(self, request: Request) -> Response:
        return self.list(request)


class EnrollmentFileDownloadView(APIView):
    """One export's stored 834 file (``application/edi-x12``)."""

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # Refusals are JSON whatever the Accept header asked for.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="v1_enrollment_files_file",
        responses={
            (200, "application/edi-x12"): OpenApiTypes.STR,
            (404, "application/json"): OpenApiResponse(description="No such file"),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        export, handle = exports.export_file_open(actor=_user(request), export_id=int(pk))
        return FileResponse(
            handle,
            as_attachment=True,
            filename=export.file_name,
            content_type="application/edi-x12",
        )
