"""``manage.py load_medicare_replies PATH [--json]``: load a Medicare reply file (CSV)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment.medicare import ReplyFileRefused, reply_file_load


class Command(BaseCommand):
    help = (
        "Load a Medicare reply file (docs/medicare.md): the rows without errors are applied, "
        "each row reported by line. Exit 0 when the file was read, whatever its bad rows; "
        "non-zero, writing nothing, when it is not a reply file. Loading the same file again "
        "writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as handle:
                # A system job (no acting user): every organization's submissions.
                report = reply_file_load(actor=None, file=handle, file_name=path.name).as_dict()
        except ReplyFileRefused as error:
            raise CommandError(f"Not a reply file; nothing was written. {error}") from None
        if options["json"]:
            self.stdout.write(json.dumps(report, default=str, separators=(", ", ": ")))
            return
        if report["duplicate_file"]:
            self.stdout.write(
                f"This file was loaded before (reply file {report['id']}, same content): "
                "nothing written."
            )
        self.stdout.write(
            f"{report['rows']} rows: {report['applied']} applied, {report['unchanged']} "
            f"unchanged, {report['errors']} with errors."
        )
        for row in report["results"]:
            for field_name, messages in row["errors"].items():
                for message in messages:
                    self.stdout.write(f"line {row['line']}, {field_name}: {message}")
