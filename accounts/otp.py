"""The second factor: who needs one, checking a one-time code, and setting up an authenticator.

Plan staff and administrators (and anyone who can open the Django admin) sign in with a
password and a time-based one-time code (TOTP, RFC 6238) from an authenticator app; members
with a password. HIPAA 164.312(d), OWASP ASVS 2.7/2.8.
"""

from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

OTP_REQUIRED_MESSAGE = "Enter the 6-digit code from your authenticator app."


def second_factor_required(user: User) -> bool:
    """Whether ``user`` must give a one-time code to sign in: staff, admins, Django-admin users."""
    return user.acts_as_staff or user.is_staff


def otp_verify(user: User, code: str | None) -> Device | None:
    """The user's confirmed device that accepts ``code``, or ``None``.

    Each device throttles wrong codes itself (growing delays) and refuses a code already used.
    """
    code = "".join((code or "").split())
    if not (code.isascii() and code.isdigit()):
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def totp_device_ensure(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, created (with a new secret) if the user has none."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device
