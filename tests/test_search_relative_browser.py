"""Search in relative mode, served under a sub-path: the page finds its script, the script finds the index beside it,
and the results lead to the article pages under that path. The index weights a title above a body.

A small site with `relative_urls: true` is built once and served from a folder two levels down (as a host would
serve it under /news/digest/); one headless Chromium searches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.build import build_once
from digest.site import BuildOptions
from tests.browser import BrowserContext, Page, expect
from tests.conftest import FIXED_NOW, article, write_files
from tests.crawl import serve_folder

BODY = "Drought and more drought: the drought is the worst in decades, and drought relief is slow."
SITE = (
    "-- site.yaml --\ntitle: Test Digest\nrelative_urls: true\nfeeds: false\nsearch: {enabled: true}\n"
    + article("rains", title="Somalia faces a drought", date="2021-11-01", countries="Somalia", topics="climate")
    + article("harvest", title="Kenya's harvest fails", date="2021-11-20", countries="Kenya", topics="climate").replace("Body of", BODY + "\nBody of")
    + article("aid", title="Aid arrives in Ethiopia", date="2021-11-10", countries="Ethiopia", topics="climate").replace("Body of", BODY + "\nBody of")
)


@pytest.fixture(scope="module")
def search_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("relative") / "site"
    write_files(root, SITE)
    host = root.parent / "host"
    build_once(root, BuildOptions(now=FIXED_NOW), output_dir=host / "news" / "digest")
    with serve_folder(host) as url:
        yield url + "news/digest/search/"


@pytest.fixture(scope="module")
def tab(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    yield page
    page.close()


def test_a_search_under_a_sub_path_in_relative_mode_leads_to_the_article_there_title_first(tab: Page, search_url: str) -> None:
    tab.goto(search_url)
    tab.get_by_label("Words to look for").fill("drought")
    expect(tab.get_by_role("status")).to_contain_text("3 articles found")
    first = tab.locator("[data-results] h3 a").first
    expect(first).to_have_text("Somalia faces a drought")  # once in its title, against four times in the others' bodies
    first.click()
    expect(tab).to_have_url(search_url.replace("search/", "2021/11/01/rains/"))
    expect(tab.locator("h1")).to_have_text("Somalia faces a drought")
