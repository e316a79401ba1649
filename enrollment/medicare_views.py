"""Staff pages of Medicare's answer: recording it on the application page, loading a reply file.

Thin adapters over ``enrollment.medicare``, which decides who may do this (staff of the
submission's organization, admins; members 403; anyone else 404) and audits.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from enrollment import medicare
from enrollment.medicare_forms import MedicareAnswerForm, ReplyFileForm, answer_prefix
from enrollment.models import MedicareSubmission
from enrollment.views import _run_form


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _answered_message(result: medicare.AnswerResult) -> str:
    submission = result.submission
    if not result.changed:
        return "This answer was already recorded: nothing changed."
    if submission.status == "accepted":
        return "Recorded: Medicare accepted it."
    if submission.kind == "disenrollment":
        return (
            "Recorded: Medicare rejected the disenrollment. The member is told, and a review "
            "item is open."
        )
    return (
        "Recorded: Medicare rejected it. The enrollment and its Medi-Cal plan enrollment are "
        "cancelled as if they never started; the member is told, and a review item is open."
    )


@login_required
@require_POST
def staff_medicare_answer(request: HttpRequest, pk: int, submission_pk: int) -> HttpResponse:
    """Record Medicare's answer to one of the application's submissions."""
    user = _user(request)
    medicare.submission_require_visible(actor=user, submission_id=submission_pk, application_id=pk)
    return _run_form(
        request,
        pk=pk,
        form=MedicareAnswerForm(request.POST, prefix=answer_prefix(submission_pk)),
        call=lambda data: medicare.submission_record_answer(
            actor=user,
            submission=MedicareSubmission(pk=submission_pk),
            status=data["status"],
            reply_code=data["reply_code"],
            reply_text=data["reply_text"],
        ),
        success=_answered_message,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_medicare_replies(request: HttpRequest) -> HttpResponse:
    """Load a reply file and show what each row did (staff, admins)."""
    user = _user(request)
    medicare.reply_file_require_staff(user)
    form = ReplyFileForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = medicare.reply_file_load(
                actor=user, file=upload, file_name=upload.name or ""
            ).as_dict()
        except medicare.ReplyFileRefused as exc:
            form.add_error("file", exc.message)
        else:
            if report["duplicate_file"]:
                messages.info(
                    request, "This file was loaded before: nothing changed. Its report follows."
                )
            else:
                messages.success(
                    request,
                    f"Loaded: {report['applied']} applied, {report['unchanged']} unchanged, "
                    f"{report['errors']} with errors.",
                )
    return render(
        request, "enrollment/staff/medicare_replies.html", {"form": form, "report": report}
    )
