"""API sign-in: exchange a password (and, for staff and admins, a one-time code) for a token.

Tokens are django-rest-knox tokens: stored hashed, sent as ``Authorization: Token <key>``, each
with its own expiry (``API_TOKEN_TTL_STAFF``, ``API_TOKEN_TTL_MEMBER``). Failed attempts count
towards the same lockout as the login page (``accounts.lockout``).
"""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_logged_out
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import DomainError, TooManyRequests
from accounts.lockout import (
    LOCKED_OUT_CODE,
    locked_out_message,
    lockout_remaining,
    login_failure_record,
)
from accounts.models import User
from accounts.otp import OTP_REQUIRED_MESSAGE, otp_verify, second_factor_required
from accounts.services import api_token_issue


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="The 6-digit code from the authenticator app; required for staff and admins.",
    )


class TokenResponseSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


class AuthErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField()


class LockedOutSerializer(AuthErrorSerializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait (also `Retry-After`).")


class InvalidCredentials(DomainError):
    """The username and password do not match an active account."""

    status_code = 400
    code = "invalid_credentials"


OTP_REQUIRED_CODE = "otp_required"
LOCKED_OUT = OpenApiResponse(
    response=LockedOutSerializer,
    description=(
        "Too many failed attempts for this username (5 in 15 minutes) or from this address "
        f"(50): `code` is `{LOCKED_OUT_CODE}`; the `Retry-After` header gives the seconds to wait."
    ),
)


def _locked_out(request: Request, username: str) -> TooManyRequests | None:
    http_request = request._request
    if not getattr(http_request, "axes_locked_out", False):
        return None
    wait = lockout_remaining(http_request, {"username": username}) or 15 * 60
    return TooManyRequests(locked_out_message(wait), retry_after=wait)


class TokenView(APIView):
    """Exchange a username, password and (staff, admins) a one-time code for an API token."""

    authentication_classes: list[type] = []  # no session, so no CSRF: credentials are the body
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(
                response=AuthErrorSerializer,
                description="Wrong username or password (`code`: `invalid_credentials`), or "
                "a missing field.",
            ),
            401: OpenApiResponse(
                response=AuthErrorSerializer,
                description="Staff and admins: the `otp` code is missing or wrong "
                f"(`code`: `{OTP_REQUIRED_CODE}`).",
            ),
            429: LOCKED_OUT,
        },
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        username: str = form.validated_data["username"]
        http_request = request._request
        user = authenticate(
            http_request, username=username, password=form.validated_data["password"]
        )
        if not isinstance(user, User):
            refused = _locked_out(request, username)
            if refused is not None:
                raise refused
            raise InvalidCredentials("The username or password is not right.")
        if (
            second_factor_required(user)
            and otp_verify(user, form.validated_data.get("otp")) is None
        ):
            login_failure_record(http_request, username=username)
            refused = _locked_out(request, username)
            if refused is not None:
                raise refused
            return Response(
                {"detail": OTP_REQUIRED_MESSAGE, "code": OTP_REQUIRED_CODE},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": "Token"},
            )
        instance, token = api_token_issue(user=user)
        # Signed in: clears the username's failed attempts and records the last login.
        user_logged_in.send(sender=User, request=http_request, user=user)
        return Response({"token": token, "expiry": instance.expiry})


class LogoutView(APIView):
    """Revoke the token this request is made with."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={
            204: OpenApiResponse(description="The token no longer works."),
            401: OpenApiResponse(
                response=AuthErrorSerializer, description="No token, or one that is not valid."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        token = request.auth
        if isinstance(token, AuthToken):
            token.delete()
        user_logged_out.send(sender=User, request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
