from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from eligibility.models import MediMediPlan, Organization

LA = ZoneInfo("America/Los_Angeles")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A moment in California."""
    return datetime(year, month, day, hour, tzinfo=LA)


@pytest.fixture
def hpsm_plan(db: None) -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


@pytest.fixture
def hpsm(db: None) -> Organization:
    return Organization.objects.get(code="hpsm")
