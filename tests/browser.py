"""Headless Chromium for the browser tests, and what they measure in it: sideways overflow and axe-core's findings.

The browser is the system's (/usr/bin/chromium) driven by Playwright; the one bundled with Playwright is never
downloaded. A test module that imports this one is skipped without Chromium or Playwright, unless CI is set,
where a missing browser is a failure. The `browser` fixture in conftest.py launches it once per module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WAIT_MS = 10_000
SHOWN_PER_RULE = 5
"""Offending elements a failure lists for one axe rule; the rest are counted."""


def cannot_run(reason: str, what: str = "the browser tests") -> NoReturn:
    """Skip what needs a missing tool (a whole module when called at import), or fail under CI, where a skip
    would hide that nothing was checked."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run {what}", pytrace=False)
    pytest.skip(f"{reason}; {what} skipped", allow_module_level=True)


if not CHROMIUM.exists():
    cannot_run(f"{CHROMIUM} is missing (install the distribution's chromium package)")
try:
    from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright
except ImportError:
    cannot_run("Playwright for Python is not installed (pip install playwright; never `playwright install`)")

__all__ = ["BrowserContext", "Locator", "Page", "expect", "launch_chromium", "overflow", "axe_violations", "WAIT_MS"]


@contextmanager
def launch_chromium(profile: Path) -> Iterator[BrowserContext]:
    """The system's headless Chromium with the fresh profile folder `profile`, closed on leaving.

    Playwright refuses `--user-data-dir` among `launch()` arguments, so the fresh profile folder goes to
    `launch_persistent_context`, its way to say it.
    """
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(str(profile), executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context.set_default_timeout(WAIT_MS)
        expect.set_options(timeout=WAIT_MS)
        try:
            yield context
        finally:
            context.close()


_WIDEST = """() => {
  const width = window.innerWidth;
  const one = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + [...e.classList].map((c) => "." + c).join("");
  const name = (e) => [e.parentElement?.parentElement, e.parentElement, e].filter((a) => a && a !== document.body).map(one).join(" > ");
  const past = [...document.body.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > width + 0.5);
  const innermost = past.filter((e) => !past.some((other) => other !== e && e.contains(other)));
  return innermost.slice(0, 5).map((e) => `${name(e)} reaches ${Math.round(e.getBoundingClientRect().right)} px`);
}"""


def overflow(page: Page) -> str:
    """Why the page scrolls sideways in its window, naming the elements that stick out; empty when it fits."""
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width <= inner_width:
        return ""
    culprits = page.evaluate(_WIDEST)
    return f"{page.url} is {scroll_width} px wide in a {inner_width} px window: " + ("; ".join(culprits) or "no element sticks out")


def axe_violations(page: Page) -> list[str]:
    """What axe-core (its default rules: WCAG 2 A and AA and best practices) finds wrong with the page,
    one rule a line: its id, impact and help, then the offending elements' selectors and HTML."""
    if not AXE.is_file():
        cannot_run(f"axe-core is missing at {AXE.relative_to(REPO)} (`npm install --no-save --ignore-scripts axe-core` in {REPO})",
                   "the accessibility checks")
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate("axe.run(document)")
    found = []
    for rule in results["violations"]:
        lines = [f"{rule['id']} ({rule['impact']}): {rule['help']} — {len(rule['nodes'])} element(s), see {rule['helpUrl']}"]
        for node in rule["nodes"][:SHOWN_PER_RULE]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}\n        {summary}")
        if len(rule["nodes"]) > SHOWN_PER_RULE:
            lines.append(f"    … and {len(rule['nodes']) - SHOWN_PER_RULE} more")
        found.append("\n".join(lines))
    return found
