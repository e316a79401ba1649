"""PDF output with ReportLab: the letter (platypus) and the member ID card (canvas).

Both take plain data (no models), so they can be tested and previewed without a database.
Body text is 11 pt, or 18 pt for a member whose standing request is large print.
"""

import io
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from notices import fonts
from notices.languages import Language

STANDARD_BODY_PT = 11.0
LARGE_PRINT_BODY_PT = 18.0
STANDARD_TAGLINE_PT = 8.5


@dataclass(frozen=True)
class Block:
    """One block of a letter body: ``h1``, ``h2``, ``p`` or ``li`` (ReportLab markup)."""

    tag: str
    markup: str
    text: str
    list_index: int = 0


@dataclass(frozen=True)
class Tagline:
    language: Language
    text: str
    phone: str


@dataclass(frozen=True)
class LetterContent:
    sender_name: str
    sender_address: list[str]
    letter_date: str
    recipient_name: str
    recipient_address: list[str]
    subject: str
    blocks: list[Block]
    closing: str
    taglines_heading: str
    taglines: list[Tagline]
    top_tagline: Tagline | None = None
    reference: str = ""
    page_label: str = "Page"
    large_print: bool = False
    title: str = ""


@dataclass(frozen=True)
class CardContent:
    """What the member ID card prints. Empty values print as the ``card_unknown`` label."""

    member_name: str
    member_id: str  # the plan's own member ID, never the MBI
    plan_name: str
    contract_id: str  # ``H1234-001``
    medi_cal_plan_name: str
    effective_date: str
    phone: str  # the one member services number; empty when no source confirms it
    tty: str = ""
    rx_bin: str = ""
    rx_pcn: str = ""
    rx_group: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    large_print: bool = False


@dataclass(frozen=True)
class LetterStyles:
    body: ParagraphStyle
    bullet: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    small: ParagraphStyle
    tagline: ParagraphStyle
    tagline_rtl: ParagraphStyle
    body_size: float


# --- Layout shared between letters ----------------------------------------------------------
#
# Most of a letter is the same in every letter of a run: the sender block, the taglines (13
# languages, Chinese, Korean and right-to-left among them) and, for a county's transition
# letters, the whole body. Line breaking those paragraphs was most of the PDF's time, so a
# paragraph with the same text and style is laid out once per process and width and reused
# (a bounded cache: memory stays flat). The PDF is the same, byte for byte.

SHARED_PARAGRAPHS_MAX = 2048
_sharing = {"on": True}
# Per thread: a paragraph being drawn holds its canvas, so two threads (a threaded development
# server rendering in process) must never draw the same one at once.
_local = threading.local()


def _shared_paragraphs() -> "OrderedDict[tuple[str, int], Paragraph]":
    cache = getattr(_local, "paragraphs", None)
    if cache is None:
        cache = _local.paragraphs = OrderedDict()
    return cache


class SharedParagraph(Paragraph):
    """A paragraph whose line breaking is kept per width, for the next letter that shows it."""

    _laid_out_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # ``split`` drops the lines when the paragraph must move on: lay it out again then.
        if self._laid_out_for == availWidth and hasattr(self, "blPara"):
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._laid_out_for = availWidth
        return size


@contextmanager
def layout_sharing(enabled: bool) -> Iterator[None]:
    """Turn the shared layout on or off within the block (tests compare both)."""
    previous = _sharing["on"]
    _sharing["on"] = enabled
    try:
        yield
    finally:
        _sharing["on"] = previous


