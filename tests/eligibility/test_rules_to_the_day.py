"""Issue 10, "the rules, to the day", through the services, the admin and the public check.

- Coverage always starts on the first of a month (42 CFR 422.68).
- The aligned Medi-Cal plan belongs to the Medi-Medi Plan's organization (services, database).
- Contradictory Medi-Cal facts are refused with field-keyed errors.
- The screener never contradicts itself (Alameda, with no service area, checked 2025-06-01).
"""

import importlib
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import DatabaseError, IntegrityError, transaction
from django.forms import modelform_factory
from django.test import Client
from django.urls import reverse

from accounts.errors import DomainError
from accounts.models import AuditEvent
from eligibility.models import County, MediCalEligibility, MediCalPlan, MediMediPlan, ServiceArea
from eligibility.reference_cache import reference_cache_clear
from eligibility.selectors import plan_first_day_in_county
from eligibility.services import county_rollout_update, service_area_save
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, BeneficiaryFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/eligibility/check"
BODY: dict[str, Any] = {
    "county": "Alameda",
    "as_of": "2026-07-20",
    "medicare_part_a": True,
    "medicare_part_b": True,
    "medi_cal": "full",
}
MIGRATION = importlib.import_module(
    "eligibility.migrations.0010_dates_on_first_of_month_and_consistent_facts"
)


