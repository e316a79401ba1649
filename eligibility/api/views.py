from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import ratelimit
from eligibility.api.fast_path import CheckRequest, check_request_parse
from eligibility.api.serializers import (
    EligibilityCheckRequestSerializer,
    EligibilityCheckResponseSerializer,
)
from eligibility.selectors import EligibilityResult, california_today, eligibility_check
from eligibility.services import eligibility_check_attempt


def eligibility_result_data(result: EligibilityResult, as_of: Any) -> dict[str, Any]:
    decision = result.decision
    return {
        "eligible": decision.eligible,
        "as_of": as_of,
        "dual_status": {
            "code": decision.dual_status.code,
            "category": decision.dual_status.category,
            "full_benefit": decision.dual_status.full_benefit,
        },
        "reasons": [{"code": r.code.value, "message": r.message} for r in decision.reasons],
        "county": {
            "fips": result.county.fips,
            "name": result.county.name,
            "medi_medi_available_from": result.county.medi_medi_available_from,
        },
        "earliest_effective_date": decision.earliest_effective_date,
        "plans": [plan.__dict__ for plan in result.plans],
    }


class EligibilityCheckView(APIView):
    """Is this person a full-benefit dual who can join a Medi-Medi Plan in their county?"""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []  # public: no session, so no CSRF for anonymous use

    @extend_schema(
        operation_id="eligibility_check",
        request=EligibilityCheckRequestSerializer,
        responses={200: EligibilityCheckResponseSerializer},
        examples=[
            OpenApiExample(
                "Full-benefit dual in San Mateo",
                request_only=True,
                value={
                    "county": "san mateo",
                    "as_of": "2026-11-27",
                    "medicare_part_a": True,
                    "medicare_part_b": True,
                    "medi_cal": "full",
                    "medicare_savings_program": "QMB",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        eligibility_check_attempt(client_address=ratelimit.client_address(request))
        parsed = check_request_parse(request.data)
        if parsed is None:  # not plainly valid: the serializer decides, and explains a 400
            serializer = EligibilityCheckRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            parsed = CheckRequest(
                county=data["county"], as_of=data.get("as_of"), facts=data["facts"]
            )
        as_of = parsed.as_of or california_today()
        result = eligibility_check(facts=parsed.facts, county=parsed.county, as_of=as_of)
        # The body is built as plain JSON-ready data (dates render as YYYY-MM-DD); the response
        # serializer documents its shape in the schema, and a test checks the two agree.
        return Response(eligibility_result_data(result, as_of))
