"""The eligibility imports API (administrators only): thin adapters over the interchange
selectors and services.

``GET /api/v1/imports`` (paged, newest first), ``GET /api/v1/imports/{id}`` (the report the
command prints with ``--json``, with the status, why a file could not be read and, while it
runs, its progress), ``GET /api/v1/imports/{id}/errors.csv`` (every error, streamed) and
``POST /api/v1/imports`` (multipart ``file`` and ``kind``: 202 with the queued import, 200 with
``duplicate_file: true`` for a file already imported). Who may do this is decided in the
selectors and services (admins; staff and members 403), never here.
"""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from interchange import selectors, services
from interchange.models import EligibilityImport, ImportFormat, ImportKind, ImportStatus

NO_IMPORT = OpenApiResponse(description="No such import")


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        required=False, help_text="The CSV line of the record (CSV files)."
    )
    segment = serializers.IntegerField(
        required=False, help_text="The number of the record's first segment (X12 files)."
    )
    field = serializers.CharField(help_text="The column or element at fault; blank for a row.")
    code = serializers.CharField(help_text="A stable code (MBI_FORMAT, DATE_INVALID, ...).")
    message = serializers.CharField()


class ImportProgressSerializer(serializers.Serializer):
    records = serializers.IntegerField(help_text="Records read so far.")
    bytes_read = serializers.IntegerField()
    total_bytes = serializers.IntegerField()
    phase = serializers.CharField(help_text="`reading`, then `merging`.")
    percent = serializers.FloatField(help_text="Share of the file's bytes read, 0-100.")
    records_per_second = serializers.FloatField()


class _ImportFields(serializers.Serializer):
    """What the list and the report share."""

    id = serializers.IntegerField()
    file_name = serializers.CharField()
    file_sha256 = serializers.CharField()
    format = serializers.ChoiceField(choices=ImportFormat.choices)
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    failure = serializers.CharField(
        help_text="Why the file could not be read at all (status `failed`); blank otherwise."
    )
    records = serializers.IntegerField()
    valid = serializers.IntegerField()
    invalid = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    events = serializers.DictField(
        child=serializers.IntegerField(), help_text="Change kind -> how many people."
    )
    reconciliation = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Discrepancies with the enrollments here by kind (`recon_not_at_state`, "
        "`recon_not_here`, `recon_start_differs`), and the review items opened and closed "
        "(`review_items_opened`, `review_items_closed`): see `/api/v1/reconciliation`.",
    )
    warnings = serializers.ListField(child=serializers.CharField())
    errors_total = serializers.IntegerField(help_text="How many errors the import has in all.")
    seconds = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class ImportSerializer(_ImportFields):
    """One import in the list: its report without the errors (see `errors_total`)."""

    file_month = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_month(self, obj: EligibilityImport) -> str | None:
        """Return the file's month, YYYY-MM; null before the file was read."""
        return obj.file_month.strftime("%Y-%m") if obj.file_month else None


class ImportReportSerializer(_ImportFields):
    """One import's report: what ``import_eligibility --json`` prints, and more."""

    file_month = serializers.CharField(allow_null=True, help_text="YYYY-MM")
    duplicate_file = serializers.BooleanField(
        help_text="True when this upload's content was imported before: nothing was written."
    )
    seconds = serializers.FloatField()
    errors = ImportErrorSerializer(  # type: ignore[assignment]
        many=True, help_text="The first errors (1000 at most); all of them: errors.csv."
    )
    progress = ImportProgressSerializer(
        allow_null=True, help_text="While the import runs: how far it is; null otherwise."
    )


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The state's eligibility file, CSV or X12 834.")
    kind = serializers.ChoiceField(choices=ImportKind.choices, default=ImportKind.FULL)


def _report(request: Request, import_id: int, duplicate_file: bool = False) -> dict[str, Any]:
    view = selectors.import_get(
        actor=_user(request), import_id=import_id, duplicate_file=duplicate_file
    )
    return dict(ImportReportSerializer({**view.report, "progress": view.progress}).data)


class ImportListView(mixins.ListModelMixin, GenericAPIView):
    """The eligibility files read or being read, newest first; upload one."""

    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return EligibilityImport.objects.none()
        return selectors.import_list(actor=_user(self.request))

    @extend_schema(description="The eligibility files read or being read, newest first.")
    def get(self, request: Request) -> Response:
        return self.list(request)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        selectors.import_rows_audit(actor=_user(request), import_ids=[row.pk for row in rows])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(
        description="Upload a file (multipart `file`, `kind`): it is stored and read by a "
        "worker; follow its progress and report at `/api/v1/imports/{id}`.",
        request=ImportUploadSerializer,
        responses={
            202: OpenApiResponse(ImportReportSerializer, description="Stored and queued"),
            200: OpenApiResponse(
                ImportReportSerializer,
                description="Imported before (same content): `duplicate_file` is true and "
                "nothing is written",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        # Anyone but an admin is refused before the upload is read.
        selectors.import_require_admin(_user(request))
        body = ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload: UploadedFile = body.validated_data["file"]
        imp, duplicate = services.eligibility_import_upload(
            actor=_user(request),
            upload=upload,
            file_name=upload.name or "",
            kind=body.validated_data["kind"],
        )
        return Response(
            _report(request, imp.pk, duplicate_file=duplicate),
            status=status.HTTP_200_OK if duplicate else status.HTTP_202_ACCEPTED,
        )


class ImportDetailView(APIView):
    """One import's report: counts, changes by kind, warnings, the first errors, progress."""

    @extend_schema(responses={200: ImportReportSerializer, 404: NO_IMPORT})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_report(request, int(pk)))


class ImportErrorsCsvView(APIView):
    """Every error of an import as CSV (line, segment, field, code, message), streamed."""

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # Refusals are JSON whatever the Accept header asked for.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="v1_imports_errors_csv",
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (404, "application/json"): NO_IMPORT,
        },
    )
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        import_id = int(pk)
        lines = selectors.import_errors_csv(actor=_user(request), import_id=import_id)
        name = selectors.import_errors_file_name(import_id)
        return StreamingHttpResponse(
            lines,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