def shared_paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of text common to many letters, laid out once (``Paragraph`` when off)."""
    if not _sharing["on"]:
        return Paragraph(markup, style)
    key = (markup, id(style))
    cache = _shared_paragraphs()
    found = cache.get(key)
    if found is not None and found.style is style:
        cache.move_to_end(key)
        # ReportLab marks a paragraph it moved to the next page and never clears the mark: a
        # mark left by an earlier letter would make this letter's layout fail.
        found.__dict__.pop("_postponed", None)
        return found
    made = SharedParagraph(markup, style)
    cache[key] = made
    if len(cache) > SHARED_PARAGRAPHS_MAX:
        cache.popitem(last=False)
    return made


@lru_cache(maxsize=32)
def _script_style(style: ParagraphStyle, code: str, face: fonts.ScriptFace) -> ParagraphStyle:
    """A tagline's style in its script's own font: CJK breaks between characters, shaped
    scripts are put together by HarfBuzz and get room for their stacked marks."""
    scripted = ParagraphStyle(f"Tagline-{code}", parent=style, fontName=face.font)
    if face.shaping:
        scripted.shaping = 1
        scripted.leading = style.fontSize * 1.75
    else:
        scripted.wordWrap = "CJK"
    return scripted


def _script_markup(text: str, face: fonts.ScriptFace, pdf_fonts: fonts.PdfFonts) -> str:
    """Escape ``text``; characters the script's font lacks (digits, Latin letters for a Khmer
    font) are set in the letter's own font."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        own = ord(ch) in face.glyphs or ch.isspace()
        if runs and runs[-1][0] == own:
            runs[-1] = (own, runs[-1][1] + ch)
        else:
            runs.append((own, ch))
    return "".join(
        _escape(run) if own else f'<font name="{pdf_fonts.regular}">{_escape(run)}</font>'
        for own, run in runs
    )


