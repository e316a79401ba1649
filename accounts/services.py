"""Writes for accounts: member sign-up and audit records."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from knox.models import AuthToken

from accounts import ratelimit
from accounts.models import AuditEvent, Role, User
from accounts.otp import second_factor_required

SIGNUP_WINDOW_SECONDS = 3600


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one audited action. ``detail`` must hold ids and codes only, never PHI."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )


def audit_records(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    rows: Iterable[tuple[object, dict[str, Any]]],
) -> None:
    """Record many audited actions of one kind at once, one row each (``(object_id, detail)``):
    a file's rows applied set-based. Ids and codes only, as ``audit_record``."""
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                actor=actor if actor is not None and actor.is_authenticated else None,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                detail=detail,
            )
            for object_id, detail in rows
        ),
        batch_size=1000,
    )


def audit_read(
    *,
    actor: User | None,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` was shown member data (HIPAA 164.312(b)); ids only in ``detail``.

    For a list page, ``object_type`` names the list (``beneficiary_list``) and ``detail["ids"]``
    the rows shown; ``detail["beneficiaries"]`` names the members they are about, so a search by
    member finds the read.
    """
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.READ,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def member_signup_attempt(*, client_address: str) -> None:
    """Count one sign-up from ``client_address``; past ``SIGNUP_ATTEMPTS_PER_HOUR``, refuse (429).

    Counted for a form that passed its checks (about to create the account) or was refused only
    because the address already has an account; a form with mistakes costs nothing.
    """
    ratelimit.enforce(
        client_address,
        scope="signup",
        limit=settings.SIGNUP_ATTEMPTS_PER_HOUR,
        window=SIGNUP_WINDOW_SECONDS,
        message=gettext("Too many sign-ups from your network. Please try again in an hour."),
    )


@transaction.atomic
def member_account_create(*, email: str, password: str, language: str = "") -> User:
    """Create a member login whose username is the (lower-cased) email address, and audit it.

    The sign-up form has checked the address is free and the password passes the validators.
    ``language`` is the interface language the person signed up in (kept on the account).
    """
    email = email.strip().lower()
    user = User(
        username=email, email=email, role=Role.MEMBER, preferred_language=_language(language)
    )
    user.set_password(password)
    user.save()
    audit_record(actor=user, action=AuditEvent.Action.CREATE, object_type="user", object_id=user.pk)
    return user


def token_lifetime(user: User) -> timedelta:
    """How long a new token of ``user`` works: 8 hours for staff and admins, 30 days for members."""
    if second_factor_required(user):
        return settings.API_TOKEN_TTL_STAFF
    return settings.API_TOKEN_TTL_MEMBER


def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """Issue an API token for a user who signed in (password, and code if needed): the row and
    the key, which is shown once and stored only as a digest."""
    return AuthToken.objects.create(user, expiry=token_lifetime(user))


def _language(code: str | None) -> str:
    """A code of ``settings.LANGUAGES`` (``es-mx`` is ``es``), or "" for anything else."""
    supported = {language for language, _ in settings.LANGUAGES}
    base = (code or "").lower().split("-")[0]
    return base if base in supported else ""


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the interface language ``user`` chose with the language switch.

    An unsupported code changes nothing. Returns whether the account changed; a change is
    audited (the account's own setting, no PHI). Letters keep following the person's record
    (docs/i18n.md).
    """
    code = _language(language)
    if not code or not user.is_authenticated or user.preferred_language == code:
        return False
    old = user.preferred_language
    user.preferred_language = code
    user.save(update_fields=["preferred_language"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        detail={"field": "preferred_language", "old": old, "new": code},
    )
    return True
