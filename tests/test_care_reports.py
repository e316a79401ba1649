"""The monthly care report (care/reports.py): exact numbers for a small built month, who sees
which plans, the CSV, the API and the page with its charts."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.errors import Forbidden, NotFound
from accounts.models import AuditEvent, User
from care import reports
from care.models import (
    AppealCase,
    Assessment,
    CareCase,
    CareTask,
    ContinuityRequest,
)
from eligibility.models import County, MediMediPlan, Organization
from enrollment.models import Application, Enrollment
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
NOVEMBER = date(2026, 11, 1)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in California."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


class Month:
    """The built month: CareAdvantage (Health Plan of San Mateo) in San Mateo, one member of it
    who moved to Los Angeles, and L.A. Care's plan in Los Angeles (another organization)."""

    def __init__(self) -> None:
        self.care_advantage = MediMediPlan.objects.get(name="CareAdvantage")
        self.la_care = MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
        self.san_mateo = County.objects.get(name="San Mateo")
        self.los_angeles = County.objects.get(name="Los Angeles")
        sm, plan = self.san_mateo, self.care_advantage
        # Enrollments: three new in November (two election periods, one without application),
        # two ending on November 30 (moved, died), and three that are not November's.
        self.e1 = self.enroll(plan, sm, d(11, 1), election="icsep")
        self.e2 = self.enroll(plan, sm, d(11, 1), election="aep")
        self.e3 = self.enroll(plan, sm, d(11, 1))
        self.e4 = self.enroll(plan, sm, d(8, 1), end=d(11, 30), reason="moved")
        self.e5 = self.enroll(plan, sm, d(8, 1), end=d(11, 30), reason="died")
        self.enroll(plan, sm, d(8, 1), end=d(10, 31), reason="moved")  # ended in October
        self.enroll(plan, sm, d(12, 1))  # starts in December
        self.enroll(plan, sm, d(11, 1), cancelled=True)  # cancelled: never covered a day
        self.moved = self.enroll(plan, self.los_angeles, d(11, 1), election="icsep")
        self.la_member = self.enroll(self.la_care, self.los_angeles, d(11, 1), election="icsep")
        self.cases = {e.pk: self.case(e) for e in (self.e1, self.e2, self.e3, self.e4, self.e5)}

        # Initial assessments due in November: on time, late, refused, still due (and two
        # that do not count: due in December, and a reassessment).
        self.assessment(self.e4, d(11, 10), "completed", completed_on=d(11, 5))
        self.assessment(self.e5, d(11, 20), "completed", completed_on=d(11, 25))
        self.assessment(self.e1, d(11, 15), "refused")
        self.assessment(self.e2, d(11, 28), "due")
        self.assessment(self.e3, d(12, 5), "due")
        self.assessment(
            self.e4, d(11, 12), "completed", completed_on=d(11, 12), kind="reassessment"
        )

        # Care plans due in November: written at 23:30 on the due day in California (07:30
        # the next day in UTC: still on time), written a day late, not written, closed.
        self.task(self.e4, d(11, 20), "done", finished=at(d(11, 20), 23, 30))
        self.task(self.e5, d(11, 10), "done", finished=at(d(11, 11), 10))
        self.task(self.e1, d(11, 25), "open")
        self.task(self.e2, d(11, 5), "closed", finished=at(d(11, 6)))
        self.task(self.e3, d(10, 30), "done", finished=at(d(10, 29)))  # due in October

        # Continuity of care requests.
        self.request(self.e1, d(11, 2), d(12, 2), "approved", at(d(11, 20)))
        self.request(self.e2, d(10, 1), d(10, 31), "approved", at(d(11, 3)))  # decided late
        self.request(self.e3, d(11, 5), d(11, 8), "denied", at(d(11, 8), 23))  # on time in CA
        self.request(self.e4, d(11, 10), d(11, 25), "pending", None)  # past due at month end
        self.request(self.e5, d(10, 20), d(11, 19), "approved", at(d(12, 3)))  # undecided then
        self.request(self.e1, d(11, 28), d(12, 28), "pending", None)  # received, not yet due

        # Grievances and appeals.
        self.appeal(self.e1, "grievance", False, at(d(11, 2)), at(d(12, 2)), at(d(11, 20)))
        self.appeal(self.e2, "grievance", True, at(d(11, 10)), at(d(11, 11)), at(d(11, 11), 10))
        self.appeal(self.e3, "grievance", False, at(d(10, 1)), at(d(10, 31)), None)
        self.appeal(self.e4, "appeal", True, at(d(11, 29), 8), at(d(12, 2), 8), None)
        self.appeal(self.e5, "appeal", False, at(d(10, 15)), at(d(11, 14)), at(d(11, 14), 8))
        self.appeal(self.e1, "appeal", False, at(d(10, 1)), at(d(10, 31)), at(d(12, 5)))
        self.appeal(self.la_member, "grievance", False, at(d(11, 3)), at(d(12, 3)), at(d(11, 4)))

    def enroll(
        self,
        plan: MediMediPlan,
        county: County,
        start: date,
        *,
        end: date | None = None,
        reason: str = "",
        election: str | None = None,
        cancelled: bool = False,
    ) -> Enrollment:
        person = BeneficiaryFactory(county=county)
        application = None
        if election is not None:
            application = Application.objects.create(
                beneficiary=person, plan=plan, status="approved", election_period=election
            )
        return Enrollment.objects.create(
            beneficiary=person,
            kind="medi_medi",
            medi_medi_plan=plan,
            start_date=start,
            end_date=end,
            end_reason=reason,
            cancelled=cancelled,
            application=application,
        )

    def case(self, enrollment: Enrollment) -> CareCase:
        return CareCase.objects.create(
            enrollment=enrollment, organization=enrollment.medi_medi_plan.organization
        )

    def assessment(
        self,
        enrollment: Enrollment,
        due: date,
        status: str,
        completed_on: date | None = None,
        kind: str = "initial",
    ) -> None:
        Assessment.objects.create(
            case=self.cases[enrollment.pk],
            kind=kind,
            due_date=due,
            status=status,
            completed_on=completed_on,
        )

    def task(
        self, enrollment: Enrollment, due: date, status: str, finished: datetime | None = None
    ) -> None:
        CareTask.objects.create(
            case=self.cases[enrollment.pk],
            kind="care_plan",
            due_date=due,
            status=status,
            finished_at=finished,
        )

    def request(
        self,
        enrollment: Enrollment,
        received: date,
        due: date,
        status: str,
        decided: datetime | None,
    ) -> None:
        ContinuityRequest.objects.create(
            enrollment=enrollment,
            organization=enrollment.medi_medi_plan.organization,
            provider_name="Dr. Test",
            npi="1234567893",
            specialty="Cardiology",
            last_seen_on=received - timedelta(days=60),
            received_on=received,
            decision_due=due,
            status=status,
            decided_at=decided,
        )

    def appeal(
        self,
        enrollment: Enrollment,
        kind: str,
        expedited: bool,
        received: datetime,
        due: datetime,
        resolved: datetime | None,
    ) -> None:
        AppealCase.objects.create(
            kind=kind,
            enrollment=enrollment,
            organization=enrollment.medi_medi_plan.organization,
            channel="phone",
            description="Synthetic case.",
            expedited=expedited,
            received_at=received,
            due_at=due,
            status="resolved" if resolved else "open",
            resolved_at=resolved,
            outcome="favorable" if resolved else "",
        )


