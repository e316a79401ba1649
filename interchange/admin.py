"""The admin's eligibility imports: the list with status and counts, an upload page, each
import's page (progress, report) and its errors as CSV (``interchange.admin_views``).

Read-only here: an import changes only through the interchange services. The list's rows come
from ``interchange.selectors.import_list`` (administrators only) and each page shown is audited
there.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path

from accounts.admin_audit import request_actor
from accounts.errors import Forbidden
from accounts.models import User
from interchange import admin_views, selectors
from interchange.models import EligibilityImport


def _may_see(request: HttpRequest) -> bool:
    try:
        selectors.import_require_admin(request.user)  # type: ignore[arg-type]
    except Forbidden:
        return False
    return True


@admin.register(EligibilityImport)
class EligibilityImportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "file_name",
        "kind",
        "format",
        "file_month",
        "status",
        "records",
        "valid",
        "invalid",
        "errors_total",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind", "format")
    change_list_template = "interchange/admin/change_list.html"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EligibilityImport]:
        actor = request_actor(request)
        if actor is None:
            raise Forbidden("Only administrators can see eligibility imports.")
        return selectors.import_list(actor=actor)

    @admin.display(description="errors")
    def errors_total(self, obj: Any) -> int:
        return int(getattr(obj, "errors_total", 0))

    # Who may see the pages is the selectors' decision; changes go through the services.

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_see(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _may_see(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        info = "interchange_eligibilityimport"
        return [
            path(
                "upload/",
                wrap(lambda request: admin_views.import_upload_view(self, request)),
                name=f"{info}_upload",
            ),
            path(
                "<int:import_id>/report/",
                wrap(
                    lambda request, import_id: admin_views.import_page_view(
                        self, request, import_id
                    )
                ),
                name=f"{info}_report",
            ),
            path(
                "<int:import_id>/errors.csv",
                wrap(
                    lambda request, import_id: admin_views.import_errors_csv_view(
                        self, request, import_id
                    )
                ),
                name=f"{info}_errors_csv",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        actor = request_actor(request)
        if response.status_code == 200 and changelist is not None and isinstance(actor, User):
            selectors.import_rows_audit(
                actor=actor, import_ids=[row.pk for row in changelist.result_list]
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """An import has one page: its report."""
        if not object_id.isdigit():
            return super().change_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(admin_views.import_page_url(int(object_id)))


# The enrollment files out (834 per Medi-Cal plan) register their own admin.
from interchange import export_admin  # noqa: E402, F401
