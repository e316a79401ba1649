import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from accounts.admin_audit import request_actor
from accounts.models import AuditEvent, AuditEventQuerySet, User
from accounts.services import audit_read


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # A staff member's organization is set on the organization's page (staff memberships).
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Portal", {"fields": ("role",)}))


class MemberFilter(admin.SimpleListFilter):
    """Every row about one beneficiary id: their record, and rows whose detail names them."""

    title = "member (beneficiary id)"
    parameter_name = "member"
    template = "admin/accounts/auditevent/member_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: Any) -> Iterator[Any]:
        """One entry for the template: the value typed and the other filters to keep."""
        params = changelist.get_filters_params()
        params.pop(self.parameter_name, None)
        for name in ("q", "o"):
            if name in changelist.params:
                params[name] = changelist.params[name]
        keep = [
            (name, value)
            for name, values in params.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {
            "value": self.value() or "",
            "keep": keep,
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent]
    ) -> QuerySet[AuditEvent]:
        value = (self.value() or "").strip()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        if not isinstance(queryset, AuditEventQuerySet):
            queryset = AuditEvent.objects.filter(pk__in=queryset.values("pk"))
        return queryset.about_member(int(value))


class _Echo:
    """A write-only file for csv.writer: each row comes back as the text to stream."""

    def write(self, value: str) -> str:
        return value


_CSV_COLUMNS = ("id", "at", "actor_id", "actor", "action", "object_type", "object_id", "detail")


def _csv_cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet; quote it as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: search it by actor, member, action, type and date; export CSV."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "detail")
    list_filter = (MemberFilter, "action", "object_type", "at")
    search_fields = ("actor__username", "=object_id")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = ("at", "actor", "action", "object_type", "object_id", "detail")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="accounts_auditevent_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """Stream the rows the list page shows for the same filters and search, as CSV.

        The export is itself a read of the audit log, and is audited.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).select_related(None)
        filters = {
            name: values for name, values in request.GET.lists() if name not in ("q", "p", "o")
        }
        audit_read(
            actor=request_actor(request),
            object_type="audit_log",
            object_id="export",
            detail={
                "format": "csv",
                "filters": filters,
                "search": bool(request.GET.get("q")),
                "rows": queryset.count(),
            },
        )
        rows = queryset.values_list(
            "id",
            "at",
            "actor_id",
            "actor__username",
            "action",
            "object_type",
            "object_id",
            "detail",
        )
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(_CSV_COLUMNS)
            for pk, at, actor_id, username, action, object_type, object_id, detail in rows.iterator(
                chunk_size=2000
            ):
                yield writer.writerow(
                    [
                        pk,
                        at.isoformat(),
                        actor_id if actor_id is not None else "",
                        _csv_cell(username or ""),
                        action,
                        _csv_cell(object_type),
                        _csv_cell(object_id),
                        json.dumps(detail, sort_keys=True),
                    ]
                )

        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"'},
        )
