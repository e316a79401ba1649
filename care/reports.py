"""The monthly report per plan and county (issue 13, "Reports the state and the plan look at").

``monthly_report(actor, month, plan=None, county=None)`` counts, for one calendar month, per
Medi-Medi Plan and county:

- **enrollment**: new enrollments (coverage starting in the month) by election period,
  members enrolled on the month's last day, and disenrollments (coverage ending in the month)
  by reason;
- **hra**: initial Health Risk Assessments due in the month (``CARE_HRA_INITIAL_DAYS`` after
  the effective date): completed by the due date, completed late, refused, unable to reach,
  still due, and the rate completed on time;
- **care_plan**: care plans due in the month (``care_plan`` work items): written on time,
  late, not written, closed (the enrollment ended), and the rate on time;
- **continuity**: continuity of care requests received in the month, decided in the month by
  decision and timeliness (decided by ``decision_due``), and undecided past their due date at
  the month's end;
- **appeals**: grievances and appeals by type (grievance, appeal) and speed (standard,
  expedited): received in the month, resolved in the month on time (by ``due_at``) or late,
  open past due at the month's end, and the rate resolved on time.

The county is the member's county on record (``Beneficiary.county``, kept current by the
state's files): a member who moved counts in their new county. Dates are California dates.

Every number comes from one aggregate query per source table (``GROUP BY`` plan and county,
``COUNT(...) FILTER (WHERE ...)`` on PostgreSQL, ``CASE`` on SQLite): five queries whatever the
number of members. Access: staff see their organization's plans, admins all, members are
refused (403); a plan outside the actor's scope is a 404. Each report read is audited.
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from accounts.errors import NotFound
from accounts.models import User
from care import access
from care.models import (
    AppealCase,
    AppealKind,
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CareTask,
    ContinuityRequest,
    ContinuityStatus,
    TaskKind,
    TaskStatus,
)
from eligibility.models import County, MediMediPlan, ServiceArea
from enrollment.access import organization_id_of
from enrollment.models import ElectionPeriod, EndReason, Enrollment, EnrollmentKind

Number = int | Decimal | None

SECTIONS: dict[str, str] = {
    "enrollment": "Enrollments and disenrollments",
    "hra": "Initial Health Risk Assessments due this month",
    "care_plan": "Care plans due this month",
    "continuity": "Continuity of care requests",
    "appeals": "Grievances and appeals",
}


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    section: str
    unit: str = "count"  # or "percent"


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.PROGRAM_TIME_ZONE)


def measures() -> list[Measure]:
    """Every measure of the report, in the order of the page and the CSV."""
    hra_days = settings.CARE_HRA_INITIAL_DAYS
    rows = [
        Measure("enrollments_new", "New enrollments (coverage starting this month)", "enrollment"),
        *(
            Measure(f"enrollments_new.{code}", f"New enrollments: {label}", "enrollment")
            for code, label in ElectionPeriod.choices
        ),
        Measure(
            "enrollments_new.not_recorded",
            "New enrollments: election period not recorded (no application, e.g. a transfer)",
            "enrollment",
        ),
        Measure(
            "members_end_of_month", "Members enrolled on the last day of the month", "enrollment"
        ),
        Measure("disenrollments", "Disenrollments (coverage ending this month)", "enrollment"),
        *(
            Measure(f"disenrollments.{code}", f"Disenrollments: {label}", "enrollment")
            for code, label in EndReason.choices
        ),
        Measure("disenrollments.not_recorded", "Disenrollments: no reason recorded", "enrollment"),
        Measure("hra_due", "Initial assessments due this month", "hra"),
        Measure(
            "hra_completed_on_time",
            f"Completed within {hra_days} days of the effective date",
            "hra",
        ),
        Measure("hra_completed_late", f"Completed after {hra_days} days", "hra"),
        Measure("hra_refused", "Refused by the member", "hra"),
        Measure("hra_unable_to_reach", "Unable to reach", "hra"),
        Measure("hra_still_due", "Not done yet", "hra"),
        Measure(
            "hra_on_time_rate",
            f"Rate completed within {hra_days} days (percent of those due)",
            "hra",
            "percent",
        ),
        Measure("care_plans_due", "Care plans due this month", "care_plan"),
        Measure("care_plans_on_time", "Written by the due date", "care_plan"),
        Measure("care_plans_late", "Written after the due date", "care_plan"),
        Measure("care_plans_not_written", "Not written yet", "care_plan"),
        Measure("care_plans_closed", "Not needed: the enrollment ended", "care_plan"),
        Measure(
            "care_plans_on_time_rate",
            "Rate written on time (percent of those due)",
            "care_plan",
            "percent",
        ),
        Measure("continuity_received", "Requests received this month", "continuity"),
        *(
            Measure(
                f"continuity_decided.{decision}.{timing}",
                f"Decided this month: {decision}, {timing.replace('_', ' ')}",
                "continuity",
            )
            for decision in (ContinuityStatus.APPROVED, ContinuityStatus.DENIED)
            for timing in ("on_time", "late")
        ),
        Measure(
            "continuity_undecided_past_due",
            "Undecided past their due date at the month's end",
            "continuity",
        ),
        Measure(
            "continuity_on_time_rate",
            "Rate decided on time (percent of those decided this month)",
            "continuity",
            "percent",
        ),
    ]
    for kind, kind_label in AppealKind.choices:
        plural = f"{kind}s"
        for speed in ("standard", "expedited"):
            rows.append(
                Measure(
                    f"{plural}_received.{speed}",
                    f"{kind_label}s received this month: {speed}",
                    "appeals",
                )
            )
            for timing in ("on_time", "late"):
                rows.append(
                    Measure(
                        f"{plural}_resolved.{speed}.{timing}",
                        f"{kind_label}s resolved this month: {speed}, {timing.replace('_', ' ')}",
                        "appeals",
                    )
                )
        rows.append(
            Measure(
                f"{plural}_open_past_due",
                f"{kind_label}s open past their due time at the month's end",
                "appeals",
            )
        )
        rows.append(
            Measure(
                f"{plural}_on_time_rate",
                f"{kind_label}s: rate resolved on time (percent of those resolved this month)",
                "appeals",
                "percent",
            )
        )
    return rows


# Rates: (numerator codes, denominator codes).
RATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hra_on_time_rate": (("hra_completed_on_time",), ("hra_due",)),
    "care_plans_on_time_rate": (("care_plans_on_time",), ("care_plans_due",)),
    "continuity_on_time_rate": (
        ("continuity_decided.approved.on_time", "continuity_decided.denied.on_time"),
        tuple(
            f"continuity_decided.{d}.{t}"
            for d in ("approved", "denied")
            for t in ("on_time", "late")
        ),
    ),
    **{
        f"{kind}s_on_time_rate": (
            tuple(f"{kind}s_resolved.{s}.on_time" for s in ("standard", "expedited")),
            tuple(
                f"{kind}s_resolved.{s}.{t}"
                for s in ("standard", "expedited")
                for t in ("on_time", "late")
            ),
        )
        for kind in AppealKind.values
    },
}


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal (half up); None when nothing was due."""
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def rate_sentence(
    values: dict[str, Number], code: str, *, none: str, of_those: str, done: str
) -> str:
    """A rate as a person says it: ``"1 of 4 due were completed on time (25%)."``; with nothing
    to count, ``none`` ("No assessments were due this month.") instead of "0 due ... no rate"."""
    top, bottom = RATES[code]
    numerator = sum(int(values.get(c) or 0) for c in top)
    denominator = sum(int(values.get(c) or 0) for c in bottom)
    percent = rate(numerator, denominator)
    if percent is None:
        return none
    shown = f"{percent.normalize():f}"  # 25.0 -> "25", 33.3 -> "33.3", 100.0 -> "100"
    return f"{numerator} of {denominator} {of_those} {done} ({shown}%)."


