"""``manage.py otp_device USERNAME``: the user's authenticator set-up link (``otpauth://``).

Creates the user's TOTP device if the user has none, then prints its URI: open it on the
phone, or paste it (or its ``secret=``) into any authenticator app. Treat it like a password.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.otp import totp_device_ensure


class Command(BaseCommand):
    help = "Create the user's TOTP device if missing and print its otpauth:// set-up URI."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        device = totp_device_ensure(user)
        self.stdout.write(device.config_url)
