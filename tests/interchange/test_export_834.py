"""The 834 out, per Medi-Cal plan: what each file carries, that it validates in pyx12 and reads
back through the portal's own reader, that nothing is sent twice, and who may make one."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.errors import Forbidden
from accounts.models import AuditEvent
from eligibility.models import Beneficiary, County, MediCalPlan, MediMediPlan
from eligibility.selectors import california_today
from enrollment.models import EndReason, Enrollment, EnrollmentKind
from interchange import exports
from interchange.models import EnrollmentFileExport, EnrollmentFileLine, X12ControlNumber
from interchange.x12 import read_x12
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory
from tests.interchange.x12_validation import pyx12_validate

pytestmark = pytest.mark.django_db

START = date(2025, 2, 1)


@pytest.fixture(autouse=True)
def _export_dir(settings: Any, tmp_path: Path) -> None:
    settings.INTERCHANGE_EXPORT_DIR = str(tmp_path / "exports")


@pytest.fixture
def plan() -> MediCalPlan:
    return MediCalPlan.objects.get(state_code="MC-HPSM")


@pytest.fixture
def period() -> tuple[date, date]:
    """This month in California: the changes tests make now fall in it."""
    today = california_today()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def a_person(**fields: Any) -> Beneficiary:
    return cast(Beneficiary, BeneficiaryFactory(**fields))


def aligned_pair(beneficiary: Beneficiary, start: date = START) -> Enrollment:
    """A CareAdvantage enrollment and its aligned Health Plan of San Mateo enrollment; the
    Medi-Cal half is returned."""
    medi_medi = Enrollment.objects.create(
        beneficiary=beneficiary,
        kind=EnrollmentKind.MEDI_MEDI,
        medi_medi_plan=MediMediPlan.objects.get(name="CareAdvantage"),
        start_date=start,
    )
    return Enrollment.objects.create(
        beneficiary=beneficiary,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(state_code="MC-HPSM"),
        start_date=start,
        aligned_with=medi_medi,
    )


def state_enrollment(beneficiary: Beneficiary) -> Enrollment:
    """A Medi-Cal plan enrollment the state's own file made (no Medi-Medi Plan)."""
    return Enrollment.objects.create(
        beneficiary=beneficiary,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(state_code="MC-HPSM"),
        start_date=date(2024, 6, 1),
    )


def export(
    plan: MediCalPlan, period: tuple[date, date], *, full: bool = False, actor: Any = None
) -> exports.ExportOutcome:
    return exports.enrollment_file_export(
        actor=actor, plan=plan, period_start=period[0], period_end=period[1], full=full
    )


def read_back(path: Path) -> list[dict[str, str]]:
    with path.open("rb") as handle:
        x12 = read_x12(handle)
        records = [record.values for record in x12.records()]
    return records


def maintenance_of(path: Path) -> list[str]:
    return [line.split("*")[3] for line in path.read_text().splitlines() if line.startswith("INS*")]


def assert_valid(path: Path) -> None:
    valid, errors = pyx12_validate(path)
    assert errors == []
    assert valid