def _rates_fill(values: dict[str, Number]) -> None:
    for code, (top, bottom) in RATES.items():
        values[code] = rate(
            sum(int(values.get(c) or 0) for c in top), sum(int(values.get(c) or 0) for c in bottom)
        )


@dataclass
class ReportGroup:
    plan: MediMediPlan
    county: County
    values: dict[str, Number] = field(default_factory=dict)


@dataclass
class MonthlyReport:
    month: date  # the first day
    last_day: date
    plan: MediMediPlan | None
    county: County | None
    measures: list[Measure]
    groups: list[ReportGroup]
    totals: dict[str, Number]

    @property
    def month_code(self) -> str:
        return self.month.strftime("%Y-%m")

    def csv_rows(self) -> Iterator[list[str]]:
        """The CSV: a header, then one row per plan, county and measure."""
        yield list(CSV_HEADER)
        for group in self.groups:
            for measure in self.measures:
                value = group.values.get(measure.code)
                yield [
                    self.month_code,
                    str(group.plan.pk),
                    group.plan.name,
                    group.county.fips,
                    group.county.name,
                    measure.section,
                    measure.code,
                    measure.label,
                    measure.unit,
                    "" if value is None else str(value),
                ]


CSV_HEADER = (
    "month",
    "plan_id",
    "plan",
    "county_fips",
    "county",
    "section",
    "measure",
    "label",
    "unit",
    "value",
)


