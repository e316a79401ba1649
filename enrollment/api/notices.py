"""The notices API: a member's letters, their PDFs and ID cards, and resending one.

Who may read a notice is decided by ``enrollment.access.letter_scope`` through the selectors in
``enrollment.letters`` (the member; the staff of the organization whose event sent it, and any
staff for program letters; admins); anyone else gets 404, as for the member's other records.
The selectors audit staff and admin reads. The notice's ``recipient`` snapshot and ``context``
are PHI and never leave the server through this API.

A PDF that is not written yet (the notice is ``queued`` or ``sending``) answers **409** with
``code: "not_ready"``, the notice's ``status`` and a ``Retry-After`` header: the letter exists and
will have a PDF shortly, so "not found" would be wrong. A notice that ended without a PDF
(``failed`` before rendering, ``cancelled``) answers 404, as does an ID card the notice does not
carry.
"""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment.api.views import request_user
from enrollment.letters import (
    NOT_RENDERED_YET,
    beneficiary_letters,
    letter_get,
    letter_organization_code,
    pdf_response,
)
from enrollment.services import letter_resend
from notices.kinds import CARD_KINDS
from notices.models import Notice
from notices.selectors import notice_id_card_pdf, notice_pdf

RETRY_AFTER_SECONDS = 60

NOT_FOUND = OpenApiResponse(description="No such notice, or not one of a member you may see")
NO_BENEFICIARY = OpenApiResponse(description="No such beneficiary, or not one you may see")
NOT_READY = OpenApiResponse(
    description="The notice is queued or being sent and its PDF is not written yet "
    '(body: `detail`, `code: "not_ready"`, `status`; header `Retry-After`)'
)


class NoticeSerializer(serializers.ModelSerializer):
    """One letter's delivery facts and links; never its recipient snapshot or context."""

    requested_by = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    id_card_url = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "language",
            "channel",
            "format",
            "status",
            "created_at",
            "sent_at",
            "attempts",
            "resend_of",
            "requested_by",
            "organization",
            "pdf_url",
            "id_card_url",
        ]
        read_only_fields = fields

    def _url(self, name: str, notice: Notice) -> str:
        path = reverse(name, kwargs={"pk": notice.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_requested_by(self, obj: Notice) -> str | None:
        """Return the username of whoever asked for a resend; null for letters sent by events."""
        return obj.requested_by.get_username() if obj.requested_by else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization(self, obj: Notice) -> str | None:
        """Return the code of the organization whose event sent it; null for program letters."""
        return letter_organization_code(obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, obj: Notice) -> str | None:
        """Return the letter PDF's URL once it is written; null before."""
        return self._url("api-notice-pdf", obj) if obj.pdf else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_id_card_url(self, obj: Notice) -> str | None:
        """Return the ID card PDF's URL when the notice carries a card; null otherwise."""
        return self._url("api-notice-id-card", obj) if obj.id_card_pdf else None


class ResendSerializer(serializers.Serializer):
    id_card_only = serializers.BooleanField(
        default=False,
        help_text="Send only the member ID card of an enrollment or plan switch confirmation.",
    )


def _not_ready(notice: Notice) -> Response:
    return Response(
        {
            "detail": "The letter is not written yet; try again in a minute.",
            "code": "not_ready",
            "status": notice.status,
        },
        status=status.HTTP_409_CONFLICT,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class BeneficiaryNoticesView(APIView):
    """A member's letters the caller may see, newest first."""

    @extend_schema(responses={200: NoticeSerializer(many=True), 404: NO_BENEFICIARY})
    def get(self, request: Request, pk: int) -> Response:
        _, notices = beneficiary_letters(actor=request_user(request), beneficiary_id=int(pk))
        return Response(NoticeSerializer(notices, many=True, context={"request": request}).data)


class _PdfView(APIView):
    """Answer PDF bytes; refusals are JSON whatever the ``Accept`` header asked for."""

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        renderer = JSONRenderer()
        return renderer, renderer.media_type


class NoticePdfView(_PdfView):
    """The letter as the member received it (``application/pdf``)."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): NOT_FOUND,
            (409, "application/json"): NOT_READY,
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        notice = letter_get(actor=request_user(request), notice_id=int(pk), document="pdf")
        content = notice_pdf(notice)
        if content is None:
            if notice.status in NOT_RENDERED_YET:
                return _not_ready(notice)
            raise NotFound("This notice has no letter PDF: it ended before it was written.")
        return pdf_response(content, filename=f"letter-{notice.pk}.pdf")


class NoticeIdCardView(_PdfView):
    """The member ID card that came with an enrollment or plan switch confirmation."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): NOT_FOUND,
            (409, "application/json"): NOT_READY,
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        notice = letter_get(actor=request_user(request), notice_id=int(pk), document="id_card")
        content = notice_id_card_pdf(notice)
        if content is None:
            if notice.kind in CARD_KINDS and notice.status in NOT_RENDERED_YET:
                return _not_ready(notice)
            raise NotFound("This notice has no ID card.")
        return pdf_response(content, filename=f"id-card-{notice.pk}.pdf")


class NoticeResendView(APIView):
    """Staff and admins send a letter again as a new notice that records who asked."""

    @extend_schema(
        request=ResendSerializer,
        responses={
            201: NoticeSerializer,
            400: OpenApiResponse(description="The notice cannot be sent that way"),
            403: OpenApiResponse(description="Only plan enrollment staff and admins resend"),
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ResendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        resent = letter_resend(
            actor=request_user(request),
            notice_id=int(pk),
            id_card_only=body.validated_data["id_card_only"],
        )
        fresh = letter_get(actor=request_user(request), notice_id=resent.pk)
        return Response(
            NoticeSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
