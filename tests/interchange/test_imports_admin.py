"""The admin's imports pages: upload a file, watch it run, read its report, download its errors.

Signed in as an admin with the second factor, as the admin site requires."""

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Role
from interchange.models import (
    EligibilityImport,
    EligibilityImportError,
    EligibilityImportStatusChange,
    ImportStatus,
)
from interchange.services import progress_cache_key
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, StaffFactory, UserFactory
from tests.interchange.test_imports_api import a_file_missing_a_column, a_file_with_errors

# Uploads are read by the Celery task in this process (also on CI's Redis run, with no worker).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

CHANGELIST = "/admin/interchange/eligibilityimport/"
UPLOAD = "/admin/interchange/eligibilityimport/upload/"


def page_of(import_id: int) -> str:
    return reverse("admin:interchange_eligibilityimport_report", args=[import_id])


@pytest.fixture
def admin_client_(client: Client) -> Client:
    return login_verified(client, AdminFactory())


def upload(client: Client, content: bytes, capture: Any, *, kind: str = "full") -> Any:
    """Send the upload form; the import runs once the request's transaction commits."""
    with capture(execute=True):
        return client.post(
            UPLOAD,
            {"file": SimpleUploadedFile("jan.csv", content, content_type="text/csv"), "kind": kind},
        )


def test_the_upload_page_asks_for_the_file_and_its_kind(admin_client_: Client) -> None:
    page = admin_client_.get(UPLOAD)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'name="file"' in html
    assert 'value="full"' in html and 'value="changes"' in html


