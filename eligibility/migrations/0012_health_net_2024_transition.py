"""Health Net's Medi-Medi service areas in Riverside, San Bernardino and San Diego end 2023-12-31.

Its Medi-Cal plan left those counties on 2024-01-01 (domain.md section 5), and a Medi-Medi Plan
cannot stay aligned where its organization has no Medi-Cal plan. Open rows only; a history row
records each change.
"""

from django.db import migrations
from django.utils import timezone

from eligibility import reference_data

REASON = "Health Net 2024 Medi-Cal contract transition (reference data)"


def forwards(apps, schema_editor):
    ServiceArea = apps.get_model("eligibility", "ServiceArea")
    HistoricalServiceArea = apps.get_model("eligibility", "HistoricalServiceArea")

    def history(area) -> None:
        HistoricalServiceArea.objects.create(
            **{f.attname: getattr(area, f.attname) for f in ServiceArea._meta.concrete_fields},
            history_date=timezone.now(),
            history_type="~",
            history_change_reason=REASON,
        )

    reference_data.service_area_ends_fill(ServiceArea, history=history)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0011_plan_member_services")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
