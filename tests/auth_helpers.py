"""Signing test clients in the way the portal requires: staff and admins with a second factor."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.otp import second_factor_required, totp_device_ensure


def login_verified(client: Client, user: User) -> Client:
    """Log ``user`` in as if they gave their password and, if they need one, a right code.

    For staff and admins: creates the user's TOTP device if needed and marks the session
    verified (django-otp keeps the device's ``persistent_id`` in the session), as the login
    page does. Members are simply logged in.
    """
    client.force_login(user)
    if not second_factor_required(user):
        return client
    device = totp_device_ensure(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows for ``device`` now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
