"""An admin moves a county's Medi-Medi availability date in the admin; the screener shows the
new date, and the county's history shows who moved it."""

from datetime import date

import pytest

from accounts.otp import totp_device_ensure
from eligibility.models import County
from eligibility.selectors import california_today
from tests.auth_helpers import current_code
from tests.browser.support import NewVisit, Visit
from tests.factories import AdminFactory

pytestmark = [pytest.mark.browser]

ANSWERS = (
    "/?county={fips}&as_of={today}&medicare_part_a=yes&medicare_part_b=yes&medi_cal=full"
    "&share_of_cost=none&medicare_savings_program=none&incarcerated=no&lawfully_present=yes"
)


@pytest.mark.parametrize("width", [1280, 320])
def test_admin_moves_a_county_date_and_the_screener_shows_it(
    browser_site: NewVisit, tasks_in_process: None, width: int
) -> None:
    today = california_today()
    # A live county is postponed a year (as if its rollout were delayed).
    county = County.objects.get(name="San Mateo")
    assert county.medi_medi_available_from <= today
    new_date = date(today.year + 1, 7, 1)
    admin = AdminFactory(username="admin@dhcs.example")
    device = totp_device_ensure(admin)
    screener_url = ANSWERS.format(fips=county.fips, today=today.isoformat())

    visit: Visit = browser_site("admin-county", width)
    page = visit.page
    page.goto(screener_url)
    visit.check("01-screener-before")
    assert page.locator("#result.eligible").count() == 1

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.fill("#id_otp", current_code(device))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(f"/admin/eligibility/county/{county.pk}/change/")
    assert page.url.endswith("/change/"), "the admin was not signed in"
    # The Django admin's own pages are screenshotted but not held to axe: they are Django's.
    visit.check("02-admin-county", axe=False)
    rows_before = county.history.count()
    page.fill("#id_medi_medi_available_from", new_date.isoformat())
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    county.refresh_from_db()
    assert county.medi_medi_available_from == new_date
    visit.check("03-admin-saved", axe=False)

    page.goto(f"/admin/eligibility/county/{county.pk}/history/")
    visit.check("04-admin-history", axe=False)
    history = page.locator("#content").inner_text()
    assert admin.username in history
    # One change, one history row, with its reason (no empty "Changed" row beside it).
    rows = page.locator("#change-history tbody tr")
    changed = [row for row in rows.all() if "rollout date" in row.inner_text()]
    assert len(changed) == 1 and rows.count() == rows_before + 1
    if width == 320:  # the portal's admin stylesheet stacks the history table
        assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.goto(screener_url)
    visit.check("05-screener-after")
    assert page.locator("#result.not-eligible").count() == 1
    assert page.locator(f"#result time[datetime='{new_date.isoformat()}']").count()
    visit.assert_accessible()
