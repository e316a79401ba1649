"""Users, their roles, and the audit log of every change to member data and every staff read."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    STAFF = "staff", "Plan enrollment staff"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    """A portal login with one role.

    Which organization a staff member works for is recorded on the organization's side
    (``eligibility.StaffMembership``), so this ground-floor app knows no feature app. What each
    role may see and do is decided in one place, ``enrollment.access``.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    # The interface language the user chose with the language switch ("en", "es"); empty: none
    # chosen yet, follow the browser. Letters follow the person's record, not this (docs/i18n.md).
    preferred_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )

    class Meta:
        """Not ``AbstractUser.Meta``: the model's options stay as migration 0001 made them."""

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_plan_staff(self) -> bool:
        """Return True for the plan enrollment staff role (their organization is a membership)."""
        return self.role == Role.STAFF and not self.is_admin

    @property
    def acts_as_staff(self) -> bool:
        """Return True for staff and admins: they never act as a member."""
        return self.is_admin or self.role == Role.STAFF


class AuditLogIsAppendOnly(Exception):
    """An attempt to change or remove an audit record: the log only grows (HIPAA 164.312(b), (c))."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit records in bulk: they can be read and added, never updated or deleted."""

    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("Audit records cannot be updated.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AuditLogIsAppendOnly("Audit records cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit records cannot be deleted.")

    def about_member(self, beneficiary_id: int) -> "AuditEventQuerySet":
        """Rows about one beneficiary: their record, their letters, or a detail that names them.

        Admin list pages name the beneficiaries shown in ``detail["beneficiaries"]``; other rows
        name one in ``detail["beneficiary"]``.
        """
        key = str(beneficiary_id)
        return self.filter(
            models.Q(object_type__in=MEMBER_OBJECT_TYPES, object_id=key)
            | models.Q(detail__beneficiary=beneficiary_id)
            | models.Q(detail__beneficiary=key)
            | models.Q(detail__beneficiaries__regex=rf"(^|[^0-9]){key}([^0-9]|$)")
        )


# Object types whose ``object_id`` is a beneficiary's id.
MEMBER_OBJECT_TYPES = ("beneficiary", "beneficiary_notices")


class AuditEvent(models.Model):
    """One audited action: who did what to which record, when. Holds ids, never PHI.

    Append-only: ``save()`` of a stored row, ``delete()`` and the queryset's ``update()`` and
    ``delete()`` raise ``AuditLogIsAppendOnly``; on PostgreSQL a trigger also refuses UPDATE,
    DELETE and TRUNCATE of the table (migration 0003, see docs/audit.md).
    """

    class Action(models.TextChoices):
        READ = "read", "Read"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new record; refuse to write over a stored one."""
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit records cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit records cannot be deleted.")
