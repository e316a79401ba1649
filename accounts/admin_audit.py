"""Admin pages that show member data record every read, and admin edits record every change.

HIPAA 164.312(b) asks that activity in systems holding PHI be recorded: an admin opening a
person's record, its history, or a list of such records is a read like a staff page's. The
pages stay adapters: they call the accounts services, which write the rows.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.models import AuditEvent, User
from accounts.services import audit_read, audit_record


def request_actor(request: HttpRequest) -> User | None:
    """The signed-in user behind an admin request."""
    return request.user if isinstance(request.user, User) else None


class AuditedReadAdmin(admin.ModelAdmin):
    """Audit the change page, history pages and list page of a model that holds member data.

    Put it first among the bases (``class BeneficiaryAdmin(AuditedReadAdmin, SimpleHistoryAdmin)``)
    so it wraps the views of the admin class it extends. Each page shown writes one "read" row:
    ``object_type`` and ``object_id`` name the record (``<type>_list`` and ``list`` for the list
    page, with ``detail["ids"]`` the rows on it) and ``detail["beneficiary"]`` or
    ``detail["beneficiaries"]`` names the members concerned, so a search by member finds it.
    Saves and deletes write "create", "update" and "delete" rows.
    """

    # The audit log's name for the model; defaults to the model name ("notice").
    audit_object_type: str = ""
    # The attribute holding the beneficiary id a record is about; None when it names none.
    audit_member_field: str | None = "beneficiary_id"

    def audit_type(self) -> str:
        return self.audit_object_type or str(self.model._meta.model_name)

    def audit_member(self, obj: Any) -> int | None:
        """The id of the beneficiary ``obj`` is about, if any."""
        if self.audit_member_field is None or obj is None:
            return None
        value = getattr(obj, self.audit_member_field, None)
        return value if isinstance(value, int) else None

    # Reads

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # 200: the page shows the record (a GET, or a form sent back with errors); a redirect is
        # a save, audited by save_model, or a missing record.
        if response.status_code == 200:
            self._audit_record_read(request, response, object_id, view="change")
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._audit_record_read(request, response, object_id, view="history")
        return response

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """One past version of the record (django-simple-history's admin only)."""
        view = getattr(super(), "history_form_view")  # noqa: B009 - only history admins have it
        response: HttpResponse = view(request, object_id, version_id, extra_context)
        if response.status_code == 200:
            self._audit_record_read(
                request, response, object_id, view="history_version", version=version_id
            )
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if response.status_code == 200 and changelist is not None:
            rows = list(changelist.result_list)
            members = sorted({m for m in map(self.audit_member, rows) if m is not None})
            detail: dict[str, Any] = {"via": "admin", "ids": [row.pk for row in rows]}
            if self.audit_member_field is not None:
                detail["beneficiaries"] = members
            audit_read(
                actor=request_actor(request),
                object_type=f"{self.audit_type()}_list",
                object_id="list",
                detail=detail,
            )
        return response

    def _audit_record_read(
        self, request: HttpRequest, response: HttpResponse, object_id: str, **detail: Any
    ) -> None:
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original") or context.get("object")
        if obj is None:
            obj = self.get_object(request, unquote(object_id))
        audit_read(
            actor=request_actor(request),
            object_type=self.audit_type(),
            object_id=unquote(object_id),
            detail=self._detail(obj, via="admin", **detail),
        )

    # Writes

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request_actor(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            object_type=self.audit_type(),
            object_id=obj.pk,
            detail=self._detail(obj, via="admin", fields=sorted(form.changed_data)),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Audit each inline row added, changed or deleted with its parent record."""
        deleted = [f.instance.pk for f in formset.deleted_forms if f.instance.pk is not None]
        super().save_formset(request, form, formset, change)
        object_type = str(formset.model._meta.model_name)
        about = self._detail(form.instance, via="admin", parent=form.instance.pk)
        actor = request_actor(request)
        writes: list[tuple[str, object, dict[str, Any]]] = [
            (AuditEvent.Action.CREATE, obj.pk, about) for obj in formset.new_objects
        ]
        writes += [
            (AuditEvent.Action.UPDATE, obj.pk, {**about, "fields": sorted(fields)})
            for obj, fields in formset.changed_objects
        ]
        writes += [(AuditEvent.Action.DELETE, pk, about) for pk in deleted]
        for action, pk, detail in writes:
            audit_record(
                actor=actor, action=action, object_type=object_type, object_id=pk, detail=detail
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        pk, detail = obj.pk, self._detail(obj, via="admin")
        super().delete_model(request, obj)
        self._audit_deletes(request, [(pk, detail)])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Model]) -> None:
        rows = [(obj.pk, self._detail(obj, via="admin")) for obj in queryset]
        super().delete_queryset(request, queryset)
        self._audit_deletes(request, rows)

    def _audit_deletes(self, request: HttpRequest, rows: list[tuple[Any, dict[str, Any]]]) -> None:
        for pk, detail in rows:
            audit_record(
                actor=request_actor(request),
                action=AuditEvent.Action.DELETE,
                object_type=self.audit_type(),
                object_id=pk,
                detail=detail,
            )

    def _detail(self, obj: Any, **detail: Any) -> dict[str, Any]:
        member = self.audit_member(obj)
        return {**detail, "beneficiary": member} if member is not None else detail
