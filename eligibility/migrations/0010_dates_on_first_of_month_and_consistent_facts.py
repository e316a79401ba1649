"""Issue 10, the rules to the day.

1. Coverage starts on the first of a month (42 CFR 422.68): a county's availability date or a
   service area's start that is not a first of a month is rounded up to the next first of a
   month, with a history row saying why. A service area whose rounded start would fall after
   its end (a window inside one month, which never gave coverage) or on another of the plan's
   starts in the county is left as it was: the rules give it no coverage from a mid-month day
   anyway, and an admin decides.
2. No Medi-Cal (scope '', a Medicare Savings Program only) with a share of cost contradicts
   itself: such rows get share of cost 'none' (the share of cost meant nothing without Medi-Cal),
   then a check constraint refuses them.
3. On PostgreSQL, triggers keep a service area's aligned Medi-Cal plan in its plan's
   organization (domain.md section 5), whatever writes the row. SQLite has no such trigger: the
   model's clean and ``eligibility.services.service_area_save`` hold the rule there.
"""

from datetime import date

from django.db import migrations, models
from django.utils import timezone

REASON = "issue 10: coverage starts on the first of a month (42 CFR 422.68)"


def _first_on_or_after(day: date) -> date:
    if day.day == 1:
        return day
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _history(apps, model_name: str, row) -> None:
    historical = apps.get_model("eligibility", f"Historical{model_name}")
    values = {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
    }
    historical.objects.create(
        **values,
        history_date=timezone.now(),
        history_type="~",
        history_change_reason=REASON,
    )


def round_dates_up(apps, schema_editor) -> None:
    County = apps.get_model("eligibility", "County")
    ServiceArea = apps.get_model("eligibility", "ServiceArea")
    for county in County.objects.exclude(medi_medi_available_from__day=1):
        county.medi_medi_available_from = _first_on_or_after(county.medi_medi_available_from)
        county.save(update_fields=["medi_medi_available_from"])
        _history(apps, "County", county)
    for area in ServiceArea.objects.exclude(start_date__day=1):
        rounded = _first_on_or_after(area.start_date)
        if area.end_date is not None and rounded > area.end_date:
            continue
        if (
            ServiceArea.objects.filter(plan_id=area.plan_id, county_id=area.county_id, start_date=rounded)
            .exclude(pk=area.pk)
            .exists()
        ):
            continue
        area.start_date = rounded
        area.save(update_fields=["start_date"])
        _history(apps, "ServiceArea", area)


def clear_share_of_cost_without_medi_cal(apps, schema_editor) -> None:
    MediCalEligibility = apps.get_model("eligibility", "MediCalEligibility")
    MediCalEligibility.objects.filter(scope="").exclude(share_of_cost="none").update(
        share_of_cost="none"
    )


SAME_ORGANIZATION_SQL = """
CREATE OR REPLACE FUNCTION eligibility_service_area_same_organization() RETURNS trigger AS $$
BEGIN
    IF (SELECT organization_id FROM eligibility_medicalplan WHERE id = NEW.aligned_medi_cal_plan_id)
       IS DISTINCT FROM (SELECT organization_id FROM eligibility_medimediplan WHERE id = NEW.plan_id)
    THEN
        RAISE EXCEPTION 'service area %: the aligned Medi-Cal plan must belong to the plan''s organization', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER service_area_aligned_same_organization
    BEFORE INSERT OR UPDATE OF plan_id, aligned_medi_cal_plan_id ON eligibility_servicearea
    FOR EACH ROW EXECUTE FUNCTION eligibility_service_area_same_organization();

CREATE OR REPLACE FUNCTION eligibility_plan_organization_keeps_alignment() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1
        FROM eligibility_servicearea a
        JOIN eligibility_medimediplan p ON p.id = a.plan_id
        JOIN eligibility_medicalplan m ON m.id = a.aligned_medi_cal_plan_id
        WHERE (a.plan_id = NEW.id AND TG_TABLE_NAME = 'eligibility_medimediplan'
               AND m.organization_id <> NEW.organization_id)
           OR (a.aligned_medi_cal_plan_id = NEW.id AND TG_TABLE_NAME = 'eligibility_medicalplan'
               AND p.organization_id <> NEW.organization_id)
    ) THEN
        RAISE EXCEPTION 'plan %: a service area aligns it with a plan of another organization', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER medi_medi_plan_organization_keeps_alignment
    BEFORE UPDATE OF organization_id ON eligibility_medimediplan
    FOR EACH ROW EXECUTE FUNCTION eligibility_plan_organization_keeps_alignment();

CREATE TRIGGER medi_cal_plan_organization_keeps_alignment
    BEFORE UPDATE OF organization_id ON eligibility_medicalplan
    FOR EACH ROW EXECUTE FUNCTION eligibility_plan_organization_keeps_alignment();
"""

DROP_SAME_ORGANIZATION_SQL = """
DROP TRIGGER IF EXISTS medi_cal_plan_organization_keeps_alignment ON eligibility_medicalplan;
DROP TRIGGER IF EXISTS medi_medi_plan_organization_keeps_alignment ON eligibility_medimediplan;
DROP FUNCTION IF EXISTS eligibility_plan_organization_keeps_alignment();
DROP TRIGGER IF EXISTS service_area_aligned_same_organization ON eligibility_servicearea;
DROP FUNCTION IF EXISTS eligibility_service_area_same_organization();
"""


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SAME_ORGANIZATION_SQL, params=None)


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SAME_ORGANIZATION_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0009_plan_card_fields"),
    ]

    operations = [
        # Rounding cannot be undone (the mid-month days are gone); going back keeps the rounded dates.
        migrations.RunPython(round_dates_up, migrations.RunPython.noop),
        migrations.RunPython(clear_share_of_cost_without_medi_cal, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="medicaleligibility",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("scope", ""), _negated=True), ("share_of_cost", "none"), _connector="OR"),
                name="medi_cal_period_share_of_cost_needs_medi_cal",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