def month_parse(text: str) -> date:
    """``YYYY-MM`` to the month's first day; ValueError otherwise."""
    cleaned = (text or "").strip()
    if len(cleaned) != 7 or cleaned[4] != "-":
        raise ValueError("Give the month as YYYY-MM, for example 2026-11.")
    try:
        first = date(int(cleaned[:4]), int(cleaned[5:]), 1)
    except ValueError:
        raise ValueError("Give the month as YYYY-MM, for example 2026-11.") from None
    if first.year < 2000:
        raise ValueError("Give a month from 2000 on.")
    return first


def report_plans(actor: User) -> QuerySet[MediMediPlan]:
    """The plans the actor may report on: staff their organization's, admins all (members:
    refused)."""
    access.require_staff(actor)
    plans = MediMediPlan.objects.select_related("organization").order_by("name", "pk")
    if actor.is_admin:
        return plans
    org = organization_id_of(actor)
    return plans.filter(organization_id=org) if org is not None else plans.none()


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def _grouped(
    queryset: QuerySet[Any], plan: str, county: str, aggregates: dict[str, Count]
) -> Iterator[tuple[tuple[int, int], dict[str, int]]]:
    rows = (
        queryset.order_by()
        .values(_plan=F(plan), _county=F(county))
        .annotate(**{f"m{index}": agg for index, agg in enumerate(aggregates.values())})
    )
    codes = list(aggregates)
    for row in rows:
        yield (
            (row["_plan"], row["_county"]),
            {code: row[f"m{index}"] for index, code in enumerate(codes)},
        )


