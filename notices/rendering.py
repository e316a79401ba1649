"""Render a notice: subject, HTML (letters page and email), plain text, letter PDF, ID card PDF.

Each kind has a template per letter language, ``notices/<lang>/<kind>.html``: an HTML fragment
whose ``<h1>`` is the subject. English and Spanish are complete; any other language gets the
English letter with a tagline in that language at the top. Every letter ends with the taglines
block. The same fragment feeds the HTML and the PDF, so both say the same thing.
"""

import datetime
import json
import re
import threading
import zoneinfo
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from notices import fonts
from notices.conf import notice_settings
from notices.kinds import CARD_KINDS, context_check
from notices.languages import (
    BY_CODE,
    LANGUAGES,
    TRANSLATED,
    Language,
    date_long,
    labels,
    language_normalize,
    letter_language,
    reason_text,
)
from notices.models import Notice, NoticeFormat, NoticeKind
from notices.pdf import (
    Block,
    CardContent,
    LetterContent,
    Tagline,
    id_card_pdf,
    layout_sharing,
    letter_pdf,
)

DEFAULT_APPEAL_DAYS = 60


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    html: str  # the letter as an HTML fragment, for the member's letters page
    email_html: str  # the same letter as a whole HTML document
    text: str
    pdf: bytes
    id_card_pdf: bytes | None
    language: str  # the language the body is written in
    large_print: bool


def mbi_mask(mbi: str) -> str:
    """Mask an MBI except its last four characters: ``1EG4-TE5-MK73`` -> ``*******MK73``."""
    value = re.sub(r"[\s-]", "", mbi or "").upper()
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


class _BodyParser(HTMLParser):
    """Turn a letter fragment (h1, h2, p, ul/ol, li, strong, em, br) into blocks."""

    BLOCKS = frozenset({"h1", "h2", "h3", "p", "li"})
    INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._tag: str | None = None
        self._markup: list[str] = []
        self._text: list[str] = []
        self._list_index = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"ul", "ol"}:
            self._list_index += 1
        elif tag in self.BLOCKS:
            self._flush()
            self._tag = "h2" if tag == "h3" else tag
        elif tag in self.INLINE and self._tag:
            self._markup.append(f"<{self.INLINE[tag]}>")
        elif tag == "br" and self._tag:
            self._markup.append("<br/>")
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._flush()
        elif tag in self.INLINE and self._tag:
            self._markup.append(f"</{self.INLINE[tag]}>")

    def handle_data(self, data: str) -> None:
        if self._tag is None:
            return
        text = re.sub(r"\s+", " ", data)
        self._markup.append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        self._text.append(text)

    def _flush(self) -> None:
        if self._tag is not None:
            text = re.sub(r"[ \t]+", " ", "".join(self._text)).strip()
            text = re.sub(r" ?\n ?", "\n", text)
            markup = "".join(self._markup).strip()
            if text:
                self.blocks.append(
                    Block(self._tag, markup, text, self._list_index if self._tag == "li" else 0)
                )
        self._tag = None
        self._markup = []
        self._text = []


def body_blocks(fragment: str) -> list[Block]:
    """Parse a rendered letter body into blocks (the first ``h1`` is the subject)."""
    parser = _BodyParser()
    parser.feed(fragment)
    parser.close()
    parser._flush()
    return parser.blocks


def _text_version(
    blocks: list[Block],
    *,
    top_tagline: Tagline | None,
    letter_date: str,
    closing: str,
    sender: str,
    sender_block: list[str],
    heading: str,
    taglines: list[Tagline],
) -> str:
    lines: list[str] = []
    if top_tagline is not None:
        lines += [top_tagline.text, ""]
    lines += [*sender_block, "", letter_date, ""]
    for block in blocks:
        if block.tag == "h1":
            lines += [block.text, "=" * len(block.text), ""]
        elif block.tag == "h2":
            lines += [block.text, "-" * len(block.text)]
        elif block.tag == "li":
            lines.append(f"  * {block.text}")
        else:
            if lines and lines[-1].startswith("  * "):
                lines.append("")
            lines += [block.text, ""]
    lines += ["", closing, sender, "", heading, ""]
    lines += [tagline.text for tagline in taglines]
    return "\n".join(lines).strip() + "\n"


def _template_context(
    kind: str,
    body_language: str,
    recipient: dict[str, Any],
    context: dict[str, Any],
    phone: str,
    has_card: bool,
) -> dict[str, Any]:
    values: dict[str, Any] = dict(context)
    values.update(
        recipient={"name": recipient.get("name", "")},
        phone=phone,
        kind=kind,
        has_id_card=has_card,
        appeal_days=context.get("appeal_days") or DEFAULT_APPEAL_DAYS,
    )
    if kind == NoticeKind.DENIAL:
        values["reasons"] = [
            {
                "code": reason.get("code", ""),
                "text": reason_text(
                    str(reason.get("code", "")), str(reason.get("message", "")), body_language
                ),
            }
            for reason in context.get("reasons", [])
        ]
    return values