@pytest.fixture
def month() -> Month:
    return Month()


@pytest.fixture
def hpsm_staff(db: None) -> User:
    return StaffFactory(organization=Organization.objects.get(code="hpsm"))


@pytest.fixture
def lacare_staff(db: None) -> User:
    return StaffFactory(organization=Organization.objects.get(code="lacare"))


def group(report: reports.MonthlyReport, plan: MediMediPlan, county: County) -> dict[str, Any]:
    (found,) = [g for g in report.groups if g.plan == plan and g.county == county]
    return found.values


SAN_MATEO_NOVEMBER = {
    "enrollments_new": 3,
    "enrollments_new.icsep": 1,
    "enrollments_new.aep": 1,
    "enrollments_new.not_recorded": 1,
    "members_end_of_month": 5,
    "disenrollments": 2,
    "disenrollments.moved": 1,
    "disenrollments.died": 1,
    "disenrollments.plan_switch": 0,
    "hra_due": 4,
    "hra_completed_on_time": 1,
    "hra_completed_late": 1,
    "hra_refused": 1,
    "hra_unable_to_reach": 0,
    "hra_still_due": 1,
    "care_plans_due": 4,
    "care_plans_on_time": 1,
    "care_plans_late": 1,
    "care_plans_not_written": 1,
    "care_plans_closed": 1,
    "continuity_received": 4,
    "continuity_decided.approved.on_time": 1,
    "continuity_decided.approved.late": 1,
    "continuity_decided.denied.on_time": 1,
    "continuity_decided.denied.late": 0,
    "continuity_undecided_past_due": 2,
    "grievances_received.standard": 1,
    "grievances_received.expedited": 1,
    "grievances_resolved.standard.on_time": 1,
    "grievances_resolved.standard.late": 0,
    "grievances_resolved.expedited.on_time": 0,
    "grievances_resolved.expedited.late": 1,
    "grievances_open_past_due": 1,
    "appeals_received.standard": 0,
    "appeals_received.expedited": 1,
    "appeals_resolved.standard.on_time": 1,
    "appeals_resolved.expedited.late": 0,
    "appeals_open_past_due": 1,
}


