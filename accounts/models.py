"""Users, their roles, and the audit log of every change to member data and every staff read."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    STAFF = "staff", "Plan enrollment staff"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    """A portal login. Staff belong to one organization and see only its members."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    organization = models.ForeignKey(
        "eligibility.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="For plan enrollment staff: the organization they work for.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="staff") | models.Q(organization__isnull=False),
                name="staff_have_an_organization",
            )
        ]

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_plan_staff(self) -> bool:
        return self.role == Role.STAFF and self.organization_id is not None


class AuditEvent(models.Model):
    """One audited action: who did what to which record, when. Holds ids, never PHI."""

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

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}:{self.object_id}"
