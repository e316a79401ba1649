"""The USWDS look, in a real browser (docs/look.md): the official banner opens without
JavaScript, the footer gives the program's phone number, every staff page fits a 320 px screen,
and approve and deny wait for a confirmation."""

from typing import Any

import pytest

from accounts.otp import totp_device_ensure
from eligibility.models import MediMediPlan
from enrollment import services
from enrollment.models import Application, ApplicationStatus, Enrollment
from tests.auth_helpers import current_code
from tests.browser.support import NewVisit, Visit, scroll_width
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.browser]


def staff_logged_in(visit: Visit) -> None:
    """Sign a plan staff member in with password and code (a new one each test)."""
    staff = StaffFactory(username="worker@hpsm.example")
    device = totp_device_ensure(staff)
    page = visit.page
    page.goto("/accounts/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.fill("#id_otp", current_code(device))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert not page.url.endswith("/accounts/login/"), "the code did not sign staff in"


def submitted_application(name: str = "Rosa") -> Application:
    member = UserFactory(
        username=f"{name.lower()}@example.test", email=f"{name.lower()}@example.test"
    )
    person = BeneficiaryFactory(user=member, first_name=name, last_name="Quintero")
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    return services.application_submit(
        application=services.application_create(beneficiary=person, actor=member, plan=plan),
        actor=member,
    )


def test_the_banner_opens_without_javascript_and_the_footer_gives_the_phone(
    chromium: Any, live_server: Any, transactional_db: None, reference_data: None, settings: Any
) -> None:
    """With JavaScript off: "Here's how you know" is a native disclosure (keyboard: Enter)."""
    settings.NOTICES_PROGRAM_PHONE = "1-888-000-0199"
    context = chromium.new_context(
        viewport={"width": 320, "height": 900}, base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/eligibility/")
        banner = page.get_by_role("region", name="Official website of the State of California")
        assert "An official website of the State of California" in banner.inner_text()
        guidance = banner.get_by_text("Official websites use .gov")
        assert not guidance.is_visible()
        banner.locator("summary").focus()
        page.keyboard.press("Enter")
        assert guidance.is_visible()
        assert banner.get_by_text("Secure .gov websites use HTTPS").is_visible()
        page.keyboard.press("Enter")
        assert not guidance.is_visible()

        footer = page.locator("footer")
        phone = footer.locator("a[href='tel:1-888-000-0199']")
        assert phone.inner_text() == "1-888-000-0199"
        assert "Questions? Call us:" in footer.inner_text()
        assert scroll_width(page) <= 320

        # Until the program's number is set, the footer prints no number that looks real.
        settings.NOTICES_PROGRAM_PHONE = "1-800-555-0100"
        page.goto("/eligibility/")
        text = page.locator("footer").inner_text()
        assert "555-0100" not in text and "1-800-MEDICARE" in text
    finally:
        context.close()


# Every staff page of the portal at 320 px: nothing may scroll sideways (tables stack).
STAFF_PAGES = [
    ("queue", "/staff/queue/"),
    ("application-submitted", "/staff/applications/{submitted}/"),
    ("application-approved", "/staff/applications/{approved}/"),
    ("application-new", "/staff/applications/new/"),
    ("reviews", "/staff/reviews/"),
    ("representatives", "/staff/beneficiaries/{person}/representatives/"),
    ("letters", "/staff/beneficiaries/{person}/letters/"),
    ("medicare-replies", "/staff/medicare/replies/"),
    ("reconciliation", "/staff/reconciliation/"),
    ("care-tasks", "/staff/care/tasks/"),
    ("care-case", "/staff/care/enrollments/{enrollment}/"),
    ("appeals", "/staff/care/appeals/"),
    ("care-reports", "/staff/care/reports/"),
]


def test_every_staff_page_fits_a_320_px_screen(
    browser_site: NewVisit, tasks_in_process: None
) -> None:
    submitted = submitted_application("Rosa")
    approved = submitted_application("Ana")
    staff = StaffFactory()
    services.application_approve(application=approved, actor=staff)
    enrollment = Enrollment.objects.get(beneficiary=approved.beneficiary, kind="medi_medi")
    ids = {
        "submitted": submitted.pk,
        "approved": approved.pk,
        "person": approved.beneficiary_id,
        "enrollment": enrollment.pk,
    }
    visit: Visit = browser_site("staff-320", 320)
    page = visit.page
    staff_logged_in(visit)
    too_wide = []
    for name, url in STAFF_PAGES:
        path = url.format(**ids)
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        visit.check(name)
        if scroll_width(page) > 320:
            too_wide.append(f"{name} ({path}): {scroll_width(page)} px")
    # The confirmation pages, reached as staff reach them.
    page.goto(f"/staff/applications/{submitted.pk}/")
    with page.expect_navigation():
        page.locator(f"form[action$='/{submitted.pk}/approve/confirm/'] button").click()
    visit.check("confirm-approval")
    if scroll_width(page) > 320:
        too_wide.append(f"confirm-approval: {scroll_width(page)} px")
    assert not too_wide, "pages scroll sideways at 320 px:\n" + "\n".join(too_wide)
    visit.assert_accessible()


@pytest.mark.parametrize("width", [1280, 320])
def test_approve_and_deny_wait_for_a_confirmation(browser_site: NewVisit, width: int) -> None:
    application = submitted_application()
    visit: Visit = browser_site("confirm", width)
    page = visit.page
    staff_logged_in(visit)
    page.goto(f"/staff/applications/{application.pk}/")
    visit.check("01-application")

    # Approve: a page says what will happen; nothing is approved yet; "No" changes nothing.
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and enroll").click()
    assert page.url.endswith(f"/staff/applications/{application.pk}/approve/confirm/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Approve and enroll")
    visit.check("02-confirm-approval")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Enrollment.objects.exists()
    with page.expect_navigation():
        page.get_by_role("link", name="No, go back").click()
    assert page.url.endswith(f"/staff/applications/{application.pk}/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # Deny: the confirmation repeats the reasons; not denied until "Yes".
    stale = page.context.new_page()  # a second tab left open on the application
    stale.goto(f"/staff/applications/{application.pk}/")
    page.get_by_label("Another reason").check()
    page.fill("#id_deny-note", "We could not reach you")
    with page.expect_navigation():
        page.get_by_role("button", name="Deny", exact=True).click()
    visit.check("03-confirm-denial")
    main = page.locator("main").inner_text()
    assert "Another reason" in main and "We could not reach you" in main
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, deny the application").click()
    assert page.url.endswith(f"/staff/applications/{application.pk}/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DENIED
    visit.check("04-denied")

    # The stale tab's Approve is refused at the confirmation: back on the application's URL.
    with stale.expect_navigation():
        stale.get_by_role("button", name="Approve and enroll").click()
    assert stale.url.endswith(f"/staff/applications/{application.pk}/")
    assert (
        "This application cannot be approved now." in stale.get_by_role("alert").first.inner_text()
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DENIED
    visit.assert_accessible()


# Which elements stick out past the right edge (named in a failure, so it says what to fix).
WIDER_THAN_PAGE = """() => {
  const edge = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > edge + 0.5)
    .slice(0, 8)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "")
      + " " + Math.round(e.getBoundingClientRect().right) + "px");
}"""


def test_the_opened_banner_fits_a_320_px_screen(browser_site: NewVisit) -> None:
    """Opening "Here's how you know" at 320 px widens nothing: no sideways scrolling, English and
    Spanish, on a signed-out page."""
    for language in ("en-US", "es"):
        visit: Visit = browser_site("banner-320", 320, language)
        page = visit.page
        page.goto("/eligibility/")
        banner = page.locator("section.site-banner")
        banner.locator("summary").click()
        assert banner.locator(".usa-banner__content").is_visible()
        visit.check(f"banner-open-{language}")
        width = page.evaluate("document.documentElement.scrollWidth")
        client = page.evaluate("document.documentElement.clientWidth")
        assert width <= client, (language, width, client, page.evaluate(WIDER_THAN_PAGE))
        # The icon the browser asks for is there (no 404 in the log): /favicon.ico leads to it.
        icon = page.request.get("/favicon.ico")
        assert icon.status == 200 and icon.headers["content-type"].startswith("image/")
        svg = page.request.get(
            page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
        )
        assert svg.status == 200
        # Each line of the guidance lies inside the screen, not cut off at its edge.
        for box in banner.locator(".usa-banner__guidance").all():
            bounds = box.bounding_box()
            assert (
                bounds is not None and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= client
            )
        visit.assert_accessible()


# Each phone number's boxes: more than one means the number broke across lines.
BROKEN_PHONES = """() => [...document.querySelectorAll("a[href^='tel:'], .phone")]
  .filter(e => e.getClientRects().length > 1)
  .map(e => e.textContent)"""


def test_phone_numbers_never_break_across_lines_at_320_px(browser_site: NewVisit) -> None:
    """The screener's plans at 320 px: every number is printed whole ("1-800-..." on one line)."""
    from tests.browser.test_member_journey import fill_screener

    visit: Visit = browser_site("phones-320", 320)
    page = visit.page
    page.goto("/eligibility/")
    fill_screener(visit)
    visit.check("screener-result")
    phones = page.locator("main a[href^='tel:']")
    assert phones.count() >= 1, "the result lists no plan's phone number"
    assert page.evaluate(BROKEN_PHONES) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    visit.assert_accessible()


def test_the_portals_admin_import_page_stacks_at_320_px(
    browser_site: NewVisit, tasks_in_process: None
) -> None:
    """An admin uploads an eligibility file with errors at 320 px: the import's page (report,
    reconciliation, errors, history) stacks its tables instead of scrolling sideways."""
    from tests.factories import AdminFactory
    from tests.interchange.test_imports_api import a_file_with_errors

    admin = AdminFactory(username="admin@dhcs.example")
    device = totp_device_ensure(admin)
    visit: Visit = browser_site("admin-import-320", 320)
    page = visit.page
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.fill("#id_otp", current_code(device))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto("/admin/interchange/eligibilityimport/upload/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "jan.csv", "mimeType": "text/csv", "buffer": a_file_with_errors()}],
    )
    page.locator("input[name=kind][value=full]").check()
    with page.expect_navigation():
        page.locator("#content-main form [type=submit]").click()
    page.reload()  # the import ran on commit, in the live server
    visit.check("import-report", axe=False)  # Django's admin chrome is not held to axe
    assert page.locator(".import-errors table tbody tr").count() >= 1
    assert page.locator(".import-history tbody tr").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.evaluate(
        WIDER_THAN_PAGE
    )