def test_the_month_counts_each_measure_exactly_for_a_plan_and_county(month, hpsm_staff) -> None:
    report = reports.monthly_report(hpsm_staff, NOVEMBER)
    values = group(report, month.care_advantage, month.san_mateo)
    assert {code: values[code] for code in SAN_MATEO_NOVEMBER} == SAN_MATEO_NOVEMBER
    assert values["hra_on_time_rate"] == reports.Decimal("25.0")
    assert values["care_plans_on_time_rate"] == reports.Decimal("25.0")
    assert values["continuity_on_time_rate"] == reports.Decimal("66.7")
    assert values["grievances_on_time_rate"] == reports.Decimal("50.0")
    assert values["appeals_on_time_rate"] == reports.Decimal("100.0")


def test_a_member_who_moved_counts_in_their_county_on_record(month, hpsm_staff) -> None:
    report = reports.monthly_report(hpsm_staff, NOVEMBER)
    moved = group(report, month.care_advantage, month.los_angeles)
    assert moved["enrollments_new"] == 1 and moved["enrollments_new.icsep"] == 1
    assert moved["hra_due"] == 0 and moved["hra_on_time_rate"] is None
    assert report.totals["enrollments_new"] == 4
    assert report.totals["members_end_of_month"] == 6


def test_staff_see_only_their_organizations_plans(month, hpsm_staff, lacare_staff) -> None:
    ours = reports.monthly_report(hpsm_staff, NOVEMBER)
    assert {g.plan for g in ours.groups} == {month.care_advantage}
    assert ours.totals["grievances_resolved.standard.on_time"] == 1  # not L.A. Care's
    theirs = reports.monthly_report(lacare_staff, NOVEMBER)
    assert {g.plan for g in theirs.groups} == {month.la_care}
    assert theirs.totals["enrollments_new"] == 1
    assert theirs.totals["grievances_resolved.standard.on_time"] == 1
    assert theirs.totals["hra_due"] == 0
    with pytest.raises(NotFound):
        reports.monthly_report(lacare_staff, NOVEMBER, plan=month.care_advantage.pk)


def test_admins_see_every_plan_and_members_are_refused(month) -> None:
    report = reports.monthly_report(AdminFactory(), NOVEMBER)
    assert {month.care_advantage, month.la_care} <= {g.plan for g in report.groups}
    assert report.totals["enrollments_new"] == 5
    with pytest.raises(Forbidden):
        reports.monthly_report(UserFactory(), NOVEMBER)


def test_a_plan_and_county_filter_keeps_only_that_group(month) -> None:
    report = reports.monthly_report(
        AdminFactory(), NOVEMBER, plan=month.care_advantage.pk, county=month.san_mateo.fips
    )
    assert [(g.plan, g.county) for g in report.groups] == [(month.care_advantage, month.san_mateo)]
    assert report.totals["hra_due"] == 4 and report.totals["hra_on_time_rate"] == 25
    with pytest.raises(NotFound):
        reports.monthly_report(AdminFactory(), NOVEMBER, county="06999")