def _enrollment_counts(first: date, last: date, enrollments: QuerySet[Enrollment]) -> Any:
    started = Q(start_date__gte=first)
    ended = Q(end_date__isnull=False, end_date__lte=last)
    aggregates: dict[str, Count] = {
        "enrollments_new": _count(started),
        **{
            f"enrollments_new.{code}": _count(started & Q(application__election_period=code))
            for code in ElectionPeriod.values
        },
        "enrollments_new.not_recorded": _count(
            started & (Q(application__isnull=True) | Q(application__election_period=""))
        ),
        "members_end_of_month": _count(Q(end_date__isnull=True) | Q(end_date__gte=last)),
        "disenrollments": _count(ended),
        **{
            f"disenrollments.{code}": _count(ended & Q(end_reason=code))
            for code in EndReason.values
        },
        "disenrollments.not_recorded": _count(ended & Q(end_reason="")),
    }
    queryset = enrollments.filter(start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    return _grouped(queryset, "medi_medi_plan_id", "beneficiary__county_id", aggregates)


def _hra_counts(first: date, last: date, plan_filter: Q) -> Any:
    completed = Q(status=AssessmentStatus.COMPLETED)
    aggregates = {
        "hra_due": _count(Q()),
        "hra_completed_on_time": _count(completed & Q(completed_on__lte=F("due_date"))),
        "hra_completed_late": _count(completed & Q(completed_on__gt=F("due_date"))),
        "hra_refused": _count(Q(status=AssessmentStatus.REFUSED)),
        "hra_unable_to_reach": _count(Q(status=AssessmentStatus.UNABLE_TO_REACH)),
        "hra_still_due": _count(Q(status=AssessmentStatus.DUE)),
    }
    queryset = Assessment.objects.filter(
        plan_filter, kind=AssessmentKind.INITIAL, due_date__range=(first, last)
    )
    return _grouped(
        queryset,
        "case__enrollment__medi_medi_plan_id",
        "case__enrollment__beneficiary__county_id",
        aggregates,
    )


def _care_plan_counts(first: date, last: date, plan_filter: Q) -> Any:
    done = Q(status=TaskStatus.DONE)
    aggregates = {
        "care_plans_due": _count(Q()),
        "care_plans_on_time": _count(done & Q(finished_on__lte=F("due_date"))),
        "care_plans_late": _count(done & Q(finished_on__gt=F("due_date"))),
        "care_plans_not_written": _count(Q(status=TaskStatus.OPEN)),
        "care_plans_closed": _count(Q(status=TaskStatus.CLOSED)),
    }
    queryset = CareTask.objects.filter(
        plan_filter, kind=TaskKind.CARE_PLAN, due_date__range=(first, last)
    ).annotate(finished_on=TruncDate("finished_at", tzinfo=_tz()))
    return _grouped(
        queryset,
        "case__enrollment__medi_medi_plan_id",
        "case__enrollment__beneficiary__county_id",
        aggregates,
    )


def _continuity_counts(
    first: date, last: date, start: datetime, end: datetime, plan_filter: Q
) -> Any:
    decided_in_month = Q(decided_at__gte=start, decided_at__lt=end)
    on_time = Q(decided_on__lte=F("decision_due"))
    aggregates = {
        "continuity_received": _count(Q(received_on__range=(first, last))),
        **{
            f"continuity_decided.{decision}.{timing}": _count(
                decided_in_month
                & Q(status=decision)
                & (on_time if timing == "on_time" else ~on_time)
            )
            for decision in (ContinuityStatus.APPROVED, ContinuityStatus.DENIED)
            for timing in ("on_time", "late")
        },
        # Undecided when the month ended, though its due date had come: history, not today.
        "continuity_undecided_past_due": _count(
            Q(received_on__lte=last, decision_due__lte=last)
            & (Q(decided_at__isnull=True) | Q(decided_at__gte=end))
        ),
    }
    queryset = (
        ContinuityRequest.objects.filter(plan_filter)
        .filter(
            Q(received_on__range=(first, last))
            | decided_in_month
            | (
                Q(received_on__lte=last, decision_due__lte=last)
                & (Q(decided_at__isnull=True) | Q(decided_at__gte=end))
            )
        )
        .annotate(decided_on=TruncDate("decided_at", tzinfo=_tz()))
    )
    return _grouped(
        queryset,
        "enrollment__medi_medi_plan_id",
        "enrollment__beneficiary__county_id",
        aggregates,
    )


def _appeal_counts(start: datetime, end: datetime, plan_filter: Q) -> Any:
    received = Q(received_at__gte=start, received_at__lt=end)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    on_time = Q(resolved_at__lte=F("due_at"))
    open_past_due = Q(received_at__lt=end, due_at__lt=end) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
    )
    aggregates: dict[str, Count] = {}
    for kind in AppealKind.values:
        of_kind = Q(kind=kind)
        for speed, expedited in (("standard", False), ("expedited", True)):
            this = of_kind & Q(expedited=expedited)
            aggregates[f"{kind}s_received.{speed}"] = _count(this & received)
            aggregates[f"{kind}s_resolved.{speed}.on_time"] = _count(this & resolved & on_time)
            aggregates[f"{kind}s_resolved.{speed}.late"] = _count(this & resolved & ~on_time)
        aggregates[f"{kind}s_open_past_due"] = _count(of_kind & open_past_due)
    queryset = AppealCase.objects.filter(plan_filter).filter(received | resolved | open_past_due)
    return _grouped(
        queryset,
        "enrollment__medi_medi_plan_id",
        "enrollment__beneficiary__county_id",
        aggregates,
    )


