"""``manage.py care_report --month YYYY-MM --user NAME [--plan ID] [--county FIPS] --out FILE``.

Writes the monthly care report (``care.reports``) as CSV, as the user named (staff: their
organization's plans; admins: all), audited like the page and the API.
"""

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.errors import DomainError
from accounts.models import User
from care import reports


class Command(BaseCommand):
    help = "Write the monthly care report per plan and county as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--user", required=True, help="the staff member or administrator it is read as"
        )
        parser.add_argument("--plan", type=int, help="a Medi-Medi Plan id (default: all)")
        parser.add_argument("--county", help="a county FIPS code (default: all)")
        parser.add_argument("--out", required=True, help="the CSV file to write ('-': stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = reports.month_parse(options["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        actor = User.objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(f"No such user: {options['user']}")
        try:
            report = reports.monthly_report(
                actor, month, plan=options["plan"], county=options["county"]
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        rows = list(report.csv_rows())
        if options["out"] == "-":
            csv.writer(self.stdout).writerows(rows)
            return
        with open(options["out"], "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        self.stdout.write(
            f"Wrote {len(rows) - 1} rows ({len(report.groups)} plan and county groups) "
            f"to {options['out']}."
        )
