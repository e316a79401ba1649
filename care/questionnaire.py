"""The Health Risk Assessment questionnaire: versioned, in English and Spanish, validated in code.

Each version is a schema: its questions (key, section, type, choices, whether required) with the
text of every question and choice in each language. Answers are stored with the version they
answer, so a later version never changes how an old assessment reads. ``answers_validate``
checks a dict of answers against a version and returns the messages per question, in the
language asked for; an unknown key, a missing required answer, a choice the question does not
offer or a number out of range is an error. With ``partial=True`` (a draft the member saves to
finish later) a missing answer is not an error, but a wrong one still is.

Sensitive questions (``sensitive=True``: mood, alcohol or drugs, safety at home) also take the
answer ``DECLINED`` ("Prefer not to say"), stored as that string, so a plan can tell "declined"
from "not answered" and from "no". Version ``2026.2`` is ``2026.1`` with those questions marked
sensitive; ``2026.1`` is unchanged, so an answer stored with it reads as before.

Pure Python: no Django, so the schema and its validation are testable alone.
"""

from dataclasses import dataclass, field, replace
from typing import Any

LANGUAGES = ("en", "es")
CURRENT_VERSION = "2026.2"

# The answer "Prefer not to say" to a sensitive question, as stored and as sent by a form.
DECLINED = "prefer_not_to_say"
DECLINED_TEXT = {"en": "Prefer not to say", "es": "Prefiero no contestar"}
YES_NO_TEXT = {"en": ("Yes", "No"), "es": ("Sí", "No")}


@dataclass(frozen=True)
class Choice:
    value: str
    text: dict[str, str]


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    kind: str  # "choice", "multi", "yes_no", "number", "text"
    text: dict[str, str]
    choices: tuple[Choice, ...] = ()
    required: bool = True
    minimum: int | None = None
    maximum: int | None = None
    sensitive: bool = False  # also takes DECLINED ("Prefer not to say")

    def options(self, language: str) -> list[tuple[str, str]]:
        """The answers a form offers, as ``(value, text)`` in ``language``: the choices (yes and
        no for a yes/no question), then "Prefer not to say" if the question is sensitive."""
        if self.kind == "yes_no":
            yes, no = YES_NO_TEXT[language]
            offered = [("yes", yes), ("no", no)]
        else:
            offered = [(c.value, c.text[language]) for c in self.choices]
        if self.sensitive:
            offered.append((DECLINED, DECLINED_TEXT[language]))
        return offered


@dataclass(frozen=True)
class Questionnaire:
    version: str
    sections: dict[str, dict[str, str]]
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def _c(value: str, en: str, es: str) -> Choice:
    return Choice(value, {"en": en, "es": es})


_FREQUENCY = (
    _c("0", "Not at all", "Nunca"),
    _c("1", "Several days", "Varios días"),
    _c("2", "More than half the days", "Más de la mitad de los días"),
    _c("3", "Nearly every day", "Casi todos los días"),
)