# --- What many letters share -----------------------------------------------------------------
#
# A county's transition letters (and many others) have the same body for everyone with the same
# language and context: only the name, address, date and reference differ. The body is rendered
# once per process for such a context and its blocks parsed once (bounded caches). Whether a
# kind's body uses the recipient's name is not assumed: the first rendering is made with two
# different stand-in names, and only a body that comes out the same for both is shared.

BODY_CACHE_MAX = 256
_NAME_PROBES = ("#4906#", "#7315#")
_sharing = {"on": True}
_local = threading.local()


def _bodies() -> "OrderedDict[str, str | None]":
    cache = getattr(_local, "bodies", None)
    if cache is None:
        cache = _local.bodies = OrderedDict()
    return cache


@contextmanager
def shared_rendering(enabled: bool) -> Iterator[None]:
    """Turn the shared body and PDF layout on or off within the block (tests compare both)."""
    previous = _sharing["on"]
    _sharing["on"] = enabled
    try:
        with layout_sharing(enabled):
            yield
    finally:
        _sharing["on"] = previous


def _body_template(kind: str, body_language: str, values: dict[str, Any]) -> str:
    with translation.override(body_language):
        return render_to_string(f"notices/{body_language}/{kind}.html", values)


def _body_render(kind: str, body_language: str, values: dict[str, Any]) -> str:
    """The letter's body: rendered once per shared context, or for this recipient alone."""
    if not _sharing["on"]:
        return _body_template(kind, body_language, values)
    shared = {key: value for key, value in values.items() if key != "recipient"}
    key = json.dumps([kind, body_language, shared], sort_keys=True, default=str)
    bodies = _bodies()
    if key not in bodies:
        probes = [
            _body_template(kind, body_language, {**values, "recipient": {"name": name}})
            for name in _NAME_PROBES
        ]
        bodies[key] = probes[0] if probes[0] == probes[1] else None
        if len(bodies) > BODY_CACHE_MAX:
            bodies.popitem(last=False)
    else:
        bodies.move_to_end(key)
    body = bodies[key]
    return body if body is not None else _body_template(kind, body_language, values)


@lru_cache(maxsize=BODY_CACHE_MAX)
def _blocks_parsed(body: str) -> tuple[Block, ...]:
    return tuple(body_blocks(body))


def _blocks_of(body: str) -> list[Block]:
    if not _sharing["on"]:
        return body_blocks(body)
    return list(_blocks_parsed(body))


def _address_lines(recipient: dict[str, Any]) -> list[str]:
    address = recipient.get("address") or []
    if isinstance(address, str):
        return [line.strip() for line in address.splitlines() if line.strip()]
    return [str(line) for line in address if str(line).strip()]


