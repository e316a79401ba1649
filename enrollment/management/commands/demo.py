from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from eligibility.models import Organization

DEMO_PASSWORD = "medimedi-demo"


class Command(BaseCommand):
    help = "Load the reference data and demo accounts (idempotent) and print every login."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_reference_data", stdout=self.stdout)
        with transaction.atomic():
            logins = self._accounts()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, description in logins:
            self.stdout.write(f"  {username:<24} {description}")

    def _user(self, username: str, **fields: Any) -> User:
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def _accounts(self) -> list[tuple[str, str]]:
        logins = []
        self._user(
            "admin",
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            email="admin@medimedi.example",
        )
        logins.append(("admin", "administrator (Django admin at /admin/)"))
        for org in Organization.objects.order_by("code"):
            username = f"staff-{org.code}"
            self._user(
                username, role=Role.STAFF, organization=org, email=f"{username}@medimedi.example"
            )
            logins.append((username, f"enrollment staff, {org.name}"))
        return logins
