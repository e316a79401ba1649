"""The OpenAPI schema declares every error an operation can answer, in one place.

Views declare their successful answers; this ``AutoSchema`` adds the error statuses each
operation can answer, from its method, its authentication and permission classes and whether
its path names a record, each with the body the error handler (``medimedi.api``) writes:
``Error`` (``{"detail", "code"}``, domain errors add fields such as ``status`` or ``reasons``)
or, for a 400, also ``ValidationError`` (messages keyed by the field at fault).
"""

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import (
    ComponentRegistry,
    ResolvedComponent,
    build_array_type,
    build_object_type,
)
from rest_framework.permissions import AllowAny

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY_METHODS = {"POST", "PUT", "PATCH"}

DESCRIPTIONS = {
    "400": "The request is malformed or a field is invalid (messages keyed by field).",
    "401": "No valid credentials were given.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such record, or not one the caller may see.",
    "409": "The request conflicts with the record's current status (body has `status`).",
    "413": "The request body is too large.",
    "415": "The request body is not JSON.",
    "422": "The eligibility rules refuse the request (body has `reasons`).",
    "429": "Too many attempts; wait `retry_after` seconds.",
}

ERROR_SCHEMA = build_object_type(
    properties={
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "code": {"type": "string", "description": "A stable, machine-readable error code."},
    },
    required=["detail", "code"],
    description="An error. Domain errors may add fields (`status`, `reasons`, `retry_after`).",
)
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Messages keyed by the field at fault (`non_field_errors` for the whole body); a nested "
        "or list field holds its own messages keyed the same way."
    ),
    "additionalProperties": {
        "anyOf": [build_array_type({"type": "string"}), {"type": "object"}],
    },
}


def _component(registry: ComponentRegistry, name: str, schema: dict[str, Any]) -> dict[str, str]:
    component = ResolvedComponent(
        name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
    )
    registry.register_on_missing(component)
    return component.ref


class AutoSchema(openapi.AutoSchema):
    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = _component(registry, "Error", ERROR_SCHEMA)
        invalid = {
            "anyOf": [_component(registry, "ValidationError", VALIDATION_ERROR_SCHEMA), error]
        }
        responses: dict[str, Any] = operation.setdefault("responses", {})
        for code in self.error_statuses(operation):
            schema = invalid if code == "400" else error
            declared = responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            content = declared.setdefault("content", {})
            body = content.setdefault("application/json", {"schema": schema})
            if code == "400" and body.get("schema") not in (invalid, None):
                # A view's own 400 (a domain error) comes beside the serializer's field errors.
                body["schema"] = {"anyOf": [invalid["anyOf"][0], body["schema"]]}
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_statuses(self, operation: dict[str, Any]) -> list[str]:
        """The error statuses this operation can answer, with the reason for each."""
        method = self.method
        authenticators = [cls() for cls in getattr(self.view, "authentication_classes", [])]
        permissions = getattr(self.view, "permission_classes", [])
        signed_in_only = not all(issubclass(cls, AllowAny) for cls in permissions)
        # A scheme with a WWW-Authenticate challenge (tokens) answers 401; sessions answer 403.
        challenges = any(auth.authenticate_header(None) for auth in authenticators)
        has_id = "{" in self.path
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        paginated = self._is_list_view() and getattr(self.view, "pagination_class", None)

        has_body = method in BODY_METHODS and "requestBody" in operation

        codes = set()
        if has_body or has_query:
            codes.add("400")  # a field-keyed validation error, or a JSON parse error
        if has_body:
            codes.update({"413", "415"})  # past DATA_UPLOAD_MAX_MEMORY_SIZE; not JSON
        if authenticators and challenges:
            codes.add("401")  # missing or invalid credentials (even where anyone may call)
        if signed_in_only:
            codes.add("403")  # a role that may not do this (or no credentials, for sessions)
        if authenticators and method in UNSAFE_METHODS:
            codes.add("403")  # a session without its CSRF token
        if has_id or paginated:
            codes.add("404")  # an unknown or hidden record; a page past the last
        if signed_in_only and method in UNSAFE_METHODS:
            codes.update({"409", "429"})  # a status that forbids the move; attempt limits
            if has_id:
                codes.add("422")  # the rules refuse the submission or approval
        if getattr(self.view, "throttle_classes", None):
            codes.add("429")
        return sorted(codes)
