"""Admin views of applications and enrollments: read-only, since every change goes through a
service that checks the pipeline and the invariant (use the staff pages or the API)."""

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_audit import AuditedReadAdmin
from accounts.admin_scale import LargeTableAdmin
from eligibility.admin_search import PersonSearchAdmin
from enrollment.models import (
    Application,
    ApplicationStatusChange,
    Enrollment,
    MedicareSubmission,
    MedicareSubmissionStatusChange,
    ReviewItem,
    ReviewItemChange,
)


class ReadOnlyAdmin(AuditedReadAdmin, PersonSearchAdmin, LargeTableAdmin):
    """No edits here; every page that shows a member's application or enrollment is audited.

    Lists of millions of rows: estimated counts, newest first by id, exact searches by the
    person's MBI, CIN or name (``PersonSearchAdmin``), related rows joined.
    """

    search_fields = ("=beneficiary__mbi", "=beneficiary__cin")

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
    list_display = ("id", "status", "plan", "county", "submitted_at", "effective_date")
    list_select_related = ("plan", "county")
    list_filter = ("status", "plan__organization", "plan")
    last_name_field = "search_last_name"
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
    list_select_related = ("beneficiary",)
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
    list_select_related = ("organization",)
    list_filter = ("status", "kind", "organization")
    inlines = [ReviewItemChangeInline]


class MedicareStatusChangeInline(admin.TabularInline):
    model = MedicareSubmissionStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "at", "reply_code", "reply_text")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MedicareSubmission)
class MedicareSubmissionAdmin(ReadOnlyAdmin):
    """What was submitted to Medicare and its answer (docs/medicare.md): answers are recorded on
    the staff pages, the API or by a reply file; here they are read, and every read is audited."""

    audit_object_type = "medicare_submission"
    list_display = (
        "id",
        "beneficiary",
        "kind",
        "transaction_type",
        "effective_date",
        "submitted_on",
        "status",
        "reply_code",
    )
    list_select_related = ("beneficiary",)
    list_filter = ("status", "kind", "transaction_type")
    inlines = [MedicareStatusChangeInline]


# Plan-wide transfers: their own admin pages (a dry run, then a confirm), registered there.
import enrollment.transfer_admin  # noqa: E402, F401
