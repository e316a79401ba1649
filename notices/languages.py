# ruff: noqa: RUF001  (taglines use their own scripts' punctuation, e.g. fullwidth colons)
"""Languages of notices: Medi-Cal threshold languages, taglines, fixed labels, dates, reasons.

Letters are written in full in English and Spanish. Every other threshold language gets the
English letter with a tagline in that language at the top; every letter ends with the taglines
block, one line per threshold language, in that language (domain.md section 7).
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    native_name: str
    tagline: str  # ``{phone}`` is replaced by the phone number
    script: str  # latin, cyrillic, armenian, arabic, hans, hant, hangul, khmer
    rtl: bool = False


# Statewide threshold languages (domain.md section 7) in the order the taglines block lists them.
# The taglines follow the sample nondiscrimination taglines published for Section 1557.
LANGUAGES: tuple[Language, ...] = (
    Language(
        "en",
        "English",
        "English",
        "ATTENTION: If you need help in your language, call {phone} (TTY: 711). Help for people "
        "with disabilities, like letters in braille, large print and audio, is also available. "
        "These services are free.",
        "latin",
    ),
    Language(
        "es",
        "Spanish",
        "Español",
        "ATENCIÓN: Si habla español, tiene a su disposición servicios gratuitos de asistencia "
        "lingüística. Llame al {phone} (TTY: 711).",
        "latin",
    ),
    Language(
        "ar",
        "Arabic",
        "العربية",
        "ملحوظة: إذا كنت تتحدث العربية، فإن خدمات المساعدة اللغوية تتوافر لك بالمجان. "
        "اتصل برقم {phone} (رقم هاتف الصم والبكم: 711).",
        "arabic",
        rtl=True,
    ),
    Language(
        "hy",
        "Armenian",
        "Հայերեն",
        "ՈՒՇԱԴՐՈՒԹՅՈՒՆ՝ Եթե խոսում եք հայերեն, ապա ձեզ անվճար կարող են տրամադրվել լեզվական "
        "աջակցության ծառայություններ: Զանգահարեք {phone} (TTY (հեռատիպ)՝ 711):",
        "armenian",
    ),
    Language(
        "zh-Hans",
        "Chinese (Simplified)",
        "简体中文",
        "注意：如果您使用简体中文，您可以免费获得语言援助服务。请致电 {phone}（TTY：711）。",
        "hans",
    ),
    Language(
        "zh-Hant",
        "Chinese (Traditional)",
        "繁體中文",
        "注意：如果您使用繁體中文，您可以免費獲得語言援助服務。請致電 {phone}（TTY：711）。",
        "hant",
    ),
    Language(
        "fa",
        "Farsi",
        "فارسی",
        "توجه: اگر به زبان فارسی گفتگو می کنید، تسهیلات زبانی بصورت رایگان برای شما "
        "فراهم می باشد. با {phone} (TTY: 711) تماس بگیرید.",
        "arabic",
        rtl=True,
    ),
    Language(
        "km",
        "Khmer",
        "ភាសាខ្មែរ",
        "ប្រយ័ត្ន៖ បើសិនជាអ្នកនិយាយ ភាសាខ្មែរ, សេវាជំនួយផ្នែកភាសា ដោយមិនគិតឈ្នួល "
        "គឺអាចមានសំរាប់បំរើអ្នក។ ចូរ ទូរស័ព្ទ {phone} (TTY: 711)។",
        "khmer",
    ),
    Language(
        "ko",
        "Korean",
        "한국어",
        "주의: 한국어를 사용하시는 경우, 언어 지원 서비스를 무료로 이용하실 수 있습니다. "
        "{phone} (TTY: 711) 번으로 전화해 주십시오.",
        "hangul",
    ),
    Language(
        "ru",
        "Russian",
        "Русский",
        "ВНИМАНИЕ: Если вы говорите на русском языке, то вам доступны бесплатные услуги "
        "перевода. Звоните {phone} (телетайп: 711).",
        "cyrillic",
    ),
    Language(
        "tl",
        "Tagalog",
        "Tagalog",
        "PAUNAWA: Kung nagsasalita ka ng Tagalog, maaari kang gumamit ng mga serbisyo ng tulong "
        "sa wika nang walang bayad. Tumawag sa {phone} (TTY: 711).",
        "latin",
    ),
    Language(
        "vi",
        "Vietnamese",
        "Tiếng Việt",
        "CHÚ Ý: Nếu bạn nói Tiếng Việt, có các dịch vụ hỗ trợ ngôn ngữ miễn phí dành cho bạn. "
        "Gọi số {phone} (TTY: 711).",
        "latin",
    ),
    Language(
        "hmn",
        "Hmong",
        "Hmoob",
        "LUS CEEV: Yog tias koj hais lus Hmoob, cov kev pab txog lus, muaj kev pab dawb rau "
        "koj. Hu rau {phone} (TTY: 711).",
        "latin",
    ),
)

BY_CODE: dict[str, Language] = {language.code: language for language in LANGUAGES}
# Languages with complete letters; any other language gets English plus its tagline on top.
TRANSLATED: frozenset[str] = frozenset({"en", "es"})
_ALIASES = {
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-hant": "zh-Hant",
    "per": "fa",
    "fas": "fa",
    "arm": "hy",
    "hye": "hy",
    "spa": "es",
    "eng": "en",
    "vie": "vi",
    "kor": "ko",
    "rus": "ru",
    "tgl": "tl",
    "fil": "tl",
    "ara": "ar",
    "khm": "km",
    "hmo": "hmn",
}


def language_normalize(code: str | None) -> str:
    """Return the canonical code for ``code`` (``es-MX`` -> ``es``), or ``en`` if unknown."""
    if not code:
        return "en"
    raw = code.strip().replace("_", "-")
    lowered = raw.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    for known in BY_CODE:
        if known.lower() == lowered:
            return known
    base = lowered.split("-")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    return base if base in BY_CODE else "en"


def letter_language(code: str) -> str:
    """Return the language the letter's body is written in: the member's, or English."""
    return code if code in TRANSLATED else "en"


# Fixed words of the letter and the card, per letter language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "closing": "Sincerely,",
        "taglines_heading": "Free language assistance and help in other formats",
        "questions": "Questions? Call {phone} (TTY: 711).",
        "page": "Page",
        "card_title": "Member ID card",
        "card_program": "Medicare Medi-Cal Plan (Medi-Medi Plan)",
        "card_member": "Member",
        "card_member_id": "Member ID",
        "card_plan": "Plan",
        "card_contract": "Contract",
        "card_medi_cal": "Medi-Cal plan",
        "card_effective": "Effective",
        "card_phone": "Member Services",
        "card_pending": "pending",
        "card_unknown": "unknown",
        "card_phone_unknown": "Number not yet set: see your plan's website",
        "card_pharmacy": "Pharmacy (prescriptions)",
        "card_front": "Front",
        "card_back": "Back",
        "card_cut": "Cut out both sides along the dashed lines and glue them back to back, or "
        "keep them together. This card is 3.375 by 2.125 inches, the size of a credit card.",
        "phone_unknown": "your plan's Member Services number (not yet set in this letter)",
        "card_one_card": "One card for your Medicare and Medi-Cal benefits.",
        "card_show": "Show this card when you get care or fill a prescription.",
        "card_keep": "Keep your red, white and blue Medicare card and your Medi-Cal "
        "Benefits Identification Card in a safe place.",
        "letter_attachment": "letter",
        "card_attachment": "member-id-card",
        "copy_notice": "A copy for you, as the authorized representative of {name}.",
        "copy_subject": "Copy for {name}'s representative: {subject}",
    },
    "es": {
        "closing": "Atentamente,",
        "taglines_heading": "Asistencia gratuita con el idioma y ayuda en otros formatos",
        "questions": "¿Preguntas? Llame al {phone} (TTY: 711).",
        "page": "Página",
        "card_title": "Tarjeta de identificación de miembro",
        "card_program": "Plan Medicare Medi-Cal (Plan Medi-Medi)",
        "card_member": "Miembro",
        "card_member_id": "Número de miembro",
        "card_plan": "Plan",
        "card_contract": "Contrato",
        "card_medi_cal": "Plan de Medi-Cal",
        "card_effective": "Vigente desde",
        "card_phone": "Servicios para Miembros",
        "card_pending": "pendiente",
        "card_unknown": "desconocido",
        "card_phone_unknown": "Número aún no fijado: vea el sitio web de su plan",
        "card_pharmacy": "Farmacia (recetas)",
        "card_front": "Frente",
        "card_back": "Reverso",
        "card_cut": "Recorte ambos lados por las líneas punteadas y péguelos por detrás, o "
        "guárdelos juntos. Esta tarjeta mide 3.375 por 2.125 pulgadas, el tamaño de una "
        "tarjeta de crédito.",
        "phone_unknown": "número de Servicios para Miembros de su plan (aún no fijado en esta carta)",
        "card_one_card": "Una sola tarjeta para sus beneficios de Medicare y Medi-Cal.",
        "card_show": "Muestre esta tarjeta cuando reciba atención o surta una receta.",
        "card_keep": "Guarde en un lugar seguro su tarjeta roja, blanca y azul de Medicare y "
        "su Tarjeta de Identificación de Beneficios de Medi-Cal.",
        "letter_attachment": "carta",
        "card_attachment": "tarjeta-de-miembro",
        "copy_notice": "Una copia para usted, como representante autorizado de {name}.",
        "copy_subject": "Copia para el representante de {name}: {subject}",
    },
}


def labels(language: str) -> dict[str, str]:
    """Return the fixed words for a letter language (English for any untranslated one)."""
    return LABELS.get(language, LABELS["en"])


_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}


def date_long(value: datetime.date, language: str) -> str:
    """Format a date as letters write it: ``December 1, 2026`` or ``1 de diciembre de 2026``."""
    if language == "es":
        return f"{value.day} de {_MONTHS['es'][value.month - 1]} de {value.year}"
    return f"{_MONTHS['en'][value.month - 1]} {value.day}, {value.year}"


# Plain words for the eligibility reason codes (the rules' own messages are English only).
REASON_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "NO_MEDICARE_PART_A": "You do not have Medicare Part A (hospital insurance). "
        "A Medi-Medi Plan needs both Medicare Part A and Part B.",
        "NO_MEDICARE_PART_B": "You do not have Medicare Part B (medical insurance). "
        "A Medi-Medi Plan needs both Medicare Part A and Part B.",
        "NO_MEDI_CAL": "You do not have Medi-Cal. A Medi-Medi Plan is for people who have "
        "both Medicare and Medi-Cal.",
        "RESTRICTED_MEDI_CAL": "Your Medi-Cal is restricted (for example, emergency or "
        "pregnancy services only). A Medi-Medi Plan needs full-scope Medi-Cal.",
        "UNMET_SHARE_OF_COST": "You have a Medi-Cal share of cost that is not met, so you "
        "do not have Medi-Cal for that month.",
        "INCARCERATED": "Our records show that you are incarcerated. People who are "
        "incarcerated cannot join a Medicare health plan.",
        "NOT_LAWFULLY_PRESENT": "Our records do not show that you are lawfully present in "
        "the United States, which is needed to join a Medicare health plan.",
        "COUNTY_NOT_YET_AVAILABLE": "Medi-Medi Plans are not offered in your county yet.",
        "NO_PLAN_IN_COUNTY": "No Medi-Medi Plan serves your county on the date your "
        "coverage would start.",
    },
    "es": {
        "NO_MEDICARE_PART_A": "Usted no tiene la Parte A de Medicare (seguro de hospital). "
        "Un Plan Medi-Medi requiere la Parte A y la Parte B de Medicare.",
        "NO_MEDICARE_PART_B": "Usted no tiene la Parte B de Medicare (seguro médico). "
        "Un Plan Medi-Medi requiere la Parte A y la Parte B de Medicare.",
        "NO_MEDI_CAL": "Usted no tiene Medi-Cal. Un Plan Medi-Medi es para personas que "
        "tienen Medicare y Medi-Cal.",
        "RESTRICTED_MEDI_CAL": "Su Medi-Cal es limitado (por ejemplo, solo servicios de "
        "emergencia o de embarazo). Un Plan Medi-Medi requiere Medi-Cal de alcance completo.",
        "UNMET_SHARE_OF_COST": "Usted tiene una parte del costo (share of cost) de Medi-Cal "
        "que no ha cubierto, por lo que no tiene Medi-Cal ese mes.",
        "INCARCERATED": "Nuestros registros indican que usted está encarcelado. Las personas "
        "encarceladas no pueden inscribirse en un plan de salud de Medicare.",
        "NOT_LAWFULLY_PRESENT": "Nuestros registros no muestran que usted tenga presencia "
        "legal en los Estados Unidos, lo cual es necesario para inscribirse en un plan de "
        "salud de Medicare.",
        "COUNTY_NOT_YET_AVAILABLE": "Los Planes Medi-Medi todavía no se ofrecen en su condado.",
        "NO_PLAN_IN_COUNTY": "Ningún Plan Medi-Medi da servicio en su condado en la fecha en "
        "que comenzaría su cobertura.",
    },
}


def reason_text(code: str, message: str, language: str) -> str:
    """Return a denial reason in plain words in ``language``; the caller's message otherwise."""
    known = REASON_TEXT.get(language, REASON_TEXT["en"]).get(code)
    return known or message or code
