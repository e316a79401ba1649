"""Admins search the audit log by member, actor, action and date, and export it as CSV; the
export is itself audited and the log stays read-only in the admin."""

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import audit_read, audit_record
from tests.accounts_audit.signin import login_verified
from tests.factories import AdminFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_auditevent_changelist"
EXPORT = "admin:accounts_auditevent_export"


def _export(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(reverse(EXPORT) + query)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def log(admin_user: User) -> dict[str, AuditEvent]:
    """A small log: two staff, reads and an update about beneficiaries 12 and 34."""
    alice = StaffFactory(username="alice")
    bob = StaffFactory(username="bob")
    return {
        "alice_reads_12": audit_read(actor=alice, object_type="beneficiary", object_id=12),
        "alice_lists": audit_read(
            actor=alice,
            object_type="beneficiary_list",
            object_id="list",
            detail={"ids": [12, 34], "beneficiaries": [12, 34]},
        ),
        "bob_updates_app": audit_record(
            actor=bob,
            action="update",
            object_type="application",
            object_id=5,
            detail={"fields": ["plan"], "beneficiary": 34},
        ),
        "bob_reads_34": audit_read(actor=bob, object_type="beneficiary", object_id=34),
    }


def _changelist_ids(client: Client, query: str) -> set[int]:
    response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return {event.pk for event in response.context["cl"].result_list}


def test_the_member_filter_finds_every_row_about_one_beneficiary(
    admin_client_: Client, log: dict[str, AuditEvent]
) -> None:
    found = _changelist_ids(admin_client_, "?member=34")

    assert found == {log[k].pk for k in ("alice_lists", "bob_updates_app", "bob_reads_34")}


def test_the_member_filter_shows_a_box_to_type_the_id(
    admin_client_: Client, log: dict[str, AuditEvent]
) -> None:
    response = admin_client_.get(reverse(CHANGELIST) + "?action__exact=read&member=12")

    page = response.content.decode()
    assert 'name="member" value="12"' in page
    assert '<input type="hidden" name="action__exact" value="read">' in page


def test_a_member_id_that_is_not_a_number_finds_nothing(
    admin_client_: Client, log: dict[str, AuditEvent]
) -> None:
    assert _changelist_ids(admin_client_, "?member=abc") == set()


def test_the_log_is_searched_by_actor_and_filtered_by_action_type_and_date(
    admin_client_: Client, log: dict[str, AuditEvent]
) -> None:
    bob_rows = {log["bob_updates_app"].pk, log["bob_reads_34"].pk}
    # The date filter's links, like "Past 7 days", send aware datetimes.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    from_today = urlencode({"at__gte": str(today)})
    from_tomorrow = urlencode({"at__gte": str(today + timedelta(days=1))})

    assert _changelist_ids(admin_client_, "?q=bob") == bob_rows
    assert _changelist_ids(admin_client_, "?action__exact=update") == {log["bob_updates_app"].pk}
    assert _changelist_ids(admin_client_, "?object_type=application") == {log["bob_updates_app"].pk}
    assert _changelist_ids(admin_client_, f"?{from_today}") == {e.pk for e in log.values()}
    assert _changelist_ids(admin_client_, f"?{from_tomorrow}") == set()
    assert _changelist_ids(admin_client_, f"?at__year={today.year}") == {e.pk for e in log.values()}


def test_the_changelist_links_to_a_csv_export_of_the_same_filters(
    admin_client_: Client, log: dict[str, AuditEvent]
) -> None:
    response = admin_client_.get(reverse(CHANGELIST) + "?member=34")

    assert f'href="{reverse(EXPORT)}?member=34"' in response.content.decode()


def test_the_csv_export_holds_the_filtered_rows_with_ids_only(
    admin_client_: Client, log: dict[str, AuditEvent]
) -> None:
    rows = _export(admin_client_, "?member=34&action__exact=read")

    assert list(rows[0]) == [
        "id",
        "at",
        "actor_id",
        "actor",
        "action",
        "object_type",
        "object_id",
        "detail",
    ]
    assert sorted(int(row["id"]) for row in rows) == sorted(
        [log["alice_lists"].pk, log["bob_reads_34"].pk]
    )
    listed = next(row for row in rows if int(row["id"]) == log["alice_lists"].pk)
    assert listed["actor"] == "alice"
    assert listed["object_type"] == "beneficiary_list"
    assert listed["detail"] == '{"beneficiaries": [12, 34], "ids": [12, 34]}'


def test_the_csv_export_is_itself_audited(
    admin_client_: Client, admin_user: User, log: dict[str, AuditEvent]
) -> None:
    _export(admin_client_, "?member=34")

    export = AuditEvent.objects.get(actor=admin_user, object_type="audit_log")
    assert export.action == "read"
    assert export.detail == {
        "format": "csv",
        "filters": {"member": ["34"]},
        "search": False,
        "rows": 3,
    }


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(
    admin_client_: Client,
) -> None:
    audit_read(actor=StaffFactory(username="=cmd"), object_type="beneficiary", object_id=1)

    [row] = _export(admin_client_, "?object_type=beneficiary")

    assert row["actor"] == "'=cmd"


def test_the_audit_log_cannot_be_added_changed_or_deleted_in_the_admin(
    admin_client_: Client, log: dict[str, AuditEvent]
) -> None:
    event = log["alice_reads_12"]
    change_url = reverse("admin:accounts_auditevent_change", args=[event.pk])

    assert admin_client_.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert admin_client_.post(change_url, {"object_id": "99"}).status_code == 403
    delete_url = reverse("admin:accounts_auditevent_delete", args=[event.pk])
    assert admin_client_.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).object_id == "12"


def test_staff_without_the_admin_site_cannot_export(client: Client) -> None:
    login_verified(client, StaffFactory())

    response = client.get(reverse(EXPORT))

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(object_type="audit_log").exists()


def test_an_admin_without_view_permission_on_the_log_cannot_export(client: Client) -> None:
    login_verified(client, AdminFactory(is_superuser=False))

    assert client.get(reverse(EXPORT)).status_code == 403
