"""Fonts for PDF letters, and just enough text shaping to print every tagline.

ReportLab's built-in Helvetica covers Latin-1 only. When a TrueType font is on the machine
(``NOTICES_PDF_FONT``, by default DejaVu Sans from Debian's ``fonts-dejavu-core``) letters use it,
which covers Latin (Spanish, Vietnamese, Tagalog, Hmong), Cyrillic, Armenian and Arabic glyphs.
Chinese and Korean use ReportLab's built-in CID fonts (no font file, the PDF viewer supplies
the glyphs). Arabic and Farsi are shaped here (contextual forms, lam-alef) and laid out right to
left, because ReportLab shapes only with the optional ``uharfbuzz``. A line a font cannot show
(Khmer, which needs a shaping engine and a Khmer font; anything when no TrueType font exists)
is printed as an English line naming the language, never as empty boxes; the HTML letter always
carries the tagline in its own script. No font is ever downloaded.
"""

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

REGULAR = "NoticeSans"
BOLD = "NoticeSans-Bold"
# ReportLab's CID fonts for the CJK scripts among the threshold languages.
CID_FONTS = {"hans": "STSong-Light", "hant": "MSung-Light", "hangul": "HYSMyeongJo-Medium"}


@dataclass(frozen=True)
class PdfFonts:
    """The fonts a letter uses: a TrueType pair when one was found, Helvetica otherwise."""

    regular: str
    bold: str
    unicode: bool
    glyphs: frozenset[int]

    def covers(self, text: str) -> bool:
        """Say whether every visible character of ``text`` has a glyph in the regular font."""
        return _covers(self, text)

    def safe(self, text: str) -> str:
        """Return ``text`` the font can print: unchanged for TrueType, Latin-1 for Helvetica."""
        return text if self.unicode else _latin1_safe(text)


@lru_cache(maxsize=1024)
def _covers(pdf_fonts: PdfFonts, text: str) -> bool:
    # Cached: every letter asks it of the same taglines.
    if not pdf_fonts.unicode:
        return _latin1_safe(text) == text
    return all(ord(ch) in pdf_fonts.glyphs or ch.isspace() for ch in text)


def _latin1_safe(text: str) -> str:
    # Keep accents that Latin-1 has (Spanish), decompose the rest, drop what still cannot print.
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in base if ord(c) < 256 and not unicodedata.combining(c)))
    return "".join(out) or "?"


@lru_cache(maxsize=8)
def pdf_fonts(regular_path: str, bold_path: str) -> PdfFonts:
    """Register the letter fonts once per process and say what they cover."""
    regular = Path(regular_path)
    bold = Path(bold_path)
    if not regular.is_file():
        logger.warning("notices: PDF font %s not found; letters fall back to Helvetica", regular)
        return PdfFonts("Helvetica", "Helvetica-Bold", unicode=False, glyphs=frozenset())
    try:
        font = TTFont(REGULAR, str(regular))
        pdfmetrics.registerFont(font)
        bold_name = BOLD
        if bold.is_file():
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
        else:
            bold_name = REGULAR
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=bold_name, italic=REGULAR, boldItalic=bold_name
        )
    except Exception:  # a broken font file must not stop letters
        logger.warning("notices: PDF font %s unusable; letters fall back to Helvetica", regular)
        return PdfFonts("Helvetica", "Helvetica-Bold", unicode=False, glyphs=frozenset())
    return PdfFonts(REGULAR, bold_name, unicode=True, glyphs=frozenset(font.face.charToGlyph))


@lru_cache(maxsize=8)
def cid_font(script: str) -> str | None:
    """Register and name ReportLab's built-in CID font for a CJK script, if it has one."""
    name = CID_FONTS.get(script)
    if name is None:
        return None
    try:
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    except Exception:
        logger.warning("notices: CID font %s unavailable", name)
        return None
    return name


# --- Arabic script: contextual forms and right-to-left order -------------------------------

_ZWNJ = "\u200c"
_LAM = "\u0644"
_LAM_ALEF = {
    "\u0622": "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
    "\u0623": "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "\u0625": "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
    "\u0627": "ARABIC LIGATURE LAM WITH ALEF",
}
_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<"}


def is_arabic(ch: str) -> bool:
    """Say whether ``ch`` is an Arabic-script letter or Arabic punctuation."""
    code = ord(ch)
    return 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F


