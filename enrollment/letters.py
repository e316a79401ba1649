"""Members' letters: who may read which notice, and the pages that show them.

A notice belongs to a person, and to the organization whose event sent it, through its
``eligibility.BeneficiaryLetter`` row. ``enrollment.access.letter_scope`` decides who may read
it: the member, that organization's staff (program letters: any staff), admins; anyone else is
told it does not exist (404). Members see their own letters at ``/me/letters/``; staff see a
member's letters, with delivery details, at ``/staff/beneficiaries/<id>/letters/``, open each
one's PDF (and ID card) from there, and may send one again
(``enrollment.services.letter_resend``, which records who asked). Every staff and admin read
is audited by the selectors here. The notice's ``recipient`` and ``context`` are
PHI: no page or log shows them raw.

The reads come first (the API uses them too), then the pages.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.models import User
from eligibility.models import Beneficiary
from eligibility.selectors import california_today
from enrollment import access
from enrollment.models import Enrollment, EnrollmentKind
from enrollment.selectors import beneficiary_applications, beneficiary_get, member_record
from enrollment.services import letter_resend
from notices.kinds import CARD_KINDS
from notices.models import Notice, NoticeChannel, NoticeKind, NoticeStatus
from notices.rendering import letter_date_of
from notices.selectors import notice_id_card_pdf, notice_pdf
from notices.services import RESENDABLE_STATUSES

# The keys enrollment events give the letters that carry an ID card (enrollment.notifications).
_CARD_KEY = re.compile(
    r"(?:enrollment-confirmed|plan-switch-confirmed):([0-9]+)|id-card:([0-9]+):.*"
)

# Statuses whose rendering is still to come: a missing PDF is "not yet", not "never".
NOT_RENDERED_YET = frozenset({NoticeStatus.QUEUED, NoticeStatus.SENDING})

# ---------------------------------------------------------------------------------------------
# Reads (the API uses them too)


def _letters(actor: User, beneficiary: Beneficiary) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(beneficiary_letter__beneficiary=beneficiary)
        .filter(access.letter_scope(actor))
        .select_related("requested_by", "beneficiary_letter__organization")
    )


def beneficiary_letters(*, actor: User, beneficiary_id: int) -> tuple[Beneficiary, list[Notice]]:
    """A person's letters the actor may see, newest first (audited for staff and admins).

    Staff see the letters their organization's events sent and the program's own letters.
    """
    beneficiary = beneficiary_get(actor=actor, beneficiary_id=beneficiary_id, audit_as=None)
    notices = list(_letters(actor, beneficiary))
    access.audit_read(actor, "beneficiary_notices", beneficiary.pk, ids=[n.pk for n in notices])
    return beneficiary, notices


def staff_beneficiary_letters(
    *, actor: User, beneficiary_id: int
) -> tuple[Beneficiary, list[Notice]]:
    """The staff letters page's reads: staff and admins only (members have ``/me/letters/``)."""
    access.require_staff(actor)
    return beneficiary_letters(actor=actor, beneficiary_id=beneficiary_id)


def letter_get(
    *, actor: User, notice_id: int, document: str = "letter", beneficiary_id: int | None = None
) -> Notice:
    """One letter the actor may see (audited for staff and admins), else ``NotFound``.

    With ``beneficiary_id``, only a letter to that person (a page about them opens no other).
    """
    notices = Notice.objects.filter(access.letter_scope(actor)).filter(pk=notice_id)
    if beneficiary_id is not None:
        notices = notices.filter(beneficiary_letter__beneficiary_id=beneficiary_id)
    notice = notices.select_related("beneficiary_letter__organization", "requested_by").first()
    if notice is None:
        raise NotFound("No such notice.")
    access.audit_read(actor, "notice", notice.pk, document=document)
    return notice


