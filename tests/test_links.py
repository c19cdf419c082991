"""Link rewriting in rendered HTML: relative to the page (relative_urls), absolute (feed content)."""

from __future__ import annotations

import pytest

from digest.links import absolute_from, relative_to, rewrite_urls


@pytest.mark.parametrize(
    ("page", "link", "written"),
    [
        pytest.param("/digest/2021/11/24/pact/", "/digest/topics/defence/", "../../../../topics/defence/index.html", id="folder"),
        pytest.param("/digest/", "/digest/", "index.html", id="home-from-home"),
        pytest.param("/digest/topics/", "/digest/css/digest.css", "../css/digest.css", id="file"),
        pytest.param("/digest/404.html", "/digest/archive/", "archive/index.html", id="from-a-file-page"),
        pytest.param("/digest/topics/", "/digest/topics/defence/?page=2#top", "defence/index.html?page=2#top", id="query-and-fragment"),
        pytest.param("/digest/topics/", "#main", "#main", id="fragment-only"),
        pytest.param("/digest/topics/", "/elsewhere/", "/elsewhere/", id="outside-the-site"),
        pytest.param("/digest/topics/", "//cdn.example.org/x.js", "//cdn.example.org/x.js", id="protocol-relative"),
        pytest.param("/digest/topics/", "https://example.org/digest/", "https://example.org/digest/", id="absolute"),
    ],
)
def test_site_links_become_relative_to_their_page(page, link, written):
    assert rewrite_urls(f'<a href="{link}">x</a>', relative_to(page, "/digest/")) == f'<a href="{written}">x</a>'


def test_only_link_attributes_inside_tags_are_rewritten():
    html = (
        '<p class="/digest/x/">Text with href="/digest/a/" in it</p>\n'
        "<pre><code>&lt;a href=\"/digest/b/\"&gt;</code></pre>\n"
        "<img src='/digest/img/a.png' srcset=\"/digest/img/a.png 1x, /digest/img/a@2x.png 2x\" alt=\"/digest/\">"
    )
    assert rewrite_urls(html, relative_to("/digest/", "/digest/")) == (
        '<p class="/digest/x/">Text with href="/digest/a/" in it</p>\n'
        "<pre><code>&lt;a href=\"/digest/b/\"&gt;</code></pre>\n"
        "<img src='img/a.png' srcset=\"img/a.png 1x, img/a@2x.png 2x\" alt=\"/digest/\">"
    )


def test_feed_content_gets_absolute_links_resolved_against_the_article():
    page = "https://news.example.org/2021/11/24/pact/"
    html = '<a href="/countries/ma/">M</a> <a href="map.png">map</a> <a href="#n1">1</a> <a href="mailto:desk@example.org">d</a>'
    assert rewrite_urls(html, absolute_from(page)) == (
        '<a href="https://news.example.org/countries/ma/">M</a> <a href="https://news.example.org/2021/11/24/pact/map.png">map</a> '
        '<a href="https://news.example.org/2021/11/24/pact/#n1">1</a> <a href="mailto:desk@example.org">d</a>'
    )
