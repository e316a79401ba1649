"""Give the Medi-Medi enrollments approved before member IDs existed a member ID.

The same shape as ``enrollment.member_ids``: the organization code's letters (up to four) and
nine random digits, unique within the plan. Written here with the migration's own models, so
later changes to the module cannot change what this migration did.
"""

import re
import secrets

from django.db import migrations


def backfill(apps, schema_editor):
    Enrollment = apps.get_model("enrollment", "Enrollment")
    missing = (
        Enrollment.objects.filter(kind="medi_medi", member_id="")
        .select_related("medi_medi_plan__organization")
        .order_by("pk")
    )
    for enrollment in missing.iterator():
        plan = enrollment.medi_medi_plan
        prefix = re.sub(r"[^A-Z]", "", plan.organization.code.upper())[:4] or "MM"
        while True:
            candidate = f"{prefix}{secrets.randbelow(9 * 10**8) + 10**8}"
            if not Enrollment.objects.filter(medi_medi_plan=plan, member_id=candidate).exists():
                break
        Enrollment.objects.filter(pk=enrollment.pk).update(member_id=candidate)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0008_member_id")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