def render_letter(
    *,
    kind: str,
    language: str,
    recipient: dict[str, Any],
    context: dict[str, Any],
    letter_date: datetime.date,
    large_print: bool = False,
    reference: str = "",
) -> RenderedNotice:
    """Render one letter from its parts; raise ``TemplateDoesNotExist`` for a missing kind."""
    context_check(kind, context)
    conf = notice_settings()
    member_language = language_normalize(language)
    body_language = letter_language(member_language)
    words = labels(body_language)
    # The one member services number: the plan's, else the program's; never a placeholder.
    number = str(context.get("plan_phone") or "").strip() or conf.program_phone
    phone = number or words["phone_unknown"]
    has_card = kind in CARD_KINDS and bool(context.get("mbi") or context.get("member_id"))

    body = _body_render(
        kind,
        body_language,
        {
            **_template_context(kind, body_language, recipient, context, phone, has_card),
            "phone_known": bool(number),
        },
    )
    # A representative's copy says so first, and its card stays the member's.
    copy_of = (
        str(context.get("copy_of_recipient") or "")
        if context.get("copy_for_representative")
        else ""
    )
    if copy_of:
        body = (
            f'<p class="notice__copy"><strong>'
            f"{escape(words['copy_notice'].format(name=copy_of))}</strong></p>\n{body}"
        )
    blocks = _blocks_of(body)
    subject = next((block.text for block in blocks if block.tag == "h1"), kind)
    if copy_of:
        subject = words["copy_subject"].format(name=copy_of, subject=subject)

    def tagline_for(lang: Language) -> Tagline:
        return Tagline(lang, lang.tagline.format(phone=phone), phone)

    top = BY_CODE.get(member_language)
    top_tagline = tagline_for(top) if top and member_language not in TRANSLATED else None
    taglines = [tagline_for(lang) for lang in LANGUAGES]
    date_text = date_long(letter_date, body_language)
    recipient_name = str(recipient.get("name", ""))
    address = _address_lines(recipient)

    fragment = render_to_string(
        "notices/letter.html",
        {
            "kind": kind,
            "large_print": large_print,
            "body_language": body_language,
            "sender_name": conf.sender_name,
            "sender_address": conf.sender_address,
            "top_tagline": _tagline_view(top_tagline) if top_tagline else None,
            "letter_date": date_text,
            "recipient_name": recipient_name,
            "address_lines": address,
            "body": body.strip(),
            "labels": words,
            "taglines": [_tagline_view(tagline) for tagline in taglines],
        },
    )
    email_html = render_to_string(
        "notices/email.html",
        {
            "subject": subject,
            "letter": fragment,
            "body_language": body_language,
            "large_print": large_print,
        },
    )
    text = _text_version(
        blocks,
        top_tagline=top_tagline,
        letter_date=date_text,
        closing=words["closing"],
        sender=conf.sender_name,
        sender_block=[conf.sender_name, *conf.sender_address],
        heading=words["taglines_heading"],
        taglines=taglines,
    )
    pdf_fonts = fonts.pdf_fonts(
        conf.pdf_font, conf.pdf_font_bold, conf.pdf_script_fonts, conf.pdf_font_cache
    )
    pdf = letter_pdf(
        LetterContent(
            sender_name=conf.sender_name,
            sender_address=conf.sender_address,
            letter_date=date_text,
            recipient_name=recipient_name,
            recipient_address=address,
            subject=subject,
            blocks=blocks,
            closing=words["closing"],
            taglines_heading=words["taglines_heading"],
            taglines=taglines,
            top_tagline=top_tagline,
            reference=reference,
            page_label=words["page"],
            large_print=large_print,
        ),
        pdf_fonts,
    )
    card = None
    if has_card:
        card = id_card_pdf(
            _card_content(
                kind, copy_of or recipient_name, context, number, body_language, large_print
            ),
            pdf_fonts,
        )
    return RenderedNotice(
        subject=subject,
        html=fragment.strip(),
        email_html=email_html,
        text=text,
        pdf=pdf,
        id_card_pdf=card,
        language=body_language,
        large_print=large_print,
    )


def _tagline_view(tagline: Tagline) -> dict[str, str]:
    return {
        "code": tagline.language.code,
        "dir": "rtl" if tagline.language.rtl else "ltr",
        "text": tagline.text,
    }


def _card_content(
    kind: str,
    member_name: str,
    context: dict[str, Any],
    phone: str,
    body_language: str,
    large_print: bool,
) -> CardContent:
    switch = kind == NoticeKind.PLAN_SWITCH_CONFIRMATION
    effective = context.get("new_plan_start_date" if switch else "effective_date") or ""
    return CardContent(
        member_name=member_name,
        member_id=str(context.get("member_id") or ""),
        plan_name=str(context.get("new_plan_name" if switch else "plan_name", "")),
        contract_id=str(context.get("contract_id") or ""),
        medi_cal_plan_name=str(
            context.get("new_medi_cal_plan_name" if switch else "medi_cal_plan_name") or ""
        ),
        effective_date=date_long(datetime.date.fromisoformat(str(effective)[:10]), body_language)
        if effective
        else "",
        phone=phone,
        tty=str(context.get("plan_tty") or ""),
        rx_bin=str(context.get("rx_bin") or ""),
        rx_pcn=str(context.get("rx_pcn") or ""),
        rx_group=str(context.get("rx_group") or ""),
        labels=labels(body_language),
        large_print=large_print,
    )


def letter_date_of(notice: Notice) -> datetime.date:
    """Date a letter by the day it is scheduled for, or was written, in California."""
    moment = notice.scheduled_for or notice.created_at
    zone = zoneinfo.ZoneInfo(getattr(settings, "PROGRAM_TIME_ZONE", "America/Los_Angeles"))
    return moment.astimezone(zone).date()


def notice_render(notice: Notice) -> RenderedNotice:
    """Render a stored notice from its snapshot and context."""
    return render_letter(
        kind=notice.kind,
        language=notice.language,
        recipient=notice.recipient,
        context=notice.context,
        letter_date=letter_date_of(notice),
        large_print=notice.format == NoticeFormat.LARGE_PRINT,
        reference=f"Ref. N-{notice.pk}",
    )
