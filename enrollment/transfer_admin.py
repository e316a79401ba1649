"""The admin's plan-wide transfers: the list, a form that answers a dry run, its report page
with the members who cannot move, and the confirm button that runs it (a Celery task).

Adapters only: ``enrollment.transfers`` decides who may do what (admins), writes the runs,
their history and the audit rows.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from accounts.admin_audit import request_actor
from accounts.errors import DomainError, Forbidden
from accounts.fields import StrictDateFormField
from accounts.models import User
from eligibility.models import County, MediMediPlan, PlanProgram
from enrollment import tasks, transfers
from enrollment.transfer_models import PlanTransfer, TransferStatus

UNPLACED_ON_PAGE = 200


class TransferForm(forms.Form):
    from_plan = forms.ModelChoiceField(
        queryset=MediMediPlan.objects.select_related("organization").order_by("name"),
        label="Move the members of",
        help_text="Legacy Cal MediConnect plans are listed too (the 2023 crosswalk).",
    )
    to_plan = forms.ModelChoiceField(
        queryset=MediMediPlan.objects.filter(program=PlanProgram.MEDI_MEDI).order_by("name"),
        label="Into the Medi-Medi Plan",
    )
    counties = forms.ModelMultipleChoiceField(
        queryset=County.objects.order_by("name"),
        label="Living in the counties",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    effective_date = StrictDateFormField(
        label="From (the first day in the new plan)", help_text="The first of a month, YYYY-MM-DD."
    )
    reason = forms.CharField(
        label="Why, with sources", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


def _actor(request: HttpRequest) -> User:
    actor = request_actor(request)
    if actor is None or not actor.is_admin:
        raise Forbidden("Only an admin can transfer a plan's members.")
    return actor


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**model_admin.admin_site.each_context(request), "opts": PlanTransfer._meta, **extra}


def transfer_new_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The form; a valid one answers the dry run's report, with the button that applies it."""
    actor = _actor(request)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = transfers.transfer_plan(
                actor=actor,
                from_plan=data["from_plan"],
                to_plan=data["to_plan"],
                counties=list(data["counties"]),
                effective=data["effective_date"],
                reason=data["reason"],
                dry_run=True,
            )
        except Forbidden:
            raise
        except DomainError as error:
            field = error.extra.get("field")
            form.add_error(str(field) if field in form.fields else None, error.message)
        else:
            return _report_page(model_admin, request, actor, report.transfer_id or 0)
    return TemplateResponse(
        request,
        "enrollment/admin/transfer_new.html",
        _context(model_admin, request, title="New plan-wide transfer", form=form),
    )


def _report_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, actor: User, transfer_id: int
) -> HttpResponse:
    transfer = transfers.transfer_get(actor=actor, transfer_id=transfer_id)
    report = transfers.transfer_report(actor=actor, transfer_id=transfer_id)
    unplaced = list(
        transfers.transfer_unplaced(actor=actor, transfer_id=transfer_id)[:UNPLACED_ON_PAGE]
    )
    transfers.transfer_unplaced_audit(actor=actor, transfer_id=transfer_id, rows=unplaced)
    return TemplateResponse(
        request,
        "enrollment/admin/transfer_report.html",
        _context(
            model_admin,
            request,
            title=f"Transfer {transfer.pk}",
            transfer=transfer,
            report=report,
            unplaced=unplaced,
            unplaced_on_page=UNPLACED_ON_PAGE,
            history=transfer.status_changes.select_related("actor"),
            can_apply=transfer.status != TransferStatus.COMPLETED,
        ),
    )


def transfer_report_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, transfer_id: int
) -> HttpResponse:
    return _report_page(model_admin, request, _actor(request), transfer_id)


def transfer_apply_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, transfer_id: int
) -> HttpResponse:
    """Confirm: run the transfer in a worker (in this process when no broker is set)."""
    actor = _actor(request)
    transfer = transfers.transfer_get(actor=actor, transfer_id=transfer_id)
    if request.method != "POST":
        return HttpResponseRedirect(_report_url(transfer.pk))
    if transfer.status == TransferStatus.COMPLETED:
        messages.info(request, "This transfer was already completed: nothing was written.")
    else:
        tasks.plan_transfer_run.delay(transfer.pk, actor.pk)
        messages.success(request, f"Transfer {transfer.pk} is running; this page shows its state.")
    return HttpResponseRedirect(_report_url(transfer.pk))


def _report_url(transfer_id: int) -> str:
    return reverse("admin:enrollment_plantransfer_report", args=[transfer_id])


class PlanTransferAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "from_plan",
        "to_plan",
        "effective_date",
        "status",
        "moved_count",
        "cannot_count",
        "requested_by",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("from_plan", "to_plan", "requested_by")
    change_list_template = "enrollment/admin/transfer_change_list.html"

    def _admin(self, request: HttpRequest) -> bool:
        actor = request_actor(request)
        return actor is not None and actor.is_admin

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanTransfer]:
        return transfers.transfer_list(actor=_actor(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        return HttpResponseRedirect(_report_url(int(object_id)))

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        info = "enrollment_plantransfer"
        return [
            path(
                "new/",
                wrap(lambda request: transfer_new_view(self, request)),
                name=f"{info}_new",
            ),
            path(
                "<int:transfer_id>/report/",
                wrap(lambda request, transfer_id: transfer_report_view(self, request, transfer_id)),
                name=f"{info}_report",
            ),
            path(
                "<int:transfer_id>/apply/",
                wrap(lambda request, transfer_id: transfer_apply_view(self, request, transfer_id)),
                name=f"{info}_apply",
            ),
            *super().get_urls(),
        ]


admin.site.register(PlanTransfer, PlanTransferAdmin)
