"""What only a browser shows: live reload, the error overlay, and layout at phone and desktop widths.

Headless Chromium from the system, through tests/browser.py: without it the module
is skipped, unless CI is set, where a missing browser is a failure. The default
theme's own pages are checked in test_theme_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import WAIT_MS, BrowserContext, Page, expect, overflow
from tests.conftest import article
from tests.servers import edit, serve

PACT = "content/articles/pact.md"
PACT_URL = "2021/11/24/pact/"
SITE = (
    "-- site.yaml --\ntitle: Test Digest\n"
    + article("pact", title="Israel signs defence pact with Morocco", countries="Israel, Morocco, USA", topics="defence, Abraham Accords")
    + article("port", title="Port deal agreed in Haifa after months of negotiations between the shipping ministries",
              date="2021-11-20", countries="Israel, United Arab Emirates", topics="trade")
    + article("gas", title="Gas field opens", date="2021-11-18", countries="Egypt", topics="energy")
)


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    yield page
    page.close()


def test_an_open_page_follows_edits_and_shows_build_errors_until_they_are_fixed(make_site, page: Page):
    site = make_site(SITE)
    pact = site.root / PACT
    with serve(site.root) as server:
        server.page("/" + PACT_URL, "<h1>Israel signs defence pact with Morocco</h1>")  # the server has it
        page.goto(server.url + PACT_URL)
        heading = page.locator("h1")
        expect(heading).to_have_text("Israel signs defence pact with Morocco")

        edit(pact, ("title: Israel signs defence pact with Morocco", "title: Israel and Morocco sign a defence pact"))
        expect(heading).to_have_text("Israel and Morocco sign a defence pact", timeout=WAIT_MS)
        assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "reload"  # by itself

        edit(pact, ("date: 2021-11-24", "date: 24/11/21"))
        overlay = page.locator("#digest-error")
        expect(overlay).to_contain_text(f"{PACT}:3:7: date: must be a date like 2021-11-24", timeout=WAIT_MS)
        expect(overlay).to_contain_text("the last build failed")
        expect(overlay).to_be_visible()
        expect(heading).to_have_text("Israel and Morocco sign a defence pact")  # the last good page underneath

        edit(pact, ("date: 24/11/21", "date: 2021-11-24"), ("title: Israel and Morocco sign a defence pact", "title: Fixed and live again"))
        expect(overlay).to_have_count(0, timeout=WAIT_MS)
        expect(heading).to_have_text("Fixed and live again", timeout=WAIT_MS)


LONG_WORD = "Rechtsschutzversicherungsgesellschaftenvertragsbedingungenzusammenfassungsentwurf" * 2


@pytest.mark.parametrize("width, height", [(320, 640), (390, 844), (1280, 800)], ids=["small-phone", "phone", "desktop"])
def test_pages_fit_the_screen_without_sideways_scrolling(make_site, page: Page, width: int, height: int):
    """Even a headline, a source or a topic of one endless word wraps instead of pushing the page sideways."""
    endless = article("word", title=LONG_WORD, date="2021-11-22", topics=LONG_WORD).replace("Example News", LONG_WORD)
    site = make_site(SITE + endless)
    page.set_viewport_size({"width": width, "height": height})
    with serve(site.root) as server:
        for path in ("", PACT_URL, "countries/", "2021/11/22/word/", "topics/"):
            page.goto(server.url + path)
            expect(page.locator("h1").first).to_be_visible()
            assert not overflow(page)
        page.goto(server.url)
        expect(page.get_by_role("link", name="Israel signs defence pact with Morocco")).to_be_visible()
        assert page.locator("#digest-error").count() == 0


def test_an_open_page_reconnects_to_a_restarted_server_and_shows_what_changed_meanwhile(make_site, page: Page):
    site = make_site(SITE)
    pact = site.root / PACT
    with serve(site.root) as server:
        port = server.port
        page.goto(server.url + PACT_URL)
        heading = page.locator("h1")
        expect(heading).to_have_text("Israel signs defence pact with Morocco")
    edit(pact, ("title: Israel signs defence pact with Morocco", "title: Written while the server was down"))
    with serve(site.root, port=port):
        expect(heading).to_have_text("Written while the server was down", timeout=WAIT_MS)
