"""On CI's PostgreSQL and Redis: round-robin holds under parallel approvals, and a real Celery
worker runs the daily job that marks passed deadlines overdue."""

from collections import Counter

import pytest

from care import services
from care.models import CareCase, CareTask
from care.tasks import care_daily
from tests.enrollment.test_concurrency import approve_call, in_parallel, submitted
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory
from tests.worker_support import Worker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_parallel_approvals_give_each_coordinator_a_turn() -> None:
    admin = AdminFactory()
    coordinators = [
        services.care_coordinator_grant(actor=admin, user=StaffFactory()) for _ in range(2)
    ]
    applications = [submitted(BeneficiaryFactory(), "CareAdvantage") for _ in range(4)]
    approver = StaffFactory()
    statuses = in_parallel([approve_call(approver, a.pk) for a in applications])
    assert statuses == [200, 200, 200, 200]
    # The organization's coordinator rows are locked for each pick: 2 members each, never 3-1.
    counts = Counter(CareCase.objects.values_list("coordinator_id", flat=True))
    assert counts == {coordinators[0].pk: 2, coordinators[1].pk: 2}


@pytest.mark.redis
def test_a_real_worker_marks_passed_deadlines_overdue(worker: Worker) -> None:
    application = submitted(BeneficiaryFactory(), "CareAdvantage")
    # Coverage from 2026-12-01 (approved now): the assessment is due 90 days later, not yet
    # overdue; an older deadline is.
    status = approve_call(StaffFactory(), application.pk)()
    assert status == 200
    task = CareTask.objects.get()
    assert task.overdue is False
    CareTask.objects.filter(pk=task.pk).update(due_date="2026-01-01")
    care_daily.apply_async(queue=worker.queue)
    wait_for(
        lambda: CareTask.objects.filter(pk=task.pk, overdue=True).exists(),
        "the daily job",
        worker,
    )
    assert task.changes.filter(to_status="overdue").count() == 1
