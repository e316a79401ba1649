"""Role rules every app shares: who acts as a member and who as staff.

Which records a role may see is decided by each app's policy (``enrollment.access``); these
are the role checks under it, kept here so the ground floor (and ``eligibility``) can use them.
"""

from accounts.errors import Forbidden
from accounts.models import User


def is_staff_actor(actor: User | None) -> bool:
    """Return True for staff and admins, whose reads of member data are audited."""
    return actor is not None and actor.is_authenticated and actor.acts_as_staff


def require_member(actor: User) -> None:
    """Refuse anyone but a member: staff and admins act only as staff."""
    if not actor.is_authenticated:
        raise Forbidden("Log in first.")
    if actor.acts_as_staff:
        raise Forbidden("Staff and administrators cannot do this as a member.")


def require_staff(actor: User) -> None:
    """Refuse anyone but plan enrollment staff and admins."""
    if not is_staff_actor(actor):
        raise Forbidden("Only plan enrollment staff can do this.")


def home_route(actor: User) -> str:
    """The page a user lands on after signing in: staff their work queue, members their record."""
    return "staff-queue" if is_staff_actor(actor) else "member-home"
