"""The member's grievances and appeals page (``/me/care/cases/``) in Spanish (docs/i18n.md):
headings, the form's labels and choices, its errors, the service's refusals, the cases' kinds,
statuses and outcomes, dates and the confirmation, with no English left; English unchanged."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import translation

from accounts.errors import DomainError
from accounts.models import User
from care import appeals, member_words
from care.models import AppealCase, AppealKind, AppealOutcome, AppealStatus, CareCase
from tests.auth_helpers import login_verified

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)  # 09:30 in California

# Every English phrase of the page's own words (template and form); none may show in Spanish.
ENGLISH = [
    "My grievances and appeals",
    "Tell your plan",
    "What I sent",
    "Answer due",
    "Received",
    "Pacific time",
    "Send a grievance or an appeal",
    "What is it?",
    "A grievance:",
    "An appeal:",
    "Tell us what happened",
    "My health needs a fast answer",
    "Waiting the usual time",
    "(expedited)",
    "Extended by",
    "Not expedited",
    "Grievance",
    "Appeal ",
    "Resolved",
    "member's favor",
    "Against the member",
    "This field is required",
    "March",
    ">Send<",
]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def spanish(user: User) -> Client:
    return login_verified(Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"), user)


def filed(
    member_user: User, case: CareCase, kind: str = AppealKind.APPEAL, expedited: bool = False
) -> AppealCase:
    return appeals.appeal_case_file(
        actor=member_user,
        kind=kind,
        enrollment_id=case.enrollment_id,
        description="Me negaron la silla de ruedas.",
        expedited=expedited,
        now=RECEIVED,
    )


def test_a_spanish_member_sees_the_page_headings_and_form_in_spanish(case, member) -> None:
    response = spanish(member.user).get("/me/care/cases/")
    page = text(response.content.decode())
    assert response.status_code == 200 and response["Content-Language"] == "es"
    assert "<title>Mis quejas y apelaciones" in page
    assert "<h1>Mis quejas y apelaciones</h1>" in page
    assert '<h2 id="new-heading">Presente una queja o una apelación</h2>' in page
    assert "<legend>¿Qué es?</legend>" in page
    assert "Una queja: no estoy conforme con el plan o con mi atención" in page
    assert "Una apelación: no estoy de acuerdo con una decisión que tomó el plan" in page
    assert 'for="id_case-description">Cuéntenos qué pasó</label>' in page
    assert "Mi salud necesita una respuesta rápida (acelerada)" in page
    assert "Esperar el tiempo habitual podría dañar gravemente mi salud." in page
    assert '<button type="submit">Enviar</button>' in page
    assert [phrase for phrase in ENGLISH if phrase in page] == []


def test_a_bad_filing_says_what_to_do_in_spanish(case, member) -> None:
    response = spanish(member.user).post("/me/care/cases/new/", {"case-description": "  "})
    page = text(response.content.decode())
    assert response.status_code == 400
    assert "<title>Error: Mis quejas y apelaciones" in page
    assert re.search(r'<div class="error-summary"[^>]*tabindex="-1" autofocus>', page)
    assert '<h2 class="usa-alert__heading" id="case-error-title">Hay un problema</h2>' in page
    assert "Elija una queja o una apelación." in page
    assert "Describa el problema o la decisión con la que no está de acuerdo." in page
    assert "Este campo es obligatorio" not in page
    assert [phrase for phrase in ENGLISH if phrase in page] == []
    assert not AppealCase.objects.exists()


def test_the_services_refusal_is_in_the_requests_language(case, member) -> None:
    with translation.override("es"), pytest.raises(DomainError) as refused:
        appeals.appeal_case_file(
            actor=member.user, kind="other", enrollment_id=case.enrollment_id, description=" "
        )
    assert refused.value.message == "Revise el formulario."
    assert refused.value.extra["fields"] == {
        "kind": "Elija una queja o una apelación.",
        "description": "Describa el problema o la decisión con la que no está de acuerdo.",
    }
    with translation.override("en"), pytest.raises(DomainError) as english:
        appeals.appeal_case_file(
            actor=member.user, kind="other", enrollment_id=case.enrollment_id, description="x"
        )
    assert english.value.extra["fields"] == {"kind": "Choose a grievance or an appeal."}


def test_filing_in_spanish_confirms_with_a_spanish_date(case, member) -> None:
    response = spanish(member.user).post(
        "/me/care/cases/new/",
        {"case-kind": "grievance", "case-description": "El transporte llegó tarde."},
        follow=True,
    )
    page = text(response.content.decode())
    sent = AppealCase.objects.get()
    due = appeals.local_time(sent.due_at)
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
    months += ["septiembre", "octubre", "noviembre", "diciembre"]
    when = f"{due.day} de {months[due.month - 1]} de {due.year} a las {due:%H:%M}"
    assert f"La recibimos. Le responderemos a más tardar el {when} (hora del Pacífico)." in page
    assert f'<th scope="row">Queja {sent.pk}</th>' in page
    assert "<td>Abierta</td>" in page
    assert [phrase for phrase in ENGLISH if phrase in page] == []


def test_the_cases_kinds_statuses_outcomes_and_dates_are_in_spanish(case, member, staff) -> None:
    urgent = filed(member.user, case, expedited=True)
    decided = filed(member.user, case, kind=AppealKind.GRIEVANCE)
    appeals.appeal_case_resolve(
        actor=staff, case_id=decided.pk, outcome=AppealOutcome.FAVORABLE, note=""
    )
    page = text(spanish(member.user).get("/me/care/cases/").content.decode())
    assert f'<th scope="row">Apelación {urgent.pk} (acelerada)</th>' in page
    assert f'<th scope="row">Queja {decided.pk}</th>' in page
    assert '<time datetime="2026-03-02">2 de marzo de 2026</time>' in page
    # Expedited appeal: 72 hours after 09:30 on March 2 in California.
    assert ">5 de marzo de 2026, 09:30</time> (hora del Pacífico)" in page
    assert "<td>Resuelta: a favor del miembro</td>" in page
    assert "<td>Abierta</td>" in page
    assert [phrase for phrase in ENGLISH if phrase in page] == []


def test_the_english_page_keeps_its_english(case, member, staff) -> None:
    urgent = filed(member.user, case, expedited=True)
    decided = filed(member.user, case, kind=AppealKind.GRIEVANCE)
    appeals.appeal_case_resolve(
        actor=staff, case_id=decided.pk, outcome=AppealOutcome.ADVERSE, note="Not covered."
    )
    page = text(login_verified(Client(), member.user).get("/me/care/cases/").content.decode())
    assert "<h1>My grievances and appeals</h1>" in page
    assert f'<th scope="row">Appeal {urgent.pk} (expedited)</th>' in page
    assert ">March 5, 2026, 9:30 AM</time> (Pacific time)" in page
    assert "<td>Resolved: against the member</td>" in page
    assert "<td>Open</td>" in page


def test_the_member_words_cover_every_appeal_label_the_page_shows() -> None:
    labels = {str(label) for choices in (AppealKind, AppealOutcome) for label in choices.labels}
    assert labels <= set(member_words.APPEAL_CHOICE_LABELS)
    with translation.override("en"):
        statuses = {str(label) for label in member_words.APPEAL_STATUS_LABELS}
    assert statuses == {str(label) for label in AppealStatus.labels}
    with translation.override("es"):
        assert [str(label) for label in member_words.APPEAL_STATUS_LABELS] == [
            "Abierta",
            "Resuelta",
        ]


def test_an_english_expedited_appeal_confirms_its_time_on_the_sites_clock(case, member) -> None:
    """Written "2:32 PM" as every English page writes a time, not "14:32"."""
    response = login_verified(Client(), member.user).post(
        "/me/care/cases/new/",
        {
            "case-kind": "appeal",
            "case-description": "Denied my wheelchair.",
            "case-expedited": "on",
        },
        follow=True,
    )
    page = text(response.content.decode())
    due = appeals.local_time(AppealCase.objects.get().due_at)
    clock = f"{due.hour % 12 or 12}:{due:%M} {'AM' if due.hour < 12 else 'PM'}"
    when = f"{due:%B} {due.day}, {due.year} at {clock}"
    assert f"We received it. We will answer by {when} (Pacific time)." in page
