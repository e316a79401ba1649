"""Admin: notices and print batches are read-only; a failed notice can be resent."""

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_audit import AuditedReadAdmin
from notices.models import Notice, PrintBatch


@admin.register(Notice)
class NoticeAdmin(AuditedReadAdmin):
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
    search_fields = ("=id", "idempotency_key", "=recipient_key")
    date_hierarchy = "created_at"
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
