# The person's last-name search key copied onto their applications (enrollment.signals and the
# eligibility-file loader keep it), backfilled set-based, then indexed for the staff queue.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('eligibility', '0014_h4_legacy_cal_mediconnect_plans'),
        ('enrollment', '0014_h4_plan_transfers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='search_last_name',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.RunSQL(
            "UPDATE enrollment_application SET search_last_name = ("
            "SELECT b.search_last_name FROM eligibility_beneficiary b "
            "WHERE b.id = enrollment_application.beneficiary_id)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['search_last_name', 'submitted_at', 'id'], include=('plan', 'status', 'county'), name='application_name_submitted'),
        ),
    ]
