"""``manage.py transfer_members``: move a plan's members in some counties to another plan.

A dry run unless ``--apply`` (see ``enrollment.transfers``). Prints counts and person ids only.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from accounts.errors import DomainError
from accounts.models import User
from eligibility.models import County, MediMediPlan
from enrollment.transfers import TransferReport, transfer_plan


def _plan(value: str) -> MediMediPlan:
    query = Q(name__iexact=value) | (Q(pk=int(value)) if value.isdigit() else Q(pk__in=[]))
    plans = list(MediMediPlan.objects.filter(query)[:2])
    if len(plans) != 1:
        raise CommandError(f"No single plan is named or numbered {value!r}.")
    return plans[0]


def _county(value: str) -> County:
    county = County.objects.filter(Q(fips=value) | Q(name__iexact=value.strip())).first()
    if county is None:
        raise CommandError(f"Unknown county {value!r} (a name or a FIPS code like 06065).")
    return county


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Move everyone enrolled in one plan in the given counties into another plan from a date "
        "(both halves: the Medi-Medi Plan and its aligned Medi-Cal plan). A dry run unless "
        "--apply; running an applied transfer again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from-plan", required=True, help="Plan name or id")
        parser.add_argument("--to-plan", required=True, help="Plan name or id")
        parser.add_argument(
            "--county", action="append", required=True, help="Name or FIPS; repeat for several"
        )
        parser.add_argument("--effective", required=True, help="First day in the new plan")
        parser.add_argument("--reason", default="", help="Why, with sources (kept on the run)")
        parser.add_argument("--actor", help="Username of the admin doing it (default: system)")
        parser.add_argument(
            "--today", help="Count the letters from this day (default: today in California)"
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", default=True, help="The default")
        mode.add_argument("--apply", action="store_true", help="Run the transfer")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']!r}.")
        try:
            report = transfer_plan(
                actor=actor,
                from_plan=_plan(options["from_plan"]),
                to_plan=_plan(options["to_plan"]),
                counties=[_county(value) for value in options["county"]],
                effective=_date(options["effective"]),
                dry_run=not options["apply"],
                reason=options["reason"],
                today=_date(options["today"]) if options["today"] else None,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._print(report)

    def _print(self, report: TransferReport) -> None:
        write = self.stdout.write
        head = "Dry run" if report.dry_run else f"Transfer {report.status}"
        write(
            f"{head} (transfer {report.transfer_id}): {report.from_plan} -> {report.to_plan} "
            f"from {report.effective_date.isoformat()} in {', '.join(report.counties)}"
        )
        if report.already_done:
            write("Already completed: nothing was written.")
        write(f"{report.members} members: {report.moves} move, {report.cannot_total} cannot")
        for reason, count in report.cannot.items():
            write(f"  {reason}: {count}")
        for row in report.cannot_sample:
            write(f"    person {row['beneficiary']} ({row['county']}): {row['reason']}")
        for letter in report.letters:
            late = " (late: goes at once)" if letter.late else ""
            write(f"Letter {letter.kind} on {letter.send_on.isoformat()}{late}")
        if not report.dry_run:
            write(f"Moved now: {report.moved_now}; letters queued: {report.letters_queued}")
