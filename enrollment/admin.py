"""Admin views of applications and enrollments: read-only, since every change goes through a
service that checks the pipeline and the invariant (use the staff pages or the API)."""

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_audit import AuditedReadAdmin
from enrollment.models import (
    Application,
    ApplicationStatusChange,
    Enrollment,
    ReviewItem,
    ReviewItemChange,
)


class ReadOnlyAdmin(AuditedReadAdmin):
    """No edits here; every page that shows a member's application or enrollment is audited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = ApplicationStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "at", "note", "reason_codes")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "plan", "submitted_at", "effective_date")
    list_filter = ("status", "plan__organization", "plan")
    inlines = [StatusChangeInline]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "beneficiary",
        "kind",
        "start_date",
        "end_date",
        "cancelled",
        "end_reason",
    )
    list_filter = ("kind", "cancelled", "end_reason")


class ReviewItemChangeInline(admin.TabularInline):
    model = ReviewItemChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "at", "decision", "note")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    """Review items are resolved on the staff pages or the API (the service writes the history
    and ends an enrollment when asked); here they are read, and every read is audited."""

    audit_object_type = "review_item"
    list_display = ("id", "kind", "organization", "due_date", "status", "decision", "created_at")
    list_filter = ("status", "kind", "organization")
    inlines = [ReviewItemChangeInline]
