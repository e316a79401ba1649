"""The review items API: thin adapters over ``enrollment.reviews``.

``GET /api/v1/reviews`` (filters ``kind``, ``status``, ``beneficiary``; paged),
``GET /api/v1/reviews/{id}`` (with the ``changes``) and ``POST /api/v1/reviews/{id}/resolve``
(``{decision, note}``). Who may see or resolve an item is decided there (staff their
organization's items, admins all, members 403, anyone else 404), never here.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from enrollment import reviews
from enrollment.api.serializers import BlankAsNullChoiceField
from enrollment.models import (
    ReviewDecision,
    ReviewItem,
    ReviewItemChange,
    ReviewKind,
    ReviewStatus,
)

CONFLICT = OpenApiResponse(description="The item is already resolved (body has `status`)")


class ReviewFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReviewKind.choices, required=False)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    beneficiary = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Beneficiary id"
    )


class ReviewChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    from_status = BlankAsNullChoiceField(
        choices=ReviewStatus.choices,
        allow_null=True,
        read_only=True,
        help_text="Null for the row that opened the item.",
    )
    decision = BlankAsNullChoiceField(
        choices=ReviewDecision.choices, allow_null=True, read_only=True
    )

    class Meta:
        model = ReviewItemChange
        fields = ["from_status", "to_status", "at", "actor", "decision", "note"]
        read_only_fields = fields


class ReviewItemSerializer(serializers.ModelSerializer):
    detail = serializers.JSONField(
        read_only=True, help_text="What the state's data showed (ids, codes and dates)."
    )
    decision = BlankAsNullChoiceField(
        choices=ReviewDecision.choices,
        allow_null=True,
        read_only=True,
        help_text="Null while the item is open.",
    )

    class Meta:
        model = ReviewItem
        fields = [
            "id",
            "kind",
            "beneficiary",
            "enrollment",
            "organization",
            "due_date",
            "status",
            "detail",
            "decision",
            "note",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields


class ReviewItemDetailSerializer(ReviewItemSerializer):
    changes = ReviewChangeSerializer(many=True, read_only=True)

    class Meta(ReviewItemSerializer.Meta):
        fields = [*ReviewItemSerializer.Meta.fields, "changes"]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    note = serializers.CharField(help_text="Why: kept in the item's history.")


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(
        parameters=[ReviewFilterSerializer],
        description="Review items the caller may see, soonest due first (staff: their "
        "organization's; admins: all).",
    ),
    retrieve=extend_schema(responses={200: ReviewItemDetailSerializer}),
)
class ReviewItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Changes in the state's data that staff must look at and decide."""

    serializer_class = ReviewItemSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ReviewItem.objects.none()
        filters = ReviewFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return reviews.review_item_list(
            actor=_user(self.request),
            kind=data.get("kind"),
            status=data.get("status"),
            beneficiary_id=data.get("beneficiary"),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        reviews.review_item_rows_audit(actor=_user(request), reviews=rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def _reply(self, request: Request, review_id: int) -> Response:
        review = reviews.review_item_get(actor=_user(request), review_id=review_id)
        return Response(ReviewItemDetailSerializer(review).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._reply(request, int(self.kwargs["pk"]))

    @extend_schema(
        request=ResolveSerializer, responses={200: ReviewItemDetailSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="resolve")
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        review_id = int(self.kwargs["pk"])
        # An outsider is told 404 (a member 403) before anything about the body.
        reviews.review_item_require_visible(actor=_user(request), review_id=review_id)
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reviews.review_item_resolve(
            actor=_user(request),
            review=ReviewItem(pk=review_id),
            decision=body.validated_data["decision"],
            note=body.validated_data["note"],
        )
        return self._reply(request, review_id)
