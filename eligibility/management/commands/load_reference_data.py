from typing import Any

from django.core.management.base import BaseCommand

from eligibility import reference_data
from eligibility.models import County, MediCalPlan, MediMediPlan, Organization, ServiceArea
from eligibility.reference_cache import reference_cache_clear


class Command(BaseCommand):
    help = "Create any missing counties, organizations, plans and service areas (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = reference_data.load(
            County=County,
            Organization=Organization,
            MediCalPlan=MediCalPlan,
            MediMediPlan=MediMediPlan,
            ServiceArea=ServiceArea,
        )
        reference_cache_clear()
        if options["verbosity"] > 0:
            self.stdout.write(", ".join(f"{n} {kind} created" for kind, n in created.items()))
