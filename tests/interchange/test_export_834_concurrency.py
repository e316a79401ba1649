"""Real concurrency on PostgreSQL: two exports of one plan at the same instant send each
member once, with two different control numbers (the plan's and the sequence's row locks)."""

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from eligibility.models import MediCalPlan
from interchange import exports
from interchange.models import EnrollmentFileExport, EnrollmentFileLine
from tests.interchange.test_export_834 import a_person, aligned_pair, assert_valid

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def _export_dir(settings: Any, tmp_path: Path) -> None:
    settings.INTERCHANGE_EXPORT_DIR = str(tmp_path / "exports")


def test_parallel_exports_of_a_plan_send_each_member_once() -> None:
    plan = MediCalPlan.objects.get(state_code="MC-HPSM")
    people = [a_person() for _ in range(20)]
    for person in people:
        aligned_pair(person)
    barrier = threading.Barrier(2)
    outcomes: list[exports.ExportOutcome | None] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = exports.enrollment_file_export(
                actor=None, plan=plan, period_start=date(2027, 1, 1), period_end=date(2027, 1, 31)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    made = [o.export for o in outcomes if o is not None and o.export is not None]
    assert len(made) == 1, "one export sends the additions, the other finds nothing new"
    assert [o.earlier for o in outcomes if o is not None and o.nothing_to_send] == made
    assert [o is not None and o.nothing_to_send for o in outcomes].count(True) == 1
    assert EnrollmentFileExport.objects.count() == 1
    assert EnrollmentFileLine.objects.count() == 20
    assert_valid(Path(made[0].stored_path))