V2026_1 = Questionnaire(
    version="2026.1",
    sections={
        "health": {"en": "Health conditions", "es": "Condiciones de salud"},
        "daily": {"en": "Daily activities", "es": "Actividades diarias"},
        "caregiver": {"en": "Caregiver", "es": "Cuidador"},
        "housing": {"en": "Housing", "es": "Vivienda"},
        "transportation": {"en": "Transportation", "es": "Transporte"},
        "language": {"en": "Language and format", "es": "Idioma y formato"},
        "behavioral": {"en": "Behavioral health", "es": "Salud mental y conductual"},
        "ihss": {
            "en": "In-Home Supportive Services",
            "es": "Servicios de Apoyo en el Hogar (IHSS)",
        },
    },
    questions=(
        Question(
            "general_health",
            "health",
            "choice",
            {"en": "In general, how is your health?", "es": "En general, ¿cómo es su salud?"},
            (
                _c("excellent", "Excellent", "Excelente"),
                _c("good", "Good", "Buena"),
                _c("fair", "Fair", "Regular"),
                _c("poor", "Poor", "Mala"),
            ),
        ),
        Question(
            "conditions",
            "health",
            "multi",
            {
                "en": "Has a doctor told you that you have any of these? Choose all that apply.",
                "es": "¿Un médico le ha dicho que tiene alguna de estas? Elija todas las que apliquen.",
            },
            (
                _c("diabetes", "Diabetes", "Diabetes"),
                _c(
                    "heart", "Heart disease or heart failure", "Enfermedad o insuficiencia cardíaca"
                ),
                _c(
                    "lung",
                    "Asthma, COPD or other lung disease",
                    "Asma, EPOC u otra enfermedad pulmonar",
                ),
                _c("kidney", "Kidney disease", "Enfermedad renal"),
                _c("cancer", "Cancer", "Cáncer"),
                _c("stroke", "Stroke", "Derrame cerebral"),
                _c("dementia", "Memory loss or dementia", "Pérdida de memoria o demencia"),
                _c("none", "None of these", "Ninguna de estas"),
            ),
        ),
        Question(
            "hospital_stays",
            "health",
            "number",
            {
                "en": "How many times did you stay overnight in a hospital in the last 12 months?",
                "es": "¿Cuántas veces pasó la noche en un hospital en los últimos 12 meses?",
            },
            minimum=0,
            maximum=50,
        ),
        Question(
            "help_with",
            "daily",
            "multi",
            {
                "en": "Do you need help from another person with any of these? Choose all that apply.",
                "es": "¿Necesita ayuda de otra persona con alguna de estas? Elija todas las que apliquen.",
            },
            (
                _c("bathing", "Bathing", "Bañarse"),
                _c("dressing", "Dressing", "Vestirse"),
                _c("eating", "Eating", "Comer"),
                _c(
                    "moving", "Getting in or out of a bed or chair", "Levantarse de la cama o silla"
                ),
                _c("toileting", "Using the toilet", "Usar el baño"),
                _c("meals", "Making meals", "Preparar comidas"),
                _c("medications", "Taking medicines", "Tomar medicinas"),
                _c("shopping", "Shopping", "Hacer compras"),
                _c("none", "None of these", "Ninguna de estas"),
            ),
        ),
        Question(
            "has_caregiver",
            "caregiver",
            "yes_no",
            {
                "en": "Does someone help you regularly at home (family, friend or paid caregiver)?",
                "es": "¿Alguien le ayuda regularmente en casa (familiar, amigo o cuidador pagado)?",
            },
        ),
        Question(
            "caregiver_relationship",
            "caregiver",
            "text",
            {
                "en": "Who is that person to you?",
                "es": "¿Qué relación tiene esa persona con usted?",
            },
            required=False,
        ),
        Question(
            "housing",
            "housing",
            "choice",
            {
                "en": "What is your housing situation today?",
                "es": "¿Cuál es su situación de vivienda hoy?",
            },
            (
                _c("stable", "I have a steady place to live", "Tengo un lugar estable donde vivir"),
                _c(
                    "worried",
                    "I have a place but worry about losing it",
                    "Tengo un lugar pero me preocupa perderlo",
                ),
                _c(
                    "unhoused",
                    "I do not have a steady place to live",
                    "No tengo un lugar estable donde vivir",
                ),
            ),
        ),
        Question(
            "safe_at_home",
            "housing",
            "yes_no",
            {"en": "Do you feel safe where you live?", "es": "¿Se siente seguro(a) donde vive?"},
        ),
        Question(
            "transportation",
            "transportation",
            "yes_no",
            {
                "en": "In the last 12 months, did a lack of transportation keep you from medical appointments?",
                "es": "En los últimos 12 meses, ¿la falta de transporte le impidió ir a sus citas médicas?",
            },
        ),
        Question(
            "preferred_language",
            "language",
            "choice",
            {"en": "What language do you prefer?", "es": "¿Qué idioma prefiere?"},
            (
                _c("en", "English", "Inglés"),
                _c("es", "Spanish", "Español"),
                _c("zh", "Chinese", "Chino"),
                _c("vi", "Vietnamese", "Vietnamita"),
                _c("tl", "Tagalog", "Tagalo"),
                _c("ko", "Korean", "Coreano"),
                _c("other", "Another language", "Otro idioma"),
            ),
        ),
        Question(
            "needs_interpreter",
            "language",
            "yes_no",
            {
                "en": "Do you need an interpreter when you talk with your doctor?",
                "es": "¿Necesita un intérprete cuando habla con su médico?",
            },
        ),
        Question(
            "format",
            "language",
            "choice",
            {
                "en": "How should we send you information?",
                "es": "¿Cómo debemos enviarle información?",
            },
            (
                _c("standard", "Standard print", "Letra normal"),
                _c("large_print", "Large print", "Letra grande"),
                _c("braille", "Braille", "Braille"),
                _c("audio", "Audio", "Audio"),
                _c("electronic", "Accessible electronic", "Electrónico accesible"),
            ),
        ),
        Question(
            "little_interest",
            "behavioral",
            "choice",
            {
                "en": "Over the last 2 weeks, how often have you had little interest or pleasure in doing things?",
                "es": "En las últimas 2 semanas, ¿con qué frecuencia ha tenido poco interés o placer en hacer las cosas?",
            },
            _FREQUENCY,
        ),
        Question(
            "feeling_down",
            "behavioral",
            "choice",
            {
                "en": "Over the last 2 weeks, how often have you felt down, depressed or hopeless?",
                "es": "En las últimas 2 semanas, ¿con qué frecuencia se ha sentido decaído(a), deprimido(a) o sin esperanza?",
            },
            _FREQUENCY,
        ),
        Question(
            "substance_concern",
            "behavioral",
            "yes_no",
            {
                "en": "Are you worried about your use of alcohol or drugs?",
                "es": "¿Le preocupa su consumo de alcohol o drogas?",
            },
        ),
        Question(
            "receives_ihss",
            "ihss",
            "yes_no",
            {
                "en": "Do you get In-Home Supportive Services (IHSS) from the county?",
                "es": "¿Recibe Servicios de Apoyo en el Hogar (IHSS) del condado?",
            },
        ),
        Question(
            "ihss_hours",
            "ihss",
            "number",
            {
                "en": "If so, how many IHSS hours a month are you authorized?",
                "es": "Si es así, ¿cuántas horas de IHSS al mes tiene autorizadas?",
            },
            required=False,
            minimum=0,
            maximum=283,  # the IHSS monthly maximum for the most severely impaired
        ),
        Question(
            "wants_ihss_referral",
            "ihss",
            "yes_no",
            {
                "en": "Would you like help asking the county for IHSS?",
                "es": "¿Le gustaría ayuda para solicitar IHSS al condado?",
            },
            required=False,
        ),
    ),
)