@lru_cache(maxsize=512)
def _forms(ch: str) -> dict[str, str]:
    name = unicodedata.name(ch, "")
    forms: dict[str, str] = {}
    if not name.startswith("ARABIC LETTER"):
        return forms
    for form in ("ISOLATED", "FINAL", "INITIAL", "MEDIAL"):
        try:
            forms[form] = unicodedata.lookup(f"{name} {form} FORM")
        except KeyError:
            continue
    return forms


def _joining(ch: str) -> str:
    """Return D (joins both sides), R (joins the previous letter only), T (mark) or U."""
    if unicodedata.category(ch) == "Mn":
        return "T"
    forms = _forms(ch)
    if "INITIAL" in forms or "MEDIAL" in forms:
        return "D"
    if "FINAL" in forms:
        return "R"
    return "U"


def arabic_shape(text: str) -> str:
    """Replace Arabic letters by their contextual presentation forms (logical order kept)."""
    chars = [ch for ch in text if unicodedata.category(ch) != "Mn"]
    types = [_joining(ch) if is_arabic(ch) else "U" for ch in chars]
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch == _ZWNJ:
            i += 1
            continue
        kind = types[i]
        if kind == "U":
            out.append(ch)
            i += 1
            continue
        joins_prev = i > 0 and types[i - 1] == "D"
        if ch == _LAM and i + 1 < len(chars) and chars[i + 1] in _LAM_ALEF:
            base = _LAM_ALEF[chars[i + 1]]
            form = "FINAL" if joins_prev else "ISOLATED"
            try:
                out.append(unicodedata.lookup(f"{base} {form} FORM"))
                i += 2
                continue
            except KeyError:
                pass
        joins_next = kind == "D" and i + 1 < len(chars) and types[i + 1] in {"D", "R"}
        forms = _forms(ch)
        if joins_prev and joins_next:
            wanted = "MEDIAL"
        elif joins_prev:
            wanted = "FINAL"
        elif joins_next:
            wanted = "INITIAL"
        else:
            wanted = "ISOLATED"
        out.append(forms.get(wanted) or forms.get("ISOLATED") or ch)
        i += 1
    return "".join(out)


def _direction(ch: str) -> str:
    code = ord(ch)
    if is_arabic(ch) or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFE:
        return "R"
    if ch.isalnum():
        return "L"
    return "N"


def rtl_visual(line: str) -> str:
    """Reorder one line of right-to-left text for left-to-right drawing.

    A simplified bidi algorithm for a right-to-left paragraph: digits and Latin letters form
    left-to-right runs, neutrals between two left-to-right characters join them, other
    neutrals follow the paragraph; runs are reversed, right-to-left runs are reversed
    character by character with their brackets mirrored.
    """
    dirs = [_direction(ch) for ch in line]
    resolved = list(dirs)
    i = 0
    while i < len(dirs):
        if dirs[i] != "N":
            i += 1
            continue
        j = i
        while j < len(dirs) and dirs[j] == "N":
            j += 1
        before = dirs[i - 1] if i > 0 else "R"
        after = dirs[j] if j < len(dirs) else "R"
        fill = "L" if before == after == "L" else "R"
        for k in range(i, j):
            resolved[k] = fill
        i = j
    runs: list[tuple[str, str]] = []
    for ch, direction in zip(line, resolved, strict=True):
        if runs and runs[-1][0] == direction:
            runs[-1] = (direction, runs[-1][1] + ch)
        else:
            runs.append((direction, ch))
    pieces = []
    for direction, run in reversed(runs):
        if direction == "R":
            pieces.append("".join(_MIRROR.get(ch, ch) for ch in reversed(run)))
        else:
            pieces.append(run)
    return "".join(pieces)


@lru_cache(maxsize=256)
def rtl_lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Shape Arabic-script ``text``, break it into lines that fit ``width``, in drawing order.

    Cached: every letter carries the same Arabic and Farsi taglines, and shaping them word by
    word was a tenth of a letter's rendering time.
    """
    lines: list[str] = []
    current: list[str] = []
    for word in text.split():
        trial = " ".join([*current, word])
        if current and pdfmetrics.stringWidth(arabic_shape(trial), font, size) > width:
            lines.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return tuple(rtl_visual(arabic_shape(line)) for line in lines)
