"""``manage.py notices_sweep``: run the outbox sweeper once (for cron, or a laptop without beat)."""

from typing import Any

from django.core.management.base import BaseCommand

from notices.services import notices_sweep


class Command(BaseCommand):
    help = "Re-enqueue notices left queued or stuck in sending (what Celery beat runs each minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = notices_sweep()
        self.stdout.write(
            f"requeued {len(result.requeued)}, reclaimed {len(result.reclaimed)}, "
            f"failed {len(result.failed)}"
        )
