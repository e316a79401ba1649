"""The screener page: plain-language questions, labelled, and an answer that explains itself."""

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ANSWERS: dict[str, Any] = {
    "county": "06019",
    "as_of": "2023-06-01",
    "medicare_part_a": "yes",
    "medicare_part_b": "yes",
    "medi_cal": "full",
    "share_of_cost": "none",
    "medicare_savings_program": "none",
    "incarcerated": "no",
    "lawfully_present": "yes",
}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("url", ["/", "/eligibility/"])
def test_form_lists_every_county_and_labels_every_question(client: Client, url: str) -> None:
    page = text(client.get(url))
    assert page.count('<option value="06') == 58
    assert '<label for="id_county">' in page
    assert '<label for="id_as_of">' in page
    for name in (
        "medicare_part_a",
        "medicare_part_b",
        "medi_cal",
        "incarcerated",
        "lawfully_present",
    ):
        assert f'name="{name}"' in page
    # Radio groups are fieldsets with a legend, and each radio has its own label.
    assert page.count("<legend>") == 6
    for radio_id in re.findall(r'<input type="radio"[^>]*id="([^"]+)"', page):
        # The radio's label may carry its USWDS class after ``for``.
        assert re.search(f'<label for="{radio_id}"[ >]', page)
    assert '<html lang="en">' in page
    assert 'href="#main"' in page


def test_county_not_yet_live_shows_the_date_and_the_plans(client: Client) -> None:
    page = text(client.get("/eligibility/", ANSWERS))
    assert "You cannot join a Medi-Medi Plan in Fresno County on this date" in page
    assert "Medi-Medi Plans are not offered in your county yet." in page
    assert "January 1, 2024" in page
    assert "Wellcare by Health Net" in page
    assert "CalViva Health" in page
    assert "Full-benefit dual eligible: Medicare and full Medi-Cal" in page


def test_eligible_person_sees_start_date_and_aligned_plan(client: Client) -> None:
    page = text(client.get("/", {**ANSWERS, "county": "06081", "as_of": "2026-11-27"}))
    assert "Yes, you can join a Medi-Medi Plan in San Mateo County" in page
    assert "December 1, 2026" in page
    assert "CareAdvantage" in page
    assert "Your Medi-Cal plan would be: Health Plan of San Mateo" in page


def test_every_reason_is_listed_in_plain_words(client: Client) -> None:
    answers = {
        **ANSWERS,
        "medicare_part_b": "no",
        "medi_cal": "restricted",
        "lawfully_present": "no",
    }
    page = text(client.get("/", answers))
    for code in (
        "NO_MEDICARE_PART_B",
        "RESTRICTED_MEDI_CAL",
        "NOT_LAWFULLY_PRESENT",
        "COUNTY_NOT_YET_AVAILABLE",
    ):
        assert f'data-code="{code}"' in page
    assert "full-scope Medi-Cal" in page


def test_bad_answers_show_an_error_summary_linked_to_the_fields(client: Client) -> None:
    answers = {
        **ANSWERS,
        "county": "99999",
        "as_of": "not a date",
        "medicare_savings_program": "QI",
    }
    page = text(client.get("/", answers))
    assert 'role="alert"' in page
    assert 'href="#id_county"' in page
    assert 'href="#id_as_of"' in page
    assert 'id="result"' not in page


def test_qi_with_full_medi_cal_is_refused_on_the_form(client: Client) -> None:
    page = text(client.get("/", {**ANSWERS, "medicare_savings_program": "QI"}))
    assert "cannot be combined with full-scope Medi-Cal" in page
    assert 'id="result"' not in page


def test_page_needs_no_javascript(client: Client) -> None:
    assert "<script" not in text(client.get("/", ANSWERS))


def as_of_value(page: str) -> str:
    match = re.search(r'<input type="date" name="as_of" value="([^"]*)"', page)
    assert match, "no date input for as_of"
    return match.group(1)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_date_to_check_is_prefilled_as_year_month_day_in_every_language(
    client: Client, language: str
) -> None:
    # <input type=date> shows only YYYY-MM-DD: a Spanish 01/12/2026 would leave it empty.
    page = text(client.get("/eligibility/", HTTP_ACCEPT_LANGUAGE=language))
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", as_of_value(page))


def test_a_spanish_screener_sent_back_with_an_error_keeps_the_date_shown(client: Client) -> None:
    answers = {**ANSWERS, "medicare_part_a": ""}
    page = text(client.get("/eligibility/", answers, HTTP_ACCEPT_LANGUAGE="es"))
    assert as_of_value(page) == "2023-06-01"
    assert "Escriba la fecha" not in page
