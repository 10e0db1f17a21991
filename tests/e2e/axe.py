"""axe-core checks. Only ever in a JavaScript-on context: with scripting off axe.run() never settles."""

import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
_axe = Axe()


def violations(page: Page) -> list[dict]:
    if not getattr(page.context, "js_enabled", True):
        raise AssertionError("axe cannot run with JavaScript off: check the same page in a JavaScript-on context")
    page.wait_for_load_state("load")
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    return results.response["violations"]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            where = ", ".join(map(str, node["target"]))
            reasons = "; ".join(line.strip() for line in node["failureSummary"].splitlines()[1:])
            lines.append(f"    {where}: {reasons}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    found = violations(page)
    assert not found, f"axe found {len(found)} problem(s) on {page.url}:\n{describe(found)}"


def screenshot(page: Page, name: str) -> None:
    """With E2E_SCREENSHOTS=<folder>, keep a full-page picture of this state for a person to look at."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "-", name)
        page.screenshot(path=str(Path(folder) / f"{safe}.png"), full_page=True)
