"""The imports API: admins upload a file, list the imports, read a report and download every
error as CSV; staff and members are refused (403), anonymous callers asked to sign in (401).
Every read is audited."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditEvent, User
from interchange.models import EligibilityImport, EligibilityImportError, ImportStatus
from interchange.records import COLUMNS
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

# Uploads are read by the Celery task in this process (also on CI's Redis run, with no worker).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def person(n: int, **overrides: str) -> dict[str, str]:
    """One valid row of the layout: a full-benefit dual in Orange County (synthetic)."""
    row = {
        "file_month": "2027-01",
        "cin": f"{91000000 + n:08d}A",
        "mbi": f"1EG4TE5MK{n % 100:02d}",
        "last_name": f"Testperson{n}",
        "first_name": "Josefina",
        "date_of_birth": "1956-03-14",
        "address_line1": f"{n} Elm St",
        "city": "Santa Ana",
        "zip": "92701",
        "county_fips": "06059",
        "medicare_part_a_start": "2021-03-01",
        "medicare_part_b_start": "2021-03-01",
        "medi_cal_scope": "full",
        "aid_code": "10",
        "medi_cal_start": "2019-06-01",
        "share_of_cost": "none",
        "msp": "QMB",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def a_file_with_errors() -> bytes:
    """Three good records and two bad ones (a malformed MBI, a date that does not exist)."""
    return csv_bytes(
        [
            person(1),
            person(2, mbi="NOT-AN-MBI"),
            person(3),
            person(4, date_of_birth="1956-02-30"),
            person(5),
        ]
    )


def a_file_missing_a_column() -> bytes:
    return csv_bytes([person(1)], columns=tuple(c for c in COLUMNS if c != "county_fips"))


@pytest.fixture
def admin_user() -> User:
    return AdminFactory()


@pytest.fixture
def admin_api(admin_user: User) -> Client:
    return login_verified(Client(), admin_user)


def upload(
    client: Client, content: bytes, capture: Any, *, kind: str = "full", name: str = "jan.csv"
) -> Any:
    """POST the file; the import runs once the request's transaction commits."""
    with capture(execute=True):
        return client.post(
            "/api/v1/imports",
            {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "kind": kind},
        )


def test_admin_upload_answers_202_with_the_queued_import_then_the_report_when_read(
    admin_api: Client, django_capture_on_commit_callbacks: Any
) -> None:
    answer = upload(admin_api, a_file_with_errors(), django_capture_on_commit_callbacks)

    assert answer.status_code == 202
    body = answer.json()
    assert body["status"] == "queued"
    assert body["duplicate_file"] is False
    assert body["file_name"] == "jan.csv"
    assert body["kind"] == "full"
    assert body["progress"] is None

    report = admin_api.get(f"/api/v1/imports/{body['id']}").json()
    assert report["status"] == "done"
    assert report["failure"] == ""
    assert report["file_month"] == "2027-01"
    assert (report["records"], report["valid"], report["invalid"]) == (5, 3, 2)
    assert report["created"] == 3
    assert report["errors_total"] == 2
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (3, "mbi"),
        (5, "date_of_birth"),
    ]
    assert all("segment" not in e and e["code"] and e["message"] for e in report["errors"])
    assert set(report) >= {"file_sha256", "format", "events", "warnings", "seconds", "unchanged"}


def test_the_report_has_the_commands_fields_in_the_same_shape(
    admin_api: Client, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    import json

    from django.core.management import call_command

    path = tmp_path / "feb.csv"
    path.write_bytes(a_file_with_errors())
    out = io.StringIO()
    call_command("import_eligibility", str(path), "--json", stdout=out)
    printed = json.loads(out.getvalue().strip().splitlines()[-1])

    report = admin_api.get(f"/api/v1/imports/{printed['id']}").json()
    shared = {k: v for k, v in report.items() if k in printed and k != "seconds"}
    assert shared == {k: v for k, v in printed.items() if k != "seconds"}


def test_the_same_file_again_answers_200_duplicate_and_writes_nothing(
    admin_api: Client, django_capture_on_commit_callbacks: Any
) -> None:
    first = upload(admin_api, a_file_with_errors(), django_capture_on_commit_callbacks).json()
    errors_before = EligibilityImportError.objects.count()

    again = upload(
        admin_api, a_file_with_errors(), django_capture_on_commit_callbacks, name="b.csv"
    )

    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first["id"]
    assert body["duplicate_file"] is True
    assert (body["created"], body["updated"]) == (0, 0)
    assert EligibilityImport.objects.count() == 1
    assert EligibilityImportError.objects.count() == errors_before


def test_a_file_missing_a_required_column_ends_failed_with_the_reason(
    admin_api: Client, django_capture_on_commit_callbacks: Any
) -> None:
    answer = upload(admin_api, a_file_missing_a_column(), django_capture_on_commit_callbacks)
    assert answer.status_code == 202

    report = admin_api.get(f"/api/v1/imports/{answer.json()['id']}").json()
    assert report["status"] == "failed"
    assert "county_fips" in report["failure"]
    assert report["records"] == 0


def test_an_unknown_kind_or_no_file_is_a_field_error(admin_api: Client) -> None:
    bad_kind = admin_api.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("a.csv", a_file_with_errors()), "kind": "weekly"},
    )
    assert bad_kind.status_code == 400
    assert "kind" in bad_kind.json()
    no_file = admin_api.post("/api/v1/imports", {"kind": "full"})
    assert no_file.status_code == 400
    assert "file" in no_file.json()
    assert EligibilityImport.objects.count() == 0


