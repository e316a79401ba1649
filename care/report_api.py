"""The monthly report API: ``GET /api/v1/care/reports?month=YYYY-MM&plan=&county=`` (JSON) and
``GET /api/v1/care/reports.csv`` (the same as CSV). Thin adapters over ``care.reports``, which
decides who may see what (members 403, another organization's plan 404) and audits.
"""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from care import reports
from care.report_views import csv_response


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class ReportQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^[0-9]{4}-[0-9]{2}$", help_text="The month, `YYYY-MM`.")
    plan = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="A Medi-Medi Plan id (default: every plan you may see).",
    )
    county = serializers.RegexField(
        r"^[0-9]{5}$", required=False, help_text="A county's 5-digit FIPS code (default: all)."
    )

    def validate_month(self, value: str) -> Any:
        try:
            return reports.month_parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A count (integer) or a percentage (decimal, one place), as a JSON number."""

    def to_representation(self, value: Any) -> Any:
        return value if isinstance(value, int) else float(value)


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    section = serializers.ChoiceField(choices=list(reports.SECTIONS.items()))
    unit = serializers.ChoiceField(choices=[("count", "count"), ("percent", "percent")])


class PlanRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CountyRefSerializer(serializers.Serializer):
    fips = serializers.CharField()
    name = serializers.CharField()


class ReportGroupSerializer(serializers.Serializer):
    plan = PlanRefSerializer()
    county = CountyRefSerializer()
    values = serializers.DictField(
        child=NumberField(allow_null=True),
        help_text="Each measure's code to its value (a rate is null when nothing was due).",
    )


class MonthlyReportSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="`YYYY-MM`.")
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    plan = PlanRefSerializer(allow_null=True, help_text="The plan asked for, or null (all).")
    county = CountyRefSerializer(allow_null=True, help_text="The county asked for, or null.")
    measures = MeasureSerializer(many=True)
    groups = ReportGroupSerializer(many=True, help_text="One per plan and county.")
    totals = serializers.DictField(
        child=NumberField(allow_null=True), help_text="Every group added up (rates recomputed)."
    )


def _body(report: reports.MonthlyReport) -> dict[str, Any]:
    def plan_ref(plan: Any) -> dict[str, Any]:
        return {"id": plan.pk, "name": plan.name}

    def county_ref(county: Any) -> dict[str, Any]:
        return {"fips": county.fips, "name": county.name}

    return {
        "month": report.month_code,
        "first_day": report.month,
        "last_day": report.last_day,
        "plan": plan_ref(report.plan) if report.plan else None,
        "county": county_ref(report.county) if report.county else None,
        "measures": [vars(m) for m in report.measures],
        "groups": [
            {"plan": plan_ref(g.plan), "county": county_ref(g.county), "values": g.values}
            for g in report.groups
        ],
        "totals": report.totals,
    }


def _report(request: Request) -> reports.MonthlyReport:
    query = ReportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    return reports.monthly_report(
        _user(request), data["month"], plan=data.get("plan"), county=data.get("county")
    )


REFUSALS = {
    400: OpenApiResponse(description="No month, or not `YYYY-MM`; a bad plan or county."),
    403: OpenApiResponse(description="Members may not read reports."),
    404: OpenApiResponse(description="No such plan (or not your organization's), or county."),
}


class MonthlyReportView(APIView):
    """The month's care report per plan and county (staff: their organization's plans)."""

    @extend_schema(
        operation_id="v1_care_reports_retrieve",
        parameters=[ReportQuerySerializer],
        responses={200: MonthlyReportSerializer, **REFUSALS},
    )
    def get(self, request: Request) -> Response:
        return Response(MonthlyReportSerializer(_body(_report(request))).data)


class MonthlyReportCsvView(APIView):
    """The month's care report as CSV: one row per plan, county and measure."""

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # Refusals are JSON whatever the Accept header asked for.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="v1_care_reports_csv",
        parameters=[ReportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            **{(code, "application/json"): answer for code, answer in REFUSALS.items()},
        },
    )
    def get(self, request: Request) -> HttpResponse:
        return csv_response(_report(request))
