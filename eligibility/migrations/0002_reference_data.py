"""Load the counties, organizations, plans and service areas of domain.md sections 4 and 5."""

from django.db import migrations


def load_reference_data(apps, schema_editor):
    from eligibility import reference_data

    reference_data.load(
        County=apps.get_model("eligibility", "County"),
        Organization=apps.get_model("eligibility", "Organization"),
        MediCalPlan=apps.get_model("eligibility", "MediCalPlan"),
        MediMediPlan=apps.get_model("eligibility", "MediMediPlan"),
        ServiceArea=apps.get_model("eligibility", "ServiceArea"),
    )


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
