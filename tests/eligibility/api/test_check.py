"""POST /api/v1/eligibility/check: public, JSON, field-keyed 400s, never 500."""

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from eligibility.models import County, MediCalPlan, MediMediPlan, Organization, ServiceArea

pytestmark = pytest.mark.django_db
URL = "/api/v1/eligibility/check"

BODY: dict[str, Any] = {
    "county": "san mateo",
    "as_of": "2026-11-27",
    "medicare_part_a": True,
    "medicare_part_b": True,
    "medi_cal": "full",
    "medicare_savings_program": "QMB",
}


def post(client: Client, body: Any, url: str = URL) -> Any:
    return client.post(url, body, content_type="application/json")


def test_full_dual_in_san_mateo_is_eligible_with_its_plan(client: Client) -> None:
    response = post(client, BODY)
    assert response.status_code == 200
    data = response.json()
    assert data["eligible"] is True
    assert data["dual_status"] == {"code": "02", "category": "QMB_PLUS", "full_benefit": True}
    assert data["reasons"] == []
    assert data["county"] == {
        "fips": "06081",
        "name": "San Mateo",
        "medi_medi_available_from": "2023-01-01",
    }
    assert data["earliest_effective_date"] == "2026-12-01"
    assert [p["name"] for p in data["plans"]] == ["CareAdvantage"]
    plan = data["plans"][0]
    assert plan["organization"] == "Health Plan of San Mateo"
    assert plan["aligned_medi_cal_plan"] == "Health Plan of San Mateo"
    assert set(plan) >= {"id", "name", "organization", "member_phone", "aligned_medi_cal_plan"}


def test_county_may_be_given_as_fips_and_trailing_slash_works(client: Client) -> None:
    response = post(client, {**BODY, "county": "06081"}, url=URL + "/")
    assert response.status_code == 200
    assert response.json()["county"]["name"] == "San Mateo"


def test_los_angeles_checked_before_go_live_is_eligible_from_go_live(client: Client) -> None:
    data = post(client, {**BODY, "county": "Los Angeles", "as_of": "2022-12-15"}).json()
    assert data["eligible"] is True
    assert data["earliest_effective_date"] == "2023-01-01"
    assert {p["name"] for p in data["plans"]} == {
        "L.A. Care Medicare Plus",
        "Wellcare by Health Net",
        "Blue Shield TotalDual",
        "Molina Healthcare Medi-Medi Plan",
    }


def test_county_not_yet_live_tells_when_coverage_could_start(client: Client) -> None:
    data = post(client, {**BODY, "county": "fresno", "as_of": "2023-05-02"}).json()
    assert data["eligible"] is False
    assert [r["code"] for r in data["reasons"]] == ["COUNTY_NOT_YET_AVAILABLE"]
    assert data["earliest_effective_date"] == "2024-01-01"
    assert [(p["name"], p["aligned_medi_cal_plan"]) for p in data["plans"]] == [
        ("Wellcare by Health Net", "CalViva Health")
    ]


def test_partial_dual_sees_every_reason_and_no_date(client: Client) -> None:
    body = {**BODY, "medi_cal": "none", "medicare_part_b": False, "incarcerated": True}
    data = post(client, body).json()
    assert data["eligible"] is False
    assert data["dual_status"] == {"code": "01", "category": "QMB_ONLY", "full_benefit": False}
    assert [r["code"] for r in data["reasons"]] == [
        "NO_MEDICARE_PART_B",
        "NO_MEDI_CAL",
        "INCARCERATED",
    ]
    assert all(r["message"] for r in data["reasons"])
    assert data["earliest_effective_date"] is None


def test_county_without_a_plan_says_so(client: Client) -> None:
    data = post(client, {**BODY, "county": "Sacramento"}).json()
    assert [r["code"] for r in data["reasons"]] == ["NO_PLAN_IN_COUNTY"]
    assert data["plans"] == []


