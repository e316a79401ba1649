"""Member services numbers of the Medi-Medi Plans come from public sources, each with its URL."""

import pytest

from eligibility import reference_data
from eligibility.models import MediMediPlan

pytestmark = pytest.mark.django_db


def test_every_plan_number_has_its_public_source_and_unconfirmed_ones_stay_empty() -> None:
    for plan in MediMediPlan.objects.all():
        if plan.member_phone:
            assert "https://" in plan.source, plan.name
            assert "555-01" not in plan.member_phone  # never a fictional placeholder
    assert MediMediPlan.objects.get(name="CareAdvantage").member_phone == "1-866-880-0606"
    # Two numbers by county, or none found: empty, and the source says why.
    for name in ("Wellcare by Health Net", "Molina Healthcare Medi-Medi Plan"):
        plan = MediMediPlan.objects.get(name=name)
        assert plan.member_phone == ""
        assert "Member services not set" in plan.source


def test_filling_numbers_keeps_what_an_admin_set_and_writes_history() -> None:
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    plan.member_phone = "1-650-000-0000"
    plan.member_tty = ""
    plan.save()
    before = plan.history.count()
    changed = reference_data.fill_plan_contacts(MediMediPlan)
    plan.refresh_from_db()
    assert plan.member_phone == "1-650-000-0000"  # the admin's number stays
    assert plan.member_tty == "1-800-735-2929"  # only the empty field is filled
    assert plan in changed and plan.history.count() == before + 1
    assert reference_data.fill_plan_contacts(MediMediPlan) == []  # nothing left to fill
