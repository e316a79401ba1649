"""Admin: notices and print batches are read-only; a failed notice can be resent."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.admin_audit import AuditedReadAdmin
from accounts.admin_scale import LargeTableAdmin
from notices.models import Notice, PrintBatch


@admin.register(Notice)
class NoticeAdmin(AuditedReadAdmin, LargeTableAdmin):
    # The list shows ids and codes only; the recipient snapshot is PHI and stays on the detail page.
    list_display = (
        "id",
        "kind",
        "status",
        "channel",
        "language",
        "format",
        "attempts",
        "created_at",
        "scheduled_for",
        "sent_at",
    )
    list_filter = ("status", "kind", "channel", "language", "format")
    # Exact, on indexes (get_search_results); no date hierarchy: it would scan every letter.
    search_fields = ("=id", "=idempotency_key", "=recipient_key")
    search_help_text = "A letter's id, its exact idempotency key, or a recipient key."
    # No resend action here: a resend goes through enrollment.services.letter_resend (who may,
    # refused while on its way, whose letter it is), from the staff letters page or the API.
    actions = None
    readonly_fields = [field.name for field in Notice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return (queryset.filter(pk=int(term)) if int(term) < 2**63 else queryset.none()), False
        return queryset.filter(Q(idempotency_key=term) | Q(recipient_key=term)), False

    def audit_member(self, obj: Notice | None) -> int | None:
        """The beneficiary a letter is for, from its ``recipient_key`` (``beneficiary:42``)."""
        kind, _, key = (obj.recipient_key if obj is not None else "").partition(":")
        return int(key) if kind == "beneficiary" and key.isdigit() else None


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "notice_count", "special_format_count", "file")
    readonly_fields = ("created_at", "created_by", "notice_count", "special_format_count", "file")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
