"""The audit log is append-only in the database too (HIPAA 164.312(b) and (c)).

On PostgreSQL a row trigger refuses UPDATE and DELETE of ``accounts_auditevent`` and a
statement trigger refuses TRUNCATE, unless the session has set
``medimedi.audit_log_truncate = 'allow'``: the test suite sets it so that Django's flush between
transactional tests still works, and ``manage.py flush`` against a real database fails instead of
wiping the log. SQLite has no such triggers; there the model and its queryset refuse. The limits
(a database owner can drop a trigger) are in docs/audit.md.
"""

from typing import Any

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('medimedi.audit_log_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % of accounts_auditevent refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER accounts_auditevent_no_update_or_delete
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_refuse_change();

CREATE TRIGGER accounts_auditevent_no_truncate
    BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;
DROP TRIGGER IF EXISTS accounts_auditevent_no_update_or_delete ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_refuse_change();
"""


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
