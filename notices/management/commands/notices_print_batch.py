"""``manage.py notices_print_batch``: hand the waiting print letters to the vendor as one zip."""

from typing import Any

from django.core.management.base import BaseCommand

from notices.services import notices_print_batch_build


class Command(BaseCommand):
    help = "Collect sent print letters not yet batched into a print batch (zip + manifest)."

    def handle(self, *args: Any, **options: Any) -> None:
        batch = notices_print_batch_build()
        if batch is None:
            self.stdout.write("no print letters waiting")
            return
        self.stdout.write(
            f"print batch {batch.pk}: {batch.notice_count} letter(s) "
            f"({batch.special_format_count} braille or audio) in {batch.file.name}"
        )