def staff_letter_get(
    *, actor: User, beneficiary_id: int, notice_id: int, document: str = "pdf"
) -> Notice:
    """One of the member's letters for the staff letters page: staff and admins only, the
    letter access rule of ``letter_get`` (their organization's letters and the program's),
    and the read audited; another member's letter, or another organization's, is not found."""
    access.require_staff(actor)
    return letter_get(
        actor=actor, notice_id=notice_id, document=document, beneficiary_id=beneficiary_id
    )


def member_notices(beneficiary: Beneficiary) -> QuerySet[Notice]:
    """Return the letters a member sees: all but those cancelled before they were sent, and
    the copies sent to their authorized representatives (the same letters, addressed to them)."""
    return (
        Notice.objects.filter(beneficiary_letter__beneficiary=beneficiary)
        .exclude(status=NoticeStatus.CANCELLED)
        .filter(representative_letter__isnull=True)
        .select_related("requested_by", "resend_of")
    )


def member_letter_get(*, actor: User, notice_id: int) -> Notice:
    """One of the member's own letters; anyone else's, or a cancelled one, is not found."""
    beneficiary = member_record(actor=actor)
    notice = (
        member_notices(beneficiary).filter(pk=notice_id).first()
        if beneficiary is not None
        else None
    )
    if notice is None:
        raise NotFound("No such letter.")
    return notice


def letter_organization_code(notice: Notice) -> str | None:
    """The code of the organization whose event sent the letter; None for program letters."""
    letter = getattr(notice, "beneficiary_letter", None)
    organization = letter.organization if letter is not None else None
    return organization.code if organization is not None else None


def _card_enrollment_id(notice: Notice, by_id: dict[int, Notice]) -> int | None:
    """Return the enrollment a card is for, following resends back to the original letter."""
    seen: set[int] = set()
    current: Notice | None = notice
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        match = _CARD_KEY.fullmatch(current.idempotency_key)
        if match:
            return int(match.group(1) or match.group(2))
        current = by_id.get(current.resend_of_id) if current.resend_of_id else None
    return None


@dataclass(frozen=True)
class IdCard:
    """The newest stored ID card for one open Medi-Medi enrollment."""

    notice_id: int
    plan_name: str
    start_date: date


