"""The admin's enrollment files out: make a file for a plan and period, see past exports,
download a file; administrators only. Signed in with the second factor, as the admin site
requires."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from eligibility.models import MediCalPlan
from interchange.models import EnrollmentFileExport
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, StaffFactory, UserFactory
from tests.interchange.test_export_834 import a_person, aligned_pair, assert_valid

pytestmark = pytest.mark.django_db

LIST = "/admin/interchange/enrollmentfileexport/"
NEW = "/admin/interchange/enrollmentfileexport/new/"


@pytest.fixture(autouse=True)
def _export_dir(settings: Any, tmp_path: Path) -> None:
    settings.INTERCHANGE_EXPORT_DIR = str(tmp_path / "exports")


@pytest.fixture
def admin_client_(client: Client) -> Client:
    return login_verified(client, AdminFactory())


def form(plan: MediCalPlan, **extra: str) -> dict[str, Any]:
    return {
        "plan": str(plan.pk),
        "period_start": "2027-01-01",
        "period_end": "2027-01-31",
        **extra,
    }


def test_the_page_asks_for_plan_period_and_full_with_labels(admin_client_: Client) -> None:
    page = admin_client_.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("plan", "period_start", "period_end", "full"):
        assert f'for="id_{name}"' in html and f'name="{name}"' in html
    assert "Health Plan of San Mateo" in html
    assert (
        'href="/admin/interchange/enrollmentfileexport/new/"'
        in admin_client_.get(LIST).content.decode()
    )


def test_making_a_file_lists_it_and_its_download_validates(admin_client_: Client) -> None:
    plan = MediCalPlan.objects.get(state_code="MC-HPSM")
    aligned_pair(a_person())

    made = admin_client_.post(NEW, form(plan), follow=True)

    assert made.status_code == 200
    html = made.content.decode()
    export = EnrollmentFileExport.objects.get()
    assert f"Export {export.pk} written: 1 members (1 added" in html
    assert f"{export.interchange_control:09d}" in html
    download = reverse("admin:interchange_enrollmentfileexport_download", args=[export.pk])
    assert download in html
    answer = admin_client_.get(download)
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert export.file_name in answer["Content-Disposition"]
    body = b"".join(answer.streaming_content)
    assert body == Path(export.stored_path).read_bytes()
    assert_valid(Path(export.stored_path))
    assert AuditEvent.objects.filter(
        object_type="enrollment_file", object_id=str(export.pk), action="read"
    ).exists()

    again = admin_client_.post(NEW, form(plan), follow=True).content.decode()
    assert "were exported before (export" in again
    assert "Nothing to send for this period" in again
    assert EnrollmentFileExport.objects.count() == 1


def test_a_period_ending_before_it_starts_is_shown_in_the_error_summary(
    admin_client_: Client,
) -> None:
    plan = MediCalPlan.objects.get(state_code="MC-HPSM")
    page = admin_client_.post(NEW, form(plan, period_end="2026-12-31"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_period_end"' in html and "The period ends before it starts." in html
    assert EnrollmentFileExport.objects.count() == 0


def test_staff_and_members_cannot_open_the_enrollment_file_pages() -> None:
    plan = MediCalPlan.objects.get(state_code="MC-HPSM")
    aligned_pair(a_person())
    admin = login_verified(Client(), AdminFactory())
    admin.post(NEW, form(plan))
    export = EnrollmentFileExport.objects.get()
    pages = [
        LIST,
        NEW,
        reverse("admin:interchange_enrollmentfileexport_download", args=[export.pk]),
    ]
    for user in (UserFactory(), StaffFactory()):
        signed_in = login_verified(Client(), user)
        for url in pages:
            answer = signed_in.get(url)
            assert answer.status_code == 302, url
            assert answer["Location"].startswith("/admin/login/"), url
    staff = login_verified(Client(), StaffFactory(organization=plan.organization, is_staff=True))
    for url in pages:
        assert staff.get(url).status_code == 403, url
    assert staff.post(NEW, form(plan, full="on")).status_code == 403
    assert EnrollmentFileExport.objects.count() == 1
