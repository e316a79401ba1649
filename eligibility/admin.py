from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_audit import AuditedReadAdmin
from accounts.admin_scale import LargeTableAdmin
from eligibility.admin_search import PersonSearchAdmin
from eligibility.models import (
    Beneficiary,
    County,
    EligibilityDetermination,
    MediCalEligibility,
    MediCalPlan,
    MediMediPlan,
    Organization,
    ServiceArea,
)
from eligibility.reference_cache import reference_cache_clear
from eligibility.selectors import rollout_date_warnings
from eligibility.services import county_rollout_update, service_area_save


class ReferenceDataAdmin(SimpleHistoryAdmin):
    """Reference data: after any change, checks in this process read the database again."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _clear_reference_cache()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        _clear_reference_cache()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        _clear_reference_cache()


def _clear_reference_cache() -> None:
    reference_cache_clear()
    transaction.on_commit(reference_cache_clear)


@admin.register(County)
class CountyAdmin(ReferenceDataAdmin):
    list_display = ("name", "fips", "medi_medi_available_from")
    list_filter = ("medi_medi_available_from",)
    search_fields = ("name", "fips")
    readonly_fields = ("fips",)

    def save_model(self, request: HttpRequest, obj: County, form: Any, change: bool) -> None:
        if change and "medi_medi_available_from" in form.changed_data:
            # The rollout date goes through its service so the change is audited and later
            # notices can be rescheduled: one history row, with its reason ("rollout date
            # <old> -> <new>"). Other fields changed in the same form are saved first, with a
            # reason naming them; a date-only change writes no other row.
            new_date = obj.medi_medi_available_from
            others = [name for name in form.changed_data if name != "medi_medi_available_from"]
            if others:
                obj.medi_medi_available_from = form.initial["medi_medi_available_from"]
                obj._change_reason = "changed " + ", ".join(others)  # type: ignore[attr-defined]
                super().save_model(request, obj, form, change)
            county_rollout_update(county=obj, available_from=new_date, actor=request.user)  # type: ignore[arg-type]
            obj.refresh_from_db()
            for warning in rollout_date_warnings(county=obj, available_from=new_date):
                self.message_user(request, warning, level=messages.WARNING)
            return
        super().save_model(request, obj, form, change)


class MediCalPlanInline(admin.TabularInline):
    model = MediCalPlan
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(ReferenceDataAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    inlines = [MediCalPlanInline]


@admin.register(MediCalPlan)
class MediCalPlanAdmin(ReferenceDataAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0
    autocomplete_fields = ("county",)


@admin.register(MediMediPlan)
class MediMediPlanAdmin(ReferenceDataAdmin):
    list_display = ("name", "organization", "contract_number", "pbp", "member_phone")
    list_filter = ("organization",)
    search_fields = ("name", "contract_number")
    inlines = [ServiceAreaInline]


@admin.register(ServiceArea)
class ServiceAreaAdmin(ReferenceDataAdmin):
    list_display = ("plan", "county", "aligned_medi_cal_plan", "start_date", "end_date")
    list_filter = ("plan__organization", "county")
    autocomplete_fields = ("county",)

    def save_model(self, request: HttpRequest, obj: ServiceArea, form: Any, change: bool) -> None:
        # The form has run the model's clean (first of a month, same organization, field-keyed);
        # the service checks again, saves and audits. The inline on the plan page is checked by
        # the same clean.
        saved = service_area_save(
            plan=obj.plan,
            county=obj.county,
            aligned_medi_cal_plan=obj.aligned_medi_cal_plan,
            start_date=obj.start_date,
            end_date=obj.end_date,
            source=obj.source,
            area=obj if change else None,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk


class MediCalEligibilityInline(admin.TabularInline):
    model = MediCalEligibility
    extra = 0


@admin.register(Beneficiary)
class BeneficiaryAdmin(AuditedReadAdmin, PersonSearchAdmin, LargeTableAdmin, SimpleHistoryAdmin):
    """Admins may correct a person's record; every change is kept in its history and audited.

    Every page that shows a person (the record, its history, the list) writes an audit read.
    """

    audit_object_type = "beneficiary"
    # "id", not "pk": on a past version (the history pages) "pk" is the version's id.
    audit_member_field = "id"

    list_display = ("id", "county", "preferred_language", "preferred_format", "user")
    list_select_related = ("county", "user")
    list_filter = ("county", "preferred_language", "preferred_format")
    # Exact MBI, CIN, name or id on their indexes (PersonSearchAdmin), never a table scan.
    search_fields = ("=mbi", "=cin", "search_last_name")
    person_field = None
    autocomplete_fields = ("user",)
    # Medi-Cal coverage is shown here only (no page of its own): the record's read covers it,
    # and save_formset audits each coverage row added, changed or deleted.
    inlines = [MediCalEligibilityInline]


@admin.register(EligibilityDetermination)
class EligibilityDeterminationAdmin(AuditedReadAdmin, PersonSearchAdmin, LargeTableAdmin):
    audit_object_type = "determination"

    list_display = ("id", "beneficiary", "as_of", "eligible", "dual_status_code", "policy_version")
    list_select_related = ("beneficiary",)
    search_fields = ("=beneficiary__mbi", "=beneficiary__cin")
    list_filter = ("eligible", "dual_status_code", "policy_version")
    readonly_fields = [f.name for f in EligibilityDetermination._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
