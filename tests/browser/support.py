"""What every browser test does on every page: a screenshot, axe-core, and the width check."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# axe.run on the whole document, limited to WCAG 2.0/2.1 A and AA; only what a person needs to
# read a failure comes back (id, impact, help, and each failing element's CSS target).
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(RUN_AXE, AXE_TAGS)
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}\n    at {', '.join(v['targets'])}"
        for v in violations
    )


def scroll_width(page: Any) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


@dataclass
class Visit:
    """One person's browser tab in a journey; ``check`` records each page it reaches."""

    page: Any
    journey: str
    width: int
    problems: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def check(self, step: str, *, axe: bool = True) -> None:
        """Screenshot the page, run axe on it and keep any violation for ``assert_accessible``."""
        self.page.wait_for_load_state("load")
        self.steps.append(step)
        folder = SCREENSHOTS / self.journey
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{self.width}-{step}.png"), full_page=True)
        violations = axe_violations(self.page) if axe else []
        if violations:
            self.problems.append(f"{step} ({self.page.url}):\n{describe(violations)}")

    def assert_accessible(self) -> None:
        assert not self.problems, (
            f"axe-core found WCAG 2.1 A/AA violations at {self.width} px:\n"
            + "\n".join(self.problems)
        )


# The ``browser_site`` fixture: ``browser_site(journey, width, language="en-US")`` opens a tab.
NewVisit = Callable[..., Visit]
