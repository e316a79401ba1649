"""Who may see and do what with member data: the portal's one access policy.

Every selector and service that reads or changes a member's record asks this module, with the
acting user (``actor``); page views, API views, admin and tasks never decide it themselves, so
pages and API cannot disagree. Least privilege (45 CFR 164.308(a)(4), 164.312(a)):

- A **member** sees only the record linked to their own account.
- **Staff** of an organization see applications to their organization's plans that were ever
  submitted (never a draft, even a withdrawn one), enrollments in their organization's plans,
  and the letters their organization's events sent (and program letters, such as county
  transitions, which name no organization), and their organization's review items. Of another
  organization they see only that the member has another plan, with its dates. A staff login
  without a membership sees nothing.
- **Admins** see everything; every read is audited, as is every staff read.
- Staff and admins act only as staff: member-only actions (linking a record, applying as the
  member) are refused with ``Forbidden`` (403).

Records an actor may not see are reported as ``NotFound`` (404): never "exists, but not yours".
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q

from accounts.access import is_staff_actor, require_member, require_staff
from accounts.errors import Forbidden, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import MediMediPlan, StaffMembership
from enrollment.models import Application, Enrollment, OrganizationPerson

__all__ = [
    "application_scope",
    "audit_read",
    "beneficiary_scope",
    "beneficiary_scope_by_records",
    "enrollment_scope",
    "is_staff_actor",
    "letter_scope",
    "medicare_submission_scope",
    "organization_id_of",
    "require_member",
    "require_staff",
    "review_item_scope",
    "transfer_scope",
]

_ORG_CACHE = "_access_organization_id"
_PLANS_CACHE = "_access_plan_ids"
NOTHING = Q(pk__in=[])


def organization_id_of(actor: User) -> int | None:
    """Return the organization a staff member works for (None for anyone else), once a request."""
    if not actor.is_authenticated or not actor.is_plan_staff:
        return None
    if not hasattr(actor, _ORG_CACHE):
        setattr(
            actor,
            _ORG_CACHE,
            StaffMembership.objects.filter(user=actor)
            .values_list("organization_id", flat=True)
            .first(),
        )
    org: int | None = getattr(actor, _ORG_CACHE)
    return org


def audit_read(actor: User | None, object_type: str, object_id: object, **detail: Any) -> None:
    """Write the read-audit row when staff or an admin read member data (ids only)."""
    if is_staff_actor(actor):
        audit_record(
            actor=actor, action="read", object_type=object_type, object_id=object_id, detail=detail
        )


# ---------------------------------------------------------------------------------------------
# Scopes: the rows an actor may see, as filters for the selectors.


def _scope(actor: User, *, admin: Q, staff: Callable[[int], Q], member: Q) -> Q:
    """One rule for every scope: admins ``admin``; staff ``staff(their organization)``, or
    nothing without a membership; anyone else ``member`` (their own record)."""
    if actor.is_admin:
        return admin
    if actor.is_plan_staff:
        org = organization_id_of(actor)
        return NOTHING if org is None else staff(org)
    return member


def organization_plan_ids(actor: User) -> list[int]:
    """The Medi-Medi Plans of the staff member's organization (ids), once a request.

    The application scope names them as values (``plan_id IN (...)``) rather than joining the
    plans: PostgreSQL then estimates the organization's share of millions of applications
    from the column's statistics and picks the queue's index (issue 12).
    """
    org = organization_id_of(actor)
    if org is None:
        return []
    if not hasattr(actor, _PLANS_CACHE):
        plans = MediMediPlan.objects.filter(organization_id=org).order_by("pk")
        setattr(actor, _PLANS_CACHE, list(plans.values_list("pk", flat=True)))
    ids: list[int] = getattr(actor, _PLANS_CACHE)
    return ids


def application_scope(actor: User) -> Q:
    """Applications the actor may see: staff only those ever submitted to their plans."""
    return _scope(
        actor,
        admin=Q(),
        staff=lambda org: Q(plan_id__in=organization_plan_ids(actor), submitted_at__isnull=False),
        member=Q(beneficiary__user=actor),
    )


def enrollment_scope(actor: User) -> Q:
    """Enrollments the actor may see in full (plan, dates, reasons)."""
    return _scope(
        actor,
        admin=Q(),
        staff=lambda org: (
            Q(medi_medi_plan__organization_id=org) | Q(medi_cal_plan__organization_id=org)
        ),
        member=Q(beneficiary__user=actor),
    )


def enrollment_end_scope(actor: User) -> Q:
    """Enrollments the actor may end: a member their own; staff their organization's Medi-Medi
    Plan enrollments (never another organization's, nor a Medi-Cal plan's); admins any."""
    return _scope(
        actor,
        admin=Q(),
        staff=lambda org: Q(medi_medi_plan__organization_id=org),
        member=Q(beneficiary__user=actor),
    )


def beneficiary_scope(actor: User) -> Q:
    """Beneficiaries the actor may see: a member themselves; staff those who ever applied to
    (submitted an application to) or were enrolled in one of their organization's plans (a
    Medi-Medi Plan or a Medi-Cal plan), admins everyone.

    For staff the rule is read from its rows, ``enrollment.people_links.OrganizationPerson``
    (one per organization and person, written by the database with every application,
    enrollment and plan change): ``beneficiary_scope_by_records`` is the same rule asked of
    the records, which the rows are checked against. So the people list is one index range,
    the organization's people in id order (issue 12), instead of two ``EXISTS`` per person of
    the state.
    """

    def staff(org: int) -> Q:
        return Q(
            Exists(
                OrganizationPerson.objects.filter(organization_id=org, beneficiary=OuterRef("pk"))
            )
        )

    return _scope(actor, admin=Q(), staff=staff, member=Q(user=actor))


def beneficiary_scope_by_records(actor: User) -> Q:
    """``beneficiary_scope`` asked of the applications and enrollments themselves (two
    ``EXISTS`` per person): the rule the rows of ``OrganizationPerson`` keep, for checking them
    (tests; the benchmark's "before"); slow for lists of the whole state."""

    def staff(org: int) -> Q:
        applied = Application.objects.filter(
            Q(beneficiary=OuterRef("pk")) & application_scope(actor)
        )
        enrolled = Enrollment.objects.filter(
            Q(beneficiary=OuterRef("pk")) & enrollment_scope(actor)
        )
        return Q(Exists(applied)) | Q(Exists(enrolled))

    return _scope(actor, admin=Q(), staff=staff, member=Q(user=actor))


def letter_scope(actor: User) -> Q:
    """Notices the actor may see (through their ``eligibility.BeneficiaryLetter`` row): staff
    their organization's letters and the program's own (no organization); a member their own,
    without the copies sent to their representatives."""
    return _scope(
        actor,
        admin=Q(beneficiary_letter__isnull=False),
        staff=lambda org: (
            Q(beneficiary_letter__organization_id=org)
            | Q(beneficiary_letter__isnull=False, beneficiary_letter__organization__isnull=True)
        ),
        # The copies sent to their representatives (``RepresentativeLetter``) are staff's to see.
        member=Q(beneficiary_letter__beneficiary__user=actor, representative_letter__isnull=True),
    )


def review_item_scope(actor: User) -> Q:
    """Review items the actor may see and resolve: staff their organization's, admins all
    (also the program's, which name no organization), members none (selectors refuse them)."""
    return _scope(
        actor,
        admin=Q(),
        staff=lambda org: Q(organization_id=org),
        member=NOTHING,
    )


def transfer_scope(actor: User) -> Q:
    """Plan-wide transfers the actor may see with the members who could not move: admins all,
    staff those out of their organization's plans (the members are theirs), members none."""
    return _scope(
        actor,
        admin=Q(),
        staff=lambda org: Q(from_plan__organization_id=org),
        member=NOTHING,
    )


def medicare_submission_scope(actor: User) -> Q:
    """Medicare submissions (``enrollment.medicare``) the actor may see: staff those about
    their organization's plans, admins all, a member their own (selectors refuse members the
    staff reads and answers; members see their status through their enrollments)."""
    return _scope(
        actor,
        admin=Q(),
        staff=lambda org: Q(enrollment__medi_medi_plan__organization_id=org),
        member=Q(beneficiary__user=actor),
    )


# ---------------------------------------------------------------------------------------------
# Actions on rows the services have locked.


def check_application_visible(actor: User | None, application: Application) -> None:
    """Raise ``NotFound`` unless the actor may see the application (None: a system job)."""
    if actor is None:
        return
    if not Application.objects.filter(Q(pk=application.pk) & application_scope(actor)).exists():
        raise NotFound("No such application.")


def check_staff_decides(actor: User | None, application: Application) -> None:
    """Staff of the plan's organization (or an admin) move an application through review."""
    if actor is not None:
        require_staff(actor)
    check_application_visible(actor, application)


def check_owner(actor: User | None, application: Application) -> None:
    """Only the member changes or submits their own application."""
    check_application_visible(actor, application)
    if actor is not None and actor.acts_as_staff:
        raise Forbidden("Only the member can do this with their application.")


def check_enrollment_end(actor: User | None, enrollment: Enrollment) -> None:
    """Raise ``NotFound`` unless the actor may end the enrollment (None: a system job)."""
    if actor is None:
        return
    if not Enrollment.objects.filter(Q(pk=enrollment.pk) & enrollment_end_scope(actor)).exists():
        raise NotFound("No such enrollment.")
