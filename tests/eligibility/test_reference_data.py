from datetime import date

import pytest
from django.core.management import call_command

from eligibility.models import County, MediMediPlan, Organization, ServiceArea
from eligibility.reference_data import service_area_ends_fill
from eligibility.selectors import plans_on, service_areas_of

pytestmark = pytest.mark.django_db


def test_all_58_counties_exist_with_fips_in_alphabetical_order() -> None:
    counties = list(County.objects.order_by("name"))
    assert len(counties) == 58
    assert [c.fips for c in counties] == [f"06{n:03d}" for n in range(1, 116, 2)]
    assert County.objects.get(fips="06001").name == "Alameda"
    assert County.objects.get(fips="06081").name == "San Mateo"
    assert County.objects.get(fips="06115").name == "Yuba"


@pytest.mark.parametrize(
    ("name", "available"),
    [
        ("Los Angeles", date(2023, 1, 1)),
        ("Orange", date(2023, 1, 1)),
        ("Riverside", date(2023, 1, 1)),
        ("San Bernardino", date(2023, 1, 1)),
        ("San Diego", date(2023, 1, 1)),
        ("San Mateo", date(2023, 1, 1)),
        ("Santa Clara", date(2023, 1, 1)),
        ("Fresno", date(2024, 1, 1)),
        ("Kings", date(2024, 1, 1)),
        ("Madera", date(2024, 1, 1)),
        ("Sacramento", date(2024, 1, 1)),
        ("Tulare", date(2024, 1, 1)),
        ("Alameda", date(2026, 1, 1)),
        ("Yuba", date(2026, 1, 1)),
    ],
)
def test_county_rollout_dates(name: str, available: date) -> None:
    assert County.objects.get(name=name).medi_medi_available_from == available


def test_rollout_counts_are_7_then_5_then_46() -> None:
    counts = {
        d: County.objects.filter(medi_medi_available_from=d).count()
        for d in (date(2023, 1, 1), date(2024, 1, 1), date(2026, 1, 1))
    }
    assert counts == {date(2023, 1, 1): 7, date(2024, 1, 1): 5, date(2026, 1, 1): 46}


def test_aligned_medi_cal_plan_always_belongs_to_the_plans_organization() -> None:
    areas = ServiceArea.objects.select_related("plan", "aligned_medi_cal_plan")
    assert areas.exists()
    for area in areas:
        assert area.aligned_medi_cal_plan.organization_id == area.plan.organization_id


def test_health_net_is_aligned_with_calviva_in_fresno_and_in_h3561_008_in_2026_counties() -> None:
    fresno = ServiceArea.objects.get(plan__name="Wellcare by Health Net", county__name="Fresno")
    assert fresno.aligned_medi_cal_plan.name == "CalViva Health"
    assert fresno.start_date == date(2024, 1, 1)
    expansion = MediMediPlan.objects.get(contract_number="H3561", pbp="008")
    assert expansion.contract_id == "H3561-008"
    assert sorted(expansion.service_areas.values_list("county__name", flat=True)) == [
        "Amador", "Calaveras", "Inyo", "Mono", "San Joaquin", "Stanislaus", "Tuolumne",
    ]  # fmt: skip


def test_unknown_contract_ids_are_left_empty_not_invented() -> None:
    plan = MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
    assert plan.contract_id is None
    assert "unknown" in plan.source.lower()
    assert all(p.source for p in MediMediPlan.objects.all())


def test_loading_again_creates_nothing_and_keeps_admin_edits() -> None:
    county = County.objects.get(name="Alameda")
    county.medi_medi_available_from = date(2027, 1, 1)
    county.save()
    before = (County.objects.count(), Organization.objects.count(), ServiceArea.objects.count())
    call_command("load_reference_data")
    after = (County.objects.count(), Organization.objects.count(), ServiceArea.objects.count())
    assert before == after
    assert County.objects.get(name="Alameda").medi_medi_available_from == date(2027, 1, 1)


@pytest.mark.parametrize("county", ["Riverside", "San Bernardino", "San Diego"])
def test_health_nets_medi_medi_service_area_ends_when_its_medi_cal_plan_left(county: str) -> None:
    """domain.md section 5: Health Net Community Solutions left Medi-Cal there on 2024-01-01."""
    area = ServiceArea.objects.get(plan__name="Wellcare by Health Net", county__name=county)
    assert area.end_date == date(2023, 12, 31)
    assert "Contract Transition" in area.source
    areas = service_areas_of(County.objects.get(name=county))
    offered_2023 = {p.name for p in plans_on(areas, date(2023, 6, 1))}
    offered_2026 = {p.name for p in plans_on(areas, date(2026, 6, 1))}
    assert "Wellcare by Health Net" in offered_2023
    assert "Wellcare by Health Net" not in offered_2026


def test_an_end_date_an_admin_set_is_kept_by_the_fill() -> None:
    area = ServiceArea.objects.get(plan__name="Wellcare by Health Net", county__name="Riverside")
    ServiceArea.objects.filter(pk=area.pk).update(end_date=date(2024, 3, 31))
    los_angeles = ServiceArea.objects.get(
        plan__name="Wellcare by Health Net", county__name="Los Angeles"
    )

    assert service_area_ends_fill(ServiceArea) == 0
    area.refresh_from_db()
    los_angeles.refresh_from_db()
    assert area.end_date == date(2024, 3, 31)
    assert los_angeles.end_date is None
