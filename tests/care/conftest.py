"""Fixtures for care coordination: a plan's coordinators and an enrolled member."""

from typing import Any

import pytest

from accounts.models import User
from care import services
from care.models import CareCase, CareCoordinator
from eligibility.models import Organization
from tests.enrollment.conftest import Letters, enrolled_member
from tests.factories import AdminFactory, StaffFactory


@pytest.fixture
def admin(db: None) -> User:
    return AdminFactory()


def coordinator(
    admin: User, organization: Organization | None = None, **kwargs: Any
) -> CareCoordinator:
    user = StaffFactory(organization=organization, **kwargs)
    return services.care_coordinator_grant(actor=admin, user=user)


@pytest.fixture
def coordinators(admin: User) -> list[CareCoordinator]:
    """Two coordinators of Health Plan of San Mateo (the member's plan's organization)."""
    return [coordinator(admin), coordinator(admin)]


@pytest.fixture
def member(
    django_capture_on_commit_callbacks: Any,
    tasks_in_process: None,
    coordinators: list[CareCoordinator],
) -> Letters:
    """A member enrolled in CareAdvantage from 2025-02-01 (approved 2025-01-15)."""
    return enrolled_member(django_capture_on_commit_callbacks)


@pytest.fixture
def case(member: Letters) -> CareCase:
    return CareCase.objects.get(enrollment__beneficiary=member.beneficiary)


@pytest.fixture
def staff(coordinators: list[CareCoordinator]) -> User:
    return coordinators[0].membership.user


@pytest.fixture
def other_staff(db: None) -> User:
    return StaffFactory(organization=Organization.objects.get(code="lacare"))
