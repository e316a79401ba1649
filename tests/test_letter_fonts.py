"""Letters print every threshold-language tagline in its own script, with embedded fonts.

Chinese (Simplified and Traditional) and Korean come from Debian's Noto Sans CJK, Khmer from
Noto Sans Khmer shaped by HarfBuzz; every font in the PDF is an embedded TrueType subset
(``FontFile2``), so any PDF reader shows them. The tests that need the Noto fonts skip, saying
so, on a machine without them, unless ``REQUIRE_FONTS=1`` (or ``REQUIRE_BROWSER=1``), which CI
sets: there they fail instead. Staff open a member's letter from the letters page.
"""

import datetime
import io
import logging
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.test import Client

from accounts.models import AuditEvent, User
from eligibility.models import Organization
from notices import fonts
from notices.conf import notice_settings
from notices.languages import LANGUAGES, Language
from notices.rendering import RenderedNotice, render_letter
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import Letters, enrolled_member
from tests.factories import StaffFactory
from tests.notices.conftest import RECIPIENT, context_for
from tests.pdf_helpers import pdf_text

PHONE = "1-866-555-0142"
LETTER_DATE = datetime.date(2026, 11, 6)
# The 14 fonts every PDF reader has; ReportLab names Helvetica in every PDF it makes.
STANDARD_FONTS = {"/Helvetica", "/Helvetica-Bold", "/Times-Roman", "/Courier", "/Symbol"}


def _noto_missing() -> list[str]:
    conf = notice_settings()
    paths = [Path(spec.path) for spec in conf.pdf_script_fonts]
    paths += [Path(spec.latin) for spec in conf.pdf_script_fonts if spec.latin]
    return sorted({str(path) for path in paths if not path.is_file()})


@pytest.fixture
def noto() -> None:
    """Skip, naming the missing files, without the Noto fonts, unless CI requires them."""
    missing = _noto_missing()
    if not missing:
        return
    reason = (
        f"needs Debian's Noto fonts (apt-get install fonts-noto-cjk fonts-noto-core): "
        f"missing {', '.join(missing)}"
    )
    if os.environ.get("REQUIRE_FONTS") == "1" or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_FONTS=1 but this test {reason}")
    pytest.skip(reason)


def render(kind: str = "denial", language: str = "en", **kwargs: Any) -> RenderedNotice:
    context = {**context_for(kind), "plan_phone": PHONE}
    return render_letter(
        kind=kind,
        language=language,
        recipient=dict(RECIPIENT),
        context=context,
        letter_date=LETTER_DATE,
        **kwargs,
    )


def squeezed(text: str) -> str:
    """The text without any white space (a line break inside a tagline adds one)."""
    return re.sub(r"\s+", "", text)


