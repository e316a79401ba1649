"""Forms of Medicare's answer on the staff pages (shape only; ``enrollment.medicare`` decides)."""

from dataclasses import dataclass

from django import forms

from accounts.models import User
from enrollment import medicare
from enrollment.models import MedicareStatus, MedicareSubmission


class MedicareAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label="Medicare's answer",
        choices=[
            (MedicareStatus.ACCEPTED, "Accepted"),
            (MedicareStatus.REJECTED, "Rejected"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accepted or rejected."},
    )
    reply_code = forms.CharField(
        label="Reply code (TRC)",
        required=False,
        max_length=16,
        help_text="3 digits, as on CMS's transaction reply, for example 011 or 106. "
        "Required for a rejection.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reply_text = forms.CharField(
        label="Reply text (optional)",
        required=False,
        max_length=1000,
        help_text="CMS's words. A rejection's reason is told to the member in their letter.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyFileForm(forms.Form):
    file = forms.FileField(
        label="Reply file (CSV)",
        help_text="Columns: mbi, contract, pbp, transaction, effective_date, reply_code, result "
        "and optionally reply_text (docs/medicare.md).",
        error_messages={"required": "Choose a file to load."},
    )


@dataclass
class SubmissionRow:
    submission: MedicareSubmission
    form: MedicareAnswerForm | None  # None once answered
    reply_title: str


def answer_prefix(submission_id: int) -> str:
    return f"medicare{submission_id}"


def submission_rows(
    *, actor: User, application_id: int, bound: dict[str, forms.Form]
) -> list[SubmissionRow]:
    """The staff application page's Medicare rows: each submission, and a form while pending."""
    rows = []
    for submission in medicare.application_submissions(actor=actor, application_id=application_id):
        form = None
        if submission.status == MedicareStatus.PENDING:
            prefix = answer_prefix(submission.pk)
            found = bound.get(prefix)
            form = found if isinstance(found, MedicareAnswerForm) else None
            form = form or MedicareAnswerForm(prefix=prefix)
        rows.append(
            SubmissionRow(
                submission=submission,
                form=form,
                reply_title=medicare.trc_title(submission.reply_code),
            )
        )
    return rows