def test_a_served_county_with_nothing_happening_is_reported_with_zeros(db) -> None:
    report = reports.monthly_report(StaffFactory(), NOVEMBER)  # Health Plan of San Mateo
    (only,) = report.groups
    assert only.county.name == "San Mateo" and only.values["enrollments_new"] == 0
    assert only.values["hra_on_time_rate"] is None


def test_the_report_read_is_audited(month, hpsm_staff) -> None:
    reports.monthly_report(hpsm_staff, NOVEMBER, plan=month.care_advantage.pk)
    event = AuditEvent.objects.get(actor=hpsm_staff, object_type="care_report")
    assert event.action == "read" and event.object_id == "2026-11"
    assert event.detail["plan"] == month.care_advantage.pk


def test_the_counts_take_a_fixed_number_of_queries(month, django_assert_max_num_queries) -> None:
    admin = AdminFactory()
    with django_assert_max_num_queries(10):
        reports.monthly_report(admin, NOVEMBER)
    for _ in range(5):
        month.enroll(month.care_advantage, month.san_mateo, d(11, 1), election="icsep")
    with django_assert_max_num_queries(10):
        assert reports.monthly_report(admin, NOVEMBER).totals["enrollments_new"] == 10


# --- CSV, API, page, command ------------------------------------------------------------------


def client_for(user: User) -> Client:
    return login_verified(Client(), user)


def csv_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_the_csv_has_one_row_per_plan_county_and_measure(month, hpsm_staff) -> None:
    answer = client_for(hpsm_staff).get("/staff/care/reports/csv/?month=2026-11")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="care-report-2026-11.csv"' in answer["Content-Disposition"]
    text = answer.content.decode()
    assert text.splitlines()[0] == (
        "month,plan_id,plan,county_fips,county,section,measure,label,unit,value"
    )
    rows = csv_of(answer.content)
    assert len(rows) == 2 * len(reports.measures())  # San Mateo and Los Angeles
    by_key = {(r["county"], r["measure"]): r for r in rows}
    rate = by_key[("San Mateo", "hra_on_time_rate")]
    assert rate["value"] == "25.0" and rate["unit"] == "percent"
    assert rate["plan"] == "CareAdvantage" and rate["county_fips"] == month.san_mateo.fips
    assert by_key[("San Mateo", "disenrollments.moved")]["value"] == "1"
    assert by_key[("Los Angeles", "hra_on_time_rate")]["value"] == ""
    assert {r["plan"] for r in rows} == {"CareAdvantage"}


