"""Names as staff search them (lower case, no accents), indexed, filled for people on record."""

from typing import Any

from django.db import migrations, models

from eligibility.rules.names import name_key

BATCH = 2000


def fill(apps: Any, schema_editor: Any) -> None:
    Beneficiary = apps.get_model("eligibility", "Beneficiary")
    last = 0
    while True:
        batch = list(
            Beneficiary.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "first_name", "last_name")[:BATCH]
        )
        if not batch:
            return
        for person in batch:
            person.search_first_name = name_key(person.first_name)[:64]
            person.search_last_name = name_key(person.last_name)[:64]
        Beneficiary.objects.bulk_update(batch, ["search_first_name", "search_last_name"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0012_health_net_2024_transition")]

    operations = [
        migrations.AddField(
            model_name="beneficiary",
            name="search_first_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="beneficiary",
            name="search_last_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="historicalbeneficiary",
            name="search_first_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="historicalbeneficiary",
            name="search_last_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="beneficiary",
            index=models.Index(
                fields=["search_last_name", "search_first_name"],
                include=["date_of_birth", "id"],
                name="beneficiary_search_name",
            ),
        ),
    ]
