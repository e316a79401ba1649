"""Reads for notices: a person's letters and the stored PDFs."""

from django.db.models import QuerySet

from notices.models import Notice


def notices_for_recipient(recipient_key: str) -> QuerySet[Notice]:
    """Return every notice for ``recipient_key`` (e.g. ``beneficiary:42``), newest first."""
    return Notice.objects.filter(recipient_key=recipient_key).order_by("-created_at", "-id")


def notice_get(*, notice_id: int) -> Notice | None:
    """Return one notice by id, or None."""
    return Notice.objects.filter(pk=notice_id).first()


def notice_pdf(notice: Notice) -> bytes | None:
    """Return the stored letter PDF, or None until the notice has been rendered."""
    if not notice.pdf:
        return None
    with notice.pdf.open("rb") as stored:
        return stored.read()


def notice_id_card_pdf(notice: Notice) -> bytes | None:
    """Return the stored member ID card PDF, or None when the notice has no card."""
    if not notice.id_card_pdf:
        return None
    with notice.id_card_pdf.open("rb") as stored:
        return stored.read()