def test_first_export_adds_every_aligned_enrollment_with_al_and_validates(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    people = [a_person(preferred_language="es") for _ in range(3)]
    for person in people:
        aligned_pair(person)
    state_only = a_person()
    state_enrollment(state_only)

    outcome = export(plan, period)

    file = outcome.export
    assert file is not None and outcome.earlier is None
    assert (file.members, file.additions, file.terminations, file.changes) == (3, 3, 0, 0)
    path = Path(file.stored_path)
    assert_valid(path)
    text = path.read_text()
    assert text.count("INS*Y*18*021*AL*A*C~") == 3
    assert "ISA*00*" in text and f"*{file.interchange_control:09d}*0*T*:~" in text
    assert f"SE*{file.segments}*0001~" in text
    assert f"IEA*1*{file.interchange_control:09d}~" in text
    records = read_back(path)
    assert sorted(r["cin"] for r in records) == sorted(p.cin for p in people)
    first = next(r for r in records if r["cin"] == people[0].cin)
    assert first["mbi"] == people[0].mbi
    assert first["last_name"] == people[0].last_name
    assert first["date_of_birth"] == "1950-05-17"
    assert first["county_fips"] == "06081"  # San Mateo, written as the state's code 41
    assert first["language"] == "es"
    assert first["medi_cal_start"] == "2025-02-01"
    assert first["medi_cal_end"] == ""
    assert state_only.cin not in text


def test_second_export_of_a_period_sends_every_kind_of_maintenance_once(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    dies, moves, speaks, stays = (a_person() for _ in range(4))
    ending = aligned_pair(dies)
    for person in (moves, speaks, stays):
        aligned_pair(person)
    first = export(plan, period).export
    assert first is not None and first.additions == 4

    # After the first file: a death ends one enrollment, one member moves within the county,
    # another chooses Spanish letters, and a new member joins.
    ending.end_date = period[1]
    ending.end_reason = EndReason.DIED
    ending.save()
    dies.date_of_death = period[0]
    dies.save()
    moves.address_line1 = "500 New Road"
    moves.zip_code = "94402-1234"
    moves.save()
    speaks.preferred_language = "zh-Hant"
    speaks.save()
    joins = a_person()
    aligned_pair(joins, start=period[0])

    outcome = export(plan, period)

    second = outcome.export
    assert second is not None
    assert outcome.earlier == first and second.earlier_export == first
    assert (second.additions, second.terminations, second.changes) == (1, 1, 2)
    assert second.interchange_control == first.interchange_control + 1
    path = Path(second.stored_path)
    assert_valid(path)
    assert sorted(maintenance_of(path)) == ["001", "001", "021", "024"]
    text = path.read_text()
    assert "INS*Y*18*024*03*A*C*****D8*" in text  # death: reason 03 and the date of death
    assert "REF*ZZ*DIED~" in text
    records = {r["cin"]: r for r in read_back(path)}
    assert set(records) == {dies.cin, moves.cin, speaks.cin, joins.cin}
    assert records[dies.cin]["medi_cal_end"] == period[1].isoformat()
    assert records[dies.cin]["date_of_death"] == period[0].isoformat()
    assert records[moves.cin]["address_line1"] == "500 New Road"
    assert records[moves.cin]["zip"] == "94402-1234"
    assert records[speaks.cin]["language"] == "zh-Hant"
    assert records[joins.cin]["medi_cal_start"] == period[0].isoformat()
    assert stays.cin not in text

    # A third export of the same period has nothing left to send and writes no file.
    third = export(plan, period)
    assert third.nothing_to_send and third.earlier == second
    assert EnrollmentFileExport.objects.count() == 2


def test_full_audit_file_repeats_every_member_of_the_period_and_validates(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    aligned = [a_person() for _ in range(2)]
    for person in aligned:
        aligned_pair(person)
    from_state = a_person()
    state_enrollment(from_state)
    gone = a_person()
    old = aligned_pair(gone)
    old.end_date = period[0] - timedelta(days=1)
    old.end_reason = EndReason.DISENROLLED
    old.save()
    export(plan, period)

    outcome = export(plan, period, full=True)

    file = outcome.export
    assert file is not None and outcome.earlier is not None
    assert (file.members, file.audits, file.additions) == (3, 3, 0)
    path = Path(file.stored_path)
    assert_valid(path)
    text = path.read_text()
    assert "BGN*00*AUDIT" in text and text.count("****4~") == 1  # BGN08 4: verify
    assert maintenance_of(path) == ["030", "030", "030"]
    assert {r["cin"] for r in read_back(path)} == {p.cin for p in (*aligned, from_state)}
    # A full file adds nobody: the next incremental export still owes nothing.
    assert export(plan, period).nothing_to_send


def test_ended_enrollment_is_terminated_and_reinstated_when_the_end_is_undone(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    person = a_person()
    medi_cal = aligned_pair(person)
    export(plan, period)
    medi_cal.end_date = period[0] + timedelta(days=9)
    medi_cal.end_reason = EndReason.PLAN_SWITCH
    medi_cal.save()
    ended = export(plan, period).export
    assert ended is not None and ended.terminations == 1
    assert "INS*Y*18*024*22*" in Path(ended.stored_path).read_text()

    # The switch is undone (its approval cancelled before it started): the end is gone.
    medi_cal.end_date = None
    medi_cal.end_reason = ""
    medi_cal.save()
    back = export(plan, period).export

    assert back is not None and back.reinstatements == 1
    path = Path(back.stored_path)
    assert_valid(path)
    assert maintenance_of(path) == ["025"]
    assert read_back(path)[0]["medi_cal_end"] == ""


def test_enrollment_cancelled_after_it_was_announced_is_terminated_on_its_start(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    medi_cal = aligned_pair(a_person(), start=period[0])
    export(plan, period)
    medi_cal.cancelled = True
    medi_cal.end_date = medi_cal.start_date
    medi_cal.end_reason = EndReason.SUPERSEDED
    medi_cal.save()

    file = export(plan, period).export

    assert file is not None and file.terminations == 1
    path = Path(file.stored_path)
    assert_valid(path)
    text = path.read_text()
    assert "INS*Y*18*024*22*A*C~" in text and "REF*ZZ*CANCELLED-SUPERSEDED~" in text
    assert f"DTP*357*D8*{period[0]:%Y%m%d}~" in text
    assert read_back(path)[0]["medi_cal_end"] == period[0].isoformat()


def test_enrollment_starting_after_the_period_waits_for_its_period(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    later = period[1] + timedelta(days=1)
    aligned_pair(a_person(), start=later)

    assert export(plan, period).nothing_to_send

    next_period = (later, (later + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    file = export(plan, next_period).export
    assert file is not None and file.additions == 1


def test_a_real_approval_is_announced_with_its_medi_medi_plan(
    plan: MediCalPlan,
    period: tuple[date, date],
    django_capture_on_commit_callbacks: Any,
    tasks_in_process: None,
) -> None:
    from tests.enrollment.conftest import enrolled_member

    care = MediMediPlan.objects.get(name="CareAdvantage")
    care.contract_number, care.pbp = "H0000", "001"
    care.save()
    letters = enrolled_member(django_capture_on_commit_callbacks)

    file = export(plan, period).export

    assert file is not None and file.additions == 1
    text = Path(file.stored_path).read_text()
    assert "INS*Y*18*021*AL*" in text and "REF*ZZ*H0000-001~" in text
    assert f"REF*0F*{letters.beneficiary.cin}~" in text
    assert_valid(Path(file.stored_path))


def test_control_numbers_never_repeat_and_each_export_is_recorded_and_audited(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    admin = AdminFactory()
    aligned_pair(a_person())
    X12ControlNumber.objects.create(sender="MEDIMEDI", last=41)

    first = export(plan, period, actor=admin).export
    full = export(plan, period, full=True, actor=admin).export

    assert first is not None and full is not None
    assert (first.interchange_control, full.interchange_control) == (42, 43)
    assert first.created_by == admin and first.sha256 and first.size_bytes > 0
    assert Path(first.stored_path).name == first.file_name
    assert EnrollmentFileLine.objects.filter(export=first).count() == 1
    events = AuditEvent.objects.filter(object_type="enrollment_file", actor=admin)
    assert {e.object_id for e in events} == {str(first.pk), str(full.pk)}
    # The audit detail carries ids and counts, never a member's data.
    person = Beneficiary.objects.get()
    for event in events:
        assert person.cin not in str(event.detail) and person.last_name not in str(event.detail)


def test_only_administrators_may_export_or_read_files(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    aligned_pair(a_person())
    staff = StaffFactory(organization=plan.organization)

    with pytest.raises(Forbidden):
        export(plan, period, actor=staff)
    made = export(plan, period, actor=AdminFactory()).export
    assert made is not None
    with pytest.raises(Forbidden):
        exports.export_file_open(actor=staff, export_id=made.pk)
    with pytest.raises(Forbidden):
        exports.export_list(actor=staff)


def test_period_that_ends_before_it_starts_is_refused(plan: MediCalPlan) -> None:
    with pytest.raises(exports.ExportInvalid):
        exports.enrollment_file_export(
            actor=None, plan=plan, period_start=date(2027, 2, 1), period_end=date(2027, 1, 31)
        )


def test_names_with_accents_and_delimiters_are_written_safely(
    plan: MediCalPlan, period: tuple[date, date]
) -> None:
    person = a_person(first_name="José", last_name="Peña*Núñez", address_line1="1 Main St~Apt 2")
    aligned_pair(person)
    file = export(plan, period).export
    assert file is not None
    path = Path(file.stored_path)
    assert_valid(path)
    record = read_back(path)[0]
    assert (record["first_name"], record["last_name"]) == ("Jose", "Pena Nunez")
    assert record["address_line1"] == "1 Main St Apt 2"


def test_command_exports_copies_and_says_when_the_period_was_exported(
    plan: MediCalPlan, period: tuple[date, date], tmp_path: Path, capsys: Any
) -> None:
    aligned_pair(a_person(county=County.objects.get(name="San Mateo")))
    out = tmp_path / "out.x12"
    arguments = ["--plan", "mc-hpsm", "--from", str(period[0]), "--to", str(period[1])]

    call_command("export_834", *arguments, "--out", str(out))
    first = capsys.readouterr().out
    call_command("export_834", *arguments)
    second = capsys.readouterr().out

    assert "1 members: 1 added" in first and "Copied to" in first
    assert_valid(out)
    assert "This period was exported before: export" in second
    assert "Nothing to send for this period: no file written." in second
    with pytest.raises(CommandError, match="No Medi-Cal plan has the state code"):
        call_command("export_834", "--plan", "NOPE", "--from", "2027-01-01", "--to", "2027-01-31")
