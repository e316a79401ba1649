"""Real concurrency on PostgreSQL: parallel approvals give exactly one enrollment."""

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from eligibility.models import County, MediCalPlan, MediMediPlan
from enrollment import services
from enrollment.models import Application, Enrollment, EnrollmentKind
from tests.enrollment.conftest import at
from tests.factories import BeneficiaryFactory, StaffFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def in_parallel(calls: list[Callable[[], int]]) -> list[int]:
    """Run the calls at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results: list[int] = [0] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def submitted(person, plan_name: str) -> Application:
    draft = services.application_create(
        beneficiary=person, actor=None, plan=MediMediPlan.objects.get(name=plan_name)
    )
    return services.application_submit(application=draft, actor=None, now=at(2026, 11, 27))


def approve_call(user, application_id: int) -> Callable[[], int]:
    def call() -> int:
        client = APIClient()
        client.force_authenticate(user)
        return client.post(f"/api/v1/applications/{application_id}/approve").status_code

    return call


def test_two_staff_approving_the_same_application_at_once() -> None:
    application = submitted(BeneficiaryFactory(), "CareAdvantage")
    first, second = StaffFactory(), StaffFactory()
    for _ in range(3):  # repeat the race to make an unlucky interleaving likely to show
        statuses = in_parallel(
            [approve_call(first, application.pk), approve_call(second, application.pk)]
        )
        assert sorted(statuses) in ([200, 409], [409, 409])
    assert Enrollment.objects.filter(kind=EnrollmentKind.MEDI_MEDI).count() == 1
    assert Enrollment.objects.filter(kind=EnrollmentKind.MEDI_CAL).count() == 1
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.status_changes.filter(to_status="approved").count() == 1


def test_two_applications_of_one_person_approved_at_once() -> None:
    person = BeneficiaryFactory(county=County.objects.get(name="Los Angeles"))
    one = submitted(person, "L.A. Care Medicare Plus")
    two = submitted(person, "Blue Shield TotalDual")
    staff_one = StaffFactory(organization=one.plan.organization)
    staff_two = StaffFactory(organization=two.plan.organization)
    statuses = in_parallel([approve_call(staff_one, one.pk), approve_call(staff_two, two.pk)])
    assert sorted(statuses) == [200, 409]
    assert Enrollment.objects.filter(beneficiary=person, kind=EnrollmentKind.MEDI_MEDI).count() == 1
    assert Enrollment.objects.filter(beneficiary=person, kind=EnrollmentKind.MEDI_CAL).count() == 1
    approved = Application.objects.filter(beneficiary=person, status="approved")
    assert approved.count() == 1


def test_the_database_refuses_overlapping_enrollments_even_without_the_services() -> None:
    person = BeneficiaryFactory()
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    Enrollment.objects.create(
        beneficiary=person, kind="medi_medi", medi_medi_plan=plan, start_date=date(2026, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            beneficiary=person,
            kind="medi_medi",
            medi_medi_plan=plan,
            start_date=date(2026, 6, 1),
            end_date=date(2026, 6, 30),
        )
    # Different kinds may overlap, and a cancelled row covers no day.
    Enrollment.objects.create(
        beneficiary=person,
        kind="medi_cal",
        medi_cal_plan=MediCalPlan.objects.get(name="Health Plan of San Mateo"),
        start_date=date(2026, 1, 1),
    )
    Enrollment.objects.create(
        beneficiary=person,
        kind="medi_medi",
        medi_medi_plan=plan,
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 1),
        cancelled=True,
    )