def monthly_report(
    actor: User, month: date, plan: int | None = None, county: str | None = None
) -> MonthlyReport:
    """The month's report for the plans the actor may see (one plan, one county if given).

    ``month`` is any day of the month; ``plan`` a Medi-Medi Plan id (outside the actor's scope:
    404), ``county`` a county FIPS code (unknown: 404). Audited as a read.
    """
    plans = report_plans(actor)  # refuses members (403)
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    tz = _tz()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)

    chosen_plan = None
    if plan is not None:
        chosen_plan = plans.filter(pk=plan).first()
        if chosen_plan is None:
            raise NotFound("No such plan, or not one of your organization's.")
        plans = plans.filter(pk=plan)
    chosen_county = None
    if county:
        chosen_county = County.objects.filter(fips=county).first()
        if chosen_county is None:
            raise NotFound("No such county.")
    plan_map = {p.pk: p for p in plans}
    plan_ids = list(plan_map)

    enrollments = Enrollment.objects.filter(
        kind=EnrollmentKind.MEDI_MEDI, cancelled=False, medi_medi_plan_id__in=plan_ids
    )
    case_filter = Q(case__enrollment__medi_medi_plan_id__in=plan_ids)
    request_filter = Q(enrollment__medi_medi_plan_id__in=plan_ids)
    if chosen_county is not None:
        enrollments = enrollments.filter(beneficiary__county_id=chosen_county.pk)
        case_filter &= Q(case__enrollment__beneficiary__county_id=chosen_county.pk)
        request_filter &= Q(enrollment__beneficiary__county_id=chosen_county.pk)

    # Every county a plan served during the month is in the report, with its zeros.
    areas = ServiceArea.objects.filter(plan_id__in=plan_ids, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    if chosen_county is not None:
        areas = areas.filter(county_id=chosen_county.pk)
    values: dict[tuple[int, int], dict[str, int]] = {
        key: {} for key in areas.values_list("plan_id", "county_id").distinct()
    }
    sources = [
        _enrollment_counts(first, last, enrollments),
        _hra_counts(first, last, case_filter),
        _care_plan_counts(first, last, case_filter),
        _continuity_counts(first, last, start, end, request_filter),
        _appeal_counts(start, end, request_filter),
    ]
    for source in sources:
        for key, counts in source:
            values.setdefault(key, {}).update(counts)

    counties = {c.pk: c for c in County.objects.filter(pk__in={k[1] for k in values})}
    codes = measures()
    groups = []
    totals: dict[str, Number] = {}
    for (plan_id, county_id), counts in values.items():
        row: dict[str, Number] = {}
        for measure in codes:
            if measure.unit == "count":
                row[measure.code] = counts.get(measure.code, 0)
                totals[measure.code] = int(totals.get(measure.code) or 0) + counts.get(
                    measure.code, 0
                )
        _rates_fill(row)
        groups.append(ReportGroup(plan=plan_map[plan_id], county=counties[county_id], values=row))
    for measure in codes:
        totals.setdefault(measure.code, 0 if measure.unit == "count" else None)
    _rates_fill(totals)
    groups.sort(key=lambda g: (g.plan.name, g.county.name))

    access.audit_read(
        actor,
        "care_report",
        first.strftime("%Y-%m"),
        plan=chosen_plan.pk if chosen_plan else None,
        county=chosen_county.fips if chosen_county else None,
        plans=plan_ids,
    )
    return MonthlyReport(
        month=first,
        last_day=last,
        plan=chosen_plan,
        county=chosen_county,
        measures=codes,
        groups=groups,
        totals=totals,
    )