def test_the_api_answers_json_and_csv(month, hpsm_staff) -> None:
    client = client_for(hpsm_staff)
    answer = client.get(
        f"/api/v1/care/reports?month=2026-11&plan={month.care_advantage.pk}"
        f"&county={month.san_mateo.fips}"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["month"] == "2026-11" and body["last_day"] == "2026-11-30"
    assert body["plan"] == {"id": month.care_advantage.pk, "name": "CareAdvantage"}
    assert body["county"] == {"fips": month.san_mateo.fips, "name": "San Mateo"}
    (only,) = body["groups"]
    assert only["values"]["hra_due"] == 4 and only["values"]["continuity_on_time_rate"] == 66.7
    assert body["totals"]["disenrollments.died"] == 1
    codes = [m["code"] for m in body["measures"]]
    assert codes == [m.code for m in reports.measures()]
    as_csv = client.get(f"/api/v1/care/reports.csv?month=2026-11&county={month.san_mateo.fips}")
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    assert len(csv_of(as_csv.content)) == len(reports.measures())


@pytest.mark.parametrize(
    "query",
    ["", "?month=2026-13", "?month=November", "?month=2026-11&county=San", "?month=2026-11&plan=x"],
)
def test_the_api_refuses_a_bad_month_plan_or_county_with_400(hpsm_staff, query) -> None:
    client = client_for(hpsm_staff)
    assert client.get(f"/api/v1/care/reports{query}").status_code == 400
    assert client.get(f"/api/v1/care/reports.csv{query}").status_code == 400


def test_the_api_refuses_members_and_other_organizations_plans(month, lacare_staff) -> None:
    member = client_for(UserFactory())
    assert member.get("/api/v1/care/reports?month=2026-11").status_code == 403
    assert member.get("/api/v1/care/reports.csv?month=2026-11").status_code == 403
    staff = client_for(lacare_staff)
    other_plan = f"?month=2026-11&plan={month.care_advantage.pk}"
    assert staff.get(f"/api/v1/care/reports{other_plan}").status_code == 404
    answer = staff.get(f"/api/v1/care/reports.csv{other_plan}")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert staff.get(f"/staff/care/reports/{other_plan}").status_code == 404
    assert staff.get(f"/staff/care/reports/csv/{other_plan}").status_code == 404
    assert Client().get("/api/v1/care/reports?month=2026-11").status_code == 401


def test_the_page_shows_charts_with_titles_and_tables_and_the_download_link(
    month, hpsm_staff
) -> None:
    answer = client_for(hpsm_staff).get("/staff/care/reports/?month=2026-11")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert page.count("<svg") == 5
    assert (
        '<title id="chart-hra-title">Initial Health Risk Assessments due this month</title>' in page
    )
    assert 'aria-labelledby="chart-hra-title chart-hra-desc"' in page
    assert "1 of 4 due were completed on time (25%)." in page
    assert '<th scope="row">Completed on time</th><td>1</td>' in page
    assert (
        '<th scope="row">Disenrolled: Moved out of the plan&#x27;s service area</th><td>1</td>'
        in page
    )
    assert 'href="/staff/care/reports/csv/?month=2026-11" download>Download CSV</a>' in page
    assert "L.A. Care Medicare Plus</th>" not in page  # only as a choice it is not
    assert re.search(r'<label[^>]*for="id_month"[^>]*>Month</label>', page)
    assert re.search(r'<select[^>]*id="id_plan"', page) and 'value="06081"' in page


def test_the_page_defaults_to_last_month_and_explains_a_bad_month(hpsm_staff) -> None:
    client = client_for(hpsm_staff)
    assert client.get("/staff/care/reports/").status_code == 200
    bad = client.get("/staff/care/reports/?month=2026-1")
    assert bad.status_code == 400
    assert "Give the month as YYYY-MM" in bad.content.decode()


def test_the_care_queue_links_to_the_reports(hpsm_staff) -> None:
    page = client_for(hpsm_staff).get("/staff/care/tasks/").content.decode()
    assert 'href="/staff/care/reports/"' in page


def test_the_command_writes_the_csv(month, tmp_path: Path) -> None:
    admin = AdminFactory()
    out = tmp_path / "report.csv"
    call_command(
        "care_report",
        "--month=2026-11",
        f"--user={admin.username}",
        f"--plan={month.care_advantage.pk}",
        f"--county={month.san_mateo.fips}",
        f"--out={out}",
        stdout=io.StringIO(),
    )
    rows = csv_of(out.read_bytes())
    assert len(rows) == len(reports.measures())
    assert {r["measure"]: r["value"] for r in rows}["care_plans_on_time_rate"] == "25.0"


def test_the_charts_say_a_rate_in_words_for_none_due_and_for_some_due() -> None:
    from care.reports import rate_sentence

    def hra(values: dict[str, int]) -> str:
        return rate_sentence(
            values,
            "hra_on_time_rate",
            none="No assessments were due this month.",
            of_those="due",
            done="were on time",
        )

    assert hra({}) == "No assessments were due this month."
    assert hra({"hra_due": 0, "hra_completed_on_time": 0}) == "No assessments were due this month."
    assert hra({"hra_due": 15, "hra_completed_on_time": 12}) == "12 of 15 due were on time (80%)."
    assert hra({"hra_due": 3, "hra_completed_on_time": 1}) == "1 of 3 due were on time (33.3%)."
    assert hra({"hra_due": 2, "hra_completed_on_time": 2}) == "2 of 2 due were on time (100%)."
