"""An in-process snapshot of the reference data that every eligibility check reads.

Counties and service areas change a few times a year, while the public check runs on every
request: each process keeps them in memory and reloads them (two queries) when the snapshot is
older than ``REFERENCE_CACHE_SECONDS``. A change made through this process (the rollout service,
the admin, the loader) clears the snapshot at once; other processes see it within the TTL.
Set ``REFERENCE_CACHE_SECONDS=0`` to read the database on every check.
"""

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

from eligibility.models import County, PlanProgram, ServiceArea


@dataclass(frozen=True)
class ReferenceSnapshot:
    loaded_at: float
    by_fips: dict[str, County]
    by_name: dict[str, County]  # lower-cased names
    areas_by_county: dict[int, list[ServiceArea]] = field(default_factory=dict)


_lock = threading.Lock()
_snapshot: ReferenceSnapshot | None = None


def _load() -> ReferenceSnapshot:
    counties = list(County.objects.all())
    areas: dict[int, list[ServiceArea]] = {county.pk: [] for county in counties}
    for area in (
        ServiceArea.objects.filter(plan__program=PlanProgram.MEDI_MEDI)  # legacy: never offered
        .select_related("plan__organization", "aligned_medi_cal_plan")
        .order_by("pk")
    ):
        areas.setdefault(area.county_id, []).append(area)
    return ReferenceSnapshot(
        loaded_at=time.monotonic(),
        by_fips={county.fips: county for county in counties},
        by_name={county.name.lower(): county for county in counties},
        areas_by_county=areas,
    )


def reference_snapshot() -> ReferenceSnapshot:
    """The current snapshot, reloaded when it is older than the TTL."""
    global _snapshot
    ttl = settings.REFERENCE_CACHE_SECONDS
    current = _snapshot
    if current is not None and ttl > 0 and time.monotonic() - current.loaded_at < ttl:
        return current
    with _lock:
        current = _snapshot
        if current is not None and ttl > 0 and time.monotonic() - current.loaded_at < ttl:
            return current
        fresh = _load()
        _snapshot = fresh if ttl > 0 else None
        return fresh


def reference_cache_clear() -> None:
    """Forget the snapshot, so the next check reads the database."""
    global _snapshot
    with _lock:
        _snapshot = None