def check(client: Client, **changes: Any) -> dict[str, Any]:
    response = client.post(URL, {**BODY, **changes}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def admin_client_(client: Client) -> Client:
    login_verified(client, AdminFactory())
    return client


@pytest.fixture
def la_care() -> MediMediPlan:
    return MediMediPlan.objects.get(name="L.A. Care Medicare Plus")


@pytest.fixture
def alameda() -> County:
    return County.objects.get(name="Alameda")


def raw_mid_month_area(plan: MediMediPlan, county: County, start: date) -> ServiceArea:
    """A row as one written before issue 10 could be: straight to the table, no service."""
    area = ServiceArea.objects.create(
        plan=plan,
        county=county,
        aligned_medi_cal_plan=MediCalPlan.objects.get(name="L.A. Care"),
        start_date=start,
    )
    reference_cache_clear()
    return area


# Coverage always starts on the first of a month.


def test_a_service_area_starting_mid_month_gives_coverage_from_the_next_first_in_the_check(
    client: Client, la_care: MediMediPlan, alameda: County
) -> None:
    raw_mid_month_area(la_care, alameda, date(2026, 8, 15))
    data = check(client)
    assert data["eligible"] is False  # nobody is covered on 2026-08-01
    assert [r["code"] for r in data["reasons"]] == ["NO_PLAN_IN_COUNTY"]
    assert data["earliest_effective_date"] == "2026-09-01"
    assert [p["name"] for p in data["plans"]] == ["L.A. Care Medicare Plus"]
    assert "September 1, 2026" in data["reasons"][0]["message"]


def test_the_first_day_a_plan_serves_a_county_is_a_first_of_a_month(
    la_care: MediMediPlan, alameda: County
) -> None:
    raw_mid_month_area(la_care, alameda, date(2026, 8, 15))
    first = plan_first_day_in_county(plan_id=la_care.pk, county=alameda, since=date(2026, 8, 1))
    assert first == date(2026, 9, 1)
    # A mid-month "since" (a mid-month county date) is rounded up the same way.
    first = plan_first_day_in_county(plan_id=la_care.pk, county=alameda, since=date(2026, 9, 2))
    assert first == date(2026, 10, 1)


def test_an_application_for_a_plan_starting_mid_month_takes_effect_the_next_first(
    la_care: MediMediPlan, alameda: County
) -> None:
    from enrollment import services as enrollment_services

    # Another plan serves Alameda already, so the person is eligible on 2026-08-01; the plan
    # they choose starts mid-month.
    ServiceArea.objects.create(
        plan=MediMediPlan.objects.get(name="Wellcare by Health Net"),
        county=alameda,
        aligned_medi_cal_plan=MediCalPlan.objects.get(name="Health Net Community Solutions"),
        start_date=date(2026, 1, 1),
    )
    raw_mid_month_area(la_care, alameda, date(2026, 8, 15))
    person = BeneficiaryFactory(county=alameda)
    draft = enrollment_services.application_create(beneficiary=person, actor=None, plan=la_care)
    submitted = enrollment_services.application_submit(
        application=draft, actor=None, now=datetime(2026, 7, 20, 18, tzinfo=UTC)
    )
    assert submitted.effective_date == date(2026, 9, 1)


def test_a_mid_month_county_date_is_refused_by_the_service(alameda: County) -> None:
    with pytest.raises(DomainError) as refused:
        county_rollout_update(county=alameda, available_from=date(2027, 6, 15), actor=None)
    assert refused.value.extra == {"field": "medi_medi_available_from"}
    assert "first of a month" in refused.value.message
    alameda.refresh_from_db()
    assert alameda.medi_medi_available_from == date(2026, 1, 1)


def test_a_mid_month_county_date_is_refused_in_the_admin_with_the_field_named(
    admin_client_: Client, alameda: County
) -> None:
    url = reverse("admin:eligibility_county_change", args=[alameda.pk])
    response = admin_client_.post(
        url, {"name": "Alameda", "medi_medi_available_from": "2027-06-15", "source": "x"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert (
        "first of a month"
        in response.context["adminform"].form.errors["medi_medi_available_from"][0]
    )
    alameda.refresh_from_db()
    assert alameda.medi_medi_available_from == date(2026, 1, 1)


def test_the_service_area_service_refuses_a_mid_month_start_and_saves_a_first(
    la_care: MediMediPlan, alameda: County
) -> None:
    aligned = MediCalPlan.objects.get(name="L.A. Care")
    with pytest.raises(DomainError) as refused:
        service_area_save(
            plan=la_care,
            county=alameda,
            aligned_medi_cal_plan=aligned,
            start_date=date(2026, 8, 15),
            actor=None,
        )
    assert refused.value.extra == {"field": "start_date"}
    admin = AdminFactory()
    area = service_area_save(
        plan=la_care,
        county=alameda,
        aligned_medi_cal_plan=aligned,
        start_date=date(2026, 9, 1),
        actor=admin,
    )
    assert area.start_date == date(2026, 9, 1)
    assert AuditEvent.objects.filter(
        object_type="service_area", object_id=str(area.pk), actor=admin, action="create"
    ).exists()


def test_a_mid_month_service_area_start_is_refused_in_the_admin(
    admin_client_: Client, la_care: MediMediPlan, alameda: County
) -> None:
    response = admin_client_.post(
        reverse("admin:eligibility_servicearea_add"),
        {
            "plan": la_care.pk,
            "county": alameda.pk,
            "aligned_medi_cal_plan": MediCalPlan.objects.get(name="L.A. Care").pk,
            "start_date": "2026-08-15",
            "source": "test",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "first of a month" in errors["start_date"][0]
    assert not ServiceArea.objects.filter(county=alameda).exists()


def test_the_migration_rounds_mid_month_dates_up_and_keeps_history(
    la_care: MediMediPlan, alameda: County
) -> None:
    County.objects.filter(pk=alameda.pk).update(medi_medi_available_from=date(2027, 6, 15))
    area = raw_mid_month_area(la_care, alameda, date(2026, 8, 15))
    inside_a_month = ServiceArea.objects.create(
        plan=MediMediPlan.objects.get(name="Wellcare by Health Net"),
        county=alameda,
        aligned_medi_cal_plan=MediCalPlan.objects.get(name="Health Net Community Solutions"),
        start_date=date(2026, 8, 15),
        end_date=date(2026, 8, 20),
    )
    MIGRATION.round_dates_up(django_apps, None)
    alameda.refresh_from_db()
    area.refresh_from_db()
    inside_a_month.refresh_from_db()
    assert alameda.medi_medi_available_from == date(2027, 7, 1)
    assert area.start_date == date(2026, 9, 1)
    assert inside_a_month.start_date == date(2026, 8, 15)  # left for an admin: no coverage
    latest = alameda.history.order_by("-history_date", "-history_id").first()
    assert latest.medi_medi_available_from == date(2027, 7, 1)
    assert "42 CFR 422.68" in latest.history_change_reason


# The aligned Medi-Cal plan belongs to the same organization as the Medi-Medi Plan.


def test_the_service_refuses_an_aligned_plan_of_another_organization(
    la_care: MediMediPlan, alameda: County
) -> None:
    with pytest.raises(DomainError) as refused:
        service_area_save(
            plan=la_care,
            county=alameda,
            aligned_medi_cal_plan=MediCalPlan.objects.get(name="CalViva Health"),
            start_date=date(2026, 9, 1),
            actor=None,
        )
    assert refused.value.extra == {"field": "aligned_medi_cal_plan"}
    assert not ServiceArea.objects.filter(county=alameda).exists()


@pytest.mark.postgres
def test_the_database_refuses_an_aligned_plan_of_another_organization(
    la_care: MediMediPlan, alameda: County
) -> None:
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ServiceArea.objects.create(
            plan=la_care,
            county=alameda,
            aligned_medi_cal_plan=MediCalPlan.objects.get(name="CalViva Health"),
            start_date=date(2026, 9, 1),
        )
    area = ServiceArea.objects.filter(plan=la_care).first()
    assert area is not None
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ServiceArea.objects.filter(pk=area.pk).update(
            aligned_medi_cal_plan=MediCalPlan.objects.get(name="CalViva Health")
        )
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        MediCalPlan.objects.filter(name="L.A. Care").update(
            organization=MediCalPlan.objects.get(name="CalViva Health").organization
        )


# Contradictory facts are refused with field-keyed errors.


PeriodForm = modelform_factory(
    MediCalEligibility,
    fields=["beneficiary", "start_date", "aid_code", "scope", "share_of_cost", "msp"],
)


def period_form(**changes: Any) -> Any:
    person = BeneficiaryFactory(medi_cal=False)
    data = {
        "beneficiary": person.pk,
        "start_date": "2026-01-01",
        "aid_code": "10",
        "scope": "full",
        "share_of_cost": "none",
        "msp": "none",
        **changes,
    }
    return PeriodForm(data)


def test_no_medi_cal_with_a_share_of_cost_is_refused_on_the_share_of_cost() -> None:
    form = period_form(scope="", aid_code="", share_of_cost="met", msp="QMB")
    assert not form.is_valid()
    assert list(form.errors) == ["share_of_cost"]
    assert "needs Medi-Cal" in form.errors["share_of_cost"][0]


def test_full_scope_under_a_restricted_scope_aid_code_is_refused_on_the_scope() -> None:
    form = period_form(aid_code="C1")
    assert not form.is_valid()
    assert list(form.errors) == ["scope"]
    assert "C1" in form.errors["scope"][0]
    assert period_form(aid_code="C1", scope="restricted").is_valid()
    assert period_form().is_valid()


def test_the_database_refuses_a_share_of_cost_without_medi_cal() -> None:
    person = BeneficiaryFactory(medi_cal=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        MediCalEligibility.objects.create(
            beneficiary=person, start_date=date(2026, 1, 1), scope="", share_of_cost="unmet"
        )


def test_the_admin_refuses_contradictory_coverage_on_the_persons_page(
    admin_client_: Client,
) -> None:
    person = BeneficiaryFactory(medi_cal=False)
    url = reverse("admin:eligibility_beneficiary_change", args=[person.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    for name in ("medicare_part_a_start", "medicare_part_b_start", "date_of_birth"):
        data[name] = data[name].isoformat()
    for name in ("incarcerated",):
        data.pop(name)
    data["lawfully_present"] = "on"
    prefix = "medi_cal_periods"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-start_date": "2026-01-01",
            f"{prefix}-0-aid_code": "C2",
            f"{prefix}-0-scope": "full",
            f"{prefix}-0-share_of_cost": "none",
            f"{prefix}-0-msp": "none",
        }
    )
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "scope" in inline_errors[0]
    assert not person.medi_cal_periods.exists()


# The screener never contradicts itself.


def test_alameda_before_it_opens_says_it_opens_but_no_plan_has_said_it_will_serve_it(
    client: Client,
) -> None:
    data = check(client, as_of="2025-06-01")
    assert [r["code"] for r in data["reasons"]] == [
        "COUNTY_NOT_YET_AVAILABLE",
        "NO_PLAN_IN_COUNTY",
    ]
    county_reason, plan_reason = (r["message"] for r in data["reasons"])
    assert "January 1, 2026" in county_reason
    assert "but no plan has said it will serve Alameda County yet" in county_reason
    assert "no plan has said it will serve it later" in plan_reason
    assert data["earliest_effective_date"] is None
    assert data["plans"] == []


def test_the_screener_for_alameda_before_it_opens_never_says_plans_start_there(
    client: Client,
) -> None:
    answers = {
        "county": "06001",
        "as_of": "2025-06-01",
        "medicare_part_a": "yes",
        "medicare_part_b": "yes",
        "medi_cal": "full",
        "share_of_cost": "none",
        "medicare_savings_program": "none",
        "incarcerated": "no",
        "lawfully_present": "yes",
    }
    page = text(client.get("/eligibility/", answers))
    assert "Medi-Medi Plans start in Alameda County" not in page
    assert "No Medi-Medi Plan serves this county on that date" not in page
    assert "Alameda County opens to Medi-Medi Plans on" in page
    assert "but no plan has said it will serve Alameda County yet" in page
    assert "No Medi-Medi Plan has said it will serve Alameda County on or after" in page