@lru_cache(maxsize=8)
def letter_styles(large_print: bool, pdf_fonts: fonts.PdfFonts) -> LetterStyles:
    """Return the paragraph styles of a letter (18 pt body text for large print); made once."""
    size = LARGE_PRINT_BODY_PT if large_print else STANDARD_BODY_PT
    tagline_size = size if large_print else STANDARD_TAGLINE_PT
    body = ParagraphStyle(
        "NoticeBody",
        fontName=pdf_fonts.regular,
        fontSize=size,
        leading=size * 1.3,
        spaceAfter=size * 0.6,
    )
    return LetterStyles(
        body=body,
        bullet=ParagraphStyle("NoticeBullet", parent=body, spaceAfter=size * 0.3),
        h1=ParagraphStyle(
            "NoticeH1",
            parent=body,
            fontName=pdf_fonts.bold,
            fontSize=size * 1.3,
            leading=size * 1.6,
            spaceBefore=size * 0.4,
            spaceAfter=size * 0.8,
        ),
        h2=ParagraphStyle(
            "NoticeH2",
            parent=body,
            fontName=pdf_fonts.bold,
            fontSize=size * 1.1,
            leading=size * 1.4,
            spaceBefore=size * 0.5,
            spaceAfter=size * 0.3,
        ),
        small=ParagraphStyle(
            "NoticeSmall",
            parent=body,
            fontSize=size if large_print else size * 0.9,
            leading=size * 1.15,
            spaceAfter=0,
        ),
        tagline=ParagraphStyle(
            "NoticeTagline",
            parent=body,
            fontSize=tagline_size,
            leading=tagline_size * 1.3,
            spaceAfter=tagline_size * 0.35,
        ),
        tagline_rtl=ParagraphStyle(
            "NoticeTaglineRTL",
            parent=body,
            fontSize=tagline_size,
            leading=tagline_size * 1.3,
            spaceAfter=0,
            alignment=TA_RIGHT,
        ),
        body_size=size,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tagline_flowables(
    tagline: Tagline,
    styles: LetterStyles,
    pdf_fonts: fonts.PdfFonts,
    width: float,
    needs: set[str] | None = None,
) -> list[Flowable]:
    """Return one tagline as flowables in its own script, or an English line if none can show it.

    ``needs`` collects the name of each missing font that made a line English.
    """
    language, text = tagline.language, tagline.text
    style = styles.tagline
    face = pdf_fonts.face(language.script)
    missing = pdf_fonts.needs
    if face is not None:
        if face.font is not None:
            # HarfBuzz shapes a run in one font: a shaped script's line is all in its font.
            others = "".join(ch for ch in text if ord(ch) not in face.glyphs)
            if face.covers(text) or (not face.shaping and pdf_fonts.covers(others)):
                markup = _script_markup(text, face, pdf_fonts)
                return [shared_paragraph(markup, _script_style(style, language.code, face))]
        missing = face.needs
    elif language.script == "arabic":
        if pdf_fonts.unicode and pdf_fonts.covers(fonts.arabic_shape(text)):
            lines = fonts.rtl_lines(text, pdf_fonts.regular, style.fontSize, width)
            flowables: list[Flowable] = [
                shared_paragraph(_escape(line), styles.tagline_rtl) for line in lines
            ]
            flowables.append(Spacer(1, style.spaceAfter))
            return flowables
    elif language.script not in fonts.SHAPED_SCRIPTS and pdf_fonts.covers(text):
        return [shared_paragraph(_escape(text), style)]
    if needs is not None and missing:
        needs.add(missing)
    fallback = (
        f"{language.english_name}: free language assistance is available. "
        f"Call {tagline.phone} (TTY: 711)."
    )
    return [shared_paragraph(_escape(pdf_fonts.safe(fallback)), style)]


def fonts_needed_line(needs: set[str]) -> str:
    """The letter's own word on the fonts it was printed without (English, like the lines)."""
    return (
        "Some lines above are in English because this letter was printed without the "
        f"font{'s' if len(needs) > 1 else ''} {', '.join(sorted(needs))}."
    )


def _block_flowables(
    blocks: list[Block], styles: LetterStyles, pdf_fonts: fonts.PdfFonts
) -> list[Flowable]:
    flowables: list[Flowable] = []
    items: list[Paragraph] = []
    current_list = -1

    def flush() -> None:
        nonlocal items
        if items:
            flowables.append(
                ListFlowable(
                    [ListItem(item, leftIndent=styles.body_size * 1.4) for item in items],
                    bulletType="bullet",
                    start="\u2022" if pdf_fonts.unicode else "-",
                    bulletFontName=pdf_fonts.regular,
                    bulletFontSize=styles.body_size,
                    leftIndent=styles.body_size * 1.4,
                    spaceAfter=styles.body_size * 0.5,
                )
            )
            items = []

    for block in blocks:
        markup = pdf_fonts.safe(block.markup)
        if block.tag == "li":
            if block.list_index != current_list:
                flush()
                current_list = block.list_index
            items.append(shared_paragraph(markup, styles.bullet))
            continue
        flush()
        if block.tag == "h1":
            flowables.append(shared_paragraph(markup, styles.h1))
        elif block.tag == "h2":
            flowables.append(shared_paragraph(markup, styles.h2))
        else:
            flowables.append(shared_paragraph(markup, styles.body))
    flush()
    return flowables


def letter_pdf(content: LetterContent, pdf_fonts: fonts.PdfFonts) -> bytes:
    """Lay out a letter: sender, date, recipient, subject, body, closing, taglines."""
    buffer = io.BytesIO()
    margin = 0.9 * inch
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=content.title or content.subject,
        author=content.sender_name,
        subject=content.reference,
    )
    styles = letter_styles(content.large_print, pdf_fonts)
    safe = pdf_fonts.safe
    story: list[Flowable] = []

    sender = [f"<b>{_escape(safe(content.sender_name))}</b>"]
    sender += [_escape(safe(line)) for line in content.sender_address]
    story.append(shared_paragraph("<br/>".join(sender), styles.small))
    story.append(Spacer(1, styles.body_size))

    needs: set[str] = set()
    if content.top_tagline is not None:
        boxed = tagline_flowables(content.top_tagline, styles, pdf_fonts, doc.width - 12, needs)
        box = Table([[boxed]], colWidths=[doc.width])
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        story += [box, Spacer(1, styles.body_size * 0.8)]

    story.append(Paragraph(_escape(safe(content.letter_date)), styles.body))
    address = [_escape(safe(content.recipient_name))]
    address += [_escape(safe(line)) for line in content.recipient_address]
    story.append(Paragraph("<br/>".join(address), styles.body))
    story.append(Spacer(1, styles.body_size * 0.6))

    story += _block_flowables(content.blocks, styles, pdf_fonts)

    closing = f"{_escape(safe(content.closing))}<br/><br/>{_escape(safe(content.sender_name))}"
    story.append(Spacer(1, styles.body_size * 0.4))
    story.append(shared_paragraph(closing, styles.body))
    story.append(Spacer(1, styles.body_size))

    taglines: list[Flowable] = [
        shared_paragraph(_escape(safe(content.taglines_heading)), styles.h2)
    ]
    for tagline in content.taglines:
        taglines += tagline_flowables(tagline, styles, pdf_fonts, doc.width, needs)
    if needs:
        taglines.append(shared_paragraph(_escape(fonts_needed_line(needs)), styles.small))
    story.append(KeepTogether(taglines))

    footer_size = LARGE_PRINT_BODY_PT if content.large_print else 9.0

    def footer(canvas: Canvas, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(pdf_fonts.regular, footer_size)
        text = f"{safe(content.page_label)} {document.page}"
        if content.reference:
            text = f"{content.reference}    {text}"
        canvas.drawRightString(LETTER[0] - margin, margin / 2, text)
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- The member ID card --------------------------------------------------------------------

CARD_WIDTH = 3.375 * inch  # ISO/IEC 7810 ID-1, the size of a credit card
CARD_HEIGHT = 2.125 * inch
LARGE_PRINT_CARD_SCALE = 3.0  # the smallest card text (6 pt) becomes 18 pt
# Both sides print on one sheet: US Letter, or 11 x 17 in for the large-print card.
CARD_SHEET = LETTER
LARGE_PRINT_CARD_SHEET = (11 * inch, 17 * inch)
CARD_FRONT_FORM = "MemberCardFront"
CARD_BACK_FORM = "MemberCardBack"


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """Shrink ``text`` to fit ``width`` (down to 60 %), then cut it with an ellipsis."""
    floor = size * 0.6
    while size > floor and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…" if text.endswith("…") else text[:-1] + "…"
    return text, size


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and pdfmetrics.stringWidth(trial, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def card_phone_text(card: CardContent) -> str:
    """The member services line: the number and its TTY, or a plain 'not yet set'."""
    labels = card.labels
    if not card.phone:
        return labels["card_phone_unknown"]
    return f"{card.phone}  TTY: {card.tty or '711'}"


def id_card_pdf(card: CardContent, pdf_fonts: fonts.PdfFonts) -> bytes:
    """Draw the one member ID card for Medicare and Medi-Cal: front and back on one sheet.

    Each side is a form XObject exactly the card's size (3.375 x 2.125 in), drawn with a dashed
    cut line around it. Large print draws the card three times the size on an 11 x 17 in
    sheet, so its smallest text is 18 pt. Unknown values print as "unknown", never a guess.
    """
    scale = LARGE_PRINT_CARD_SCALE if card.large_print else 1.0
    width, height = CARD_WIDTH * scale, CARD_HEIGHT * scale
    sheet = LARGE_PRINT_CARD_SHEET if card.large_print else CARD_SHEET
    labels = card.labels
    unknown = labels["card_unknown"]
    safe = pdf_fonts.safe
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=sheet)
    canvas.setTitle(safe(labels["card_title"]))
    pad = 8 * scale
    inner = width - 2 * pad

    def draw(text: str, x: float, y: float, font: str, size: float, max_width: float) -> None:
        fitted, fitted_size = _fit(safe(text), font, size * scale, max_width)
        canvas.setFont(font, fitted_size)
        canvas.drawString(x, y, fitted)

    def rows(items: list[tuple[str, str]], y: float, step: float, label_share: float) -> float:
        label_width = label_share * inner
        for label, value in items:
            draw(label, pad, y, pdf_fonts.regular, 6.5, label_width - 4 * scale)
            draw(value or unknown, pad + label_width, y, pdf_fonts.bold, 7.5, inner - label_width)
            y -= step * scale
        return y

    # Front: the plan, the member, the plan's member ID, the aligned Medi-Cal plan.
    canvas.beginForm(CARD_FRONT_FORM, lowerx=0, lowery=0, upperx=width, uppery=height)
    band = 30 * scale
    canvas.setFillColor(colors.HexColor("#0b4f8a"))
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    draw(card.plan_name, pad, height - 13 * scale, pdf_fonts.bold, 9.5, inner)
    draw(labels["card_program"], pad, height - 24 * scale, pdf_fonts.regular, 6.5, inner)
    canvas.setFillColor(colors.black)
    rows(
        [
            (labels["card_member"], card.member_name),
            (labels["card_member_id"], card.member_id),
            (labels["card_medi_cal"], card.medi_cal_plan_name),
            (labels["card_contract"], card.contract_id),
            (labels["card_effective"], card.effective_date),
        ],
        height - band - 14 * scale,
        12.5,
        0.38,
    )
    draw(labels["card_one_card"], pad, 6 * scale, pdf_fonts.regular, 6, inner)
    canvas.endForm()

    # Back: the one member services number with TTY, the pharmacy billing numbers.
    canvas.beginForm(CARD_BACK_FORM, lowerx=0, lowery=0, upperx=width, uppery=height)
    canvas.setFillColor(colors.black)
    y = height - 14 * scale
    draw(labels["card_phone"], pad, y, pdf_fonts.regular, 6.5, inner)
    y -= 10 * scale
    draw(card_phone_text(card), pad, y, pdf_fonts.bold, 8, inner)
    y -= 14 * scale
    draw(labels["card_pharmacy"], pad, y, pdf_fonts.regular, 6.5, inner)
    y -= 10 * scale
    y = rows(
        [("RxBIN", card.rx_bin), ("RxPCN", card.rx_pcn), ("RxGroup", card.rx_group)],
        y,
        9.5,
        0.3,
    )
    y -= 2 * scale
    for key in ("card_show", "card_keep"):
        for line in _wrap(safe(labels[key]), pdf_fonts.regular, 6 * scale, inner):
            canvas.setFont(pdf_fonts.regular, 6 * scale)
            canvas.drawString(pad, y, line)
            y -= 7.5 * scale
    canvas.endForm()

    # The sheet: a heading, the cutting instruction, then each side inside a dashed cut line.
    margin = 0.6 * inch
    text_size = 18.0 if card.large_print else 10.0
    x = (sheet[0] - width) / 2
    top = sheet[1] - margin
    canvas.setFont(pdf_fonts.bold, text_size * 1.2)
    canvas.drawString(margin, top - text_size, safe(labels["card_title"]))
    y = top - text_size * 2.6
    canvas.setFont(pdf_fonts.regular, text_size)
    for line in _wrap(
        safe(labels["card_cut"]), pdf_fonts.regular, text_size, sheet[0] - 2 * margin
    ):
        canvas.drawString(margin, y, line)
        y -= text_size * 1.3
    gap = text_size * 2.4
    for form, caption in ((CARD_FRONT_FORM, "card_front"), (CARD_BACK_FORM, "card_back")):
        y -= text_size * 0.8
        canvas.setFont(pdf_fonts.regular, text_size)
        canvas.drawString(x, y, safe(labels[caption]))
        y -= text_size * 0.6 + height
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(form)
        canvas.restoreState()
        canvas.saveState()
        canvas.setDash(4 * scale, 3 * scale)
        canvas.setLineWidth(0.75)
        canvas.setStrokeColor(colors.grey)
        canvas.rect(x, y, width, height, stroke=1, fill=0)
        canvas.restoreState()
        y -= gap
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
