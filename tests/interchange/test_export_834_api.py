"""The enrollment files API: administrators list the 834 exports and download a file; staff
and members are refused (403), anonymous callers asked to sign in (401)."""

from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import AuditEvent
from eligibility.models import MediCalPlan
from interchange import exports
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, StaffFactory, UserFactory
from tests.interchange.test_export_834 import a_person, aligned_pair

pytestmark = pytest.mark.django_db

LIST = "/api/v1/enrollment-files"


def made() -> exports.EnrollmentFileExport:
    aligned_pair(a_person())
    outcome = exports.enrollment_file_export(
        actor=None,
        plan=MediCalPlan.objects.get(state_code="MC-HPSM"),
        period_start=date(2027, 1, 1),
        period_end=date(2027, 1, 31),
    )
    assert outcome.export is not None
    return outcome.export


def test_admin_lists_exports_with_control_numbers_and_counts() -> None:
    export = made()
    client = login_verified(Client(), AdminFactory())

    answer = client.get(LIST)

    assert answer.status_code == 200
    row = answer.json()["results"][0]
    assert row["id"] == export.pk and row["plan_code"] == "MC-HPSM"
    assert row["interchange_control"] == export.interchange_control
    assert (row["members"], row["additions"], row["full"]) == (1, 1, False)
    assert row["period_start"] == "2027-01-01" and row["created_by"] is None


def test_admin_downloads_the_stored_file_and_the_read_is_audited() -> None:
    export = made()
    admin = AdminFactory()
    client = login_verified(Client(), admin)

    answer = client.get(f"{LIST}/{export.pk}/file")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/edi-x12"
    assert export.file_name in answer["Content-Disposition"]
    assert b"".join(answer.streaming_content) == Path(export.stored_path).read_bytes()
    assert AuditEvent.objects.filter(
        actor=admin, action="read", object_type="enrollment_file", object_id=str(export.pk)
    ).exists()
    assert client.get(f"{LIST}/999999/file").status_code == 404


def test_staff_and_members_are_refused_and_anonymous_asked_to_sign_in() -> None:
    export = made()
    plan = MediCalPlan.objects.get(state_code="MC-HPSM")
    for user in (UserFactory(), StaffFactory(organization=plan.organization)):
        client = login_verified(Client(), user)
        for url in (LIST, f"{LIST}/{export.pk}/file"):
            answer = client.get(url)
            assert answer.status_code == 403, url
            assert answer.json()["code"] == "forbidden"
    assert Client().get(LIST).status_code == 401
