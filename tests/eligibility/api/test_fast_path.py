"""The check's fast path never accepts what the serializer refuses, and agrees on the values."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from eligibility.api.fast_path import check_request_parse
from eligibility.api.serializers import EligibilityCheckRequestSerializer

SAMPLES = [
    "", "true", "yes", "1", "full", "restricted", "none", "FULL", "met", "unmet",
    "QMB", "SLMB", "QI", "QDWI", "qmb", "san mateo", "06081", "06999", "Atlantis",
    "Los Angeles County", " fresno ", "2026-11-27", "2026-1-5", "2026-02-30",
    "20261127", "11/27/2026", "2026-11-27T00:00",
    "9999-12-31", "2200-01-01", "1899-12-31", "2199-12-31", "1900-01-01", "2026-11-27\n",
]  # fmt: skip
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(SAMPLES), st.text(max_size=12)
)
KEYS = [
    "county",
    "as_of",
    "medicare_part_a",
    "medicare_part_b",
    "medi_cal",
    "share_of_cost",
    "medicare_savings_program",
    "incarcerated",
    "lawfully_present",
    "unexpected",
]
VALID: dict[str, Any] = {
    "county": "san mateo",
    "as_of": "2026-11-27",
    "medicare_part_a": True,
    "medicare_part_b": True,
    "medi_cal": "full",
}
# Start from a valid body and change, drop or add a few keys, so both outcomes are common.
bodies = st.builds(
    lambda changes, dropped: {
        **{k: v for k, v in VALID.items() if k not in dropped},
        **changes,
    },
    st.dictionaries(st.sampled_from(KEYS), ANY_VALUE, max_size=4),
    st.sets(st.sampled_from(list(VALID)), max_size=2),
)


class FastPathTests(TestCase):
    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=st.one_of(bodies, ANY_VALUE, st.lists(ANY_VALUE, max_size=2)))
    def test_fast_path_accepts_only_what_the_serializer_accepts_with_the_same_values(
        self, body: Any
    ) -> None:
        fast = check_request_parse(body)
        if fast is None:
            return
        serializer = EligibilityCheckRequestSerializer(data=body)
        assert serializer.is_valid(), (body, serializer.errors)
        data = serializer.validated_data
        assert fast.county.pk == data["county"].pk
        assert fast.as_of == data.get("as_of")
        assert fast.facts == data["facts"]

    def test_plain_bodies_take_the_fast_path(self) -> None:
        for body in (
            VALID,
            {**VALID, "county": "06037", "medicare_savings_program": "QMB"},
            {**VALID, "share_of_cost": "unmet", "incarcerated": True, "lawfully_present": False},
            {k: v for k, v in VALID.items() if k != "as_of"},
        ):
            assert check_request_parse(body) is not None, body

    def test_anything_unusual_goes_to_the_serializer(self) -> None:
        for body in (
            {**VALID, "medicare_part_a": "true"},  # DRF accepts it; the fast path leaves it
            {**VALID, "as_of": "2026-1-5"},
            {**VALID, "county": "Atlantis"},
            {**VALID, "medi_cal": "full", "medicare_savings_program": "QI"},
            {k: v for k, v in VALID.items() if k != "medi_cal"},
            [VALID],
        ):
            assert check_request_parse(body) is None, body
