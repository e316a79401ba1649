"""Authorized representatives: people a member named to act for them (a power of attorney,
CMS's appointment of representative form, a court order; CMS Medicare Managed Care Manual,
chapter 2, on authorized representatives).

A member records one for themselves; staff for a person their organization serves
(``enrollment.access.beneficiary_scope``); admins for anyone. Every change is audited. While a
representative is valid, every letter queued to the member is copied to them: a second notice
with its own idempotency key (``<key>:rep:<id>``) and their recipient snapshot, marked as a
copy in its context (``letter_copies_queue``, called by ``eligibility.notifications.letter_queue``).
"""

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary, BeneficiaryLetter
from eligibility.selectors import california_today
from enrollment import access
from enrollment.models import AuthorizedRepresentative, RepresentativeLetter
from notices.models import Notice
from notices.services import notice_queue

REQUIRED_TEXT = {
    "name": gettext_noop("Give the representative's name."),
    "relationship": gettext_noop("Say how the representative is related to the member."),
    "document": gettext_noop("Name the document that makes them the representative."),
}


def _beneficiary_for(actor: User, beneficiary_id: int | None, *, lock: bool = False) -> Beneficiary:
    """The person whose representatives are asked about: a member's own record; for staff the
    named person if their organization serves them (else ``NotFound``)."""
    people = Beneficiary.objects.select_for_update() if lock else Beneficiary.objects.all()
    if not access.is_staff_actor(actor):
        own = people.filter(user=actor).first()
        if own is None:
            raise Forbidden("Link your account to your Medicare and Medi-Cal record first.")
        if beneficiary_id is not None and beneficiary_id != own.pk:
            raise NotFound("No such beneficiary.")
        return own
    if beneficiary_id is None:
        raise Forbidden("Staff record representatives on the person's record, not their own.")
    found = people.filter(Q(pk=beneficiary_id) & access.beneficiary_scope(actor)).first()
    if found is None:
        raise NotFound("No such beneficiary.")
    return found


def representatives_require_access(*, actor: User, beneficiary_id: int | None = None) -> None:
    """Refuse (403/404) unless the actor may record representatives for the person."""
    _beneficiary_for(actor, beneficiary_id)


def valid_on(day: date) -> Q:
    """Representatives whose appointment covers ``day``."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def representatives_list(
    *, actor: User, beneficiary_id: int | None = None
) -> QuerySet[AuthorizedRepresentative]:
    """A person's representatives, current and past, oldest first (staff reads are audited)."""
    beneficiary = _beneficiary_for(actor, beneficiary_id)
    access.audit_read(actor, "beneficiary", beneficiary.pk, part="representatives")
    return AuthorizedRepresentative.objects.filter(beneficiary=beneficiary).order_by(
        "valid_from", "id"
    )


def application_representatives(*, application_id: int, day: date | None = None) -> list[Any]:
    """The representatives valid ``day`` (default today) of the application's person.

    For the staff application page, after its selector has decided the actor may see it.
    """
    day = day or california_today()
    return list(
        AuthorizedRepresentative.objects.filter(beneficiary__applications__pk=application_id)
        .filter(valid_on(day))
        .order_by("valid_from", "id")
    )


@transaction.atomic
def representative_add(
    *,
    actor: User,
    beneficiary_id: int | None = None,
    name: str,
    relationship: str,
    document: str,
    valid_from: date,
    valid_to: date | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
) -> AuthorizedRepresentative:
    """Record an authorized representative: name, relationship, contact, the naming document
    and the dates it is valid. A way to send them letters (an email or a postal address) is
    required, since they receive a copy of every letter."""
    beneficiary = _beneficiary_for(actor, beneficiary_id, lock=True)
    values = {"name": name, "relationship": relationship, "document": document}
    for field, message in REQUIRED_TEXT.items():
        if not values[field].strip():
            raise DomainError(gettext(message), field=field)
    if not email.strip() and not address.strip():
        raise DomainError(
            gettext(
                "Give an email or a postal address: the representative gets a copy of every letter."
            ),
            field="address",
        )
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(
            gettext("The end date cannot be before the start date."), field="valid_to"
        )
    representative = AuthorizedRepresentative.objects.create(
        beneficiary=beneficiary,
        name=name.strip(),
        relationship=relationship.strip(),
        document=document.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="representative",
        object_id=representative.pk,
        detail={
            "beneficiary": beneficiary.pk,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
        },
    )
    return representative


