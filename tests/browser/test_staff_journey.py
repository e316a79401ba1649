"""Staff, in a real browser: sign in with the second factor, find the application by MBI, ask
for information, approve; then the member sees the approval and both enrollments."""

from pathlib import Path

import pytest

from accounts.otp import totp_device_ensure
from eligibility.models import MediMediPlan
from enrollment import services
from enrollment.models import ApplicationStatus, Enrollment
from notices.models import Notice, NoticeKind
from tests.auth_helpers import current_code
from tests.browser.support import NewVisit, Visit
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory
from tests.pdf_helpers import pdf_text

pytestmark = [pytest.mark.browser]


def log_in(visit: Visit, username: str, code: str = "") -> None:
    page = visit.page
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    if code:
        page.fill("#id_otp", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("width", [1280, 320])
def test_staff_find_by_mbi_ask_for_information_approve_and_the_member_sees_it(
    browser_site: NewVisit, tasks_in_process: None, width: int
) -> None:
    member = UserFactory(username="rosa@example.test", email="rosa@example.test")
    person = BeneficiaryFactory(user=member, first_name="Rosa", last_name="Quintero")
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    application = services.application_submit(
        application=services.application_create(beneficiary=person, actor=member, plan=plan),
        actor=member,
    )
    staff = StaffFactory(username="worker@hpsm.example")
    device = totp_device_ensure(staff)

    visit: Visit = browser_site("staff", width)
    page = visit.page
    page.goto("/accounts/login/")
    visit.check("01-login")
    log_in(visit, staff.username, current_code(device))
    page.goto("/staff/queue/")
    assert page.url.endswith("/staff/queue/"), "the code did not sign staff in"
    visit.check("02-queue")

    page.fill("#id_q", person.mbi)
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    visit.check("03-queue-by-mbi")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    with page.expect_navigation():
        rows.first.locator(f"a[href='/staff/applications/{application.pk}/']").click()
    visit.check("04-application")

    page.fill("#id_info-note", "Send a copy of your Medi-Cal card")
    with page.expect_navigation():
        page.locator(
            f"form[action='/staff/applications/{application.pk}/request-info/'] button"
        ).click()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INFO_REQUESTED
    visit.check("05-information-requested")

    # Approve asks for confirmation first (a page of its own); nothing changes until "Yes".
    with page.expect_navigation():
        page.locator(
            f"form[action='/staff/applications/{application.pk}/approve/confirm/'] button"
        ).click()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INFO_REQUESTED
    visit.check("06-confirm-approval")
    with page.expect_navigation():
        page.locator(f"form[action='/staff/applications/{application.pk}/approve/'] button").click()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    visit.check("07-approved")
    visit.assert_accessible()

    # The member, in their own browser, sees the approval and both enrollments.
    mine: Visit = browser_site("staff", width)
    log_in(mine, member.username)
    mine.page.goto("/me/")
    mine.check("08-member-home")
    home = mine.page.locator("main").inner_text()
    enrollments = Enrollment.objects.filter(beneficiary=person)
    assert {e.kind for e in enrollments} == {"medi_medi", "medi_cal"}
    medi_cal = enrollments.get(kind="medi_cal")
    assert "Approved" in home
    assert plan.name in home
    assert medi_cal.medi_cal_plan.name in home
    mine.page.goto(f"/me/applications/{application.pk}/")
    mine.check("09-member-application")
    assert "Approved" in mine.page.locator("main").inner_text()
    mine.assert_accessible()

    # The confirmation letter is on the member's letters page: it reads, and the ID card that
    # came with it downloads as a PDF carrying the plan's member ID, never the MBI.
    mine.page.goto("/me/letters/")
    mine.check("10-member-letters")
    mine.assert_accessible()
    confirmation = Notice.objects.get(
        beneficiary_letter__beneficiary=person, kind=NoticeKind.ENROLLMENT_CONFIRMATION
    )
    with mine.page.expect_navigation():
        mine.page.locator(f"a[href='/me/letters/{confirmation.pk}/']").click()
    mine.check("11-member-confirmation-letter")
    letter = mine.page.locator("main").inner_text()
    assert plan.name in letter
    assert medi_cal.medi_cal_plan.name in letter
    with mine.page.expect_download() as download:
        mine.page.locator(f"a[href^='/me/letters/{confirmation.pk}/id-card']").click()
    card = Path(download.value.path()).read_bytes()
    assert card.startswith(b"%PDF")
    medi_medi = enrollments.get(kind="medi_medi")
    card_text = pdf_text(card)
    assert medi_medi.member_id in card_text
    assert person.mbi not in card_text
