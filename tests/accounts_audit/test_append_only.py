"""The audit log only grows: the model, its queryset and, on PostgreSQL, the database refuse
to change or remove a record (HIPAA 164.312(b) audit controls, (c) integrity)."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import AuditEvent, AuditLogIsAppendOnly
from accounts.services import audit_read, audit_record
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(
        actor=AdminFactory(), action="update", object_type="beneficiary", object_id=7
    )


def test_a_new_record_is_stored(event: AuditEvent) -> None:
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


def test_saving_a_stored_record_again_is_refused(event: AuditEvent) -> None:
    event.object_id = "8"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


def test_deleting_a_record_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_updating_records_in_bulk_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(object_id="8")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["object_id"])
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


def test_deleting_records_in_bulk_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_read_records_a_read_of_ids() -> None:
    admin = AdminFactory()
    event = audit_read(actor=admin, object_type="beneficiary", object_id=3, detail={"x": 1})
    assert (event.actor, event.action, event.object_type, event.object_id, event.detail) == (
        admin,
        "read",
        "beneficiary",
        "3",
        {"x": 1},
    )


def test_about_member_finds_the_record_its_letters_and_details_naming_them() -> None:
    audit_read(actor=None, object_type="beneficiary", object_id=12)
    audit_read(actor=None, object_type="beneficiary_notices", object_id=12)
    audit_record(
        actor=None, action="read", object_type="notice", object_id=5, detail={"beneficiary": 12}
    )
    audit_read(
        actor=None,
        object_type="beneficiary_list",
        object_id="list",
        detail={"ids": [3, 12], "beneficiaries": [3, 12]},
    )
    audit_read(actor=None, object_type="beneficiary", object_id=120)
    audit_read(actor=None, object_type="application", object_id=12)
    audit_read(
        actor=None,
        object_type="beneficiary_list",
        object_id="list",
        detail={"ids": [112, 121], "beneficiaries": [112, 121]},
    )

    found = AuditEvent.objects.about_member(12).order_by("pk")

    assert [(e.object_type, e.object_id) for e in found] == [
        ("beneficiary", "12"),
        ("beneficiary_notices", "12"),
        ("notice", "5"),
        ("beneficiary_list", "list"),
    ]


def _raw(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_the_database_refuses_an_update_in_raw_sql(event: AuditEvent) -> None:
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE accounts_auditevent SET object_id = %s WHERE id = %s", ["8", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


@pytest.mark.postgres
def test_the_database_refuses_a_delete_in_raw_sql(event: AuditEvent) -> None:
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_the_database_refuses_truncate_unless_the_session_opts_in(event: AuditEvent) -> None:
    # The suite's connections opt in (tests/conftest.py) so that flushes work; undo it here.
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL medimedi.audit_log_truncate = ''")
        # Check the new row's deferred foreign key now: TRUNCATE refuses pending checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE accounts_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