@transaction.atomic
def representative_end(
    *,
    actor: User,
    representative_id: int,
    beneficiary_id: int | None = None,
    valid_to: date | None = None,
) -> AuthorizedRepresentative:
    """End a representative's appointment: ``valid_to`` is their last day.

    Without a date they stop now: their last day was yesterday, so no letter queued from now on
    is copied to them. One that had not started by then never acts (from and to both set to
    yesterday). Ending before it starts is otherwise refused; ending an ended one earlier is
    allowed (the member revoked it sooner than recorded), later is a ``Conflict``.
    """
    beneficiary = _beneficiary_for(actor, beneficiary_id, lock=True)
    representative = (
        AuthorizedRepresentative.objects.select_for_update()
        .filter(pk=representative_id, beneficiary=beneficiary)
        .first()
    )
    if representative is None:
        raise NotFound("No such representative.")
    end = valid_to or california_today() - timedelta(days=1)
    if valid_to is None and end < representative.valid_from:
        representative.valid_from = end  # withdrawn before it began: it never acts
    if end < representative.valid_from:
        raise DomainError(
            gettext("The end date cannot be before the representative's start date."),
            field="valid_to",
        )
    if representative.valid_to is not None and representative.valid_to <= end:
        raise Conflict(
            gettext("This representative's appointment already ends by then."),
            valid_to=representative.valid_to.isoformat(),
        )
    before = representative.valid_to
    representative.valid_to = end
    representative.save(update_fields=["valid_from", "valid_to"])
    audit_record(
        actor=actor,
        action="update",
        object_type="representative",
        object_id=representative.pk,
        detail={
            "beneficiary": beneficiary.pk,
            "valid_to": [before.isoformat() if before else None, end.isoformat()],
        },
    )
    return representative


def representative_snapshot(
    representative: AuthorizedRepresentative, original: Notice
) -> dict[str, object]:
    """Where a copy goes: the representative's name and contact, in the letter's language and
    format (the member's standing request)."""
    return {
        "name": representative.name,
        "email": representative.email,
        "address": [line for line in representative.address.splitlines() if line.strip()],
        "language": original.recipient.get("language") or original.language,
        "format": original.recipient.get("format") or original.format,
    }


def representative_recipient_key(representative_id: int) -> str:
    """The notices' recipient key of a representative's copies (for delivery and cancelling)."""
    return f"representative:{representative_id}"


def beneficiaries_with_representatives(beneficiary_ids: Collection[int]) -> set[int]:
    """Those of ``beneficiary_ids`` with a representative valid today (one query, for bulk runs)."""
    return set(
        AuthorizedRepresentative.objects.filter(
            valid_on(california_today()), beneficiary_id__in=list(beneficiary_ids)
        ).values_list("beneficiary_id", flat=True)
    )


def letter_copies_queue(
    *, notice: Notice, beneficiary_id: int, organization_id: int | None
) -> list[Notice]:
    """Copy a letter just queued to a member to each representative valid today.

    Called by ``eligibility.notifications.letter_queue`` in the letter's own transaction, so a
    rolled-back event sends no copy either. Each copy is its own notice (key
    ``<key>:rep:<representative id>``) recorded as the member's letter, so the same staff see it.
    """
    copies = []
    representatives = AuthorizedRepresentative.objects.filter(
        valid_on(california_today()), beneficiary_id=beneficiary_id
    ).order_by("pk")
    for representative in representatives:
        copy = notice_queue(
            kind=notice.kind,
            idempotency_key=f"{notice.idempotency_key}:rep:{representative.pk}",
            recipient_key=representative_recipient_key(representative.pk),
            recipient=representative_snapshot(representative, notice),
            context={
                **notice.context,
                "copy_for_representative": True,
                "copy_of_notice": notice.pk,
                "copy_of_recipient": notice.recipient.get("name", ""),
            },
            scheduled_for=notice.scheduled_for,
            bulk=notice.bulk,  # a copy of a bulk letter waits in the bulk queue too
        )
        BeneficiaryLetter.objects.get_or_create(
            notice=copy,
            defaults={"beneficiary_id": beneficiary_id, "organization_id": organization_id},
        )
        RepresentativeLetter.objects.get_or_create(
            notice=copy, defaults={"representative": representative, "copy_of": notice}
        )
        copies.append(copy)
    return copies