def member_id_cards(beneficiary: Beneficiary, *, today: date | None = None) -> list[IdCard]:
    """Return the ID card of each current or coming Medi-Medi enrollment that has one.

    A card belongs to the enrollment its confirmation (or a resend of it) was written for, so a
    member who switched plans is never offered the old plan's card for the new one.
    """
    today = today or california_today()
    enrollments = list(
        Enrollment.objects.filter(
            beneficiary=beneficiary, kind=EnrollmentKind.MEDI_MEDI, cancelled=False
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("medi_medi_plan")
        .order_by("start_date", "pk")
    )
    if not enrollments:
        return []
    notices = list(member_notices(beneficiary))
    by_id = {notice.pk: notice for notice in notices}
    newest_card: dict[int, Notice] = {}
    for notice in notices:  # newest first: the first card found for an enrollment wins
        if notice.id_card_pdf:
            enrollment_id = _card_enrollment_id(notice, by_id)
            if enrollment_id is not None:
                newest_card.setdefault(enrollment_id, notice)
    return [
        IdCard(
            notice_id=newest_card[enrollment.pk].pk,
            plan_name=enrollment.medi_medi_plan.name if enrollment.medi_medi_plan else "",
            start_date=enrollment.start_date,
        )
        for enrollment in enrollments
        if enrollment.pk in newest_card
    ]


# ---------------------------------------------------------------------------------------------
# Shared page helpers


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """Answer a stored PDF as a download that no shared cache keeps (it holds PHI)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# Member-facing words, in the page's language; a letter's title is in the letter's own
# language when the portal speaks it (English, Spanish), else in the page's (docs/i18n.md).
MEMBER_KIND_WORDS: dict[str, Any] = {
    NoticeKind.APPLICATION_RECEIVED: _("We received your application"),
    NoticeKind.INFO_REQUESTED: _("We need more information"),
    NoticeKind.ENROLLMENT_CONFIRMATION: _("Your enrollment is confirmed"),
    NoticeKind.DENIAL: _("Decision on your application"),
    NoticeKind.DISENROLLMENT_CONFIRMATION: _("You are leaving your plan"),
    NoticeKind.PLAN_SWITCH_CONFIRMATION: _("Your plan change is confirmed"),
    NoticeKind.COUNTY_TRANSITION_60: _("Medi-Medi Plans are coming to your county"),
    NoticeKind.COUNTY_TRANSITION_30: _("Medi-Medi Plans are coming to your county soon"),
    NoticeKind.PLAN_TRANSFER_60: _("Your plan is moving you to another plan"),
    NoticeKind.PLAN_TRANSFER_30: _("Your plan is moving you to another plan soon"),
    NoticeKind.ID_CARD: _("Your member ID card"),
    NoticeKind.DEEMING_PERIOD: _("Your Medi-Cal ended: you keep your plan for now"),
    NoticeKind.INVOLUNTARY_DISENROLLMENT: _("You can no longer stay in your plan"),
    NoticeKind.MEDICARE_REJECTION: _("Medicare did not accept a request"),
    NoticeKind.APPEAL_ACKNOWLEDGMENT: _("We received your grievance or appeal"),
    NoticeKind.APPEAL_RESOLUTION: _("Decision on your grievance or appeal"),
    NoticeKind.CARE_PLAN: _("Your care plan"),
    NoticeKind.CONTINUITY_ENDING: _("Your continuity of care is ending"),
    NoticeKind.APPEAL_EXTENSION: _("We need more time for your grievance or appeal"),
    NoticeKind.APPEAL_EXPEDITE_DENIED: _("Your grievance or appeal will not be expedited"),
}


def _member_status_words(notice: Notice) -> str:
    if notice.status == NoticeStatus.SENT:
        email = notice.channel == NoticeChannel.EMAIL
        if notice.sent_at is None:
            return gettext("Sent by email") if email else gettext("Sent to be mailed")
        words = {"date": formats.date_format(timezone.localdate(notice.sent_at), "DATE_FORMAT")}
        return (
            gettext("Sent by email on %(date)s")
            if email
            else gettext("Sent to be mailed on %(date)s")
        ) % words
    if notice.status == NoticeStatus.FAILED:
        return gettext("We could not deliver it")
    return gettext("Being prepared")


def _title_language(notice: Notice) -> str:
    """The letter's language when the portal speaks it, else "" (the page's language)."""
    code = (notice.language or "").split("-")[0].lower()
    return code if code in {language for language, _name in settings.LANGUAGES} else ""


def _letter_title(notice: Notice) -> str:
    words = MEMBER_KIND_WORDS.get(notice.kind)
    if words is None:
        return notice.get_kind_display()
    language = _title_language(notice)
    if not language:
        return str(words)
    with translation.override(language):
        return str(words)


@dataclass(frozen=True)
class MemberLetter:
    notice: Notice
    title: str
    title_language: str  # the language code of ``title`` when not the page's own, else ""
    letter_date: date
    status: str
    readable: bool
    has_pdf: bool
    has_card: bool
    # A letter sent again is a copy: the date of the letter it copies, so the member does not
    # take it for a second, different letter.
    copy_of: date | None = None


def _member_letter(notice: Notice) -> MemberLetter:
    return MemberLetter(
        notice=notice,
        title=_letter_title(notice),
        title_language=_title_language(notice),
        letter_date=letter_date_of(notice),
        status=_member_status_words(notice),
        readable=bool(notice.html),
        has_pdf=bool(notice.pdf),
        has_card=bool(notice.id_card_pdf),
        copy_of=letter_date_of(notice.resend_of) if notice.resend_of is not None else None,
    )


# ---------------------------------------------------------------------------------------------
# Members


@login_required
@require_GET
def member_letters(request: HttpRequest) -> HttpResponse:
    """List the member's letters, newest first, with links to read and download each."""
    beneficiary = member_record(actor=_user(request))
    if beneficiary is None:
        return redirect("member-link")
    letters = [_member_letter(notice) for notice in member_notices(beneficiary)]
    return render(request, "enrollment/letters.html", {"letters": letters})


