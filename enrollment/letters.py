"""Members' letters: who may read which notice, and the pages that show them.

A notice belongs to a person through its ``recipient_key`` (``beneficiary:<id>``). Whoever may
see that beneficiary (``beneficiaries_visible_to``) may read the notice; anyone else is told it
does not exist (404). Members see their own letters at ``/me/letters/``; staff see a member's
letters, with delivery details, at ``/staff/beneficiaries/<id>/letters/`` and may send one
again (``notices.services.notice_resend``, which records who asked). Every staff read is
audited. The notice's ``recipient`` and ``context`` are PHI: no page or log shows them raw.

The reads come first (the API uses them too), then the pages.
"""

import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary
from eligibility.notifications import recipient_key
from eligibility.selectors import california_today
from enrollment.models import Enrollment, EnrollmentKind
from enrollment.selectors import applications_visible_to, beneficiaries_visible_to
from enrollment.services import RESENDABLE_STATUSES, letter_resend
from notices.kinds import CARD_KINDS
from notices.models import Notice, NoticeChannel, NoticeKind, NoticeStatus
from notices.rendering import letter_date_of
from notices.selectors import notice_get, notice_id_card_pdf, notice_pdf, notices_for_recipient

_BENEFICIARY_KEY = re.compile(r"beneficiary:([0-9]+)")
# The keys enrollment events give the letters that carry an ID card (enrollment.notifications).
_CARD_KEY = re.compile(
    r"(?:enrollment-confirmed|plan-switch-confirmed):([0-9]+)|id-card:([0-9]+):.*"
)

# Statuses whose rendering is still to come: a missing PDF is "not yet", not "never".
NOT_RENDERED_YET = frozenset({NoticeStatus.QUEUED, NoticeStatus.SENDING})

# ---------------------------------------------------------------------------------------------
# Reads


def beneficiary_id_of(notice: Notice) -> int | None:
    """Return the beneficiary id named by the notice's ``recipient_key``, or None."""
    match = _BENEFICIARY_KEY.fullmatch(notice.recipient_key)
    return int(match.group(1)) if match else None


def beneficiary_notices(beneficiary: Beneficiary) -> QuerySet[Notice]:
    """Return every notice to the beneficiary, newest first, with who asked for resends."""
    return notices_for_recipient(recipient_key(beneficiary)).select_related("requested_by")


def member_notices(beneficiary: Beneficiary) -> QuerySet[Notice]:
    """Return the letters a member sees: all but those cancelled before they were sent."""
    return beneficiary_notices(beneficiary).exclude(status=NoticeStatus.CANCELLED)


def notice_visible_to(user: User, *, notice_id: int) -> tuple[Notice, Beneficiary] | None:
    """Return the notice and its beneficiary if ``user`` may see that beneficiary, else None."""
    notice = notice_get(notice_id=notice_id)
    if notice is None:
        return None
    beneficiary_id = beneficiary_id_of(notice)
    if beneficiary_id is None:
        return None
    beneficiary = beneficiaries_visible_to(user).filter(pk=beneficiary_id).first()
    if beneficiary is None:
        return None
    return notice, beneficiary


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


