"""Property-based: any sequence of approvals, switches and disenrollments keeps the invariant.

No beneficiary ever has two overlapping Medi-Medi enrollments (nor two Medi-Cal ones), and every
day of a Medi-Medi enrollment is covered by a Medi-Cal enrollment in the aligned plan, except
inside a recorded deeming period (issue 8).
"""

import contextlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.errors import Conflict, NotEligible
from eligibility.models import County, MediMediPlan, ServiceArea
from enrollment import services
from enrollment.models import Enrollment, EnrollmentKind
from tests.factories import AdminFactory, BeneficiaryFactory

LA_TZ = ZoneInfo("America/Los_Angeles")
LA_PLANS = [
    "L.A. Care Medicare Plus",
    "Wellcare by Health Net",
    "Blue Shield TotalDual",
    "Molina Healthcare Medi-Medi Plan",
]

step = st.one_of(
    st.tuples(st.just("apply"), st.integers(0, len(LA_PLANS) - 1), st.integers(0, 75)),
    st.tuples(st.just("disenroll"), st.just(0), st.integers(0, 75)),
)


def overlaps(a: Enrollment, b: Enrollment) -> bool:
    a_end = a.end_date or date.max
    b_end = b.end_date or date.max
    return a.start_date <= b_end and b.start_date <= a_end


def deeming_start(until: date) -> date:
    """The first month without full Medi-Cal of a deeming period recorded as ending ``until``."""
    index = until.year * 12 + until.month - 1 - (django_settings.DEEMING_PERIOD_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


def assert_aligned_every_day(beneficiary_id: int, county: County) -> None:
    """Every day of every Medi-Medi enrollment is covered by the aligned Medi-Cal plan.

    Except inside a recorded deeming period (the member lost full Medi-Cal and keeps the plan
    through ``deeming_until``). The Medi-Cal enrollment may have started earlier (kept on
    approval) and may outlast the Medi-Medi one (it continues after disenrollment).
    """
    rows = list(Enrollment.objects.filter(beneficiary_id=beneficiary_id, cancelled=False))
    medi_cal = [r for r in rows if r.kind == EnrollmentKind.MEDI_CAL]
    for medi_medi in (r for r in rows if r.kind == EnrollmentKind.MEDI_MEDI):
        first, last = medi_medi.start_date, medi_medi.end_date or date.max
        # Coverage can only change where an enrollment or a deeming period starts or stops.
        points = {first}
        for r in medi_cal:
            points |= {r.start_date, (r.end_date or date.max - timedelta(days=1)) + timedelta(1)}
        deeming = None
        if medi_medi.deeming_until is not None:
            deeming = (deeming_start(medi_medi.deeming_until), medi_medi.deeming_until)
            # Unless Medi-Cal returns (which clears the date), the plan ends on that day: the
            # daily job records the end the morning after.
            last = min(last, medi_medi.deeming_until)
            points |= {deeming[0], deeming[1] + timedelta(days=1)}
        for day in sorted(p for p in points if first <= p <= last):
            if deeming is not None and deeming[0] <= day <= deeming[1]:
                continue
            area = (
                ServiceArea.objects.filter(
                    plan_id=medi_medi.medi_medi_plan_id, county=county, start_date__lte=day
                )
                .order_by("-start_date")
                .first()
            )
            assert area is not None, (medi_medi, day)
            covering = [
                r
                for r in medi_cal
                if r.start_date <= day <= (r.end_date or date.max)
                and r.medi_cal_plan_id == area.aligned_medi_cal_plan_id
            ]
            assert len(covering) == 1, (medi_medi, day)


def assert_invariant(beneficiary_id: int, county: County) -> None:
    rows = list(Enrollment.objects.filter(beneficiary_id=beneficiary_id, cancelled=False))
    for kind in (EnrollmentKind.MEDI_MEDI, EnrollmentKind.MEDI_CAL):
        same = [r for r in rows if r.kind == kind]
        for i, first in enumerate(same):
            for second in same[i + 1 :]:
                assert not overlaps(first, second), (kind, first, second)
    latest = max(
        (r for r in rows if r.kind == EnrollmentKind.MEDI_MEDI),
        key=lambda r: r.start_date,
        default=None,
    )
    if latest is not None and latest.end_date is None and latest.deeming_until is None:
        # The open Medi-Medi enrollment's Medi-Cal enrollment (made or kept) points at it.
        assert any(r.aligned_with_id == latest.pk for r in rows), latest
    assert_aligned_every_day(beneficiary_id, county)


class EnrollmentInvariantTests(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(steps=st.lists(step, min_size=1, max_size=8))
    def test_any_sequence_keeps_enrollments_aligned_and_never_overlapping(
        self, steps: list[tuple[str, int, int]]
    ) -> None:
        county = County.objects.get(name="Los Angeles")
        person = BeneficiaryFactory(county=county)
        staff = AdminFactory()  # plans of several organizations
        today = date(2026, 1, 5)
        for action, plan_index, advance in steps:
            today += timedelta(days=advance)
            if action == "apply":
                plan = MediMediPlan.objects.get(name=LA_PLANS[plan_index])
                draft = services.application_create(beneficiary=person, actor=None, plan=plan)
                now = datetime.combine(today, time(10), tzinfo=LA_TZ)
                try:
                    application = services.application_submit(
                        application=draft, actor=None, now=now
                    )
                    services.application_approve(application=application, actor=staff, today=today)
                except (Conflict, NotEligible):
                    pass
            else:
                current = (
                    Enrollment.objects.filter(
                        beneficiary=person, kind=EnrollmentKind.MEDI_MEDI, cancelled=False
                    )
                    .order_by("-start_date")
                    .first()
                )
                if current is not None:
                    with contextlib.suppress(Conflict):
                        services.enrollment_disenroll(
                            enrollment=current, actor=None, requested_on=today
                        )
            assert_invariant(person.pk, county)
