"""Channels (email, print) and how a delivery error is judged: transient or permanent."""

import smtplib

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist, TemplateSyntaxError

from notices.kinds import InvalidNotice
from notices.languages import labels
from notices.models import Notice, NoticeChannel
from notices.rendering import RenderedNotice


class TransientDeliveryError(Exception):
    """Delivery may work later (mail server down, timeout): retry with backoff."""


class PermanentDeliveryError(Exception):
    """Delivery can never work as the notice stands (no address, no template): fail at once."""


_TRANSIENT = (
    TransientDeliveryError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
    SoftTimeLimitExceeded,
)
_PERMANENT = (PermanentDeliveryError, TemplateDoesNotExist, TemplateSyntaxError, InvalidNotice)


def error_is_permanent(exc: BaseException) -> bool:
    """Say whether retrying cannot help; unknown errors count as transient (retried, then failed).

    SMTP replies in the 5xx range about the recipient or the message are permanent; 4xx
    replies, lost connections, timeouts and authentication or sender problems (which an
    operator can fix) are transient.
    """
    if isinstance(exc, _PERMANENT):
        return True
    if isinstance(exc, _TRANSIENT):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(int(code) >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return int(exc.smtp_code) >= 500
    return False


def error_summary(exc: BaseException) -> str:
    """Describe an error for the notice row (stored with the PHI, never logged)."""
    return f"{type(exc).__name__}: {exc}"[:2000]


def recipient_email(notice: Notice) -> str:
    """Return the email address of the notice's recipient, or raise a permanent error."""
    email = str(notice.recipient.get("email") or "").strip()
    if not email or "@" not in email:
        raise PermanentDeliveryError("the recipient has no email address")
    return email


def recipient_has_mailing_address(notice: Notice) -> None:
    """Raise a permanent error unless the recipient has a name and a mailing address."""
    address = notice.recipient.get("address") or []
    lines = address.splitlines() if isinstance(address, str) else list(address)
    if not str(notice.recipient.get("name") or "").strip() or not any(
        str(line).strip() for line in lines
    ):
        raise PermanentDeliveryError("the recipient has no mailing address")


def email_send(
    notice: Notice, rendered: RenderedNotice, pdf: bytes, id_card_pdf: bytes | None
) -> None:
    """Send the letter by email: text and HTML bodies, the letter PDF and any ID card PDF."""
    words = labels(rendered.language)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        to=[recipient_email(notice)],
        headers={"X-Notice-Id": str(notice.pk)},
    )
    message.attach_alternative(rendered.email_html, "text/html")
    message.attach(f"{words['letter_attachment']}-{notice.pk}.pdf", pdf, "application/pdf")
    if id_card_pdf:
        message.attach(
            f"{words['card_attachment']}-{notice.pk}.pdf", id_card_pdf, "application/pdf"
        )
    if message.send(fail_silently=False) != 1:
        raise TransientDeliveryError("the email backend accepted no message")


def channel_deliver(
    notice: Notice, rendered: RenderedNotice, pdf: bytes, id_card_pdf: bytes | None
) -> None:
    """Deliver through the notice's channel. Print: the stored PDF waits for the next batch."""
    if notice.channel == NoticeChannel.EMAIL:
        email_send(notice, rendered, pdf, id_card_pdf)
    elif notice.channel == NoticeChannel.PRINT:
        recipient_has_mailing_address(notice)
    else:
        raise PermanentDeliveryError(f"unknown channel {notice.channel!r}")
