"""Record, for every letter sent before letters had an owner row, its member and organization.

Until now a notice named its member only in ``recipient_key`` (``beneficiary:<id>``) and its event
in ``idempotency_key``; this reads both once, so nothing reads them for access again.
"""

import re

from django.db import migrations

BENEFICIARY = re.compile(r"beneficiary:([0-9]+)")
APPLICATION_EVENT = re.compile(r"(?:application-received|info-requested|application-denied):([0-9]+)")
ENROLLMENT_EVENT = re.compile(
    r"(?:enrollment-confirmed|plan-switch-confirmed|disenrollment-confirmed):([0-9]+)"
)
RESEND = re.compile(r"resend:([0-9]+):[0-9]+")


def backfill(apps, schema_editor) -> None:
    Notice = apps.get_model("notices", "Notice")
    BeneficiaryLetter = apps.get_model("eligibility", "BeneficiaryLetter")
    Application = apps.get_model("enrollment", "Application")
    Enrollment = apps.get_model("enrollment", "Enrollment")
    organization_of: dict[int, int | None] = {}
    notices = Notice.objects.filter(beneficiary_letter__isnull=True).order_by("pk")
    rows = []
    for notice in notices.iterator(chunk_size=2000):
        person = BENEFICIARY.fullmatch(notice.recipient_key)
        if person is None:
            continue
        key = notice.idempotency_key
        organization = None
        if (match := APPLICATION_EVENT.match(key)) is not None:
            organization = (
                Application.objects.filter(pk=int(match.group(1)))
                .values_list("plan__organization_id", flat=True)
                .first()
            )
        elif (match := ENROLLMENT_EVENT.match(key)) is not None:
            organization = (
                Enrollment.objects.filter(pk=int(match.group(1)))
                .values_list("medi_medi_plan__organization_id", flat=True)
                .first()
            )
        elif (match := RESEND.fullmatch(key)) is not None:
            organization = organization_of.get(int(match.group(1)))
        organization_of[notice.pk] = organization
        rows.append(
            BeneficiaryLetter(
                notice_id=notice.pk,
                beneficiary_id=int(person.group(1)),
                organization_id=organization,
            )
        )
    BeneficiaryLetter.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0003_notice_format_labels"),
        ("eligibility", "0006_beneficiary_letter"),
        ("notices", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