def test_as_of_defaults_to_today_in_california(client: Client) -> None:
    body = {k: v for k, v in BODY.items() if k != "as_of"}
    data = post(client, body).json()
    from eligibility.selectors import california_today

    assert data["as_of"] == california_today().isoformat()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"county": "Atlantis"}, "county", id="unknown-county"),
        pytest.param({"county": "06999"}, "county", id="unknown-fips"),
        pytest.param({"county": 6081}, "county", id="county-not-a-string"),
        pytest.param({"as_of": "2026-13-01"}, "as_of", id="malformed-date"),
        pytest.param({"as_of": "11/27/2026"}, "as_of", id="us-style-date"),
        pytest.param({"medi_cal": "partial"}, "medi_cal", id="value-outside-choices"),
        pytest.param(
            {"share_of_cost": "some"}, "share_of_cost", id="share-of-cost-outside-choices"
        ),
        pytest.param(
            {"medicare_savings_program": "QMB+"},
            "medicare_savings_program",
            id="msp-outside-choices",
        ),
        pytest.param(
            {"medicare_savings_program": "QI"},
            "medicare_savings_program",
            id="qi-with-full-medi-cal",
        ),
        pytest.param(
            {"medicare_savings_program": "QDWI"},
            "medicare_savings_program",
            id="qdwi-with-full-medi-cal",
        ),
        pytest.param({"medicare_part_a": "perhaps"}, "medicare_part_a", id="not-a-boolean"),
    ],
)
def test_bad_input_is_a_field_keyed_400(client: Client, change: dict[str, Any], field: str) -> None:
    response = post(client, {**BODY, **change})
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("field", ["county", "medicare_part_a", "medicare_part_b", "medi_cal"])
def test_missing_required_field_is_400(client: Client, field: str) -> None:
    body = {k: v for k, v in BODY.items() if k != field}
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()[field] == ["This field is required."]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', ""])
def test_malformed_body_is_400_not_500(client: Client, raw: str) -> None:
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 400


def test_get_is_not_allowed(client: Client) -> None:
    assert client.get(URL).status_code == 405


def test_check_makes_a_fixed_number_of_queries_however_many_plans(
    client: Client, django_assert_num_queries: Any
) -> None:
    from eligibility.reference_cache import reference_cache_clear

    with django_assert_num_queries(2):  # the reference snapshot: counties, service areas
        few = post(client, {**BODY, "county": "San Mateo"})
    with django_assert_num_queries(0):  # then nothing while the snapshot is fresh
        post(client, {**BODY, "county": "Los Angeles"})
    org = Organization.objects.create(name="Extra Org", code="extra")
    medi_cal = MediCalPlan.objects.create(organization=org, name="Extra Medi-Cal")
    county = County.objects.get(name="San Mateo")
    for n in range(8):
        plan = MediMediPlan.objects.create(organization=org, name=f"Extra Plan {n}")
        ServiceArea.objects.create(
            plan=plan, county=county, aligned_medi_cal_plan=medi_cal, start_date="2023-01-01"
        )
    reference_cache_clear()
    with django_assert_num_queries(2):
        many = post(client, {**BODY, "county": "San Mateo"})
    assert len(few.json()["plans"]) == 1
    assert len(many.json()["plans"]) == 9


def test_a_rollout_change_is_seen_by_the_next_check_at_once(client: Client) -> None:
    from eligibility.services import county_rollout_update

    assert (
        post(client, {**BODY, "county": "Alameda"}).json()["county"]["medi_medi_available_from"]
        == "2026-01-01"
    )
    county_rollout_update(
        county=County.objects.get(name="Alameda"), available_from=date(2027, 1, 1), actor=None
    )
    data = post(client, {**BODY, "county": "Alameda"}).json()
    assert data["county"]["medi_medi_available_from"] == "2027-01-01"
    assert "COUNTY_NOT_YET_AVAILABLE" in [r["code"] for r in data["reasons"]]


def test_the_snapshot_expires_after_its_ttl(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eligibility import reference_cache

    settings.REFERENCE_CACHE_SECONDS = 60
    post(client, BODY)
    County.objects.filter(name="San Mateo").update(medi_medi_available_from=date(2027, 1, 1))
    assert post(client, BODY).json()["county"]["medi_medi_available_from"] == "2023-01-01"  # cached
    aged = reference_cache._snapshot
    assert aged is not None
    monkeypatch.setattr(reference_cache, "_snapshot", replace(aged, loaded_at=aged.loaded_at - 61))
    assert post(client, BODY).json()["county"]["medi_medi_available_from"] == "2027-01-01"


def test_schema_and_docs_are_published(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/eligibility/check" in schema.content
    assert client.get(reverse("api-docs")).status_code == 200


def test_the_response_matches_its_documented_serializer(client: Client) -> None:
    from eligibility.api.serializers import EligibilityCheckResponseSerializer

    for county in ("Los Angeles", "Alameda", "Fresno"):
        data = post(client, {**BODY, "county": county, "as_of": "2023-06-01"}).json()
        documented = EligibilityCheckResponseSerializer(data=data)
        assert documented.is_valid(), documented.errors
        assert set(data) == set(EligibilityCheckResponseSerializer().fields)
        assert set(data["plans"][0] if data["plans"] else {}) <= {
            "id", "name", "contract_id", "organization", "member_phone", "aligned_medi_cal_plan"
        }  # fmt: skip
