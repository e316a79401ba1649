"""Each application's county (its person's), indexed with the submission date for the queue."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps: Any, schema_editor: Any) -> None:
    Application = apps.get_model("enrollment", "Application")
    Beneficiary = apps.get_model("eligibility", "Beneficiary")
    Application.objects.update(
        county_id=Subquery(
            Beneficiary.objects.filter(pk=OuterRef("beneficiary_id")).values("county_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0013_h5_beneficiary_search_name"),
        ("enrollment", "0012_h2_medicare_submissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="county",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="eligibility.county",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["submitted_at", "id"],
                include=["plan", "status", "county"],
                name="application_queue_submitted",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["county", "submitted_at"],
                include=["plan", "id"],
                name="application_county_submitted",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["plan", "submitted_at"], include=["id"], name="application_plan_submitted"
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["beneficiary", "submitted_at"],
                include=["plan", "id"],
                name="application_person_submitted",
            ),
        ),
    ]
