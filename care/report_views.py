"""The monthly report pages: ``/staff/care/reports/`` (filters, server-rendered SVG bar charts
with their numbers as tables, a summary per plan and county) and ``/staff/care/reports/csv/``
(the same report as CSV). Thin adapters over ``care.reports``, which decides who may see what
(members 403, another organization's plan 404) and audits. No JavaScript.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.models import User
from care import reports
from eligibility.models import County
from eligibility.selectors import california_today
from enrollment.models import EndReason


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def last_month() -> date:
    """The first day of the last full month in California: the report's default."""
    first = california_today().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


class ReportFilterForm(forms.Form):
    month = forms.CharField(
        label="Month",
        max_length=7,
        help_text="Year and month, for example 2026-11.",
        widget=forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"}),
    )
    # Plain fields shown as lists: a plan or county the actor may not report on is the
    # selector's answer (404), not the form's.
    plan = forms.IntegerField(label="Plan", required=False, min_value=1, max_value=2**63 - 1)
    county = forms.RegexField(
        label="County",
        required=False,
        regex=r"^[0-9]{5}$",
        error_messages={"invalid": "Choose a county from the list."},
    )

    def __init__(self, *args: Any, plans: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].widget = forms.Select(choices=[("", "All your plans"), *plans])
        self.fields["county"].widget = forms.Select(
            choices=[
                ("", "All counties"),
                *County.objects.order_by("name").values_list("fips", "name"),
            ]
        )

    def clean_month(self) -> date:
        try:
            return reports.month_parse(self.cleaned_data["month"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


# ---------------------------------------------------------------------------------------------
# Bar charts as SVG: every bar has its label above it and its number after it, and a fill
# pattern that says the same thing as the label (solid, hatched, dotted, outlined), so the
# chart reads the same without colour. The template is care/report_chart.html.

CHART_WIDTH = 640
BAR_MAX = 520
ROW = 40
PATTERNS = ("solid", "hatch", "dots", "outline")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    pattern: str
    label_y: int
    bar_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH


def bar_chart(chart_id: str, title: str, desc: str, bars: list[tuple[str, int, str]]) -> Chart:
    """Lay out a horizontal bar chart: ``bars`` are (label, value, pattern)."""
    top = max([value for _, value, _ in bars] + [1])
    laid = []
    for index, (label, value, pattern) in enumerate(bars):
        width = round(BAR_MAX * value / top) if value else 0
        y = index * ROW
        laid.append(
            Bar(
                label=label,
                value=value,
                pattern=pattern if pattern in PATTERNS else "solid",
                label_y=y + 14,
                bar_y=y + 20,
                width=width,
                value_x=width + 6,
            )
        )
    return Chart(id=chart_id, title=title, desc=desc, bars=laid, height=max(len(bars), 1) * ROW + 4)


def report_charts(report: reports.MonthlyReport) -> list[Chart]:
    """The page's five charts, from the report's totals (all plans and counties shown)."""
    t = report.totals

    def n(code: str) -> int:
        return int(t.get(code) or 0)

    reasons = dict(EndReason.choices)
    leaving = [
        (f"Disenrolled: {reasons[code]}", n(f"disenrollments.{code}"), "hatch")
        for code in EndReason.values
        if n(f"disenrollments.{code}")
    ]
    if n("disenrollments.not_recorded"):
        leaving.append(
            ("Disenrolled: no reason recorded", n("disenrollments.not_recorded"), "hatch")
        )
    charts = [
        bar_chart(
            "chart-enrollment",
            "Enrollments and disenrollments",
            f"{n('enrollments_new')} new enrollments and {n('disenrollments')} disenrollments "
            f"this month; {n('members_end_of_month')} members enrolled on the last day.",
            [("New enrollments", n("enrollments_new"), "solid"), *leaving],
        ),
        bar_chart(
            "chart-hra",
            "Initial Health Risk Assessments due this month",
            reports.rate_sentence(
                t,
                "hra_on_time_rate",
                none="No assessments were due this month.",
                of_those="due",
                done="were completed on time",
            ),
            [
                ("Completed on time", n("hra_completed_on_time"), "solid"),
                ("Completed late", n("hra_completed_late"), "hatch"),
                ("Refused by the member", n("hra_refused"), "dots"),
                ("Unable to reach", n("hra_unable_to_reach"), "dots"),
                ("Not done yet", n("hra_still_due"), "outline"),
            ],
        ),
        bar_chart(
            "chart-care-plan",
            "Care plans due this month",
            reports.rate_sentence(
                t,
                "care_plans_on_time_rate",
                none="No care plans were due this month.",
                of_those="due",
                done="were written on time",
            ),
            [
                ("Written on time", n("care_plans_on_time"), "solid"),
                ("Written late", n("care_plans_late"), "hatch"),
                ("Not written yet", n("care_plans_not_written"), "outline"),
                ("Not needed: the enrollment ended", n("care_plans_closed"), "dots"),
            ],
        ),
        bar_chart(
            "chart-continuity",
            "Continuity of care requests decided this month",
            f"{n('continuity_received')} received this month. "
            + reports.rate_sentence(
                t,
                "continuity_on_time_rate",
                none="None was decided this month.",
                of_those="decided",
                done="were decided on time",
            ),
            [
                ("Approved on time", n("continuity_decided.approved.on_time"), "solid"),
                ("Approved late", n("continuity_decided.approved.late"), "hatch"),
                ("Denied on time", n("continuity_decided.denied.on_time"), "solid"),
                ("Denied late", n("continuity_decided.denied.late"), "hatch"),
                (
                    "Undecided past due at the month's end",
                    n("continuity_undecided_past_due"),
                    "outline",
                ),
            ],
        ),
    ]
    bars: list[tuple[str, int, str]] = []
    for kind, label in (("grievance", "Grievances"), ("appeal", "Appeals")):
        for speed in ("standard", "expedited"):
            bars.append(
                (
                    f"{label}, {speed}: resolved on time",
                    n(f"{kind}s_resolved.{speed}.on_time"),
                    "solid",
                )
            )
            bars.append(
                (f"{label}, {speed}: resolved late", n(f"{kind}s_resolved.{speed}.late"), "hatch")
            )
        bars.append(
            (f"{label}: open past due at the month's end", n(f"{kind}s_open_past_due"), "outline")
        )
    charts.append(
        bar_chart(
            "chart-appeals",
            "Grievances and appeals resolved this month",
            reports.rate_sentence(
                t,
                "grievances_on_time_rate",
                none="No grievances were resolved this month.",
                of_those="grievances resolved",
                done="were on time",
            )
            + " "
            + reports.rate_sentence(
                t,
                "appeals_on_time_rate",
                none="No appeals were resolved this month.",
                of_those="appeals resolved",
                done="were on time",
            ),
            bars,
        )
    )
    return charts


SUMMARY_COLUMNS = (
    ("enrollments_new", "New enrollments"),
    ("disenrollments", "Disenrollments"),
    ("members_end_of_month", "Members at month's end"),
    ("hra_due", "Assessments due"),
    ("hra_on_time_rate", "Assessments on time (%)"),
    ("care_plans_due", "Care plans due"),
    ("care_plans_on_time_rate", "Care plans on time (%)"),
    ("continuity_received", "Continuity requests received"),
    ("continuity_on_time_rate", "Continuity decided on time (%)"),
    ("grievances_on_time_rate", "Grievances on time (%)"),
    ("appeals_on_time_rate", "Appeals on time (%)"),
)


def _query(report: reports.MonthlyReport) -> str:
    params = {"month": report.month_code}
    if report.plan is not None:
        params["plan"] = str(report.plan.pk)
    if report.county is not None:
        params["county"] = report.county.fips
    return urlencode(params)


@login_required
@require_GET
def staff_care_reports(request: HttpRequest) -> HttpResponse:
    """The month's report for the chosen plan and county, with charts and tables."""
    user = _user(request)
    plans = [(p.pk, p.name) for p in reports.report_plans(user)]  # refuses members (403)
    data = request.GET.copy() if request.GET else {"month": last_month().strftime("%Y-%m")}
    form = ReportFilterForm(data, plans=plans)
    if not form.is_valid():
        return render(request, "care/report.html", {"form": form}, status=400)
    report = reports.monthly_report(
        user,
        form.cleaned_data["month"],
        plan=form.cleaned_data["plan"],
        county=form.cleaned_data["county"] or None,
    )
    summary = [
        (group, ["—" if group.values[c] is None else group.values[c] for c, _ in SUMMARY_COLUMNS])
        for group in report.groups
    ]
    totals = ["—" if report.totals[c] is None else report.totals[c] for c, _ in SUMMARY_COLUMNS]
    return render(
        request,
        "care/report.html",
        {
            "form": form,
            "report": report,
            "charts": report_charts(report),
            "columns": [label for _, label in SUMMARY_COLUMNS],
            "summary": summary,
            "totals": totals,
            "csv_url": f"{reverse('staff-care-reports-csv')}?{_query(report)}",
        },
    )


def csv_response(report: reports.MonthlyReport) -> HttpResponse:
    """The report as a CSV download: one row per plan, county and measure."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(report.csv_rows())
    name = f"care-report-{report.month_code}"
    if report.plan is not None:
        name += f"-plan-{report.plan.pk}"
    if report.county is not None:
        name += f"-county-{report.county.fips}"
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_GET
def staff_care_reports_csv(request: HttpRequest) -> HttpResponse:
    """The month's report as CSV (the page's "Download CSV" link)."""
    user = _user(request)
    plans = [(p.pk, p.name) for p in reports.report_plans(user)]  # refuses members (403)
    form = ReportFilterForm(request.GET, plans=plans)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    report = reports.monthly_report(
        user,
        form.cleaned_data["month"],
        plan=form.cleaned_data["plan"],
        county=form.cleaned_data["county"] or None,
    )
    return csv_response(report)
