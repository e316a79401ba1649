"""A member, in a real browser: screener, sign-up, linking, a saved draft, then submitting.

Once in English and once entirely in Spanish (chosen with the header's switch), at 1280 and
320 px wide, with axe-core on every page (docs/browser-tests.md).
"""

import re

import pytest

from eligibility.models import MediMediPlan
from eligibility.selectors import california_today
from enrollment import services
from enrollment.models import Application, ApplicationStatus
from tests.browser.support import NewVisit, Visit, scroll_width
from tests.factories import BeneficiaryFactory, UserFactory

pytestmark = [pytest.mark.browser]

PASSWORD = "a-Long-passphrase-2026"
WIDTHS = [1280, 320]


def fill_screener(visit: Visit) -> None:
    page = visit.page
    page.select_option("#id_county", "06081")
    page.fill("#id_as_of", california_today().isoformat())
    page.check("#id_medicare_part_a_0")
    page.check("#id_medicare_part_b_0")
    page.check("#id_medi_cal_0")
    page.locator("#screener-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"#result$"))


def expect_language(visit: Visit, language: str) -> None:
    assert visit.page.locator("html").get_attribute("lang") == language, visit.page.url


def submit(visit: Visit, form: str = "main form") -> None:
    with visit.page.expect_navigation():
        visit.page.locator(f"{form} button[type=submit]").last.click()


def member_journey(visit: Visit, language: str) -> None:
    """The whole member journey; ``check`` runs axe and screenshots each page."""
    person = BeneficiaryFactory(first_name="Rosa", last_name="Quintero")
    email = f"rosa.{language}.{visit.width}@example.test"
    page = visit.page
    page.goto("/")
    visit.check("01-screener")
    if language == "es":
        with page.expect_navigation():
            page.locator("header form.language-switch button").click()
    expect_language(visit, language)
    visit.check("02-screener-language")

    fill_screener(visit)
    expect_language(visit, language)
    assert page.locator("#result.eligible").is_visible()
    visit.check("03-screener-result")

    page.locator("header nav a[href='/accounts/signup/']").click()
    page.wait_for_url("**/accounts/signup/")
    expect_language(visit, language)
    visit.check("04-signup")
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    submit(visit)
    assert page.url.endswith("/me/link/")
    expect_language(visit, language)
    visit.check("05-link")

    page.fill("#id_identifier", person.mbi)
    page.fill("#id_date_of_birth", "1950-05-17")
    page.fill("#id_last_name", "Quintero")
    submit(visit)
    assert page.url.endswith("/me/")
    expect_language(visit, language)
    visit.check("06-home")

    with page.expect_navigation():
        page.locator("main a[href='/me/applications/new/']").click()
    visit.check("07-application-new")
    page.locator("input[name=plan]").first.check()
    page.fill("#id_contact_phone", "650-555-0100")
    with page.expect_navigation():
        page.locator("button[name=action][value=save]").click()
    application = Application.objects.get(beneficiary=person)
    assert application.status == ApplicationStatus.DRAFT
    expect_language(visit, language)
    visit.check("08-draft-saved")

    # Comes back another time: logs out, logs in, continues the draft from My Medi-Medi.
    with page.expect_navigation():
        page.locator("header form[action='/accounts/logout/'] button").click()
    page.goto("/accounts/login/")
    expect_language(visit, language)
    visit.check("09-login")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    submit(visit)
    page.goto("/me/")
    expect_language(visit, language)
    with page.expect_navigation():
        page.locator(f"a[href='/me/applications/{application.pk}/edit/']").click()
    expect_language(visit, language)
    visit.check("10-application-edit")
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert page.url.endswith(f"/me/applications/{application.pk}/")
    expect_language(visit, language)
    visit.check("11-submitted")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_member_checks_signs_up_links_saves_a_draft_and_submits(
    browser_site: NewVisit, language: str, width: int
) -> None:
    visit: Visit = browser_site(f"member-{language}", width)
    member_journey(visit, language)
    visit.assert_accessible()


# --- No sideways scrolling at 320 px -------------------------------------------------------
# Every page of the journey, in both languages. A page that is known to overflow goes in
# KNOWN_OVERFLOW with why: it becomes a strict xfail, so fixing it fails the test until the
# entry is removed. None is listed since the header wraps (static/css/site.css).

PAGES_320 = (
    "screener",
    "screener-result",
    "signup",
    "login",
    "link",
    "home",
    "application-new",
    "application-draft",
    "application-edit",
    "application-submitted",
)
KNOWN_OVERFLOW: dict[str, str] = {}
SCREENER_ANSWERS = (
    "?county=06081&as_of={today}&medicare_part_a=yes&medicare_part_b=yes&medi_cal=full"
    "&share_of_cost=none&medicare_savings_program=none&incarcerated=no&lawfully_present=yes"
)


def _page_param(name: str) -> object:
    reason = KNOWN_OVERFLOW.get(name)
    if reason is None:
        return name
    return pytest.param(
        name,
        marks=pytest.mark.xfail(
            strict=True,
            raises=AssertionError,
            reason=f"{name} page at 320 px: {reason}",
        ),
    )


def _url_for(name: str, draft: Application, submitted: Application) -> str:
    return {
        "screener": "/",
        "screener-result": "/" + SCREENER_ANSWERS.format(today=california_today().isoformat()),
        "signup": "/accounts/signup/",
        "login": "/accounts/login/",
        "link": "/me/link/",
        "home": "/me/",
        "application-new": "/me/applications/new/",
        "application-draft": f"/me/applications/{draft.pk}/",
        "application-edit": f"/me/applications/{draft.pk}/edit/",
        "application-submitted": f"/me/applications/{submitted.pk}/",
    }[name]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", [_page_param(name) for name in PAGES_320])
def test_page_does_not_scroll_sideways_at_320_px(
    browser_site: NewVisit, name: str, language: str
) -> None:
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    member = UserFactory(username="rosa@example.test", email="rosa@example.test")
    unlinked = UserFactory(username="ana@example.test", email="ana@example.test")
    beneficiary = BeneficiaryFactory(user=member)
    submitted = services.application_submit(
        application=services.application_create(beneficiary=beneficiary, actor=member, plan=plan),
        actor=member,
    )
    submitted.refresh_from_db()
    # The draft is another member's (one open application per person).
    other = UserFactory(username="luz@example.test", email="luz@example.test")
    draft = services.application_create(
        beneficiary=BeneficiaryFactory(user=other), actor=other, plan=plan
    )
    visit: Visit = browser_site("width-320", 320)
    page = visit.page
    who = {"link": unlinked, "application-draft": other, "application-edit": other}.get(
        name, None if name in {"screener", "screener-result", "signup", "login"} else member
    )
    if who is not None:
        page.goto("/accounts/login/")
        page.fill("#id_username", who.username)
        page.fill("#id_password", "pw-for-tests-1")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    url = _url_for(name, draft, submitted)
    response = page.goto(url)
    if response is None or response.status != 200 or not page.url.endswith(url):
        pytest.fail(f"{url} did not open for the test: {page.url}")  # not the known overflow
    if language == "es":
        with page.expect_navigation():
            page.locator("header form.language-switch button").click()
        if page.locator("html").get_attribute("lang") != "es":
            pytest.fail("the language switch did not switch to Spanish")
    visit.check(f"{language}-{name}")
    assert scroll_width(page) <= 320, f"{name} is {scroll_width(page)} px wide at 320 px"