def pdf_fonts_of(data: bytes) -> dict[str, Any]:
    """Every font the PDF's pages use, by base name, with its (descendant) font dictionary."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found: dict[str, Any] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        for ref in (font_dict or {}).values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            found[str(font["/BaseFont"])] = font
    return found


def tagline(code: str) -> Language:
    return next(language for language in LANGUAGES if language.code == code)


# --- Every tagline, in its own script, in the PDF ---------------------------------------------


@pytest.mark.parametrize(
    "code",
    [lang.code for lang in LANGUAGES if lang.script not in {"arabic", "khmer"}],
)
def test_each_threshold_tagline_can_be_read_back_from_the_pdf(noto: None, code: str) -> None:
    text = squeezed(pdf_text(render().pdf))
    assert squeezed(tagline(code).tagline.format(phone=PHONE)) in text


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_arabic_and_farsi_taglines_can_be_read_back_word_by_word(code: str) -> None:
    # Drawn as joined presentation forms, right to left: each word reads back as its letters.
    text = unicodedata.normalize("NFKC", pdf_text(render().pdf))
    words = [w for w in tagline(code).tagline.split() if not re.search(r"[{}0-9A-Za-z]", w)]
    letters_only = [re.sub(r"[^\u0621-\u06ff]", "", word) for word in words]
    assert all(word in text for word in letters_only if word)


def test_traditional_chinese_prints_with_its_own_embedded_font(noto: None) -> None:
    rendered = render()
    assert "如果您使用繁體中文，您可以免費獲得語言援助服務" in pdf_text(rendered.pdf)  # noqa: RUF001
    names = " ".join(pdf_fonts_of(rendered.pdf))
    for face in ("NotoSansCJKtc", "NotoSansCJKsc", "NotoSansCJKkr"):
        assert face in names
    assert "MSung" not in names and "STSong" not in names  # no CID font a reader may lack


def test_every_font_in_a_letter_is_embedded_as_truetype(noto: None) -> None:
    rendered = render("enrollment_confirmation", "es")
    for data in (rendered.pdf, rendered.id_card_pdf or b""):
        for name, font in pdf_fonts_of(data).items():
            if name in STANDARD_FONTS:
                continue
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{name} is not embedded as TrueType"
            assert re.fullmatch(r"/[A-Z]{6}\+.+", name), f"{name} is not a subset"


# --- Khmer: shaped by HarfBuzz, not dropped ---------------------------------------------------


def test_khmer_tagline_is_shaped_in_noto_sans_khmer_not_dropped(noto: None) -> None:
    face = fonts.pdf_fonts(
        notice_settings().pdf_font,
        notice_settings().pdf_font_bold,
        notice_settings().pdf_script_fonts,
        notice_settings().pdf_font_cache,
    ).face("khmer")
    assert face is not None and face.font is not None and face.shaping
    rendered = render("denial", "km")  # a Khmer reader's letter: the tagline boxed on top too
    text = pdf_text(rendered.pdf)
    assert "Khmer: free language assistance" not in text
    assert any("NotoSansKhmer" in name for name in pdf_fonts_of(rendered.pdf))
    khmer = [ch for ch in text if 0x1780 <= ord(ch) <= 0x17FF]
    # Both the top tagline and the taglines block, most of each line's letters readable.
    expected = [ch for ch in tagline("km").tagline if 0x1780 <= ord(ch) <= 0x17FF]
    assert len(khmer) >= len(expected)
    # Shaped: subscript consonants and vowel parts are glyphs of their own, with no character
    # of their own (ReportLab maps them to private-use code points).
    assert any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)
    assert f"{PHONE} (TTY: 711)" in text  # the Latin part in the same font (Noto Sans added)


# --- A missing font: an English line, and the letter names the font ---------------------------


def test_a_missing_script_font_prints_english_and_the_letter_names_it(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.NOTICES_PDF_SCRIPT_FONTS = {
        "khmer": {"path": "/nonexistent/NotoSansKhmer-r5.ttf", "name": "Noto Sans Khmer"},
        "hant": {"path": "/nonexistent/NotoSansCJK-r5.ttc", "index": 3, "name": "Noto Sans CJK TC"},
    }
    with caplog.at_level(logging.WARNING, logger="notices.fonts"):
        rendered = render()
    text = " ".join(pdf_text(rendered.pdf).split())
    assert f"Khmer: free language assistance is available. Call {PHONE} (TTY: 711)." in text
    assert f"Chinese (Traditional): free language assistance is available. Call {PHONE}" in text
    assert (
        "Some lines above are in English because this letter was printed without the fonts "
        "Noto Sans CJK TC, Noto Sans Khmer." in text
    )
    assert "ប្រយ័ត្ន៖" in rendered.html  # the HTML letter keeps the tagline in Khmer
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/nonexistent/NotoSansKhmer-r5.ttf" in logged and "khmer taglines" in logged
    assert RECIPIENT["name"] not in logged and "Test Street" not in logged  # no PHI


def test_a_letter_with_every_font_names_none(noto: None) -> None:
    assert "printed without the font" not in pdf_text(render().pdf)


def test_without_the_body_font_letters_still_print_and_say_so(settings: Any) -> None:
    settings.NOTICES_PDF_FONT = "/nonexistent/r5-font.ttf"
    settings.NOTICES_PDF_FONT_BOLD = "/nonexistent/r5-font-bold.ttf"
    text = " ".join(pdf_text(render().pdf).split())
    assert "Russian: free language assistance is available." in text
    assert "printed without the font" in text and "r5-font" in text


# --- The converted fonts are kept between processes -------------------------------------------


def test_a_converted_font_is_made_once_and_then_read_from_the_cache(
    noto: None, tmp_path: Path
) -> None:
    spec = notice_settings().pdf_script_fonts[0]
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        return fonts.truetype_cut(spec.path, spec.index, "注意")

    first = fonts._cached(str(tmp_path), [Path(spec.path), spec.index, "注意"], make)
    again = fonts._cached(str(tmp_path), [Path(spec.path), spec.index, "注意"], make)
    assert first == again and len(made) == 1
    assert first[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, not CFF ("OTTO")
    assert len(list(tmp_path.glob("*.ttf"))) == 1


# --- Staff open a member's letter from the letters page ---------------------------------------


@pytest.fixture
def rosa(django_capture_on_commit_callbacks: Any) -> Letters:
    return enrolled_member(django_capture_on_commit_callbacks, "Rosa")


def staff_client(user: User) -> Client:
    return login_verified(Client(), user)


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_in_process")
def test_staff_of_the_members_organization_open_the_letter_pdf_and_the_read_is_audited(
    rosa: Letters,
) -> None:
    staff = StaffFactory()
    client = staff_client(staff)
    base = f"/staff/beneficiaries/{rosa.beneficiary.pk}/letters/"
    page = client.get(base).content.decode()
    assert f'href="{base}{rosa.confirmation.pk}/pdf/"' in page
    assert f'href="{base}{rosa.confirmation.pk}/id-card/"' in page
    assert f'href="{base}{rosa.received.pk}/id-card/"' not in page

    response = client.get(f"{base}{rosa.confirmation.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    audit = AuditEvent.objects.get(actor=staff, object_type="notice")
    assert audit.action == "read"
    assert audit.object_id == str(rosa.confirmation.pk)
    assert audit.detail == {"document": "pdf"}

    card = client.get(f"{base}{rosa.confirmation.pk}/id-card/")
    assert card.status_code == 200 and card["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(
        actor=staff, object_type="notice", detail={"document": "id_card"}
    ).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_in_process")
def test_staff_of_another_organization_cannot_open_the_letter_and_nothing_is_audited(
    rosa: Letters,
) -> None:
    outsider = StaffFactory(organization=Organization.objects.get(code="lacare"))
    url = f"/staff/beneficiaries/{rosa.beneficiary.pk}/letters/{rosa.confirmation.pk}/pdf/"
    assert staff_client(outsider).get(url).status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider, object_type="notice").exists()
    # The member has their own page for it; this one is staff's.
    assert login_verified(Client(), rosa.user).get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_in_process")
def test_staff_cannot_open_another_members_letter_through_this_members_page(
    django_capture_on_commit_callbacks: Any, rosa: Letters
) -> None:
    lupe = enrolled_member(django_capture_on_commit_callbacks, "Lupe")
    url = f"/staff/beneficiaries/{rosa.beneficiary.pk}/letters/{lupe.confirmation.pk}/pdf/"
    assert staff_client(StaffFactory()).get(url).status_code == 404