# 2026.2: the same questions; the behavioral health ones and "safe at home" take "Prefer not to
# say" (a member may decline a sensitive question and still submit the assessment).
SENSITIVE_2026_2 = frozenset(
    {"little_interest", "feeling_down", "substance_concern", "safe_at_home"}
)
V2026_2 = Questionnaire(
    version="2026.2",
    sections=V2026_1.sections,
    questions=tuple(
        replace(q, sensitive=True) if q.key in SENSITIVE_2026_2 else q for q in V2026_1.questions
    ),
)

VERSIONS: dict[str, Questionnaire] = {V2026_1.version: V2026_1, V2026_2.version: V2026_2}

MESSAGES = {
    "unknown_version": {
        "en": "This questionnaire version does not exist.",
        "es": "Esta versión del cuestionario no existe.",
    },
    "unknown_question": {
        "en": "This is not a question of this version.",
        "es": "Esta no es una pregunta de esta versión.",
    },
    "required": {"en": "Answer this question.", "es": "Responda esta pregunta."},
    "choice": {
        "en": "Choose one of the answers offered.",
        "es": "Elija una de las respuestas ofrecidas.",
    },
    "multi": {
        "en": "Choose from the answers offered.",
        "es": "Elija entre las respuestas ofrecidas.",
    },
    "none_alone": {
        "en": "“None of these” cannot be chosen with another answer.",
        "es": "“Ninguna de estas” no se puede elegir con otra respuesta.",
    },
    "yes_no": {"en": "Answer yes or no.", "es": "Responda sí o no."},
    "number": {
        "en": "Enter a whole number from {minimum} to {maximum}.",
        "es": "Escriba un número entero de {minimum} a {maximum}.",
    },
    "text": {"en": "Write at most 500 characters.", "es": "Escriba como máximo 500 caracteres."},
}


def message(code: str, language: str, **values: Any) -> str:
    text = MESSAGES[code].get(language) or MESSAGES[code]["en"]
    return text.format(**values)


def questionnaire_get(version: str) -> Questionnaire | None:
    return VERSIONS.get(version)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def answers_validate(
    version: str, answers: Any, *, language: str = "en", partial: bool = False
) -> dict[str, str]:
    """Return ``{question key: message}`` for every answer the version refuses (empty: valid).

    ``partial``: a draft; a required question left blank is not an error."""
    language = language if language in LANGUAGES else "en"
    questionnaire = questionnaire_get(version)
    if questionnaire is None:
        return {"questionnaire_version": message("unknown_version", language)}
    if not isinstance(answers, dict):
        return {"answers": message("required", language)}
    errors: dict[str, str] = {}
    for key in answers:
        if questionnaire.question(str(key)) is None:
            errors[str(key)] = message("unknown_question", language)
    for question in questionnaire.questions:
        value = answers.get(question.key)
        if _blank(value):
            if question.required and not partial:
                errors[question.key] = message("required", language)
            continue
        if value == DECLINED and question.sensitive:
            continue
        allowed = {choice.value for choice in question.choices}
        if question.kind == "choice":
            if not isinstance(value, str) or value not in allowed:
                errors[question.key] = message("choice", language)
        elif question.kind == "multi":
            if not isinstance(value, list) or any(
                not isinstance(v, str) or v not in allowed for v in value
            ):
                errors[question.key] = message("multi", language)
            elif "none" in value and len(value) > 1:
                errors[question.key] = message("none_alone", language)
        elif question.kind == "yes_no":
            if not isinstance(value, bool):
                errors[question.key] = message("yes_no", language)
        elif question.kind == "number":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or (question.minimum is not None and value < question.minimum)
                or (question.maximum is not None and value > question.maximum)
            ):
                errors[question.key] = message(
                    "number", language, minimum=question.minimum, maximum=question.maximum
                )
        elif question.kind == "text" and (not isinstance(value, str) or len(value) > 500):
            errors[question.key] = message("text", language)
    return errors


def answers_clean(version: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: blank optional answers left out."""
    return {key: value for key, value in answers.items() if not _blank(value)}