def _is_staff(user: User) -> bool:
    return user.is_admin or user.is_plan_staff


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """Answer a stored PDF as a download that no shared cache keeps (it holds PHI)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# Member-facing words. The page is in English; the letter itself is in the member's language.
MEMBER_KIND_WORDS: dict[str, str] = {
    NoticeKind.APPLICATION_RECEIVED: "We received your application",
    NoticeKind.INFO_REQUESTED: "We need more information",
    NoticeKind.ENROLLMENT_CONFIRMATION: "Your enrollment is confirmed",
    NoticeKind.DENIAL: "Decision on your application",
    NoticeKind.DISENROLLMENT_CONFIRMATION: "You are leaving your plan",
    NoticeKind.PLAN_SWITCH_CONFIRMATION: "Your plan change is confirmed",
    NoticeKind.COUNTY_TRANSITION_60: "Medi-Medi Plans are coming to your county",
    NoticeKind.COUNTY_TRANSITION_30: "Medi-Medi Plans are coming to your county soon",
    NoticeKind.ID_CARD: "Your member ID card",
}


def _member_status_words(notice: Notice) -> str:
    if notice.status == NoticeStatus.SENT:
        how = "by email" if notice.channel == NoticeChannel.EMAIL else "to be mailed"
        when = f" on {_long_date(timezone.localdate(notice.sent_at))}" if notice.sent_at else ""
        return f"Sent {how}{when}"
    if notice.status == NoticeStatus.FAILED:
        return "We could not deliver it"
    return "Being prepared"


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


@dataclass(frozen=True)
class MemberLetter:
    notice: Notice
    title: str
    letter_date: date
    status: str
    readable: bool
    has_pdf: bool
    has_card: bool


def _member_letter(notice: Notice) -> MemberLetter:
    return MemberLetter(
        notice=notice,
        title=MEMBER_KIND_WORDS.get(notice.kind, notice.get_kind_display()),
        letter_date=letter_date_of(notice),
        status=_member_status_words(notice),
        readable=bool(notice.html),
        has_pdf=bool(notice.pdf),
        has_card=bool(notice.id_card_pdf),
    )


# ---------------------------------------------------------------------------------------------
# Members


def _own_notice(request: HttpRequest, pk: int) -> Notice:
    """Return the member's own letter; anyone else's, or a cancelled one, is not found."""
    beneficiary = Beneficiary.objects.filter(user=_user(request)).first()
    if beneficiary is None:
        raise Http404("No letter found.")
    return get_object_or_404(member_notices(beneficiary), pk=pk)


@login_required
@require_GET
def member_letters(request: HttpRequest) -> HttpResponse:
    """List the member's letters, newest first, with links to read and download each."""
    user = _user(request)
    beneficiary = Beneficiary.objects.filter(user=user).first()
    if beneficiary is None:
        return redirect("staff-queue" if _is_staff(user) else "member-link")
    letters = [_member_letter(notice) for notice in member_notices(beneficiary)]
    return render(request, "enrollment/letters.html", {"letters": letters})


@login_required
@require_GET
def member_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one letter as it was written, inside the site layout."""
    letter = _member_letter(_own_notice(request, pk))
    response = render(request, "enrollment/letters_read.html", {"letter": letter})
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def member_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the letter's PDF; 404 until it is written."""
    notice = _own_notice(request, pk)
    content = notice_pdf(notice)
    if content is None:
        raise Http404("This letter is not ready yet.")
    return pdf_response(content, filename=f"letter-{notice.pk}.pdf")


@login_required
@require_GET
def member_letter_id_card(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the member ID card that came with the letter; 404 when it has none."""
    notice = _own_notice(request, pk)
    content = notice_id_card_pdf(notice)
    if content is None:
        raise Http404("This letter has no ID card.")
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


def _staff_beneficiary(request: HttpRequest, pk: int) -> tuple[User, Beneficiary]:
    """Return the member if the staff user may see them (403 for members, 404 for others)."""
    user = _user(request)
    if not _is_staff(user):
        raise PermissionDenied("Only plan enrollment staff can see this page.")
    return user, get_object_or_404(beneficiaries_visible_to(user), pk=pk)


@login_required
@require_GET
def staff_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """Show staff a member's letters with delivery status, and audit the read."""
    user, beneficiary = _staff_beneficiary(request, pk)
    notices = list(beneficiary_notices(beneficiary))
    audit_record(
        actor=user,
        action="read",
        object_type="beneficiary_notices",
        object_id=beneficiary.pk,
        detail={"ids": [notice.pk for notice in notices]},
    )
    rows = [
        StaffLetter(
            notice=notice,
            resendable=notice.status in RESENDABLE_STATUSES,
            card_resendable=notice.status in RESENDABLE_STATUSES
            and notice.kind in CARD_KINDS
            and bool(notice.id_card_pdf),
        )
        for notice in notices
    ]
    return render(
        request,
        "enrollment/staff/letters.html",
        {
            "beneficiary": beneficiary,
            "rows": rows,
            "applications": applications_visible_to(user).filter(beneficiary=beneficiary),
        },
    )


@login_required
@require_POST
def staff_letter_resend(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """Send one of the member's letters again (or only its ID card) as a new notice."""
    user, beneficiary = _staff_beneficiary(request, pk)
    notice = get_object_or_404(beneficiary_notices(beneficiary), pk=notice_pk)
    form = ResendForm(request.POST)
    id_card_only = form.is_valid() and form.cleaned_data["id_card_only"]
    try:
        resent = letter_resend(
            notice=notice, beneficiary=beneficiary, actor=user, id_card_only=id_card_only
        )
    except DomainError as exc:
        messages.error(request, f"Letter {notice.pk} cannot be sent again: {exc.message}")
    else:
        what = "The ID card" if id_card_only else "The letter"
        messages.success(
            request, f"{what} from letter {notice.pk} is being sent again as letter {resent.pk}."
        )
    return redirect("staff-beneficiary-letters", pk=beneficiary.pk)
