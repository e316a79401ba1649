"""The Health Risk Assessment questionnaire: its schema and validation, in English and Spanish."""

import pytest

from care.questionnaire import CURRENT_VERSION, LANGUAGES, VERSIONS, answers_validate
from tests.care.test_services import ANSWERS

SECTIONS = {
    "health",
    "daily",
    "caregiver",
    "housing",
    "transportation",
    "language",
    "behavioral",
    "ihss",
}


def test_the_current_version_covers_every_section_the_program_asks_for() -> None:
    current = VERSIONS[CURRENT_VERSION]
    assert set(current.sections) == SECTIONS
    assert {q.section for q in current.questions} == SECTIONS


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_and_choice_has_text_in_each_language(language: str) -> None:
    for version in VERSIONS.values():
        for title in version.sections.values():
            assert title[language]
        for question in version.questions:
            assert question.text[language]
            for choice in question.choices:
                assert choice.text[language]


def test_complete_answers_are_valid() -> None:
    assert answers_validate(CURRENT_VERSION, ANSWERS) == {}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "housing": "Answer this question.",
                "conditions": "“None of these” cannot be chosen with another answer.",
                "has_caregiver": "Answer yes or no.",
                "ihss_hours": "Enter a whole number from 0 to 283.",
                "favourite_color": "This is not a question of this version.",
            },
        ),
        (
            "es",
            {
                "housing": "Responda esta pregunta.",
                "conditions": "“Ninguna de estas” no se puede elegir con otra respuesta.",
                "has_caregiver": "Responda sí o no.",
                "ihss_hours": "Escriba un número entero de 0 a 283.",
                "favourite_color": "Esta no es una pregunta de esta versión.",
            },
        ),
    ],
    ids=["english", "spanish"],
)
def test_invalid_answers_are_explained_per_question_in_the_language(
    language: str, expected: dict
) -> None:
    answers = {
        **ANSWERS,
        "conditions": ["none", "diabetes"],
        "has_caregiver": "maybe",
        "ihss_hours": 300,
        "favourite_color": "blue",
    }
    del answers["housing"]
    assert answers_validate(CURRENT_VERSION, answers, language=language) == expected


def test_an_unknown_version_is_refused() -> None:
    assert answers_validate("1999.1", ANSWERS, language="es") == {
        "questionnaire_version": "Esta versión del cuestionario no existe."
    }


def test_a_number_given_as_a_boolean_is_refused() -> None:
    assert "hospital_stays" in answers_validate(
        CURRENT_VERSION, {**ANSWERS, "hospital_stays": True}
    )
