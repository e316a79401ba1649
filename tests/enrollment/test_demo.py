from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from eligibility.models import Beneficiary
from enrollment.models import Application, ApplicationStatus, Enrollment

pytestmark = pytest.mark.django_db


def test_demo_creates_people_accounts_and_applications_once_and_prints_logins() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert Beneficiary.objects.count() == 200
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)
    approved = Application.objects.filter(status="approved").count()
    assert Enrollment.objects.filter(kind="medi_medi").count() == approved
    assert Enrollment.objects.filter(kind="medi_cal").count() == approved
    assert Beneficiary.objects.filter(medi_cal_periods__scope="restricted").exists()
    assert Beneficiary.objects.filter(medi_cal_periods__share_of_cost="unmet").exists()
    assert Beneficiary.objects.filter(
        medi_cal_periods__scope="", medi_cal_periods__msp="QMB"
    ).exists()
    assert Beneficiary.objects.filter(county__name="Alameda").exists()  # not live with a plan
    for username in ("admin", "staff-hpsm", "member1@medimedi.example", "medimedi-demo"):
        assert username in text
    assert User.objects.filter(beneficiary__isnull=False).count() == 5

    counts = (Beneficiary.objects.count(), Application.objects.count(), User.objects.count())
    again = StringIO()
    call_command("demo", stdout=again)
    assert (
        Beneficiary.objects.count(),
        Application.objects.count(),
        User.objects.count(),
    ) == counts
    assert "member1@medimedi.example" in again.getvalue()