@login_required
@require_GET
def member_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one letter as it was written, inside the site layout."""
    letter = _member_letter(member_letter_get(actor=_user(request), notice_id=pk))
    response = render(request, "enrollment/letters_read.html", {"letter": letter})
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def member_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the letter's PDF; 404 until it is written."""
    notice = member_letter_get(actor=_user(request), notice_id=pk)
    content = notice_pdf(notice)
    if content is None:
        raise NotFound("This letter is not ready yet.")
    return pdf_response(content, filename=f"letter-{notice.pk}.pdf")


@login_required
@require_GET
def member_letter_id_card(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the member ID card that came with the letter; 404 when it has none."""
    notice = member_letter_get(actor=_user(request), notice_id=pk)
    content = notice_id_card_pdf(notice)
    if content is None:
        raise NotFound("This letter has no ID card.")
    return pdf_response(content, filename=f"id-card-{notice.pk}.pdf")


# ---------------------------------------------------------------------------------------------
# Staff


class ResendForm(forms.Form):
    """Send a letter again; ``id_card_only`` sends only the member ID card it carried."""

    id_card_only = forms.BooleanField(required=False)


@dataclass(frozen=True)
class StaffLetter:
    notice: Notice
    resendable: bool
    card_resendable: bool


def staff_letter_rows(notices: list[Notice]) -> list[StaffLetter]:
    return [
        StaffLetter(
            notice=notice,
            resendable=notice.status in RESENDABLE_STATUSES,
            card_resendable=notice.status in RESENDABLE_STATUSES
            and notice.kind in CARD_KINDS
            and bool(notice.id_card_pdf),
        )
        for notice in notices
    ]


@login_required
@require_GET
def staff_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """Show staff a member's letters with delivery status (the selector audits the read)."""
    user = _user(request)
    beneficiary, notices = staff_beneficiary_letters(actor=user, beneficiary_id=pk)
    return render(
        request,
        "enrollment/staff/letters.html",
        {
            "beneficiary": beneficiary,
            "rows": staff_letter_rows(notices),
            "applications": beneficiary_applications(actor=user, beneficiary=beneficiary),
        },
    )


@login_required
@require_GET
def staff_letter_pdf(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """Staff download one of the member's letters as it was sent (the selector audits it)."""
    notice = staff_letter_get(actor=_user(request), beneficiary_id=pk, notice_id=notice_pk)
    content = notice_pdf(notice)
    if content is None:
        raise NotFound("This letter has no PDF yet.")
    return pdf_response(content, filename=f"letter-{notice.pk}.pdf")


@login_required
@require_GET
def staff_letter_id_card(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """Staff download the member ID card a letter carried (the selector audits it)."""
    notice = staff_letter_get(
        actor=_user(request), beneficiary_id=pk, notice_id=notice_pk, document="id_card"
    )
    content = notice_id_card_pdf(notice)
    if content is None:
        raise NotFound("This letter has no ID card.")
    return pdf_response(content, filename=f"id-card-{notice.pk}.pdf")


@login_required
@require_POST
def staff_letter_resend(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """Send one of the member's letters again (or only its ID card) as a new notice."""
    form = ResendForm(request.POST)
    id_card_only = form.is_valid() and form.cleaned_data["id_card_only"]
    try:
        resent = letter_resend(
            actor=_user(request),
            notice_id=notice_pk,
            id_card_only=id_card_only,
            beneficiary_id=pk,
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, f"Letter {notice_pk} cannot be sent again: {exc.message}")
    else:
        what = "The ID card" if id_card_only else "The letter"
        messages.success(
            request, f"{what} from letter {notice_pk} is being sent again as letter {resent.pk}."
        )
    return redirect("staff-beneficiary-letters", pk=pk)
