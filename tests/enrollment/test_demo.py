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
    # Demo members show the portal in real states, and the output says which.
    member1 = Beneficiary.objects.get(user__username="member1@medimedi.example")
    assert Enrollment.objects.filter(beneficiary=member1, kind="medi_medi").count() == 1
    assert Enrollment.objects.filter(beneficiary=member1, kind="medi_cal").count() == 1
    assert member1.letters.filter(notice__kind="enrollment_confirmation").exists()
    assert Application.objects.get(
        beneficiary__user__username="member2@medimedi.example"
    ).status == ("info_requested")
    assert Application.objects.get(
        beneficiary__user__username="member3@medimedi.example"
    ).status == ("denied")
    assert not Application.objects.filter(
        beneficiary__user__username="member4@medimedi.example"
    ).exists()
    assert "member1@medimedi.example member: enrolled in" in text
    assert "member2@medimedi.example member: an application waiting for information" in text
    assert f"MBI {member1.mbi}, born {member1.date_of_birth.isoformat()}" in text
    # Unlinked synthetic people to try sign-up and linking with, none of them with an application.
    to_link = [line.split()[1] for line in text.splitlines() if line.startswith("  MBI ")]
    assert len(to_link) == 3
    for mbi in to_link:
        person = Beneficiary.objects.get(mbi=mbi)
        assert person.user_id is None
        assert not person.applications.exists()

    counts = (Beneficiary.objects.count(), Application.objects.count(), User.objects.count())
    again = StringIO()
    call_command("demo", stdout=again)
    assert (
        Beneficiary.objects.count(),
        Application.objects.count(),
        User.objects.count(),
    ) == counts
    assert "member1@medimedi.example" in again.getvalue()
