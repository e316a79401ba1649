"""Property-based: any sequence of approvals, switches and disenrollments keeps the invariant.

No beneficiary ever has two overlapping Medi-Medi enrollments (nor two Medi-Cal ones), and every
Medi-Medi enrollment has its aligned Medi-Cal enrollment, in the aligned plan, for the same days.
"""

import contextlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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


def assert_invariant(beneficiary_id: int, county: County) -> None:
    rows = list(Enrollment.objects.filter(beneficiary_id=beneficiary_id, cancelled=False))
    for kind in (EnrollmentKind.MEDI_MEDI, EnrollmentKind.MEDI_CAL):
        same = [r for r in rows if r.kind == kind]
        for i, first in enumerate(same):
            for second in same[i + 1 :]:
                assert not overlaps(first, second), (kind, first, second)
    for medi_medi in (r for r in rows if r.kind == EnrollmentKind.MEDI_MEDI):
        aligned = [
            r
            for r in rows
            if r.kind == EnrollmentKind.MEDI_CAL and r.aligned_with_id == medi_medi.pk
        ]
        assert len(aligned) == 1, medi_medi
        medi_cal = aligned[0]
        assert medi_cal.start_date == medi_medi.start_date
        assert medi_cal.end_date is None or (
            medi_medi.end_date is not None and medi_cal.end_date >= medi_medi.end_date
        )
        expected_plan = ServiceArea.objects.get(
            plan_id=medi_medi.medi_medi_plan_id, county=county
        ).aligned_medi_cal_plan_id
        assert medi_cal.medi_cal_plan_id == expected_plan


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
