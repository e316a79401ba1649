"""The admin: every page opens, and moving a county's rollout date is recorded."""

from datetime import date

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from eligibility.models import County
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, BeneficiaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client) -> Client:
    login_verified(client, AdminFactory())
    return client


def test_every_admin_changelist_opens(admin_client_: Client) -> None:
    BeneficiaryFactory()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client_.get(url).status_code == 200, url


def test_moving_a_rollout_date_in_the_admin_keeps_history_and_an_audit_record(
    admin_client_: Client,
) -> None:
    county = County.objects.get(name="Alameda")
    url = reverse("admin:eligibility_county_change", args=[county.pk])
    response = admin_client_.post(
        url,
        {"name": "Alameda", "medi_medi_available_from": "2027-01-01", "source": "DHCS letter"},
    )
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.medi_medi_available_from == date(2027, 1, 1)
    assert county.source == "DHCS letter"
    dates = [h.medi_medi_available_from for h in county.history.order_by("history_date")]
    assert dates[-1] == date(2027, 1, 1)
    assert date(2026, 1, 1) in dates
    event = AuditEvent.objects.get(object_type="county", object_id=str(county.pk))
    assert event.detail == {
        "field": "medi_medi_available_from",
        "old": "2026-01-01",
        "new": "2027-01-01",
    }
    assert county.history.first().history_user is not None


def test_a_rollout_date_change_in_the_admin_writes_one_history_row_with_its_reason(
    admin_client_: Client,
) -> None:
    county = County.objects.get(name="Alameda")
    before = county.history.count()
    old = county.medi_medi_available_from
    response = admin_client_.post(
        reverse("admin:eligibility_county_change", args=[county.pk]),
        {"name": county.name, "medi_medi_available_from": "2027-03-01", "source": county.source},
    )
    assert response.status_code == 302
    rows = list(county.history.order_by("-history_date")[: county.history.count() - before])
    assert len(rows) == 1
    assert rows[0].history_change_reason == f"rollout date {old.isoformat()} -> 2027-03-01"
    assert rows[0].history_user is not None


def test_moving_a_rollout_date_past_enrollment_starts_warns_the_admin_with_the_count(
    admin_client_: Client,
) -> None:
    from eligibility.models import MediMediPlan
    from enrollment.models import Enrollment, EnrollmentKind
    from enrollment.selectors import county_enrollments_starting_before

    county = County.objects.get(name="San Mateo")
    plan = MediMediPlan.objects.filter(service_areas__county=county).first()
    starts = [date(2026, 2, 1), date(2026, 6, 1), date(2027, 6, 1)]
    for n, start in enumerate(starts):
        Enrollment.objects.create(
            beneficiary=BeneficiaryFactory(county=county),
            kind=EnrollmentKind.MEDI_MEDI,
            medi_medi_plan=plan,
            start_date=start,
            member_id=f"W{n:08d}",
        )
    Enrollment.objects.create(  # cancelled: not counted
        beneficiary=BeneficiaryFactory(county=county),
        kind=EnrollmentKind.MEDI_MEDI,
        medi_medi_plan=plan,
        start_date=date(2026, 2, 1),
        member_id="W00000009",
        cancelled=True,
    )
    assert county_enrollments_starting_before(county=county, available_from=date(2027, 1, 1)) == 2
    response = admin_client_.post(
        reverse("admin:eligibility_county_change", args=[county.pk]),
        {"name": county.name, "medi_medi_available_from": "2027-01-01", "source": county.source},
        follow=True,
    )
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    warnings = [text for level, text in shown if level == "warning"]
    assert len(warnings) == 1
    assert warnings[0].startswith("2 Medi-Medi enrollment(s) of San Mateo members start before")
    assert "2027-01-01" in warnings[0]

    # Moving it earlier again past nobody: no warning.
    response = admin_client_.post(
        reverse("admin:eligibility_county_change", args=[county.pk]),
        {"name": county.name, "medi_medi_available_from": "2026-01-01", "source": county.source},
        follow=True,
    )
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
