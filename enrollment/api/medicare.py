"""Medicare's answer in the API: thin adapters over ``enrollment.medicare``.

``POST /api/v1/medicare-submissions/{id}/answer`` (``{status, reply_code, reply_text}``) and
``POST /api/v1/medicare-replies`` (multipart ``file``: the reply CSV of ``docs/medicare.md``).
Who may do this is decided there (staff of the submission's organization and admins; members
403; anyone else 404), never here.
"""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from enrollment import medicare
from enrollment.api.medicare_serializers import (
    ANSWER_CHOICES,
    ROW_STATUS_CHOICES,
    MedicareSummarySerializer,
)
from enrollment.models import MedicareSubmission, MedicareSubmissionStatusChange


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class MedicareStatusChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = MedicareSubmissionStatusChange
        fields = [
            "from_status",
            "to_status",
            "at",
            "actor",
            "reply_code",
            "reply_text",
            "reply_file",
        ]
        read_only_fields = fields


class MedicareSubmissionSerializer(MedicareSummarySerializer):
    """A submission with what it is about and its history."""

    enrollment = serializers.IntegerField(source="enrollment_id")
    beneficiary = serializers.IntegerField(source="beneficiary_id")
    contract_number = serializers.CharField(help_text="Blank when no public source confirmed it.")
    pbp = serializers.CharField(help_text="Blank when no public source confirmed it.")
    reply_file = serializers.IntegerField(source="reply_file_id", allow_null=True)
    history = MedicareStatusChangeSerializer(source="status_changes", many=True)


class AnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ANSWER_CHOICES)
    reply_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=16,
        help_text="CMS's transaction reply code, 3 digits (required for a rejection).",
    )
    reply_text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="CMS's words; defaults to the code's title where a cited source names it.",
    )


class ReplyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The reply CSV (docs/medicare.md).")


class ReplyRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The row's line in the file (the header is 1).")
    status = serializers.ChoiceField(choices=ROW_STATUS_CHOICES)
    submission = serializers.IntegerField(allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        # ``errors`` is also the name of a serializer's own property: added here, not declared.
        fields = super().get_fields()
        fields["errors"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages keyed by the column at fault (`row` for the row as a whole).",
        )
        return fields


class ReplyFileReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    file_sha256 = serializers.CharField()
    loaded_at = serializers.DateTimeField()
    duplicate_file = serializers.BooleanField(
        help_text="Loaded before (same content): this is the first load's report; nothing written."
    )
    rows = serializers.IntegerField()
    applied = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows whose answer was already recorded.")
    results = ReplyRowSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        # ``errors`` is also the name of a serializer's own property: added here, not declared.
        fields = super().get_fields()
        fields["errors"] = serializers.IntegerField(help_text="Rows with errors (not applied).")
        return fields


def _submission(request: Request, submission_id: int) -> dict[str, Any]:
    submission: MedicareSubmission = medicare.submission_get(
        actor=_user(request), submission_id=submission_id
    )
    return dict(MedicareSubmissionSerializer(submission).data)


class MedicareAnswerView(APIView):
    """Record Medicare's answer to a submission: accepted, or rejected with CMS's reply code.

    A rejection of an enrollment or plan switch cancels the enrollment pair as if it never
    started (what the approval had ended is put back), writes the member's letter and opens a
    review item. The same answer again changes nothing; another answer is a 409.
    """

    @extend_schema(
        request=AnswerSerializer,
        responses={
            200: MedicareSubmissionSerializer,
            409: OpenApiResponse(description="Another answer is already recorded (`status`)"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        submission_id = int(pk)
        # An outsider is told 404 (a member 403) before anything about the body.
        medicare.submission_require_visible(actor=_user(request), submission_id=submission_id)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        medicare.submission_record_answer(
            actor=_user(request),
            submission=MedicareSubmission(pk=submission_id),
            status=body.validated_data["status"],
            reply_code=body.validated_data["reply_code"],
            reply_text=body.validated_data["reply_text"],
        )
        return Response(_submission(request, submission_id))


class MedicareRepliesView(APIView):
    """Load a Medicare reply file: each row checked and, without errors, applied."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ReplyUploadSerializer},
        responses={
            201: OpenApiResponse(ReplyFileReportSerializer, description="Loaded: per-row results"),
            200: OpenApiResponse(
                ReplyFileReportSerializer,
                description="Loaded before (same content): the first report, nothing written",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        # Members are refused before the upload is read.
        medicare.reply_file_require_staff(_user(request))
        body = ReplyUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload: UploadedFile = body.validated_data["file"]
        report = medicare.reply_file_load(
            actor=_user(request), file=upload, file_name=upload.name or ""
        )
        return Response(
            ReplyFileReportSerializer(report.as_dict()).data,
            status=status.HTTP_200_OK if report.duplicate_file else status.HTTP_201_CREATED,
        )
