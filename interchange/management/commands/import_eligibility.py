"""``manage.py import_eligibility PATH [--format csv|x12] [--kind full|changes] [--json]``."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interchange.errors import UnreadableFile
from interchange.models import ImportFormat, ImportKind
from interchange.services import ImportProgress, eligibility_import_file, import_report


class Command(BaseCommand):
    help = (
        "Import a state eligibility file (CSV or X12 834). Exit 0 when the file was read, "
        "whatever its invalid records; non-zero, writing nothing, when it cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=ImportFormat.values, dest="fmt")
        parser.add_argument("--kind", choices=ImportKind.values, default=ImportKind.FULL)
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON on the last line."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        bar = _Bar(path.stat().st_size) if sys.stderr.isatty() else None
        try:
            result = eligibility_import_file(
                path=path,
                fmt=options["fmt"],
                kind=options["kind"],
                file_name=path.name,
                progress=bar.update if bar else None,
            )
        except UnreadableFile as error:
            message = f"The file cannot be read; nothing was written. {error}"
            if options["json"]:
                # The last line of standard output stays the report, here of the refusal.
                self.stdout.write(json.dumps({"error": message, "duplicate_file": False}))
            raise CommandError(message) from None
        finally:
            if bar:
                bar.stop()
        report = import_report(result)
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))
            return
        if report["duplicate_file"]:
            self.stdout.write(
                f"This file was imported before (import {report['id']}, same content): "
                "nothing written."
            )
        self.stdout.write(
            "Import {id}, {format} {kind} file for {file_month}: "
            "{records} records: {valid} valid, {invalid} invalid; {created} people created, "
            "{updated} updated, {unchanged} unchanged; {seconds} s.".format(**report)
        )
        for kind, count in sorted(report["events"].items()):
            self.stdout.write(f"  {kind}: {count}")
        for warning in report["warnings"]:
            self.stdout.write(f"warning: {warning}")
        for row in report["errors"][:20]:
            where = f"line {row['line']}" if "line" in row else f"segment {row['segment']}"
            self.stdout.write(f"  {where} {row['field']} {row['code']}: {row['message']}")
        if report["errors_total"] > 20:
            self.stdout.write(f"  ... {report['errors_total'] - 20} more (admin page, API).")


class _Bar:
    """A progress bar on standard error: records read, their rate, and the time left."""

    def __init__(self, total_bytes: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[records]:,} records"),
            TextColumn("{task.fields[rate]:,.0f}/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self.task = self.progress.add_task("reading", total=total_bytes, records=0, rate=0.0)
        self.progress.start()

    def update(self, state: ImportProgress) -> None:
        task = self.progress.tasks[0]
        elapsed = task.elapsed or 1e-9
        self.progress.update(
            self.task,
            completed=state.bytes_read,
            description=state.phase,
            records=state.records,
            rate=state.records / elapsed,
        )

    def stop(self) -> None:
        self.progress.stop()
