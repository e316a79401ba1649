"""Fonts for PDF letters, and just enough text shaping to print every tagline.

ReportLab's built-in Helvetica covers Latin-1 only. When a TrueType font is on the machine
(``NOTICES_PDF_FONT``, by default DejaVu Sans from Debian's ``fonts-dejavu-core``) letters use it,
which covers Latin (Spanish, Vietnamese, Tagalog, Hmong), Cyrillic, Armenian and Arabic glyphs.
Chinese, Korean and Khmer taglines use a font of their own (``NOTICES_PDF_SCRIPT_FONTS``, by
default Debian's Noto Sans CJK and Noto Sans Khmer), embedded in the PDF as a TrueType subset
like every other font, so any PDF reader shows them. Noto Sans CJK has PostScript (CFF) outlines,
which ReportLab cannot embed: the few hundred glyphs the taglines use are cut out of it and
converted to TrueType outlines with ``fontTools``, once, then kept (``NOTICES_PDF_FONT_CACHE``).
Khmer is shaped by HarfBuzz (``uharfbuzz``, ReportLab's ``shaping``). Arabic and Farsi are shaped here
(contextual forms, lam-alef) and laid out right to left. A line no font can show (its font or
HarfBuzz missing; anything when no TrueType font exists) is printed as an English line naming the
language, never as empty boxes, and the letter then names the fonts it needs; the HTML letter
always carries the tagline in its own script. No font is ever downloaded.
"""

import hashlib
import io
import json
import logging
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from notices.conf import ScriptFont
from notices.languages import LANGUAGES

logger = logging.getLogger(__name__)

REGULAR = "NoticeSans"
BOLD = "NoticeSans-Bold"
# Scripts that need HarfBuzz to put their letters together (subscript consonants, vowels drawn
# before the consonant they follow).
SHAPED_SCRIPTS = frozenset({"khmer"})
# Bump when ``truetype_cut`` or ``with_latin`` change what they make (the cache key has it).
FONT_CUT_VERSION = 1
TRUETYPE = b"\x00\x01\x00\x00"  # the first bytes of a font with TrueType outlines
# Besides a script's taglines, a cut-out face keeps Latin-1 (the phone number, "TTY", the
# Spanish "not yet set" words), general punctuation, CJK punctuation and fullwidth forms.
_KEPT_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x3000, 0x303F), (0xFF01, 0xFF5E))


@dataclass(frozen=True)
class ScriptFace:
    """A script's own font: the registered name, or None with the font the letter needs."""

    script: str
    font: str | None
    needs: str  # the font's name, e.g. "Noto Sans CJK TC", printed when it is missing
    glyphs: frozenset[int] = frozenset()
    shaping: bool = False

    def covers(self, text: str) -> bool:
        return self.font is not None and all(ord(ch) in self.glyphs or ch.isspace() for ch in text)


@dataclass(frozen=True)
class PdfFonts:
    """The fonts a letter uses: a TrueType pair when one was found, Helvetica otherwise, and
    each configured script's own font."""

    regular: str
    bold: str
    unicode: bool
    glyphs: frozenset[int]
    needs: str = ""  # the body font's name when it is missing (Helvetica stands in)
    scripts: tuple[ScriptFace, ...] = ()

    def covers(self, text: str) -> bool:
        """Say whether every visible character of ``text`` has a glyph in the regular font."""
        return _covers(self, text)

    def safe(self, text: str) -> str:
        """Return ``text`` the font can print: unchanged for TrueType, Latin-1 for Helvetica."""
        return text if self.unicode else _latin1_safe(text)

    def face(self, script: str) -> ScriptFace | None:
        """The script's own font when one is configured (found or not), else None."""
        return next((face for face in self.scripts if face.script == script), None)


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
def pdf_fonts(
    regular_path: str,
    bold_path: str,
    scripts: tuple[ScriptFont, ...] = (),
    cache_dir: str = "",
) -> PdfFonts:
    """Register the letter fonts once per process and say what they cover."""
    faces = tuple(script_face(spec, cache_dir) for spec in scripts)
    regular = Path(regular_path)
    bold = Path(bold_path)
    helvetica = PdfFonts(
        "Helvetica",
        "Helvetica-Bold",
        unicode=False,
        glyphs=frozenset(),
        needs=regular.stem,
        scripts=faces,
    )
    if not regular.is_file():
        logger.warning("notices: PDF font %s not found; letters fall back to Helvetica", regular)
        return helvetica
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
        return helvetica
    return PdfFonts(
        REGULAR,
        bold_name,
        unicode=True,
        glyphs=frozenset(font.face.charToGlyph),
        scripts=faces,
    )


def _script_text(script: str) -> str:
    """The characters a script's face must keep: its taglines and the kept ranges."""
    kept = "".join(chr(code) for low, high in _KEPT_RANGES for code in range(low, high + 1))
    return kept + "".join(lang.tagline for lang in LANGUAGES if lang.script == script)


