"""The axe check itself: it finds a real violation, so a clean journey means something."""

import pytest

from tests.browser.support import NewVisit, Visit, axe_violations

pytestmark = [pytest.mark.browser]


def test_axe_reports_an_unlabelled_field_with_its_target_and_help(browser_site: NewVisit) -> None:
    visit: Visit = browser_site("axe-check", 1280)
    visit.page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><main><input type="text" id="nameless"></main></body></html>'
    )
    violations = axe_violations(visit.page)
    label = [v for v in violations if v["id"] == "label"]
    assert label, violations
    assert label[0]["targets"] == ["#nameless"]
    assert label[0]["impact"] == "critical"
    assert label[0]["help"]
