"""The admin's enrollment files out: the list of past exports (plan, period, control number,
counts, who), a page to make one (plan, period, full audit file) and each file's download.

Adapters only: who may see or make a file is ``interchange.exports``'s decision
(administrators only; anyone else gets the 403 page), the export is
``exports.enrollment_file_export`` and a download is audited there. Imported by
``interchange.admin`` so the admin site registers it.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from accounts.admin_audit import request_actor
from accounts.errors import DomainError, Forbidden
from accounts.fields import StrictDateFormField
from accounts.models import User
from eligibility.models import MediCalPlan
from interchange import exports
from interchange.models import EnrollmentFileExport


class ExportForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=MediCalPlan.objects.none(),
        label="Medi-Cal plan",
        help_text="The plans with a code at the state.",
    )
    period_start = StrictDateFormField(label="Period from", help_text="YYYY-MM-DD")
    period_end = StrictDateFormField(label="Period to", help_text="YYYY-MM-DD, inclusive")
    full = forms.BooleanField(
        required=False,
        label="Full audit file (030)",
        help_text="Every member of the period, even those an earlier file sent.",
    )

    def __init__(self, *args: Any, plans: QuerySet[MediCalPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            # The help text (``<div id="id_<name>_help">`` in the template) is read with the field.
            field.widget.attrs["aria-describedby"] = f"id_{name}_help"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period ends before it starts.")
        return data


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _may_see(request: HttpRequest) -> bool:
    try:
        exports.export_require_admin(_actor(request))
    except Forbidden:
        return False
    return True


def _list_url() -> str:
    return reverse("admin:interchange_enrollmentfileexport_changelist")


@admin.register(EnrollmentFileExport)
class EnrollmentFileExportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "medi_cal_plan",
        "period_start",
        "period_end",
        "full",
        "control",
        "members",
        "additions",
        "terminations",
        "reinstatements",
        "changes",
        "audits",
        "created_by",
        "created_at",
        "download",
    )
    list_filter = ("medi_cal_plan", "full")
    list_display_links = None
    change_list_template = "interchange/admin/export_change_list.html"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EnrollmentFileExport]:
        actor = request_actor(request)
        if actor is None:
            raise Forbidden("Only administrators can see enrollment files.")
        return exports.export_list(actor=actor)

    @admin.display(description="ISA13")
    def control(self, obj: EnrollmentFileExport) -> str:
        return f"{obj.interchange_control:09d}"

    @admin.display(description="file")
    def download(self, obj: EnrollmentFileExport) -> str:
        url = reverse("admin:interchange_enrollmentfileexport_download", args=[obj.pk])
        return format_html('<a href="{}">Download {}</a>', url, obj.file_name)

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
        info = "interchange_enrollmentfileexport"
        return [
            path("new/", wrap(lambda request: export_new_view(self, request)), name=f"{info}_new"),
            path(
                "<int:export_id>/download/",
                wrap(lambda request, export_id: export_download_view(request, export_id)),
                name=f"{info}_download",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """An export has no page of its own: the list shows it all."""
        return HttpResponseRedirect(_list_url())


def export_new_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Make a plan's file for a period; then back to the list, saying what was sent."""
    actor = _actor(request)
    form = ExportForm(request.POST or None, plans=exports.export_plans(actor=actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = exports.enrollment_file_export(
                actor=actor,
                plan=data["plan"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                full=data["full"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            earlier = outcome.earlier
            if earlier is not None:
                messages.warning(
                    request,
                    f"This plan and period were exported before (export {earlier.pk}, ISA13 "
                    f"{earlier.interchange_control:09d}): "
                    + (
                        "the full file repeats every member."
                        if data["full"]
                        else "only what it did not send is sent now."
                    ),
                )
            export = outcome.export
            if export is None:
                messages.info(request, "Nothing to send for this period: no file was written.")
            else:
                messages.success(
                    request,
                    f"Export {export.pk} written: {export.members} members ({export.additions} "
                    f"added, {export.terminations} terminated, {export.reinstatements} "
                    f"reinstated, {export.changes} changed, {export.audits} audit).",
                )
            return HttpResponseRedirect(_list_url())
    return TemplateResponse(
        request,
        "interchange/admin/export_new.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": EnrollmentFileExport._meta,
            "title": "Make an enrollment file (834)",
            "form": form,
        },
    )


def export_download_view(request: HttpRequest, export_id: int) -> FileResponse:
    export, handle = exports.export_file_open(actor=_actor(request), export_id=export_id)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.file_name,
        content_type="application/edi-x12",
    )
