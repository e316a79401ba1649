"""Defects found by trying the portal as an attacker would, each now refused by the access layer."""

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from eligibility.models import MediMediPlan, Organization
from enrollment import services
from enrollment.models import Application
from notices.models import Notice, NoticeStatus
from tests.enrollment.conftest import Letters, at, enrolled_member
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

FEATURE_APPS = {"eligibility", "enrollment", "notices"}


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_accounts_migrations_depend_on_no_feature_app() -> None:
    """The ground floor stays the ground floor: no accounts migration needs a feature app."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in loader.disk_migrations.items():
        if app == "accounts":
            needs = {dependency[0] for dependency in migration.dependencies}
            assert needs & FEATURE_APPS == set(), f"accounts.{name} depends on {needs}"


@pytest.mark.django_db
def test_staff_cannot_link_their_account_to_a_members_record() -> None:
    person = BeneficiaryFactory()
    body = {
        "identifier": person.mbi,
        "date_of_birth": person.date_of_birth.isoformat(),
        "last_name": person.last_name,
    }
    for intruder in (StaffFactory(), AdminFactory()):
        response = api(intruder).post("/api/v1/me/link", body, format="json")
        assert response.status_code == 403
    person.refresh_from_db()
    assert person.user_id is None
    assert api(UserFactory()).post("/api/v1/me/link", body, format="json").status_code == 200


@pytest.mark.django_db
def test_staff_cannot_start_an_application_as_a_member_and_nothing_is_written() -> None:
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    response = api(StaffFactory()).post("/api/v1/applications", {"plan": plan.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_withdrawn_draft_shows_nothing_to_that_organizations_staff(
    django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    """Enrolled with HPSM; a draft to L.A. Care withdrawn unsent opens nothing to L.A. Care."""
    letters: Letters = enrolled_member(django_capture_on_commit_callbacks)
    beneficiary = letters.beneficiary
    draft = Application.objects.create(
        beneficiary=beneficiary, plan=MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
    )
    services.application_withdraw(application=draft, actor=letters.user)
    lacare = api(StaffFactory(organization=Organization.objects.get(code="lacare")))
    for path in (
        f"/api/v1/beneficiaries/{beneficiary.pk}/notices",
        f"/api/v1/beneficiaries/{beneficiary.pk}/enrollments",
        f"/api/v1/applications/{draft.pk}",
        f"/api/v1/notices/{letters.confirmation.pk}/pdf",
        f"/api/v1/notices/{letters.confirmation.pk}/id-card",
    ):
        assert lacare.get(path).status_code == 404, path
    resend = lacare.post(f"/api/v1/notices/{letters.confirmation.pk}/resend", {}, format="json")
    assert resend.status_code == 404
    assert not Notice.objects.filter(resend_of=letters.confirmation).exists()


@pytest.mark.django_db
def test_staff_see_another_organizations_enrollment_only_as_another_plan_with_dates(
    django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    letters = enrolled_member(django_capture_on_commit_callbacks)
    # The member also applied to L.A. Care (submitted), so L.A. Care staff may see the person.
    application = Application.objects.create(
        beneficiary=letters.beneficiary,
        plan=MediMediPlan.objects.get(name="L.A. Care Medicare Plus"),
        status="submitted",
        submitted_at=at(2026, 11, 2),
        effective_date=date(2026, 12, 1),
    )
    lacare = StaffFactory(organization=Organization.objects.get(code="lacare"))
    rows = api(lacare).get(f"/api/v1/beneficiaries/{letters.beneficiary.pk}/enrollments").json()
    assert {row["plan_name"] for row in rows} == {"Another Medi-Medi Plan", "Another Medi-Cal plan"}
    assert all(row["id"] is None and row["plan"] is None for row in rows)
    assert all(row["start_date"] == "2025-02-01" for row in rows)
    # ...and none of HPSM's letters.
    notices = api(lacare).get(f"/api/v1/beneficiaries/{letters.beneficiary.pk}/notices").json()
    assert notices == []
    assert api(lacare).get(f"/api/v1/applications/{application.pk}").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_double_click_on_resend_sends_one_copy(
    django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    from medimedi.celery import app as celery_app

    letters = enrolled_member(django_capture_on_commit_callbacks)
    staff = StaffFactory()
    assert Notice.objects.get(pk=letters.received.pk).status == NoticeStatus.SENT
    # No delivery while the clicks race: each copy stays on its way (queued) until marked sent.
    celery_app.conf.task_always_eager = False
    for _ in range(3):
        barrier = threading.Barrier(2)
        statuses = [0, 0]

        def click(
            index: int, barrier: threading.Barrier = barrier, statuses: list[int] = statuses
        ) -> None:
            try:
                barrier.wait(timeout=10)
                statuses[index] = (
                    api(staff)
                    .post(f"/api/v1/notices/{letters.received.pk}/resend", {}, format="json")
                    .status_code
                )
            finally:
                connection.close()

        # The copies of earlier rounds have arrived, so this round's clicks may resend again.
        Notice.objects.filter(resend_of=letters.received).update(
            status=NoticeStatus.SENT, sent_at=timezone.now()
        )
        threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [201, 409]
    assert Notice.objects.filter(resend_of=letters.received).count() == 3
