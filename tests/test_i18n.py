"""The portal in Spanish (docs/i18n.md): the browser's language as the first guess, the switch on
every page remembered on the account, Spanish pages, errors and dates, letter titles in the
letter's language, and a catalog with no untranslated or fuzzy entry."""

import gettext as gnu_gettext
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.models import AuditEvent, User
from eligibility.models import Beneficiary, MediMediPlan
from eligibility.notifications import letter_queue, recipient_snapshot
from eligibility.rules import dual_status, reasons
from enrollment import member_words, services
from enrollment.models import ApplicationStatus, DenialReason, EndReason, EnrollmentKind
from notices.models import NoticeFormat
from tests.auth_helpers import login_verified
from tests.factories import BeneficiaryFactory, UserFactory

PASSWORD = "a-Long-passphrase-2026"
CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"

# The screener filled in for a full-benefit dual in San Mateo (a county with plans).
ELIGIBLE_ANSWERS = (
    "county=06081&as_of=2026-12-01&medicare_part_a=yes&medicare_part_b=yes&medi_cal=full"
    "&share_of_cost=none&medicare_savings_program=none&incarcerated=no&lawfully_present=yes"
)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def title(response: Any) -> str:
    match = re.search(r"<title>(.*?)</title>", text(response))
    assert match, "no <title>"
    return match.group(1).strip()


def html_lang(response: Any) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    assert match, "no <html lang>"
    return match.group(1)


def member_with_record(**record: Any) -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user, first_name="Rosa", last_name="Quintero", **record)
    return user


def spanish_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")


# --- The browser's language, <html lang> and the switch --------------------------------------


@pytest.mark.django_db
def test_a_browser_asking_for_spanish_gets_spanish_pages_with_html_lang_es() -> None:
    response = spanish_client().get("/eligibility/")
    page = text(response)
    assert response["Content-Language"] == "es"
    assert html_lang(response) == "es"
    assert "¿Puedo inscribirme en un plan Medi-Medi?" in page
    assert "¿En qué condado de California vive?" in page
    assert title(response) == "Verificar elegibilidad · Portal Medi-Medi de California"
    # The switch offers the other language, named in that language and marked with it.
    assert '<button type="submit" name="language" value="en" lang="en" class="link">English' in page


@pytest.mark.django_db
def test_english_is_the_default_and_offers_espanol_in_its_own_language() -> None:
    response = Client().get("/eligibility/")
    page = text(response)
    assert html_lang(response) == "en"
    assert "Can I join a Medi-Medi Plan?" in page
    assert '<button type="submit" name="language" value="es" lang="es" class="link">Español' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/eligibility/", "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"]
)
def test_every_public_page_has_the_switch_posting_to_set_language(path: str) -> None:
    page = text(Client().get(path))
    assert '<form class="language-switch inline" method="post" action="/i18n/setlang/">' in page
    assert f'<input type="hidden" name="next" value="{path}">' in page


@pytest.mark.django_db
def test_the_switch_for_a_visitor_sets_the_language_cookie_and_goes_back() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/eligibility/"})
    assert response.status_code == 302
    assert response["Location"] == "/eligibility/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert html_lang(client.get("/eligibility/")) == "es"


