"""Who may see and do what in care coordination: this app's one policy.

Over the roles of ``accounts.access`` and the staff organization of ``enrollment.access``:
- a **member** sees their own care (their enrollments' cases), fills their own assessment and
  asks for continuity of care for themselves;
- **staff** see and work the cases of their organization's Medi-Medi enrollments (coordinator,
  assessments, care plans, team, work queue, continuity decisions); a staff login without a
  membership sees nothing;
- **admins** see everything.
Records outside the actor's scope are ``NotFound`` (404); member-only or staff-only actions
asked by the other side are ``Forbidden`` (403). Staff and admin reads are audited.
"""

from collections.abc import Callable

from django.db.models import Q

from accounts.access import is_staff_actor, require_member, require_staff
from accounts.models import User
from enrollment.access import NOTHING, audit_read, organization_id_of

__all__ = [
    "audit_read",
    "case_scope",
    "continuity_scope",
    "enrollment_scope",
    "is_staff_actor",
    "require_member",
    "require_staff",
    "task_scope",
]


def _scope(actor: User, *, staff: Callable[[int], Q], member: Q) -> Q:
    if not actor.is_authenticated:
        return NOTHING
    if actor.is_admin:
        return Q()
    if actor.is_plan_staff:
        org = organization_id_of(actor)
        return NOTHING if org is None else staff(org)
    return member


def case_scope(actor: User) -> Q:
    """Care cases (``CareCase``) the actor may see."""
    return _scope(
        actor,
        staff=lambda org: Q(organization_id=org),
        member=Q(enrollment__beneficiary__user=actor),
    )


def task_scope(actor: User) -> Q:
    """Work queue items (``CareTask``): staff their organization's; members none."""
    return _scope(actor, staff=lambda org: Q(case__organization_id=org), member=NOTHING)


def continuity_scope(actor: User) -> Q:
    """Continuity of care requests the actor may see."""
    return _scope(
        actor,
        staff=lambda org: Q(organization_id=org),
        member=Q(enrollment__beneficiary__user=actor),
    )


def enrollment_scope(actor: User) -> Q:
    """Medi-Medi enrollments the actor may ask continuity of care for (``Enrollment`` rows)."""
    return Q(kind="medi_medi") & _scope(
        actor,
        staff=lambda org: Q(medi_medi_plan__organization_id=org),
        member=Q(beneficiary__user=actor),
    )
