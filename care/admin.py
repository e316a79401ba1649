"""Admin: give staff the care coordinator capability; read cases, tasks and requests."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_audit import AuditedReadAdmin
from care.models import AppealCase, CareCase, CareCoordinator, CareTask, ContinuityRequest


@admin.register(CareCoordinator)
class CareCoordinatorAdmin(AuditedReadAdmin, SimpleHistoryAdmin):
    """Who may be assigned members: add a staff member's membership, or make it inactive to
    stop new assignments (every change kept in History)."""

    list_display = ["membership", "active", "last_assigned_at"]
    list_filter = ["active", "membership__organization"]
    raw_id_fields = ["membership"]
    readonly_fields = ["last_assigned_at"]
    audit_member_field = None


class _ReadOnly(AuditedReadAdmin):
    """Changes go through the services (pages, API); reads here are audited."""

    audit_member_field = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CareCase)
class CareCaseAdmin(_ReadOnly):
    list_display = ["id", "enrollment", "organization", "coordinator", "created_at"]
    list_filter = ["organization"]


@admin.register(CareTask)
class CareTaskAdmin(_ReadOnly):
    list_display = ["id", "kind", "status", "due_date", "overdue", "case"]
    list_filter = ["kind", "status", "overdue"]


@admin.register(ContinuityRequest)
class ContinuityRequestAdmin(_ReadOnly):
    list_display = ["id", "enrollment", "status", "decision_due", "valid_until"]
    list_filter = ["status", "urgency"]


@admin.register(AppealCase)
class AppealCaseAdmin(_ReadOnly):
    list_display = ["id", "kind", "status", "expedited", "due_at", "overdue", "enrollment"]
    list_filter = ["kind", "status", "expedited", "overdue"]
