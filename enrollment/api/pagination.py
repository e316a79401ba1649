"""Keyset (cursor) pages in the API, for the lists that grow with the state (applications,
beneficiaries): ``{"count", "count_capped", "next", "previous", "results"}``.

``next`` and ``previous`` are the links to the neighbouring pages (the same filters, with a
``cursor``), null at either end. ``count`` counts the matching rows up to 1,000;
``count_capped`` is true when there are more (``count`` is then 1,000). The selectors make the
page (``enrollment.keyset``); this class only writes the answer and describes it to OpenAPI.
"""

from typing import Any

from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from enrollment.keyset import COUNT_CAP, InvalidCursor, KeysetPage

CURSOR_PARAM = "cursor"
CURSOR_MAX_LENGTH = 512


def request_cursor(request: Request) -> str | None:
    """The ``cursor`` query parameter (None: the first page); absurdly long ones are refused."""
    cursor = request.query_params.get(CURSOR_PARAM) or None
    if cursor is not None and len(cursor) > CURSOR_MAX_LENGTH:
        raise InvalidCursor()
    return cursor


class KeysetPagination(BasePagination):
    """Answers a ``KeysetPage`` made by a selector (views call ``respond``)."""

    def respond(self, request: Request, page: KeysetPage[Any], results: list[Any]) -> Response:
        url = remove_query_param(request.build_absolute_uri(), "page")

        def link(cursor: str | None) -> str | None:
            return replace_query_param(url, CURSOR_PARAM, cursor) if cursor else None

        return Response(
            {
                "count": page.count,
                "count_capped": page.count_capped,
                "next": link(page.next_cursor),
                "previous": link(page.previous_cursor),
                "results": results,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "count_capped", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": f"Matching rows, counted up to {COUNT_CAP:,}.",
                },
                "count_capped": {
                    "type": "boolean",
                    "description": f"True when more than {COUNT_CAP:,} rows match.",
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page (same filters and a cursor); null on the last.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page; null on the first.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": CURSOR_PARAM,
                "required": False,
                "in": "query",
                "description": (
                    "Where the page starts: the cursor in a previous answer's `next` or "
                    "`previous` link (opaque). Without it, the first page."
                ),
                "schema": {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
            }
        ]
