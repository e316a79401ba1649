"""Plans get a program (Medi-Medi, or legacy Cal MediConnect); the 2022 Cal MediConnect plans are
loaded as legacy plans with their 2022 service areas, for the 2023 crosswalk (issue 9); Health
Net's service areas that end 2023-12-31 get their second source (DHCS's 2024 contracts).

Rows are created only when missing; a history row records each one.
"""

from django.db import migrations, models
from django.utils import timezone

from eligibility import reference_data

REASON = "Legacy Cal MediConnect plans, 2022 (reference data)"


def forwards(apps, schema_editor):
    models_ = {
        name: apps.get_model("eligibility", name)
        for name in ("County", "Organization", "MediCalPlan", "MediMediPlan", "ServiceArea")
    }

    def history(row) -> None:
        model = type(row)
        Historical = apps.get_model("eligibility", f"Historical{model.__name__}")
        Historical.objects.create(
            **{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields},
            history_date=timezone.now(),
            history_type="+",
            history_change_reason=REASON,
        )

    reference_data.legacy_plans_load(**models_, history=history)

    def changed(area) -> None:
        HistoricalServiceArea = apps.get_model("eligibility", "HistoricalServiceArea")
        HistoricalServiceArea.objects.create(
            **{f.attname: getattr(area, f.attname) for f in area._meta.concrete_fields},
            history_date=timezone.now(),
            history_type="~",
            history_change_reason="Health Net 2024: DHCS 2024 contracts source recorded",
        )

    reference_data.health_net_2024_sources_fill(models_["ServiceArea"], history=changed)


PROGRAM = models.CharField(
    choices=[
        ("EAE_DSNP", "Medi-Medi Plan (EAE D-SNP)"),
        ("CMC", "Cal MediConnect (legacy, 2014-2022)"),
    ],
    default="EAE_DSNP",
    help_text="Legacy Cal MediConnect plans are kept for history and transfers, never offered.",
    max_length=16,
)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0013_h5_beneficiary_search_name")]

    operations = [
        migrations.AddField(model_name="historicalmedimediplan", name="program", field=PROGRAM),
        migrations.AddField(model_name="medimediplan", name="program", field=PROGRAM),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
