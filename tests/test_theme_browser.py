"""The default theme as readers see it in a browser: every kind of page of the bundled sample, in light and dark,
has no accessibility violation axe-core can find, fits a phone without sideways scrolling, and is photographed
on a desktop and a phone screen.

The sample is built once and served as a static host would; one headless Chromium tab visits every page. Each
page kind is reached the way a reader gets there, by following a link from a page found before it, so no slug
of the sample is written here. `pytest tests/test_theme_browser.py --update-screenshots` also rewrites the
README pictures in themes/default/screenshots/. Valid HTML is checked over the same pages by test_sample_site.py.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

import pytest
from PIL import Image, ImageStat

from tests.browser import BrowserContext, Locator, Page, axe_violations, expect, overflow
from tests.conftest import REPO, served_sample
from tests.plugins_screenshots import Screenshots

THEME_SCREENSHOTS = REPO / "themes" / "default" / "screenshots"
PUBLISHED = "https://news.example.org/"
"""The sample's base_url."""
README_KINDS = ("home", "article")
"""The page kinds the README shows, on each screen in each scheme."""
Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
PHONE_WIDTHS = (320, 390)


def sections_link(name: str) -> Callable[[Page], Locator]:
    """The masthead's link to a section of the site, such as Topics."""
    return lambda page: page.get_by_role("navigation", name="Sections").get_by_role("link", name=name, exact=True)


def footer_link(name: str) -> Callable[[Page], Locator]:
    """The footer's link to an index the menu leaves out, such as Sources."""
    return lambda page: page.get_by_role("navigation", name="Indexes").get_by_role("link", name=name, exact=True)


def first_listed(page: Page) -> Locator:
    """The first entry of an index page's list, such as the first topic of the topics index."""
    return page.get_by_role("main").get_by_role("listitem").filter(has=page.get_by_role("link")).first.get_by_role("link").first


@dataclass(frozen=True)
class PageKind:
    """A kind of page and how a reader reaches it: the `path` typed in, or the `link` followed from the page of
    kind `start`. An `optional` kind may be missing from the sample (a second home page needs enough articles)."""

    name: str
    start: str = ""
    link: Callable[[Page], Locator] | None = None
    path: str = ""
    optional: bool = False
    dark_mode: bool = True
    """Whether the page follows the reader's colour scheme (an email keeps its light colours: mail clients decide)."""


PAGE_KINDS = (
    PageKind("home", path="/"),
    PageKind("home-page-2", "home", lambda page: page.get_by_role("navigation", name="Pages").locator("a[rel=next]"), optional=True),
    PageKind("article", "home", lambda page: page.get_by_role("main").get_by_role("article").first.get_by_role("heading").get_by_role("link")),
    PageKind("topics", "home", sections_link("Topics")),
    PageKind("topic", "topics", first_listed),
    PageKind("countries", "home", sections_link("Countries")),
    PageKind("country", "countries", first_listed),
    PageKind("sources", "home", footer_link("Sources")),
    PageKind("source", "sources", first_listed),
    PageKind("authors", "home", footer_link("Authors")),
    PageKind("author", "authors", first_listed),
    PageKind("archive", "home", sections_link("Archive")),
    PageKind("year", "archive", lambda page: page.get_by_role("main").get_by_role("heading", level=2).first.get_by_role("link")),
    PageKind("month", "year", lambda page: page.get_by_role("navigation", name="Months").get_by_role("link").first),
    PageKind("not-found", path="/404.html"),
    PageKind("editions", "home", sections_link("Editions")),
    PageKind("edition", "editions", lambda page: page.get_by_role("main").get_by_role("heading", level=2).first.get_by_role("link")),
    PageKind("edition-email", "edition", lambda page: page.get_by_role("link", name="This edition as an email"), dark_mode=False),
    PageKind("search", "home", sections_link("Search")),
)
KIND_NAMES = [kind.name for kind in PAGE_KINDS]
KINDS = {kind.name: kind for kind in PAGE_KINDS}


# --- the sample, built once, served, and its pages found ---------------------------------------------------


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled sample (site.yaml and content/ copied out of the repository), built and served over HTTP."""
    with served_sample(tmp_path_factory.mktemp("sample") / "site") as url:
        yield url


@pytest.fixture(scope="module")
def tab(browser: BrowserContext, sample_url: str) -> Iterator[Page]:
    """The one tab every test of the module uses; each sets its own window size and colour scheme.

    The sample's absolute links (an email has only those) lead to the local copy, never out to the internet.
    """
    page = browser.new_page()
    page.route(f"{PUBLISHED}**", lambda route: route.fulfill(response=route.fetch(url=route.request.url.replace(PUBLISHED, sample_url))))
    yield page
    page.unroute(f"{PUBLISHED}**")
    page.close()


@pytest.fixture(scope="module")
def addresses(sample_url: str, tab: Page) -> dict[str, str | None]:
    """Each page kind's URL in the sample, found by following links as a reader would; None for a missing optional kind."""
    found: dict[str, str | None] = {}
    for kind in PAGE_KINDS:
        if kind.link is None:
            found[kind.name] = urljoin(sample_url, kind.path)
            continue
        start = found[kind.start]
        assert start, f"{kind.name} is reached from {kind.start}, which the sample lacks"
        tab.goto(start)
        link = kind.link(tab)
        if link.count() == 0:
            assert kind.optional, f"the {kind.start} page ({start}) has no link to a {kind.name} page"
            found[kind.name] = None
            continue
        found[kind.name] = urljoin(start, link.get_attribute("href"))
    return found


