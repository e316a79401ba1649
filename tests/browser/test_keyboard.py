"""Keyboard only: the screener filled and submitted with Tab, Space, Enter and arrow keys.

The answer is announced: after a submission, focus is on the error summary or on the result.
"""

from typing import Any

import pytest

from eligibility.models import County
from tests.browser.support import NewVisit, Visit

pytestmark = [pytest.mark.browser]


def focused(page: Any, selector: str) -> bool:
    result: bool = page.evaluate(
        "(s) => document.activeElement !== null && document.activeElement.matches(s)", selector
    )
    return result


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}")


def focus_inside(page: Any) -> str:
    selector: str = page.evaluate(
        "() => { const e = document.activeElement;"
        " const box = e && e.closest('#result, .error-summary');"
        " return box ? (box.id || box.className) : (e ? e.outerHTML.slice(0, 80) : ''); }"
    )
    return selector


@pytest.mark.parametrize("width", [1280, 320])
def test_screener_by_keyboard_alone_announces_errors_then_the_result(
    browser_site: NewVisit, width: int
) -> None:
    visit: Visit = browser_site("keyboard", width)
    page = visit.page
    page.goto("/")
    visit.check("01-screener")

    # Submitting nothing: focus moves to the error summary, and the title says "Error:".
    tab_to(page, "#screener-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert focus_inside(page) == "error-summary"
    visit.check("02-errors")

    # The county with the arrow keys (the list is in name order, after "Choose your county").
    counties = list(County.objects.order_by("name").values_list("fips", flat=True))
    page.evaluate("window.scrollTo(0, 0)")
    tab_to(page, "#id_county")
    for _ in range(counties.index("06081") + 1):
        page.keyboard.press("ArrowDown")
    assert page.input_value("#id_county") == "06081"
    # The date keeps today's value; each yes/no question takes Space on its first choice.
    for question in ("medicare_part_a", "medicare_part_b", "medi_cal"):
        tab_to(page, f"input[name={question}]")
        page.keyboard.press("Space")
    assert page.is_checked("#id_medicare_part_a_0")
    assert page.is_checked("#id_medicare_part_b_0")
    assert page.is_checked("#id_medi_cal_0")
    # An arrow key moves within a radio group: share of cost stays "none" after down and up.
    tab_to(page, "input[name=share_of_cost]")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#id_share_of_cost_1")
    page.keyboard.press("ArrowUp")
    assert page.is_checked("#id_share_of_cost_0")

    tab_to(page, "#screener-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#result.eligible").is_visible()
    assert focus_inside(page) == "result", "focus did not move to the result"
    visit.check("03-result")
    visit.assert_accessible()
