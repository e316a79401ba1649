"""Issue 10, one card, one number: the Medi-Medi Plans' member services numbers from public sources.

Fills only empty ``member_phone`` / ``member_tty`` fields (an admin's number stays), appends the
source URL of each value to the plan's ``source``, and writes a history row for each plan
changed. Plans without a confirmed number keep it empty: letters and the ID card then say it is
not yet set. See ``eligibility.reference_data.PLAN_CONTACTS``.
"""

from django.db import migrations
from django.utils import timezone

REASON = "issue 10: member services number from the plan's public page (see source)"


def fill_member_services(apps, schema_editor) -> None:
    from eligibility import reference_data

    MediMediPlan = apps.get_model("eligibility", "MediMediPlan")
    Historical = apps.get_model("eligibility", "HistoricalMediMediPlan")

    def history(plan) -> None:
        values = {
            field.attname: getattr(plan, field.attname) for field in plan._meta.concrete_fields
        }
        Historical.objects.create(
            **values,
            history_date=timezone.now(),
            history_type="~",
            history_change_reason=REASON,
        )

    reference_data.fill_plan_contacts(MediMediPlan, history=history)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0010_dates_on_first_of_month_and_consistent_facts")]

    operations = [migrations.RunPython(fill_member_services, migrations.RunPython.noop)]
