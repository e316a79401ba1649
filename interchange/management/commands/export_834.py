"""``manage.py export_834 --plan CODE --from DATE --to DATE [--out PATH] [--full] [--user NAME]``."""

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.errors import DomainError
from accounts.models import User
from interchange.exports import enrollment_file_export, plan_by_code


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = (
        "Write the X12 834 (005010X220A1) of one Medi-Cal plan for a period: the additions, "
        "terminations, reinstatements and changes no earlier export sent, or with --full every "
        "member of the period (030). The file is stored and recorded; --out copies it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="the plan's code at the state")
        parser.add_argument("--from", dest="start", required=True, type=_date)
        parser.add_argument("--to", dest="end", required=True, type=_date)
        parser.add_argument("--out", type=Path, help="also copy the file here")
        parser.add_argument("--full", action="store_true", help="a full audit file (030)")
        parser.add_argument(
            "--user", help="the administrator the export is recorded for (default: none)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No such user: {options['user']}")
        try:
            outcome = enrollment_file_export(
                actor=actor,
                plan=plan_by_code(options["plan"]),
                period_start=options["start"],
                period_end=options["end"],
                full=options["full"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        earlier = outcome.earlier
        if earlier is not None:
            self.stdout.write(
                f"This period was exported before: export {earlier.pk} (ISA13 "
                f"{earlier.interchange_control:09d}, {earlier.created_at:%Y-%m-%d %H:%M}). "
                + (
                    "This full file repeats every member."
                    if options["full"]
                    else "Only what it did not send is sent now."
                )
            )
        export = outcome.export
        if export is None:
            self.stdout.write("Nothing to send for this period: no file written.")
            return
        self.stdout.write(
            f"Export {export.pk}: {export.file_name}, ISA13 {export.interchange_control:09d}; "
            f"{export.members} members: {export.additions} added, {export.terminations} "
            f"terminated, {export.reinstatements} reinstated, {export.changes} changed, "
            f"{export.audits} audit; {export.segments} segments; {export.seconds} s."
        )
        if options["out"]:
            out: Path = options["out"]
            if out.is_dir():
                out = out / export.file_name
            shutil.copyfile(export.stored_path, out)
            self.stdout.write(f"Copied to {out}")