@pytest.mark.django_db
def test_the_switch_remembers_the_language_on_the_account_across_sessions() -> None:
    user = member_with_record()
    client = login_verified(Client(), user)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/me/"})
    assert response["Location"] == "/me/"
    user.refresh_from_db()
    assert user.preferred_language == "es"
    change = AuditEvent.objects.get(object_type="user", object_id=str(user.pk), action="update")
    assert change.detail == {"field": "preferred_language", "old": "", "new": "es"}

    # Another browser that asks for English, no cookie: the account's choice wins after login.
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_lang(elsewhere.get("/accounts/login/")) == "en"
    login = elsewhere.post("/accounts/login/", {"username": user.username, "password": "x"})
    assert login.status_code == 200  # a wrong password: still English before signing in
    user.set_password(PASSWORD)
    user.save()
    elsewhere.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    home = elsewhere.get("/me/")
    assert html_lang(home) == "es"
    assert "<h1>Mi Medi-Medi</h1>" in text(home)

    # Switching back is remembered too.
    elsewhere.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert html_lang(login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), user).get("/me/")) == "en"


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing() -> None:
    user = member_with_record()
    client = login_verified(Client(), user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/me/"})
    user.refresh_from_db()
    assert user.preferred_language == ""


@pytest.mark.django_db
def test_signing_up_in_spanish_keeps_spanish_on_the_new_account() -> None:
    client = spanish_client()
    response = client.post(
        "/accounts/signup/",
        {"email": "Nueva@Example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(username="nueva@example.test").preferred_language == "es"
    assert "Vincule su registro de Medicare y Medi-Cal" in text(client.get("/me/link/"))


@pytest.mark.django_db
def test_the_password_reset_email_and_its_errors_are_in_spanish(mailoutbox: Any) -> None:
    user = UserFactory(email="rosa@example.test")
    client = spanish_client()
    empty = client.post("/accounts/password_reset/", {"email": ""})
    assert "Escriba el correo electrónico con el que se registró" in text(empty)
    assert "This field is required" not in text(empty)
    client.post("/accounts/password_reset/", {"email": user.email})
    (mail,) = mailoutbox
    assert mail.subject == "Restablezca su contraseña del Portal Medi-Medi de California"
    assert mail.body.startswith("Hola:")
    assert "Portal Medi-Medi de California" in mail.body


# --- Spanish pages, dates and errors ---------------------------------------------------------


@pytest.mark.django_db
def test_the_screener_answers_in_spanish_with_spanish_dates() -> None:
    page = text(spanish_client().get(f"/eligibility/?{ELIGIBLE_ANSWERS}"))
    assert "Sí, puede inscribirse en un plan Medi-Medi en el condado de San Mateo" in page
    assert '<time datetime="2027-01-01">1 de enero de 2027</time>' in page
    assert "Elegible doble con beneficios completos" in page
    assert "January" not in page


@pytest.mark.django_db
def test_the_screeners_reasons_are_in_spanish_with_the_countys_dates() -> None:
    # Alameda opens to Medi-Medi Plans in 2026 and no plan is recorded there (the check's
    # NO_PLAN_IN_COUNTY); without Part B the person-level reason comes too.
    answers = ELIGIBLE_ANSWERS.replace("county=06081", "county=06001").replace(
        "medicare_part_b=yes", "medicare_part_b=no"
    )
    page = text(spanish_client().get(f"/eligibility/?{answers}"))
    assert "Necesita la Parte B de Medicare (seguro médico)." in page
    assert "Ningún plan Medi-Medi atiende el condado de Alameda el 1 de enero de 2027" in page
    english = text(Client().get(f"/eligibility/?{answers}"))
    assert "You need Medicare Part B (medical insurance)." in english
    assert "No Medi-Medi Plan serves Alameda County on January 1, 2027" in english


@pytest.mark.django_db
def test_screener_errors_say_what_to_do_in_spanish_and_the_title_starts_with_error() -> None:
    response = spanish_client().get("/eligibility/?county=")
    page = text(response)
    assert title(response).startswith("Error: ")
    assert "Elija su condado" in page
    assert "Responda si tiene la Parte A de Medicare" in page
    assert "Este campo es obligatorio" not in page
    assert "This field is required" not in page


@pytest.mark.django_db
def test_screener_errors_in_english_say_what_to_do() -> None:
    response = Client().get("/eligibility/?county=")
    page = text(response)
    assert title(response).startswith("Error: Check eligibility")
    assert "Choose your county" in page
    assert "Answer whether you have Medicare Part A" in page
    assert "This field is required" not in page


@pytest.mark.django_db
def test_the_application_form_speaks_spanish_in_its_errors() -> None:
    user = member_with_record()
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), user)
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    bad_email = client.post(
        "/me/applications/new/",
        {
            "plan": str(plan.pk),
            "contact_email": "not-an-address",
            "language": "es",
            "notice_format": "standard",
            "action": "save",
        },
    )
    page = text(bad_email)
    assert title(bad_email).startswith("Error: ")
    assert "Escriba un correo electrónico como nombre@ejemplo.com" in page
    assert "¿En qué plan Medi-Medi quiere inscribirse?" in page

    # Submitting without a plan: the service's refusal, said in Spanish at the plan field;
    # nothing is saved.
    no_plan = client.post(
        "/me/applications/new/",
        {"plan": "", "language": "es", "notice_format": "standard", "action": "submit"},
    )
    assert "Elija un plan antes de enviar la solicitud." in text(no_plan)
    assert "Sus respuestas se guardaron como borrador." not in text(no_plan)


@pytest.mark.django_db
def test_linking_errors_say_what_to_do_in_spanish() -> None:
    user = UserFactory()
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), user)
    response = client.post("/me/link/", {"identifier": "", "date_of_birth": "", "last_name": ""})
    page = text(response)
    assert title(response).startswith("Error: ")
    assert "Escriba su número de Medicare (MBI) o CIN de Medi-Cal" in page
    assert "Escriba su fecha de nacimiento, por ejemplo 1950-03-14" in page
    assert "Escriba su apellido" in page
    wrong = client.post(
        "/me/link/",
        {"identifier": "1EG4-TE5-MK73", "date_of_birth": "1950-03-14", "last_name": "Nadie"},
    )
    assert "No pudimos encontrar un registro de Medicare y Medi-Cal con esos datos." in text(wrong)


