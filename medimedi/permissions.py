"""Who may read the API's schema and its documentation page."""

from typing import Any

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import Role


class ApiDocsAccess(BasePermission):
    """Anyone when ``API_DOCS_PUBLIC`` (development); otherwise staff and admins only.

    In production the schema maps every route an attacker could probe, so it stays behind a
    staff sign-in.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.is_superuser or getattr(user, "role", None) in {Role.STAFF, Role.ADMIN})