def test_an_upload_runs_the_import_and_its_page_shows_the_report(
    admin_client_: Client, django_capture_on_commit_callbacks: Any
) -> None:
    answer = upload(admin_client_, a_file_with_errors(), django_capture_on_commit_callbacks)

    imp = EligibilityImport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == page_of(imp.pk)
    assert imp.status == ImportStatus.DONE

    page = admin_client_.get(answer["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f"stored and queued as import {imp.pk}" in html
    assert "Done" in html
    assert '<th scope="row">Records</th><td>5</td>' in html
    assert '<th scope="row">Invalid</th><td>2</td>' in html
    assert '<th scope="row">People created</th><td>3</td>' in html
    assert "Errors (2)" in html
    assert "line 3" in html and "line 5" in html
    errors_url = reverse("admin:interchange_eligibilityimport_errors_csv", args=[imp.pk])
    assert errors_url in html
    assert 'http-equiv="refresh"' not in html  # finished: the page stops reloading


def test_uploading_the_same_file_again_says_it_was_imported_before(
    admin_client_: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(admin_client_, a_file_with_errors(), django_capture_on_commit_callbacks)
    first = EligibilityImport.objects.get()

    again = upload(admin_client_, a_file_with_errors(), django_capture_on_commit_callbacks)

    assert again["Location"] == page_of(first.pk)
    html = admin_client_.get(again["Location"]).content.decode()
    assert f"This file was imported before (import {first.pk}" in html
    assert "nothing was written" in html
    assert EligibilityImport.objects.count() == 1


def test_a_file_missing_a_column_ends_failed_with_the_reason_shown(
    admin_client_: Client, django_capture_on_commit_callbacks: Any
) -> None:
    answer = upload(admin_client_, a_file_missing_a_column(), django_capture_on_commit_callbacks)

    imp = EligibilityImport.objects.get()
    assert imp.status == ImportStatus.FAILED
    html = admin_client_.get(answer["Location"]).content.decode()
    assert "Could not be read" in html
    assert "The file could not be read; nothing was written" in html
    assert "Required column(s) missing from the header: county_fips" in html
    assert 'http-equiv="refresh"' not in html


def test_the_errors_csv_has_one_row_per_error(
    admin_client_: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(admin_client_, a_file_with_errors(), django_capture_on_commit_callbacks)
    imp = EligibilityImport.objects.get()

    answer = admin_client_.get(
        reverse("admin:interchange_eligibilityimport_errors_csv", args=[imp.pk])
    )

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0] == ["line", "segment", "field", "code", "message"]
    assert len(rows) - 1 == EligibilityImportError.objects.filter(eligibility_import=imp).count()
    assert [row[0] for row in rows[1:]] == ["3", "5"]


def test_a_running_import_shows_its_progress_and_reloads_itself(admin_client_: Client) -> None:
    imp = EligibilityImport.objects.create(
        file_sha256="b" * 64, file_name="state.csv", format="csv", kind="full", status="running"
    )
    EligibilityImportStatusChange.objects.create(
        eligibility_import=imp, from_status="queued", to_status="running"
    )
    cache.set(
        progress_cache_key(imp.pk),
        {"records": 60000, "bytes_read": 300, "total_bytes": 1000, "phase": "reading"},
    )

    html = admin_client_.get(page_of(imp.pk)).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress max="100" value="30.0">' in html
    assert "30.0% of the file read (reading)" in html
    assert "60000 records read" in html
    assert "records a second" in html


def test_the_reloading_can_be_stopped_and_started_again(admin_client_: Client) -> None:
    imp = EligibilityImport.objects.create(
        file_sha256="d" * 64, file_name="state.csv", format="csv", kind="full", status="running"
    )

    reloading = admin_client_.get(page_of(imp.pk)).content.decode()
    stopped = admin_client_.get(page_of(imp.pk) + "?refresh=off").content.decode()

    assert 'href="?refresh=off">Stop reloading</a>' in reloading
    assert 'http-equiv="refresh"' not in stopped
    assert "no longer reloads itself" in stopped


def test_a_queued_import_waits_for_a_worker_and_reloads_itself(admin_client_: Client) -> None:
    imp = EligibilityImport.objects.create(file_sha256="c" * 64, format="csv", kind="full")
    html = admin_client_.get(page_of(imp.pk)).content.decode()
    assert "Waiting for a worker." in html
    assert 'http-equiv="refresh"' in html


def test_the_list_shows_imports_with_status_and_counts_and_an_upload_link(
    admin_client_: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(admin_client_, a_file_with_errors(), django_capture_on_commit_callbacks)
    imp = EligibilityImport.objects.get()

    page = admin_client_.get(CHANGELIST)

    assert page.status_code == 200
    html = page.content.decode()
    assert UPLOAD in html and "Upload a file" in html
    assert "jan.csv" in html and "Done" in html
    assert page.context["cl"].result_list[0].errors_total == 2
    # The import's row leads to its page (the change page redirects there).
    change = admin_client_.get(reverse("admin:interchange_eligibilityimport_change", args=[imp.pk]))
    assert change["Location"] == page_of(imp.pk)


def test_each_page_read_is_audited(
    admin_client_: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(admin_client_, a_file_with_errors(), django_capture_on_commit_callbacks)
    imp = EligibilityImport.objects.get()
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    admin_client_.get(CHANGELIST)
    admin_client_.get(page_of(imp.pk))
    b"".join(
        admin_client_.get(
            reverse("admin:interchange_eligibilityimport_errors_csv", args=[imp.pk])
        ).streaming_content
    )

    written = AuditEvent.objects.filter(pk__gt=last).order_by("id")
    assert [(e.action, e.object_type, e.object_id) for e in written] == [
        ("read", "eligibility_import_list", "list"),
        ("read", "eligibility_import", str(imp.pk)),
        ("read", "eligibility_import_errors", str(imp.pk)),
    ]


def test_staff_and_members_cannot_open_the_imports_pages(client: Client) -> None:
    imp = EligibilityImport.objects.create(file_sha256="d" * 64, format="csv", kind="full")
    pages = [
        CHANGELIST,
        UPLOAD,
        page_of(imp.pk),
        reverse("admin:interchange_eligibilityimport_errors_csv", args=[imp.pk]),
    ]
    # Without the admin site's flag, the admin site sends them to sign in.
    for user in (UserFactory(), StaffFactory()):
        signed_in = login_verified(Client(), user)
        for url in pages:
            answer = signed_in.get(url)
            assert answer.status_code == 302, url
            assert answer["Location"].startswith("/admin/login/"), url
    # Staff who may enter the admin site are still refused the imports.
    staff_with_admin_site = StaffFactory(is_staff=True)
    assert staff_with_admin_site.role == Role.STAFF
    signed_in = login_verified(Client(), staff_with_admin_site)
    for url in pages:
        assert signed_in.get(url).status_code == 403, url
    sent = signed_in.post(UPLOAD, {"file": SimpleUploadedFile("a.csv", b"x"), "kind": "full"})
    assert sent.status_code == 403
    assert EligibilityImport.objects.count() == 1


def test_uploading_a_file_still_being_imported_says_so(admin_client_: Client) -> None:
    content = a_file_with_errors()
    # Sent without running the task: the import stays queued.
    first = admin_client_.post(
        UPLOAD, {"file": SimpleUploadedFile("jan.csv", content), "kind": "full"}
    )
    imp = EligibilityImport.objects.get()
    assert imp.status == ImportStatus.QUEUED

    again = admin_client_.post(
        UPLOAD, {"file": SimpleUploadedFile("jan.csv", content), "kind": "full"}
    )

    assert again["Location"] == first["Location"] == page_of(imp.pk)
    html = admin_client_.get(again["Location"]).content.decode()
    assert f"This file is already being imported (import {imp.pk}" in html
    assert EligibilityImport.objects.count() == 1