def visit(tab: Page, addresses: dict[str, str | None], kind: str, size: tuple[int, int], scheme: Scheme = "light") -> None:
    """Open the page of `kind` in a window of `size` with the reader's colour scheme set to `scheme`."""
    url = addresses[kind]
    if url is None:
        pytest.skip(f"the sample has no {kind} page")
    tab.set_viewport_size({"width": size[0], "height": size[1]})
    tab.emulate_media(color_scheme=scheme)
    response = tab.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
    expect(tab.locator("h1").first).to_be_visible()


# --- what a reader gets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_every_page_kind_has_no_accessibility_violation(tab: Page, addresses: dict[str, str | None], kind: str, scheme: Scheme) -> None:
    visit(tab, addresses, kind, SCREENS["desktop"], scheme)
    violations = axe_violations(tab)
    assert not violations, f"axe-core finds {len(violations)} violation(s) on {tab.url} ({scheme}):\n" + "\n".join(violations)


@pytest.mark.parametrize("width", PHONE_WIDTHS)
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_every_page_kind_fits_a_phone_without_sideways_scrolling(tab: Page, addresses: dict[str, str | None], kind: str, width: int) -> None:
    visit(tab, addresses, kind, (width, 800))
    assert not overflow(tab)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("kind", KIND_NAMES)
def test_every_page_kind_is_photographed_on_desktop_and_phone_in_light_and_dark(
    tab: Page, addresses: dict[str, str | None], screenshots: Screenshots, kind: str, screen: str, scheme: Scheme
) -> None:
    visit(tab, addresses, kind, SCREENS[screen], scheme)
    name = f"{kind}-{screen}-{scheme}.png"
    png = tab.screenshot()
    screenshots.save(png, name, THEME_SCREENSHOTS / name if kind in README_KINDS else None)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.size == SCREENS[screen]
        brightness = ImageStat.Stat(picture.convert("L")).mean[0]
    dark = scheme == "dark" and KINDS[kind].dark_mode
    assert (brightness < 128) == dark, f"the {scheme} picture of {tab.url} has a mean brightness of {brightness:.0f} of 255"


def test_an_article_reads_at_a_comfortable_measure_with_its_picture_in_the_best_format(tab: Page, addresses: dict[str, str | None]) -> None:
    visit(tab, addresses, "article", SCREENS["desktop"])
    per_line = tab.evaluate(
        """() => {
          const lines = [...document.querySelectorAll('.story .body p')].flatMap(p => {
            const range = document.createRange(); range.selectNodeContents(p);
            const tops = [...new Set([...range.getClientRects()].map(r => Math.round(r.top)))];
            return tops.length > 2 ? [p.textContent.length / (tops.length - 0.5)] : [];  // the last line is half full, on average
          });
          return lines.reduce((a, b) => a + b, 0) / lines.length;
        }"""
    )
    assert 65 <= per_line <= 75, f"{per_line:.0f} characters a line"
    picture = tab.locator(".story figure img")
    expect(picture).to_be_visible()
    chosen = picture.evaluate("img => img.currentSrc")
    assert re.search(r"-800\.avif$", chosen), chosen  # Chromium reads AVIF; the 544 px column takes the narrowest width that fills it


def test_the_keyboard_finds_a_visible_skip_link_first(tab: Page, addresses: dict[str, str | None]) -> None:
    visit(tab, addresses, "home", SCREENS["phone"])
    tab.keyboard.press("Tab")
    skip = tab.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    assert tab.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"


def test_a_printed_article_keeps_the_story_and_the_original_address_and_drops_the_rest(tab: Page, addresses: dict[str, str | None]) -> None:
    visit(tab, addresses, "article", SCREENS["desktop"])
    tab.emulate_media(media="print")
    try:
        for hidden in (".masthead nav", ".story .chips", ".related", ".neighbours"):
            expect(tab.locator(hidden).first).to_be_hidden()
        expect(tab.locator(".story h1")).to_be_visible()
        original = tab.locator(".original a")
        after = original.evaluate("a => getComputedStyle(a, '::after').content")
        assert original.get_attribute("href") in after
    finally:
        tab.emulate_media(media="screen")


def test_an_edition_email_fits_a_600_pixel_reading_pane_with_its_pictures_loaded(tab: Page, addresses: dict[str, str | None]) -> None:
    visit(tab, addresses, "edition-email", (600, 900))
    assert not overflow(tab)
    frame = tab.locator("table.frame").bounding_box()
    assert frame is not None and frame["width"] <= 600
    for picture in tab.locator("img").all():
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), picture.get_attribute("src")


def test_every_edition_and_its_email_has_no_accessibility_violation(tab: Page, addresses: dict[str, str | None]) -> None:
    visit(tab, addresses, "editions", SCREENS["desktop"])
    editions = [urljoin(tab.url, href) for href in tab.locator("ol.editions h2 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    assert len(editions) >= 2
    for url in editions + [url + "email.html" for url in editions]:
        tab.goto(url)
        violations = axe_violations(tab)
        assert not violations, f"axe-core finds {len(violations)} violation(s) on {url}:\n" + "\n".join(violations)