def test_the_errors_csv_has_one_row_per_error(
    admin_api: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import_id = upload(admin_api, a_file_with_errors(), django_capture_on_commit_callbacks).json()[
        "id"
    ]

    answer = admin_api.get(f"/api/v1/imports/{import_id}/errors.csv")

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0] == ["line", "segment", "field", "code", "message"]
    assert (
        len(rows) - 1
        == EligibilityImportError.objects.filter(eligibility_import_id=import_id).count()
    )
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("3", "", "mbi"), ("5", "", "date_of_birth")]


def test_the_list_is_paged_newest_first_with_counts(
    admin_api: Client, django_capture_on_commit_callbacks: Any
) -> None:
    first = upload(admin_api, a_file_with_errors(), django_capture_on_commit_callbacks).json()
    second = upload(admin_api, a_file_missing_a_column(), django_capture_on_commit_callbacks).json()

    body = admin_api.get("/api/v1/imports").json()

    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [second["id"], first["id"]]
    failed, done = body["results"]
    assert (failed["status"], done["status"]) == ("failed", "done")
    assert "county_fips" in failed["failure"]
    assert (done["records"], done["invalid"], done["errors_total"]) == (5, 2, 2)
    assert "errors" not in done
    assert admin_api.get("/api/v1/imports?page=9").status_code == 404


def test_an_unknown_import_answers_404(admin_api: Client) -> None:
    assert admin_api.get("/api/v1/imports/999999").status_code == 404
    assert admin_api.get("/api/v1/imports/999999/errors.csv").status_code == 404


def _other_users() -> dict[str, Any]:
    member = UserFactory()
    BeneficiaryFactory(user=member)
    return {"member": member, "staff": StaffFactory()}


ROUTES = [
    ("get", "/api/v1/imports"),
    ("get", "/api/v1/imports/{id}"),
    ("get", "/api/v1/imports/{id}/errors.csv"),
    ("post", "/api/v1/imports"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_staff_and_members_are_refused_and_anonymous_asked_to_sign_in(
    method: str,
    route: str,
    admin_api: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import_id = upload(admin_api, a_file_with_errors(), django_capture_on_commit_callbacks).json()[
        "id"
    ]
    path = route.format(id=import_id)
    data = {"file": SimpleUploadedFile("x.csv", csv_bytes([person(9)])), "kind": "full"}
    for role, user in _other_users().items():
        client = login_verified(Client(), user)
        answer = client.post(path, data) if method == "post" else client.get(path)
        assert answer.status_code == 403, role
        assert answer.json()["code"] in {"forbidden", "permission_denied"}, role
    anonymous = Client().post(path, data) if method == "post" else Client().get(path)
    assert anonymous.status_code == 401
    assert EligibilityImport.objects.count() == 1


def test_each_read_is_audited_and_the_upload_recorded(
    admin_api: Client, admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    import_id = upload(admin_api, a_file_with_errors(), django_capture_on_commit_callbacks).json()[
        "id"
    ]
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    admin_api.get("/api/v1/imports")
    admin_api.get(f"/api/v1/imports/{import_id}")
    b"".join(admin_api.get(f"/api/v1/imports/{import_id}/errors.csv").streaming_content)

    written = AuditEvent.objects.filter(pk__gt=last).order_by("id")
    assert [(e.action, e.actor_id, e.object_type, e.object_id) for e in written] == [
        ("read", admin_user.pk, "eligibility_import_list", "list"),
        ("read", admin_user.pk, "eligibility_import", str(import_id)),
        ("read", admin_user.pk, "eligibility_import_errors", str(import_id)),
    ]
    assert AuditEvent.objects.filter(
        action="upload", object_type="eligibility_import", object_id=str(import_id)
    ).exists()
    listed = AuditEvent.objects.get(object_type="eligibility_import_list")
    assert listed.detail == {"ids": [import_id]}


def test_a_refused_read_writes_no_audit_row(
    admin_api: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import_id = upload(admin_api, a_file_with_errors(), django_capture_on_commit_callbacks).json()[
        "id"
    ]
    staff = login_verified(Client(), StaffFactory())
    before = AuditEvent.objects.filter(action=AuditEvent.Action.READ).count()
    staff.get(f"/api/v1/imports/{import_id}")
    staff.get(f"/api/v1/imports/{import_id}/errors.csv")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ).count() == before


def test_a_running_import_reports_its_progress(admin_api: Client) -> None:
    from django.core.cache import cache

    from interchange.models import EligibilityImportStatusChange
    from interchange.services import progress_cache_key

    imp = EligibilityImport.objects.create(
        file_sha256="a" * 64, format="csv", kind="full", status=ImportStatus.RUNNING
    )
    EligibilityImportStatusChange.objects.create(
        eligibility_import=imp, from_status="queued", to_status="running"
    )
    cache.set(
        progress_cache_key(imp.pk),
        {"records": 40000, "bytes_read": 250, "total_bytes": 1000, "phase": "reading"},
    )

    progress = admin_api.get(f"/api/v1/imports/{imp.pk}").json()["progress"]

    assert progress["records"] == 40000
    assert progress["percent"] == 25.0
    assert progress["phase"] == "reading"
    assert progress["records_per_second"] > 0
