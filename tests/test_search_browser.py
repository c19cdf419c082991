"""Searching the bundled sample in a browser: a word of the pact's body finds it, the Morocco filter narrows what a
search found, the Reuters filter finds what Reuters' source page lists, the date order orders it, the keyboard alone gets there, axe-core finds nothing wrong in light or dark,
and not one request leaves the machine.

The sample (site.yaml and content/ as shipped, search on) is built once and served as a static host would; one
headless Chromium visits its /search/ page, reached from the masthead's link as a reader would.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.browser import BrowserContext, Page, axe_violations, expect
from tests.conftest import served_sample

BODY_WORD = "memorandum"
"""A word only the body of the sample's pact article has (not its title or summary)."""
PACT = "Israel signs defence pact with Morocco"


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_sample(tmp_path_factory.mktemp("sample") / "site") as url:
        yield url


@pytest.fixture(scope="module")
def strangers(browser: BrowserContext) -> Iterator[list[str]]:
    """Every request the browser tried to send anywhere but this machine, refused (workers' requests included)."""
    refused: list[str] = []

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != "127.0.0.1":
            refused.append(url)
            route.abort()
        else:
            route.continue_()

    browser.route("**/*", guard)
    yield refused
    browser.unroute("**/*", guard)


@pytest.fixture(scope="module")
def tab(browser: BrowserContext, strangers: list[str]) -> Iterator[Page]:
    page = browser.new_page()
    yield page
    page.close()


def open_search(tab: Page, sample_url: str, scheme: str = "light") -> None:
    """The home page, then the masthead's Search link, with the search form ready."""
    tab.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    tab.goto(sample_url)
    tab.get_by_role("navigation", name="Sections").get_by_role("link", name="Search", exact=True).click()
    expect(tab.get_by_role("search")).to_be_visible()
    expect(tab.get_by_role("status")).to_contain_text("Type a word")


def open_filter(tab: Page, name: str) -> None:
    """Unfold a filter's list of checkboxes (a disclosure: its summary is what a reader clicks)."""
    tab.get_by_role("search").locator("summary", has_text=name).click()


def titles(tab: Page) -> list[str]:
    return tab.locator("[data-results] h3 a").all_inner_texts()


def dates(tab: Page) -> list[str]:
    return tab.locator("[data-results] time").evaluate_all("times => times.map(t => t.dateTime)")


def test_a_word_of_the_pacts_body_finds_it(tab: Page, sample_url: str) -> None:
    open_search(tab, sample_url)
    tab.get_by_label("Words to look for").fill(BODY_WORD)
    expect(tab.get_by_role("status")).to_contain_text(f"for “{BODY_WORD}”")
    assert PACT in titles(tab)
    link = tab.get_by_role("link", name=PACT)
    assert urlsplit(link.evaluate("a => a.href")).path == "/2021/11/24/israel-morocco-defence-pact/"
    expect(tab.locator("[data-results] mark").first).to_have_text(BODY_WORD, ignore_case=True)
    link.click()
    expect(tab.locator("h1")).to_have_text(PACT)


def test_the_morocco_filter_narrows_a_search_and_its_count_says_by_how_much(tab: Page, sample_url: str) -> None:
    open_search(tab, sample_url)
    tab.get_by_label("Words to look for").fill("Israel")
    expect(tab.get_by_role("status")).to_contain_text("for “Israel”")
    everything = titles(tab)
    open_filter(tab, "Countries")
    morocco = tab.get_by_role("checkbox", name="Morocco")
    promised = int(tab.locator("label", has=tab.get_by_text("Morocco")).locator("[data-count]").inner_text().strip("()"))
    morocco.check()
    expect(tab.locator("[data-results] > li")).to_have_count(promised)
    narrowed = titles(tab)
    assert PACT in narrowed and 0 < len(narrowed) < len(everything)
    assert "country=Morocco" in tab.url  # the search can be bookmarked
    tab.reload()
    expect(tab.get_by_role("checkbox", name="Morocco")).to_be_checked()
    expect(tab.locator("[data-results] > li")).to_have_count(promised)


def test_the_date_order_sorts_a_topic_newest_or_oldest_first(tab: Page, sample_url: str) -> None:
    open_search(tab, sample_url)
    open_filter(tab, "Topics")
    tab.get_by_role("checkbox", name="Diplomacy").check()
    expect(tab.get_by_role("status")).to_contain_text("articles found")
    listed = tab.locator("[data-results] > li")
    expect(listed).to_have_count(int(tab.get_by_role("status").inner_text().split()[0]))
    found = dates(tab)
    assert len(found) >= 3
    times = tab.locator("[data-results] time")
    for order, expected in (("Newest first", sorted(found, reverse=True)), ("Oldest first", sorted(found))):
        tab.get_by_label("Order").select_option(label=order)
        expect(times.first).to_have_attribute("datetime", expected[0])
        expect(times.last).to_have_attribute("datetime", expected[-1])
        expect(listed).to_have_count(len(found))
        assert dates(tab) == expected, order
    assert "sort=oldest" in tab.url


def test_the_source_filter_finds_the_articles_the_sources_page_lists(tab: Page, sample_url: str) -> None:
    open_search(tab, sample_url)
    open_filter(tab, "Sources")
    tab.get_by_role("checkbox", name="Reuters").check()
    expect(tab.get_by_role("status")).to_contain_text("articles found")
    found = titles(tab)
    assert "source=Reuters" in tab.url
    tab.goto(sample_url.rstrip("/") + "/sources/reuters/")
    assert sorted(tab.locator(".cards h2 a").all_inner_texts()) == sorted(found) and len(found) > 1


def test_the_keyboard_alone_searches_and_reaches_a_result(tab: Page, sample_url: str) -> None:
    open_search(tab, sample_url)
    words = tab.get_by_label("Words to look for")
    words.focus()
    tab.keyboard.type(BODY_WORD)
    tab.keyboard.press("Enter")
    expect(tab.get_by_role("status")).to_contain_text("1 article found")  # said once the result is there
    for _ in range(6):  # the button, the order, two filters' summaries, then the first result
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.closest('[data-results]') !== null"):
            break
    expect(tab.get_by_role("link", name=PACT)).to_be_focused()
    tab.keyboard.press("Enter")
    expect(tab.locator("h1")).to_have_text(PACT)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_with_results_has_no_accessibility_violation(tab: Page, sample_url: str, scheme: str) -> None:
    open_search(tab, sample_url, scheme)
    open_filter(tab, "Countries")
    tab.get_by_role("checkbox", name="Morocco").check()
    tab.get_by_label("Words to look for").fill("Israel")
    expect(tab.get_by_role("status")).to_contain_text("for “Israel”")
    violations = axe_violations(tab)
    assert not violations, f"axe-core finds {len(violations)} violation(s) on {tab.url} ({scheme}):\n" + "\n".join(violations)


def test_no_request_left_the_machine(tab: Page, sample_url: str, strangers: list[str]) -> None:
    open_search(tab, sample_url)
    tab.get_by_label("Words to look for").fill(BODY_WORD)
    expect(tab.get_by_role("link", name=PACT)).to_be_visible()
    assert strangers == []