@pytest.mark.django_db
def test_the_login_page_title_says_error_in_both_languages() -> None:
    english = Client().post("/accounts/login/", {"username": "", "password": ""})
    assert title(english).startswith("Error: Log in")
    assert "Enter your email address" in text(english)
    spanish = spanish_client().post("/accounts/login/", {"username": "", "password": ""})
    assert title(spanish).startswith("Error: Iniciar sesión")
    assert "Escriba su contraseña" in text(spanish)


@pytest.mark.django_db
def test_member_pages_are_spanish_with_spanish_dates() -> None:
    user = member_with_record()
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    draft = services.application_create(beneficiary=user.beneficiary, actor=user, plan=plan)
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), user)
    home = text(client.get("/me/"))
    assert "Sus solicitudes" in home
    assert "Borrador" in home
    detail = text(client.get(f"/me/applications/{draft.pk}/"))
    assert "Estado: <strong" in detail
    assert "Continúe su solicitud" in detail
    assert "Historial de estados de la solicitud" in detail


@pytest.mark.django_db
def test_a_spanish_account_proposes_spanish_letters_on_a_record_in_english() -> None:
    user = member_with_record(preferred_language="en")
    user.preferred_language = "es"
    user.save()
    page = text(login_verified(Client(), user).get("/me/applications/new/"))
    assert '<option value="es" selected>' in page
    # A record in another language keeps it: the record is the standing request.
    other = member_with_record(preferred_language="vi")
    other.preferred_language = "es"
    other.save()
    assert '<option value="vi" selected>' in text(
        login_verified(Client(), other).get("/me/applications/new/")
    )


# --- Letters ---------------------------------------------------------------------------------


def queued_letter(beneficiary: Beneficiary, key: str) -> None:
    letter_queue(
        beneficiary=beneficiary,
        organization_id=None,
        kind="application_received",
        idempotency_key=key,
        recipient=recipient_snapshot(beneficiary),
        context={"received_date": "2025-01-10"},
    )


@pytest.mark.django_db
def test_the_letters_list_titles_each_letter_in_the_letters_language() -> None:
    user = member_with_record(preferred_language="es")
    beneficiary = user.beneficiary
    queued_letter(beneficiary, "test:es")
    beneficiary.preferred_language = "en"
    beneficiary.save()
    queued_letter(beneficiary, "test:en")
    english_page = text(login_verified(Client(), user).get("/me/letters/"))
    assert '<th scope="row" lang="es">Recibimos su solicitud</th>' in english_page
    assert '<th scope="row" lang="en">We received your application</th>' in english_page
    assert "En preparación" not in english_page  # the status is in the page's language
    spanish_page = text(login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), user).get("/me/letters/"))
    assert '<th scope="row" lang="es">Recibimos su solicitud</th>' in spanish_page
    assert '<th scope="row" lang="en">We received your application</th>' in spanish_page
    assert "En preparación" in spanish_page


# --- Errors: focus, titles, staff actions ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/eligibility/?county=", None),
        ("post", "/accounts/login/", {"username": "", "password": ""}),
        ("post", "/accounts/signup/", {"email": "", "password1": "", "password2": ""}),
        ("post", "/accounts/password_reset/", {"email": "not-an-address"}),
    ],
)
def test_a_failed_form_moves_focus_to_its_error_summary(
    method: str, path: str, data: dict[str, str] | None
) -> None:
    response = getattr(Client(), method)(path, data) if data else Client().get(path)
    page = text(response)
    assert title(response).startswith("Error: ")
    summary = re.search(r'<div class="error-summary"[^>]*>', page)
    assert summary, "no error summary"
    assert 'tabindex="-1"' in summary.group(0)
    assert "autofocus" in summary.group(0)
    assert page.count("autofocus") == 1  # one focus target


