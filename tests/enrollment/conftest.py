from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from eligibility.models import Beneficiary, MediMediPlan, Organization
from eligibility.notifications import recipient_key
from enrollment import services
from enrollment.models import Application
from notices.models import Notice
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory

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


@dataclass
class Letters:
    user: User
    beneficiary: Beneficiary
    application: Application
    received: Notice
    confirmation: Notice


def enrolled_member(capture: Any, first_name: str = "Rosa") -> Letters:
    """Sign up, apply, submit and get approved, delivering each letter as the events commit.

    The submission sends "application received"; the approval sends the enrollment
    confirmation with the member ID card. Coverage started in February 2025, so it is current.
    """
    user = UserFactory()
    beneficiary = BeneficiaryFactory(user=user, first_name=first_name)
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    with capture(execute=True):
        draft = services.application_create(beneficiary=beneficiary, actor=user, plan=plan)
        application = services.application_submit(
            application=draft, actor=user, now=at(2025, 1, 10)
        )
    with capture(execute=True):
        services.application_approve(
            application=application, actor=StaffFactory(), today=date(2025, 1, 15)
        )
    notices = Notice.objects.filter(recipient_key=recipient_key(beneficiary))
    return Letters(
        user=user,
        beneficiary=beneficiary,
        application=application,
        received=notices.get(kind="application_received"),
        confirmation=notices.get(kind="enrollment_confirmation"),
    )