@lru_cache(maxsize=16)
def script_face(spec: ScriptFont, cache_dir: str = "") -> ScriptFace:
    """Register a script's own font once per process; say which font is needed when it fails.

    A font ReportLab cannot take as it is (CFF outlines, or Latin to add) is converted once and
    kept in ``cache_dir``. The log names the script, the font and its file, never a letter or
    a person.
    """
    missing = ScriptFace(spec.script, None, spec.name)
    for path, needed in ((Path(spec.path), spec.name), (Path(spec.latin), "")):
        if path.name and not path.is_file():
            logger.warning(
                "notices: PDF font %s not found (install %s); %s taglines print in English",
                path,
                spec.package or "it",
                spec.script,
            )
            return ScriptFace(spec.script, None, needed or f"{spec.name} ({path.stem})")
    shaping = spec.script in SHAPED_SCRIPTS
    if shaping and ttfonts.uharfbuzz is None:
        logger.warning(
            "notices: uharfbuzz is not installed: %s taglines cannot be shaped, print in English",
            spec.script,
        )
        return missing
    # One ReportLab name per configuration: a test's other font never replaces this one.
    name = f"NoticeScript-{spec.script}-{hashlib.sha256(repr(spec).encode()).hexdigest()[:8]}"
    try:
        path = Path(spec.path)
        if _has_postscript_outlines(path, spec.index):
            text = _script_text(spec.script)
            data = _cached(
                cache_dir,
                [path, spec.index, text],
                lambda: truetype_cut(str(path), spec.index, text),
            )
        elif spec.latin:
            data = _cached(
                cache_dir,
                [path, spec.index, Path(spec.latin)],
                lambda: with_latin(str(path), spec.index, spec.latin),
            )
        else:
            data = b""
        if data:
            font = TTFont(name, io.BytesIO(data), shapable=shaping)
        else:
            font = TTFont(name, str(path), subfontIndex=spec.index, shapable=shaping)
        pdfmetrics.registerFont(font)
    except Exception:  # a broken or unconvertible font must not stop letters
        logger.warning(
            "notices: PDF font %s unusable; %s taglines print in English", spec.path, spec.script
        )
        return missing
    return ScriptFace(
        spec.script,
        name,
        spec.name,
        glyphs=frozenset(font.face.charToGlyph),
        shaping=shaping,
    )


def _cached(cache_dir: str, parts: list[object], make: Callable[[], bytes]) -> bytes:
    """Return a converted font from ``cache_dir``, or make it and keep it there.

    The key covers the converter's version, the inputs and each font file's size and time, so
    an upgraded font package or fontTools makes a new one. Any failure to keep it is harmless.
    """
    from fontTools import version

    key = [FONT_CUT_VERSION, version]
    for part in parts:
        if isinstance(part, Path):
            stat = part.stat()
            key += [str(part.resolve()), stat.st_size, stat.st_mtime_ns]
        else:
            key.append(part)
    digest = hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()[:32]
    target = Path(cache_dir, f"{digest}.ttf") if cache_dir else None
    if target is not None and target.is_file():
        kept = target.read_bytes()
        if kept[:4] == TRUETYPE:
            return kept
    data = make()
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(data)
            os.replace(partial, target)
        except OSError:
            logger.info(
                "notices: font cache %s not writable; fonts converted each process", cache_dir
            )
    return data


def _quiet_font_tools() -> None:
    # fontTools tells every table it subsets at INFO level.
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def with_latin(path: str, index: int, latin_path: str) -> bytes:
    """Return the font at ``path`` with the Latin-1 and punctuation of ``latin_path`` added
    where it has none (both TrueType, same units per em), as one TrueType font.

    HarfBuzz shapes a run in one font: Noto Sans Khmer has no digits nor Latin letters, so the
    phone number and "TTY" of the Khmer tagline come from Noto Sans inside the same font.
    """
    from fontTools import subset
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont as OpenTypeFont

    _quiet_font_tools()
    script = OpenTypeFont(path, fontNumber=index)
    own = set(script.getBestCmap())
    latin = OpenTypeFont(latin_path)
    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    wanted = (code for low, high in _KEPT_RANGES[:3] for code in range(low, high + 1))
    subsetter.populate(unicodes=[code for code in wanted if code not in own])
    subsetter.subset(latin)
    parts = []
    for font in (script, latin):
        buffer = io.BytesIO()
        font.save(buffer)
        buffer.seek(0)
        parts.append(buffer)
    merged = Merger().merge(parts)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def _has_postscript_outlines(path: Path, index: int) -> bool:
    """Say whether the font (or the ``index``-th font of a collection) has CFF outlines."""
    with path.open("rb") as handle:
        head = handle.read(12)
        if head[:4] == b"ttcf":
            handle.seek(12 + 4 * index)
            offset = int.from_bytes(handle.read(4), "big")
            handle.seek(offset)
            head = handle.read(4)
    return head[:4] == b"OTTO"


def truetype_cut(path: str, index: int, text: str) -> bytes:
    """Cut the glyphs of ``text`` out of an OpenType font with PostScript (CFF) outlines and
    return them as a TrueType font (quadratic outlines), which ReportLab can embed.

    ``index`` picks the font of a collection (``.ttc``): Noto Sans CJK holds JP, KR, SC, TC
    and HK, each with the glyph shapes of its region.
    """
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as OpenTypeFont
    from fontTools.ttLib import newTable

    _quiet_font_tools()
    font = OpenTypeFont(path, fontNumber=index, lazy=True)
    options = subset.Options()
    # ReportLab sets CJK without shaping: only the characters' own glyphs are drawn.
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "GSUB", "GPOS", "GDEF", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)

    glyph_set = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf: Any = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for glyph_name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF outlines run counter-clockwise, TrueType's clockwise; 1 unit of 1000 is invisible.
        glyph_set[glyph_name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[glyph_name] = pen.glyph()
    del font["CFF "]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    head: Any = font["head"]
    head.indexToLocFormat = 0
    head.glyphDataFormat = 0
    maxp: Any = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post: Any = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = TRUETYPE.decode("latin-1")
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


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