@pytest.mark.django_db
def test_member_forms_with_errors_focus_their_summary() -> None:
    user = member_with_record()
    client = login_verified(Client(), user)
    for path, data in [
        ("/me/representatives/", {"name": ""}),
        ("/me/applications/new/", {"contact_email": "x", "action": "save"}),
    ]:
        response = client.post(path, data)
        page = text(response)
        assert title(response).startswith("Error: "), path
        assert re.search(r'<div class="error-summary"[^>]*tabindex="-1" autofocus>', page), path


# --- The catalog -----------------------------------------------------------------------------


def test_the_words_for_the_rules_say_what_the_rules_say_in_english() -> None:
    from eligibility.words import DUAL_STATUS_DESCRIPTIONS, REASON_MESSAGES

    with translation.override("en"):
        assert {code: str(m) for code, m in REASON_MESSAGES.items()} == reasons.MESSAGES
        assert {k: str(v) for k, v in DUAL_STATUS_DESCRIPTIONS.items()} == dual_status.DESCRIPTIONS


def test_every_member_facing_choice_label_is_in_the_catalog() -> None:
    labels = {
        str(label)
        for choices in (ApplicationStatus, DenialReason, EnrollmentKind, EndReason, NoticeFormat)
        for label in choices.labels
    }
    assert labels <= set(member_words.MEMBER_CHOICE_LABELS)
    assert member_words.LEAVE_REVIEW_MESSAGE == services.LEAVE_REVIEW_MESSAGE


def _po_entries(path: Path) -> list[dict[str, Any]]:
    """The entries of a .po file: msgid, msgid_plural, msgstr forms, flags, references."""
    entries: list[dict[str, Any]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, Any] = {"flags": "", "refs": [], "msgid": "", "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#:"):
                entry["refs"] += line[2:].split()
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line
            ):
                key = match.group(1)
                value = json.loads(match.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(value)
                else:
                    entry[key] = value
            elif line.startswith('"') and key is not None:
                value = json.loads(line)
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += value
                else:
                    entry[key] += value
        if entry["msgid"] or entry["msgstr"]:
            entries.append(entry)
    return [entry for entry in entries if entry["msgid"]]  # the header has an empty msgid


def _untranslated(entries: list[dict[str, Any]]) -> list[str]:
    return [
        f"{' '.join(entry['refs'][:2])}: {entry['msgid'][:70]!r}"
        for entry in entries
        if "fuzzy" in entry["flags"] or not all(entry["msgstr"])
    ]


def test_the_committed_catalog_is_complete_and_compiled() -> None:
    """Every entry of the .po is translated, none fuzzy, and the .mo says the same (a fresh
    clone runs without gettext: the compiled catalog is in the repository)."""
    entries = _po_entries(CATALOG / "django.po")
    assert len(entries) > 300
    assert _untranslated(entries) == []
    with open(CATALOG / "django.mo", "rb") as compiled_file:
        compiled = gnu_gettext.GNUTranslations(compiled_file)
    for entry in entries:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            assert compiled.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr"][0], msgid
        else:
            assert compiled.gettext(msgid) == entry["msgstr"][0], (
                f"django.mo is older than django.po at {msgid!r}: run compilemessages"
            )


def test_makemessages_finds_no_untranslated_string(tmp_path: Path) -> None:
    """``makemessages -l es`` over a copy of the source: a new or changed string that is not
    translated (an empty or fuzzy msgstr) fails here, naming the file and the words."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("makemessages needs GNU gettext: apt-get install gettext")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns(
        ".*", "__pycache__", "*.pyc", "node_modules", "media", "var", "staticfiles", "*.sqlite3"
    )
    for name in sorted(path.name for path in base.iterdir()):
        source = base / name
        if name.startswith(".") or name in {
            "media",
            "var",
            "staticfiles",
            "tests",
            "bench",
            "docs",
        }:
            continue
        if source.is_dir():
            if not any(source.rglob("*.py")) and name not in {"templates", "locale"}:
                continue
            shutil.copytree(source, copy / name, ignore=skip)
        elif source.suffix == ".py":
            shutil.copy2(source, copy / name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "DJANGO_SETTINGS_MODULE": "medimedi.settings",
            "SQLITE_PATH": str(tmp_path / "unused.sqlite3"),
        },
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    missing = _untranslated(_po_entries(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    assert missing == [], (
        "Strings without a Spanish translation (add them to locale/es/LC_MESSAGES/django.po and "
        "run compilemessages, see docs/i18n.md):\n" + "\n".join(missing)
    )
