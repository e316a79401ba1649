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
