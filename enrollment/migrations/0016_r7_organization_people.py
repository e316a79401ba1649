# Who each organization's staff may see, as rows (enrollment.people_links): the table, the
# triggers that keep it with every write of applications, enrollments and plans, and the
# backfill from the records already there (one set-based INSERT ... SELECT, ON CONFLICT).

import django.db.models.deletion
from django.db import migrations, models

from enrollment import people_links


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in people_links.install(vendor=vendor) + people_links.backfill(vendor=vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in people_links.uninstall(vendor=schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('eligibility', '0014_h4_legacy_cal_mediconnect_plans'),
        ('enrollment', '0015_application_search_last_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganizationPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('beneficiary', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='eligibility.beneficiary')),
                ('organization', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='eligibility.organization')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organization', 'beneficiary'), name='organization_person_unique')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
