"""Rendering: every kind in English and Spanish, taglines, large print, the letter and ID card PDFs."""

import datetime
import io
import re
from typing import Any

import pypdf
import pytest

from notices import fonts
from notices.languages import LANGUAGES
from notices.models import NoticeKind
from notices.pdf import LARGE_PRINT_BODY_PT, letter_styles
from notices.rendering import RenderedNotice, mbi_mask, render_letter
from tests.notices.conftest import MBI, RECIPIENT, context_for

LETTER_DATE = datetime.date(2026, 11, 6)


def render(kind: str, language: str = "en", **kwargs: Any) -> RenderedNotice:
    options: dict[str, Any] = {
        "kind": kind,
        "language": language,
        "recipient": dict(RECIPIENT),
        "context": context_for(kind),
        "letter_date": LETTER_DATE,
    }
    options.update(kwargs)
    return render_letter(**options)


def pdf_text(data: bytes | None) -> str:
    assert data is not None
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def font_sizes(data: bytes) -> set[float]:
    """Return every font size the PDF's pages set (the ``Tf`` operator)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    sizes: set[float] = set()
    for page in reader.pages:
        content = page.get_contents()
        assert content is not None
        # ReportLab opens every page with "BT /F1 12 Tf 14.4 TL ET", which draws nothing.
        raw = content.get_data().replace(b"BT /F1 12 Tf 14.4 TL ET", b"")
        for match in re.finditer(rb"/\S+ ([0-9.]+) Tf", raw):
            sizes.add(float(match.group(1)))
    return sizes


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", NoticeKind.values)
def test_every_kind_renders_in_english_and_spanish_with_every_tagline(
    kind: str, language: str
) -> None:
    rendered = render(kind, language)
    assert rendered.language == language
    assert rendered.subject
    assert f'lang="{language}"' in rendered.html
    assert "{{" not in rendered.html and "{%" not in rendered.html
    for lang in LANGUAGES:
        assert f'<p lang="{lang.code}"' in rendered.html  # one tagline per threshold language
        assert lang.tagline.format(phone="X").split("X")[0][:12] in rendered.text
    text = pdf_text(rendered.pdf)
    assert "Rosa Example" in text
    assert "100 Test Street" in text
    assert "Medi-Medi Plan Enrollment" in text
    assert "ATENCIÓN: Si habla español" in text
    # The plan's number, or plainly "not yet set": never the placeholder program number.
    assert "1-866-555-0142" in text or "not yet set" in text or "aún no fijado" in text
    assert "1-800-555-0100" not in text


def test_spanish_letters_are_written_in_spanish() -> None:
    rendered = render("disenrollment_confirmation", "es")
    assert rendered.subject == "Su cobertura en CareAdvantage va a terminar"
    assert "31 de diciembre de 2026" in rendered.text
    assert "1 de enero de 2027" in rendered.text  # Original Medicare from the day after
    assert "Atentamente," in rendered.text
    assert "Dear" not in rendered.text


def test_untranslated_language_gets_english_with_its_tagline_on_top() -> None:
    rendered = render("application_received", "vi")
    assert rendered.language == "en"
    assert rendered.subject == "We received your application for a Medi-Medi Plan"
    top = re.search(r'<p class="notice__tagline notice__tagline--top" lang="(\w+)"', rendered.html)
    assert top is not None and top.group(1) == "vi"
    assert rendered.text.startswith("CHÚ Ý: Nếu bạn nói Tiếng Việt")
    text = pdf_text(rendered.pdf)
    # On top: after the sender block, before the date, the address and the subject.
    assert (
        text.index("Sacramento, CA 95899")
        < text.index("CHÚ Ý: Nếu bạn nói Tiếng Việt")
        < text.index("November 6, 2026")
        < text.index("We received your application for a Medi-Medi Plan")
    )


def test_english_and_spanish_letters_have_no_top_tagline() -> None:
    assert "notice__tagline--top" not in render("denial", "en").html
    assert "notice__tagline--top" not in render("denial", "es").html


def test_unknown_language_falls_back_to_english_without_a_top_tagline() -> None:
    rendered = render("denial", "xx")
    assert rendered.language == "en"
    assert "notice__tagline--top" not in rendered.html


def test_right_to_left_taglines_are_marked_in_html() -> None:
    rendered = render("denial", "ar")
    assert '<p lang="ar" dir="rtl">' in rendered.html
    assert '<p lang="fa" dir="rtl">' in rendered.html
    assert 'lang="ar" dir="rtl"><strong>ملحوظة' in rendered.html


def test_denial_lists_every_reason_in_plain_words_and_how_to_appeal() -> None:
    context = context_for("denial")
    context["reasons"].append({"code": "STAFF_NO_PROOF", "message": "We did not get proof."})
    rendered = render("denial", context=context)
    text = pdf_text(rendered.pdf)
    assert "You do not have Medicare Part B (medical insurance)." in text
    assert "share of cost that is not met" in text
    assert "We did not get proof." in text
    assert "Your right to appeal" in text
    assert "within 60 days" in text
    spanish = render("denial", "es", context=context)
    assert "Usted no tiene la Parte B de Medicare" in spanish.text


def test_enrollment_confirmation_pdf_says_plan_medi_cal_plan_date_phone_hra_and_continuity() -> (
    None
):
    rendered = render("enrollment_confirmation")
    text = pdf_text(rendered.pdf)
    assert "Your Medi-Medi Plan (Medicare): CareAdvantage" in text
    assert "Your Medi-Cal plan: Health Plan of San Mateo" in text
    assert "Your coverage starts on: December 1, 2026" in text
    assert "Your one phone number for both: 1-866-555-0142" in text
    assert "Health Risk Assessment" in text
    assert "Within 90 days of your enrollment" in text
    assert "care coordinator" in text
    assert "for up to 12 months" in text
    assert "November 6, 2026" in text  # the letter's date
    assert MBI not in text and MBI.replace("-", "") not in text


def test_id_card_shows_the_plans_member_id_never_the_mbi_and_the_one_card_facts() -> None:
    context = {**context_for("enrollment_confirmation"), "member_id": "HPSM123456789"}
    rendered = render("enrollment_confirmation", context=context)
    text = pdf_text(rendered.id_card_pdf)
    assert "Member ID HPSM123456789" in text
    assert "1EG4-TE5-MK73" not in text and "1EG4TE5MK73" not in text and "MK73" not in text
    assert "CareAdvantage" in text
    assert "H5428-001" in text
    assert "Health Plan of San Mateo" in text
    assert "December 1, 2026" in text
    assert "1-866-555-0142" in text
    assert "One card for your Medicare and Medi-Cal benefits." in text
    reader = pypdf.PdfReader(io.BytesIO(rendered.id_card_pdf or b""))
    assert len(reader.pages) == 1  # front and back on one sheet, with cut lines
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (612, 792)  # US Letter
    sides = reader.pages[0]["/Resources"]["/XObject"]
    boxes = sorted([round(float(v)) for v in side.get_object()["/BBox"]] for side in sides.values())
    assert boxes == [[0, 0, 243, 153]] * 2  # each side credit-card size, 3.375 x 2.125 in


def test_id_card_says_unknown_without_a_contract_id_and_never_prints_the_placeholder() -> None:
    rendered = render("id_card")
    text = pdf_text(rendered.id_card_pdf)
    assert "Contract unknown" in text
    assert "Member ID unknown" in text
    assert "Number not yet set" in text
    assert "1-800-555-0100" not in text


def test_plan_switch_card_is_for_the_new_plan_only_when_the_mbi_is_known() -> None:
    with_card = render("plan_switch_confirmation")
    assert "Wellcare by Health Net" in pdf_text(with_card.id_card_pdf)
    context = context_for("plan_switch_confirmation")
    del context["mbi"]
    without = render("plan_switch_confirmation", context=context)
    assert without.id_card_pdf is None
    assert "Your new plan will send you your new member ID card." in without.text


def test_only_card_kinds_come_with_a_card() -> None:
    assert render("denial").id_card_pdf is None
    assert render("id_card").id_card_pdf is not None


@pytest.mark.parametrize(
    ("mbi", "masked"),
    [("1EG4-TE5-MK73", "*******MK73"), ("1eg4te5mk73", "*******MK73"), ("", ""), ("AB", "**")],
)
def test_mbi_is_masked_except_its_last_four_characters(mbi: str, masked: str) -> None:
    assert mbi_mask(mbi) == masked


def test_large_print_sets_body_text_in_18_point() -> None:
    pdf_fonts = fonts.pdf_fonts(
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    )
    assert letter_styles(True, pdf_fonts).body.fontSize == LARGE_PRINT_BODY_PT == 18
    assert letter_styles(False, pdf_fonts).body.fontSize == 11
    large = render("enrollment_confirmation", large_print=True)
    standard = render("enrollment_confirmation")
    assert 18.0 in font_sizes(large.pdf)
    assert min(font_sizes(large.pdf)) >= 18  # nothing in small print, not even the footer
    assert 18.0 not in font_sizes(standard.pdf)
    assert 11.0 in font_sizes(standard.pdf)
    # Pages show the letter under a CSP without inline styles: a class sets its size there.
    assert "notice--large-print" in large.html and "style=" not in large.html
    assert "font-size:18pt" in large.email_html
    assert min(font_sizes(large.id_card_pdf or b"")) >= 18  # the card drawn three times larger


def test_cyrillic_and_armenian_taglines_print_in_their_own_script() -> None:
    # Chinese, Korean and Khmer (Noto fonts, embedded) are in tests/test_letter_fonts.py.
    text = pdf_text(render("denial").pdf)
    assert "ВНИМАНИЕ: Если вы говорите на русском языке" in text
    assert "Եթե խոսում եք հայերեն" in text


def test_letters_render_without_a_truetype_font(settings: Any) -> None:
    settings.NOTICES_PDF_FONT = "/nonexistent/font.ttf"
    settings.NOTICES_PDF_FONT_BOLD = "/nonexistent/font-bold.ttf"
    recipient = {**RECIPIENT, "name": "Nguyễn Thị Example"}
    rendered = render("enrollment_confirmation", "es", recipient=recipient)
    text = pdf_text(rendered.pdf)
    assert "Bienvenido/a a CareAdvantage" in text
    assert "Nguyen Thi Example" in text  # accents Latin-1 lacks are dropped, not crashed on
    assert "Russian: free language assistance is available." in text
    assert "Servicios para Miembros" in pdf_text(rendered.id_card_pdf)


def test_arabic_is_shaped_into_joined_forms_and_laid_out_right_to_left() -> None:
    shaped = fonts.arabic_shape("اتصل")
    # alef (isolated: it never joins forward), teh initial, sad medial, lam final
    assert shaped == "\ufe8d\ufe97\ufebc\ufede"
    assert fonts.arabic_shape("لا") == "\ufefb"  # lam-alef ligature
    visual = fonts.rtl_visual("اتصل برقم 1-800-555-0100.")
    assert visual == ".1-800-555-0100 مقرب لصتا"


def test_dates_in_context_must_be_iso() -> None:
    context = {**context_for("denial"), "decision_date": "20/11/2026"}
    with pytest.raises(ValueError, match="ISO"):
        render("denial", context=context)


def test_template_html_escapes_context_values() -> None:
    context = {**context_for("info_requested"), "staff_note": "<script>x</script> & more"}
    rendered = render("info_requested", context=context)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>x</script> & more" in pdf_text(rendered.pdf)


def test_county_transition_tells_when_to_apply_and_lists_plans() -> None:
    rendered = render("county_transition_60")
    text = pdf_text(rendered.pdf)
    assert "Medi-Medi Plans are coming to Kern County" in text
    assert "Starting January 1, 2027, about 60 days" in text
    assert "you can apply starting December 1, 2026" in text
    assert "Example Medi-Medi Plan, with the Medi-Cal plan Example Medi-Cal" in text
    assert "about 30 days" in render("county_transition_30").text


def test_pdf_metadata_carries_no_member_name() -> None:
    rendered = render("enrollment_confirmation")
    for data in (rendered.pdf, rendered.id_card_pdf or b""):
        metadata = pypdf.PdfReader(io.BytesIO(data)).metadata
        assert metadata is not None
        assert all("Rosa" not in str(value) for value in metadata.values())
