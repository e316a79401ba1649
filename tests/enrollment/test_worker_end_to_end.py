"""End to end on CI's PostgreSQL and Redis: an approval through the API reaches the member as a
delivered confirmation via a real Celery worker; an approval made while the broker is down is
delivered exactly once by the sweeper that a real Celery beat runs."""

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from eligibility.models import MediMediPlan
from enrollment import services
from enrollment.models import Enrollment
from notices.models import Notice, NoticeStatus
from tests.enrollment.conftest import at
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory
from tests.worker_support import CLOSED_PORT_BROKER, ROOT, Worker, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def submitted_application() -> Any:
    member = UserFactory()
    person = BeneficiaryFactory(user=member)
    draft = services.application_create(
        beneficiary=person, actor=member, plan=MediMediPlan.objects.get(name="CareAdvantage")
    )
    return services.application_submit(application=draft, actor=member, now=at(2026, 11, 27))


def confirmation_status() -> str | None:
    return (
        Notice.objects.filter(kind="enrollment_confirmation")
        .values_list("status", flat=True)
        .first()
    )


def test_an_approval_through_the_api_is_confirmed_by_a_real_worker(worker: Worker) -> None:
    application = submitted_application()
    client = APIClient()
    client.force_authenticate(StaffFactory())
    response = client.post(f"/api/v1/applications/{application.pk}/approve")
    assert response.status_code == 200

    wait_for(lambda: confirmation_status() == NoticeStatus.SENT, "the confirmation", worker)
    notice = Notice.objects.get(kind="enrollment_confirmation")
    medi_medi = Enrollment.objects.get(kind="medi_medi")
    assert notice.idempotency_key == f"enrollment-confirmed:{medi_medi.pk}"
    assert worker.emails_for(notice.pk) == 1
    mail = "".join(path.read_text() for path in worker.mail_dir.iterdir())
    assert "CareAdvantage" in mail
    assert f'filename="letter-{notice.pk}.pdf"' in mail
    assert Path(notice.id_card_pdf.path).is_file()
    assert application.beneficiary.mbi not in worker.log()


def test_an_approval_while_the_broker_is_down_is_delivered_once_by_beat_and_the_sweeper(
    worker: Worker, tmp_path: Path
) -> None:
    application = submitted_application()
    staff = StaffFactory()
    # A web process whose broker is a closed port approves: the enrollment and its notice row
    # commit, the publish fails, and the request still succeeds.
    script = (
        "import sys, django\n"
        "django.setup()\n"
        "from accounts.models import User\n"
        "from enrollment.models import Application\n"
        "from enrollment.services import application_approve\n"
        "app = Application.objects.get(pk=int(sys.argv[1]))\n"
        "application_approve(application=app, actor=User.objects.get(pk=int(sys.argv[2])))\n"
        "print('approved')\n"
    )
    fast_sweep = {"NOTICES_SWEEP_GRACE_SECONDS": "1", "NOTICES_SWEEP_INTERVAL_SECONDS": "1"}
    web = subprocess.run(
        [sys.executable, "-c", script, str(application.pk), str(staff.pk)],
        cwd=ROOT,
        env={**worker.env, **fast_sweep, "CELERY_BROKER_URL": CLOSED_PORT_BROKER},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert web.returncode == 0, web.stderr
    assert "approved" in web.stdout
    notice = Notice.objects.get(kind="enrollment_confirmation")
    assert notice.status == NoticeStatus.QUEUED
    assert worker.emails_for(notice.pk) == 0

    # The broker is back: a real beat runs the sweeper every second on the worker's queue.
    beat_log = tmp_path / "beat.log"
    with beat_log.open("wb") as log:
        beat = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "medimedi",
                "beat",
                "--schedule",
                str(tmp_path / "beat-schedule"),
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env={**worker.env, **fast_sweep},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: confirmation_status() == NoticeStatus.SENT, "the swept notice", worker)
        time.sleep(3)  # more sweeps run: none may send it again
    finally:
        beat.terminate()
        try:
            beat.wait(timeout=20)
        except subprocess.TimeoutExpired:
            beat.kill()
            beat.wait(timeout=10)
    assert "notices.tasks.notices_sweep" in beat_log.read_text(errors="replace")
    notice.refresh_from_db()
    assert notice.attempts == 1
    assert worker.emails_for(notice.pk) == 1
