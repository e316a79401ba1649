"""On PostgreSQL, forbid two overlapping enrollments of one kind for one beneficiary.

An exclusion constraint over the inclusive date range holds even when two staff approve at the
same instant. SQLite has no such constraint; there the services' checks under a lock hold alone.
The constraint is added with SQL rather than ``Meta.constraints`` because Django's
``ExclusionConstraint`` cannot be declared for PostgreSQL only.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE enrollment_enrollment ADD CONSTRAINT enrollment_no_overlap
    EXCLUDE USING gist (
        beneficiary_id WITH =,
        kind WITH =,
        daterange(start_date, end_date, '[]') WITH &&
    ) WHERE (NOT cancelled);
"""
DROP = "ALTER TABLE enrollment_enrollment DROP CONSTRAINT IF EXISTS enrollment_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
