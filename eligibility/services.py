"""Writes for eligibility: rollout dates, determinations, linking a member to their record."""

import contextlib
import logging
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from accounts import ratelimit
from accounts.access import require_member
from accounts.errors import Conflict, DomainError, TooManyRequests
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import (
    ALIGNED_ORGANIZATION_MESSAGE,
    FIRST_OF_MONTH_MESSAGE,
    Beneficiary,
    County,
    EligibilityDetermination,
    MediCalPlan,
    MediMediPlan,
    ServiceArea,
)
from eligibility.notifications import county_transition_notices_cancel
from eligibility.reference_cache import reference_cache_clear
from eligibility.rules import (
    POLICY_VERSION,
    InvalidIdentifier,
    evaluate,
    is_first_of_month,
    normalize_cin,
    normalize_mbi,
)
from eligibility.selectors import (
    beneficiary_find_by_identity,
    county_facts,
    person_facts_on,
    service_areas_of,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def county_rollout_update(*, county: County, available_from: date, actor: User | None) -> County:
    """Move a county's Medi-Medi availability date; history records who, when, old and new.

    The date must be a first of a month, as coverage starts on one (42 CFR 422.68): another day
    is refused (``DomainError`` keyed on ``medi_medi_available_from``).
    """
    if not is_first_of_month(available_from):
        raise DomainError(FIRST_OF_MONTH_MESSAGE, field="medi_medi_available_from")
    locked = County.objects.select_for_update().get(pk=county.pk)
    old = locked.medi_medi_available_from
    if old == available_from:
        return locked
    locked.medi_medi_available_from = available_from
    locked._change_reason = f"rollout date {old.isoformat()} -> {available_from.isoformat()}"  # type: ignore[attr-defined]
    if actor is not None:
        locked._history_user = actor  # type: ignore[attr-defined]  # also outside a request
    locked.save(update_fields=["medi_medi_available_from"])
    # Letters queued for the old date and not yet sent are void; what is due for the new date
    # is queued once this commits (and by the daily job if the broker is down now).
    county_transition_notices_cancel(county=locked, available=old)
    reference_cache_clear()
    transaction.on_commit(reference_cache_clear)
    transaction.on_commit(partial(_publish_transition_run, locked.pk))
    audit_record(
        actor=actor,
        action="update",
        object_type="county",
        object_id=locked.pk,
        detail={
            "field": "medi_medi_available_from",
            "old": old.isoformat(),
            "new": available_from.isoformat(),
        },
    )
    return locked


@transaction.atomic
def service_area_save(
    *,
    plan: MediMediPlan,
    county: County,
    aligned_medi_cal_plan: MediCalPlan,
    start_date: date,
    end_date: date | None = None,
    source: str = "",
    area: ServiceArea | None = None,
    actor: User | None,
) -> ServiceArea:
    """Create a service area (or change ``area``) after the rules every one must keep.

    Refused with a ``DomainError`` keyed on the field at fault: a start that is not a first of
    a month (coverage starts on one, 42 CFR 422.68), an aligned Medi-Cal plan of another
    organization (domain.md section 5; PostgreSQL refuses it too, by a trigger), an end before
    the start. History records the change; the audit log says who made it.
    """
    if not is_first_of_month(start_date):
        raise DomainError(FIRST_OF_MONTH_MESSAGE, field="start_date")
    if aligned_medi_cal_plan.organization_id != plan.organization_id:
        raise DomainError(ALIGNED_ORGANIZATION_MESSAGE, field="aligned_medi_cal_plan")
    if end_date is not None and end_date < start_date:
        raise DomainError("The end date must not be before the start date.", field="end_date")
    if area is None:
        area = ServiceArea()
        action = "create"
    else:
        area = ServiceArea.objects.select_for_update().get(pk=area.pk)
        action = "update"
    area.plan = plan
    area.county = county
    area.aligned_medi_cal_plan = aligned_medi_cal_plan
    area.start_date = start_date
    area.end_date = end_date
    area.source = source
    if (
        ServiceArea.objects.filter(plan=plan, county=county, start_date=start_date)
        .exclude(pk=area.pk)
        .exists()
    ):
        raise Conflict(
            "This plan already has a service area in this county from that date.",
            field="start_date",
        )
    area.save()
    reference_cache_clear()
    transaction.on_commit(reference_cache_clear)
    audit_record(
        actor=actor,
        action=action,
        object_type="service_area",
        object_id=area.pk,
        detail={
            "plan": plan.pk,
            "county": county.fips,
            "aligned_medi_cal_plan": aligned_medi_cal_plan.pk,
            "start_date": start_date.isoformat(),
            "end_date": end_date.isoformat() if end_date else None,
        },
    )
    return area


def _publish_transition_run(county_id: int) -> None:
    from eligibility.tasks import county_transition_notices_for

    try:
        county_transition_notices_for.delay(county_id)
    except Exception as exc:  # a broker outage: the daily job catches up
        logger.warning(
            "county %s: transition run not published (%s)", county_id, type(exc).__name__
        )


CHECK_WINDOW_SECONDS = 60


def eligibility_check_attempt(*, client_address: str) -> None:
    """Count one eligibility check (API or screener) from ``client_address``; past
    ``ELIGIBILITY_CHECK_RATE_PER_MINUTE`` (a rate no person meets), refuse it (429)."""
    ratelimit.enforce(
        client_address,
        scope="eligibility-check",
        limit=settings.ELIGIBILITY_CHECK_RATE_PER_MINUTE,
        window=CHECK_WINDOW_SECONDS,
        message=gettext("Too many checks from your address. Please try again in a minute."),
    )


def determination_create(
    *, beneficiary: Beneficiary, as_of: date, coverage_start: date | None = None
) -> EligibilityDetermination:
    """Run the rules on the beneficiary's recorded facts and store the result with its inputs.

    ``as_of`` is the check date (coverage would start the first of the next month). With
    ``coverage_start`` the check is made for coverage starting that day instead: the facts in
    force that day, checked as of the day before, so the rules' start is ``coverage_start``.
    """
    if coverage_start is not None:
        as_of = coverage_start - timedelta(days=1)
        facts_day = coverage_start
    else:
        facts_day = as_of
    facts = person_facts_on(beneficiary, facts_day)
    county = beneficiary.county
    decision = evaluate(facts, as_of=as_of, county=county_facts(county, service_areas_of(county)))
    return EligibilityDetermination.objects.create(
        beneficiary=beneficiary,
        county=county,
        as_of=as_of,
        facts={**facts.as_json(), "facts_on": facts_day.isoformat()},
        eligible=decision.eligible,
        dual_status_code=decision.dual_status.code,
        dual_status_category=decision.dual_status.category,
        reasons=[{"code": r.code.value, "message": r.message} for r in decision.reasons],
        earliest_effective_date=decision.earliest_effective_date,
        policy_version=POLICY_VERSION,
    )


class IdentityNotMatched(DomainError):
    """The identity details did not match a record. Deliberately says nothing more."""

    status_code = 400
    code = "identity_not_matched"


class TooManyAttempts(TooManyRequests):
    """Too many failed identity matches from one account, address or for one identifier."""


def _link_counters(
    user: User, client_address: str | None, identifier: str | None
) -> list[ratelimit.Counter]:
    """The failure counters an identity-link attempt is held to, each with its limit.

    Per account, per client address (one person trying from many accounts) and per identifier
    tried (many accounts trying one Medicare number's birth dates), all over
    ``IDENTITY_LINK_WINDOW_SECONDS`` in the shared cache.
    """
    counters = [(f"identity-link-failures:user:{user.pk}", settings.IDENTITY_LINK_MAX_FAILURES)]
    if client_address:
        counters.append(
            (
                f"identity-link-failures:address:{client_address}",
                settings.IDENTITY_LINK_MAX_FAILURES_PER_ADDRESS,
            )
        )
    if identifier:
        counters.append(
            (
                f"identity-link-failures:identifier:{ratelimit.digest(identifier)}",
                settings.IDENTITY_LINK_MAX_FAILURES_PER_IDENTIFIER,
            )
        )
    return counters


IDENTITY_NOT_MATCHED = gettext_noop(
    "We could not match those details to a Medicare and Medi-Cal record. Check your Medicare "
    "number or Medi-Cal CIN, your date of birth and your last name, and try again."
)


@transaction.atomic
def beneficiary_link(
    *,
    user: User,
    identifier: str,
    date_of_birth: date,
    last_name: str,
    client_address: str | None = None,
) -> Beneficiary:
    """Link a member account to their beneficiary record once they prove who they are.

    ``identifier`` is an MBI or a CIN (or the benefits card id). A failed match raises
    ``IdentityNotMatched`` with one message whatever went wrong, so nobody can learn whether a
    record exists. After ``IDENTITY_LINK_MAX_FAILURES`` failures in
    ``IDENTITY_LINK_WINDOW_SECONDS`` the account must wait (``TooManyAttempts``), so a birth
    date cannot be found by trying them all; the same holds per ``client_address`` (adapters
    pass ``accounts.ratelimit.client_address(request)``) and per identifier tried.
    """
    require_member(user)  # staff and admins never take over a member's record
    mbi = cin = None
    try:
        mbi = normalize_mbi(identifier)
    except InvalidIdentifier:
        with contextlib.suppress(InvalidIdentifier):
            cin = normalize_cin(identifier)
    counters = _link_counters(user, client_address, mbi or cin)
    window = settings.IDENTITY_LINK_WINDOW_SECONDS
    wait = ratelimit.blocked_any(counters, window=window)
    if wait is not None:
        raise TooManyAttempts(
            gettext(
                "Too many attempts to match your record. Please wait an hour and try again, or "
                "call member services."
            ),
            retry_after=wait,
        )
    if mbi is None and cin is None:
        ratelimit.hit_all(counters, window=window)
        raise IdentityNotMatched(gettext(IDENTITY_NOT_MATCHED))
    found = beneficiary_find_by_identity(
        mbi=mbi, cin=cin, date_of_birth=date_of_birth, last_name=last_name
    )
    if found is None:
        ratelimit.hit_all(counters, window=window)
        audit_record(
            actor=user, action="read", object_type="beneficiary_link", object_id="no-match"
        )
        raise IdentityNotMatched(gettext(IDENTITY_NOT_MATCHED))
    beneficiary = Beneficiary.objects.select_for_update().get(pk=found.pk)
    if beneficiary.user_id == user.pk:
        return beneficiary
    if beneficiary.user_id is not None or Beneficiary.objects.filter(user=user).exists():
        raise Conflict(
            gettext("This record or this account is already linked. Call member services for help.")
        )
    beneficiary.user = user
    beneficiary.save(update_fields=["user", "updated_at"])
    audit_record(
        actor=user,
        action="update",
        object_type="beneficiary",
        object_id=beneficiary.pk,
        detail={"field": "user", "linked_user": user.pk},
    )
    return beneficiary
