"""Forms of the care pages. They convert what a browser sends; the services decide what is
valid (the questionnaire's schema is checked in one place, ``care.questionnaire``)."""

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.fields import StrictDateFormField
from care.models import (
    AppealKind,
    ContinuityUrgency,
    OutreachChannel,
    OutreachResult,
    PlanItemKind,
    TeamRole,
)
from care.questionnaire import DECLINED, LANGUAGES, Questionnaire

UI = {
    "en": {
        "title": "Health Risk Assessment",
        "intro": "These questions help your care team plan your care. To send them, answer every"
        " question marked “Required”. For questions about your mood, alcohol or drugs, or your"
        " safety, you can choose “Prefer not to say”.",
        "intro_draft": "You can save your answers and finish later.",
        "required": "Required",
        "submit": "Send my answers",
        "submit_staff": "Save the member's answers",
        "save_draft": "Save and finish later",
        "draft_saved": "Your answers are saved. Come back to finish and send them.",
        "draft_resumed": "You saved some answers before. They are filled in below.",
        "other_language": "Leer en español",
        "number": "Enter a whole number.",
        "problem": "There is a problem",
        "back": "Back to my care",
        "error": "Error:",
        "none_due": "No assessment is due.",
    },
    "es": {
        "title": "Evaluación de Riesgos de Salud",
        "intro": "Estas preguntas ayudan a su equipo de cuidado a planear su atención. Para"
        " enviarlas, responda cada pregunta marcada “Obligatoria”. En las preguntas sobre su estado"
        " de ánimo, el alcohol o las drogas, o su seguridad, puede elegir “Prefiero no contestar”.",
        "intro_draft": "Puede guardar sus respuestas y terminar después.",
        "required": "Obligatoria",
        "submit": "Enviar mis respuestas",
        "submit_staff": "Guardar las respuestas del miembro",
        "save_draft": "Guardar y terminar después",
        "draft_saved": "Sus respuestas están guardadas. Regrese para terminarlas y enviarlas.",
        "draft_resumed": "Usted guardó algunas respuestas antes. Aparecen abajo.",
        "other_language": "Read in English",
        "number": "Escriba un número entero.",
        "problem": "Hay un problema",
        "back": "Volver a mi cuidado",
        "error": "Error:",
        "none_due": "No hay ninguna evaluación pendiente.",
    },
}


def _yes_no(value: str) -> bool | str | None:
    answers: dict[str, bool | str] = {"yes": True, "no": False, DECLINED: DECLINED}
    return answers.get(value)


def _yes_no_initial(value: Any) -> Any:
    """A stored answer as the form shows it (``True`` is "yes")."""
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


class AssessmentForm(forms.Form):
    """The questionnaire of one version, in one language; every field optional here (the
    questionnaire decides what is required: marked "Required" in the field's hint). ``saved``:
    the answers of a saved draft, shown filled in."""

    def __init__(
        self,
        *args: Any,
        questionnaire: Questionnaire,
        language: str,
        saved: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.language = language
        ui = UI[language]
        for question in questionnaire.questions:
            label = question.text[language]
            field: forms.Field
            if question.kind == "choice":
                field = forms.ChoiceField(
                    label=label,
                    choices=question.options(language),
                    widget=forms.RadioSelect,
                    required=False,
                )
            elif question.kind == "multi":
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=[(c.value, c.text[language]) for c in question.choices],
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
            elif question.kind == "yes_no":
                field = forms.TypedChoiceField(
                    label=label,
                    choices=question.options(language),
                    coerce=_yes_no,
                    empty_value=None,
                    widget=forms.RadioSelect,
                    required=False,
                )
            elif question.kind == "number":
                field = forms.IntegerField(
                    label=label, required=False, error_messages={"invalid": ui["number"]}
                )
            else:
                field = forms.CharField(label=label, required=False)
            if question.required:
                field.help_text = ui["required"]
            if saved and question.key in saved:
                field.initial = _yes_no_initial(saved[question.key])
            self.fields[question.key] = field

    def sections(self) -> list[tuple[str, list[Any]]]:
        """The bound fields grouped by section, in order, with the section's title."""
        grouped: list[tuple[str, list[Any]]] = []
        for key, titles in self.questionnaire.sections.items():
            fields = [self[q.key] for q in self.questionnaire.questions if q.section == key]
            grouped.append((titles[self.language], fields))
        return grouped

    def answers(self) -> dict[str, Any]:
        return {
            key: value for key, value in self.cleaned_data.items() if value not in (None, "", [])
        }


class ReassignForm(forms.Form):
    coordinator = forms.TypedChoiceField(label="New coordinator", coerce=int)
    note = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, coordinators: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["coordinator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = coordinators


class OutreachForm(forms.Form):
    attempted_on = StrictDateFormField(label="Date of the attempt (YYYY-MM-DD)")
    channel = forms.ChoiceField(label="How", choices=OutreachChannel.choices)
    result = forms.ChoiceField(label="Result", choices=OutreachResult.choices)
    note = forms.CharField(label="Note", required=False)


class TeamMemberForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=TeamRole.choices)
    name = forms.CharField(label="Name", max_length=128)
    organization_name = forms.CharField(
        label="Office or organization", required=False, max_length=128
    )
    phone = forms.CharField(label="Phone", required=False, max_length=32)
    email = forms.EmailField(label="Email", required=False)


class CarePlanForm(forms.Form):
    reason = forms.CharField(
        label="Why this revision",
        required=False,
        max_length=128,
        help_text="Needed when the plan is written from neither a new assessment nor a "
        "hospital stay.",
    )
    from_assessment = forms.BooleanField(
        label="Written from the latest completed assessment", required=False, initial=True
    )
    hospital_stay = forms.TypedChoiceField(
        label="Written after this hospital stay",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Choosing a stay finishes the care plan work item its discharge opened.",
    )
    summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, stays: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["hospital_stay"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "None")] + [(str(pk), label) for pk, label in stays or []]


class PlanItemForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "(none)"), *PlanItemKind.choices], required=False
    )
    description = forms.CharField(label="Description", required=False)
    owner = forms.ChoiceField(label="Owner", required=False)
    target_date = StrictDateFormField(label="Target date (YYYY-MM-DD)", required=False)

    def __init__(
        self, *args: Any, owners: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [("", "The care coordinator"), ("member", "The member"), *(owners or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and not data.get("target_date"):
            self.add_error("target_date", "Give a target date.")
        return data


PlanItemFormSet = forms.formset_factory(PlanItemForm, extra=4, max_num=20)


class HospitalStayForm(forms.Form):
    facility = forms.CharField(label="Hospital", max_length=128)
    admitted_on = StrictDateFormField(label="Admitted on (YYYY-MM-DD)")
    discharged_on = StrictDateFormField(
        label="Discharged on (YYYY-MM-DD)",
        required=False,
        help_text="Leave empty while the member is still in hospital.",
    )


class DischargeForm(forms.Form):
    discharged_on = StrictDateFormField(label="Discharged on (YYYY-MM-DD)")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approved", "Approve"), ("denied", "Deny")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContinuityForm(forms.Form):
    """The member's request (member page: its words are translated)."""

    # Each empty field says what to write, not "This field is required.".
    provider_name = forms.CharField(
        label=_("Provider's name"),
        max_length=128,
        error_messages={"required": _("Write the provider's name.")},
    )
    npi = forms.CharField(
        label=_("Provider's NPI"),
        max_length=10,
        help_text=_("The 10-digit National Provider Identifier."),
        error_messages={"required": _("Write the provider's 10-digit NPI.")},
    )
    specialty = forms.CharField(
        label=_("Specialty"),
        max_length=128,
        error_messages={"required": _("Write the provider's specialty.")},
    )
    # A date picker: it sends and shows YYYY-MM-DD whatever the page's language.
    last_seen_on = StrictDateFormField(
        label=_("Date you last saw them"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the date you last saw the provider.")},
    )
    urgency = forms.ChoiceField(
        label=_("How soon do you need a decision?"),
        choices=[
            (ContinuityUrgency.STANDARD, _("Standard")),
            (ContinuityUrgency.URGENT, _("My condition needs quicker attention")),
            (ContinuityUrgency.RISK_OF_HARM, _("There is a risk of harm to my health")),
        ],
        widget=forms.RadioSelect,
        initial=ContinuityUrgency.STANDARD,
        error_messages={
            "required": _("Choose how urgent the request is."),
            "invalid_choice": _("Choose how urgent the request is."),
        },
    )


class AppealFileForm(forms.Form):
    """A member files a grievance or an appeal online (member page: its words are translated;
    the staff page's phone form, ``care.appeals_views.StaffFileForm``, stays in English)."""

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=[
            (AppealKind.GRIEVANCE, _("A grievance: I am unhappy with the plan or my care")),
            (AppealKind.APPEAL, _("An appeal: I disagree with a decision the plan made")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a grievance or an appeal."),
            "invalid_choice": _("Choose a grievance or an appeal."),
        },
    )
    description = forms.CharField(
        label=_("Tell us what happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe the problem or the decision you disagree with.")},
    )
    expedited = forms.BooleanField(
        label=_("My health needs a fast answer (expedited)"),
        required=False,
        help_text=_("Waiting the usual time could seriously harm my health."),
    )


def form_error_apply(form: forms.Form, exc: DomainError) -> None:
    """Put a service's refusal on the form's field (or fields), else at the top."""
    fields = exc.extra.get("fields")
    field = exc.extra.get("field")
    if isinstance(fields, dict):
        for name, message in fields.items():
            form.add_error(name if name in form.fields else None, message)
    elif isinstance(field, str) and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


def language_of(request: HttpRequest, default: str = "en") -> str:
    """The questionnaire's language: ``lang`` in the query or form, else ``default``."""
    language = request.GET.get("lang") or request.POST.get("lang") or default
    return language if language in LANGUAGES else "en"
