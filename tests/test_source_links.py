"""Links by source path: a curator links another article or a file by where it lies (`omicron.md#travel-bans`,
`../../images/map.png`), and the built site links to its page or its published copy wherever the site is hosted:
under a sub-path, or with relative URLs opened from disk, with either Markdown engine. A link that leads nowhere, or
that only works at the root of a domain, is a one-line warning of `digest build` that says what to write instead,
and an error of `digest check`."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from PIL import Image

from digest.build import Changes, Session
from digest.config import Overrides
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, REPO, InlineSite, clean_snapshot, snapshot
from tests.crawl import crawl, crawl_published, serve_folder

PUBLISHED = "https://example.org/news/"
PACT = "content/articles/2021/pact.md"
OMICRON = """---
title: Omicron variant prompts travel bans
date: 2021-11-26
countries: [South Africa]
topics: [health]
source: Example News
---
The WHO named a new variant.

## Travel bans

Governments closed their borders.
"""


def pact(links: str) -> str:
    return f"""---
title: Israel signs defence pact with Morocco
date: 2021-11-24
countries: [Israel, Morocco]
topics: [defence]
source: Example News
---
The first defence pact between Israel and an Arab state.

{links}
"""


GOOD_LINKS = (
    "Two days later came [the travel bans](omicron.md#travel-bans), [the whole story](../2021/omicron.md),\n"
    "a [map](../../images/map.png) and the desk's [logo](../../../static/img/logo.png).\n\n"
    "![Map of the region](../../images/map.png)\n"
)


def news_site(root: Path, *settings: str, links: str = GOOD_LINKS) -> InlineSite:
    """Two articles, a picture in content/images/, a static file and an edition note, published at `PUBLISHED`; the pact
    article writes `links`."""
    site = InlineSite(root)
    root.mkdir(parents=True, exist_ok=True)
    config = f"title: The Digest\nbase_url: {PUBLISHED}\neditions: {{period: weekly}}\n" + "".join(f"{line}\n" for line in settings)
    site.write(f"-- site.yaml --\n{config}-- content/articles/2021/omicron.md --\n{OMICRON}-- content/articles/2021/pact.md --\n{pact(links)}")
    site.write("-- content/editions/2021-W47.md --\n---\ntitle: A busy week\n---\nIt began with [the pact](../articles/2021/pact.md).\n")
    (root / "content/images").mkdir(parents=True)
    Image.new("RGB", (40, 20), "teal").save(root / "content/images/map.png")
    (root / "static/img").mkdir(parents=True)
    Image.new("RGB", (16, 16), "navy").save(root / "static/img/logo.png")
    return site


def hrefs(html: str) -> list[str]:
    """The links and picture sources of an article's body, in order."""
    body = html.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    return re.findall(r'(?:href|src)="([^"]*)"', body)


def build_in(site: InlineSite, output: Path, **options: object) -> Path:
    result = site.build(output_dir=output, **options)
    assert result.result is not None and result.result.warnings == (), [p.format() for p in result.result.warnings]
    return output


@pytest.mark.parametrize("engine", ["python-markdown", "commonmark"])
def test_under_a_sub_path_links_by_source_path_land_on_their_pages_and_files(tmp_path, monkeypatch, engine):
    monkeypatch.chdir(tmp_path)
    site = news_site(tmp_path / "site", f"markdown: {{engine: {engine}}}", "feeds: {full_content: true}")
    output = build_in(site, tmp_path / "served" / "news")
    page = (output / "2021/11/24/pact/index.html").read_text()
    picture = next(output.glob("images/map.*.png"))
    assert picture.read_bytes() == (site.root / "content/images/map.png").read_bytes()
    assert {"/news/2021/11/26/omicron/#travel-bans", "/news/2021/11/26/omicron/",
            f"/news/images/{picture.name}", "/news/img/logo.png"} <= set(re.findall(r'(?:href|src)="([^"]*)"', page))
    assert '<a href="/news/2021/11/24/pact/">the pact</a>' in (output / "editions/2021-W47/index.html").read_text()
    (entry,) = [e for e in feedparser.parse((output / "feed.xml").read_bytes()).entries if e.link.endswith("/pact/")]
    assert f'href="{PUBLISHED}2021/11/26/omicron/#travel-bans"' in entry.content[0].value
    with serve_folder(tmp_path / "served") as base:
        report = crawl(base + "news/", inside=base + "news/", published_at=PUBLISHED)
    assert report.broken == [], report
    assert {"2021/11/26/omicron/index.html", f"images/{picture.name}", "img/logo.png"} <= report.files()
    target = (output / "2021/11/26/omicron/index.html").read_text()
    assert 'id="travel-bans"' in target


def test_with_relative_urls_links_by_source_path_work_opened_from_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = build_in(news_site(tmp_path / "site", "relative_urls: true"), tmp_path / "public")
    page = (output / "2021/11/24/pact/index.html").read_text()
    assert 'href="../../26/omicron/index.html#travel-bans"' in page
    report = crawl_published(output.as_uri() + "/index.html", inside=output.as_uri() + "/", published_at=PUBLISHED)
    assert report.broken == [], report
    assert "2021/11/26/omicron/index.html" in report.files()


def test_renaming_or_re_dating_the_target_re_renders_the_page_that_links_to_it(tmp_path, monkeypatch):
    site = news_site(tmp_path / "site")
    monkeypatch.chdir(site.root)
    live = Session(site.root, BuildOptions(now=FIXED_NOW))
    live.build()
    linking = "2021/11/24/pact/index.html"
    articles = site.root / "content/articles/2021"

    (articles / "omicron.md").write_text(OMICRON.replace("date: 2021-11-26", "date: 2021-11-27"))
    result = live.rebuild(Changes(content=frozenset({articles / "omicron.md"})))
    assert linking in result.rendered_outputs
    assert "/news/2021/11/27/omicron/#travel-bans" in hrefs(site.output.read(linking))

    (articles / "omicron.md").rename(articles / "omicron-variant.md")
    result = live.rebuild(Changes(content=frozenset({articles / "omicron.md", articles / "omicron-variant.md"})))
    assert linking in result.rendered_outputs
    assert "omicron.md#travel-bans" in hrefs(site.output.read(linking))
    assert [p.message for p in result.warnings][:1] == ["links to omicron.md#travel-bans, but there is no content/articles/2021/omicron.md"]
    assert result.warnings[0].hint == "write omicron-variant.md#travel-bans"

    (articles / "pact.md").write_text(pact(GOOD_LINKS.replace("omicron.md", "omicron-variant.md")))
    result = live.rebuild(Changes(content=frozenset({articles / "pact.md"})))
    assert result.warnings == ()
    assert "/news/2021/11/27/omicron-variant/#travel-bans" in hrefs(site.output.read(linking))
    live.close()
    assert snapshot(site.root / "public") == clean_snapshot(site.root, tmp_path / "clean")


def test_a_new_version_of_a_linked_file_is_published_under_a_new_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    site = news_site(tmp_path / "site")
    live = Session(site.root, BuildOptions(now=FIXED_NOW))
    live.build()
    before = {p.name for p in (site.root / "public/images").iterdir()}
    Image.new("RGB", (40, 20), "orange").save(site.root / "content/images/map.png")
    result = live.rebuild(Changes(content=frozenset({site.root / "content/images/map.png"})))
    live.close()
    after = {p.name for p in (site.root / "public/images").iterdir()}
    assert len(after) == 1 and after != before
    assert "2021/11/24/pact/index.html" in result.rendered_outputs
    assert f"/news/images/{after.pop()}" in hrefs(site.output.read("2021/11/24/pact/index.html"))


BROKEN_LINKS = (
    "See [the bans](/2021/11/26/omicron/#travel-bans),\n"
    "[a story that never was](../2021/omicron-bans.md) and ![the map](/images/map.png).\n"
)


def test_root_absolute_and_missing_links_warn_in_build_with_the_link_to_write_and_fail_check(tmp_path):
    site = news_site(tmp_path / "site", links=BROKEN_LINKS)
    env = {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}
    built = site.cli("build", env=env)
    assert built.returncode == 0, built.stderr
    expected = [
        f"warning: {PACT}:10:16: links to /2021/11/26/omicron/#travel-bans, outside the site's path /news/; write omicron.md#travel-bans",
        f"warning: {PACT}:11:26: links to ../2021/omicron-bans.md, but there is no content/articles/2021/omicron-bans.md; write omicron.md",
        f"warning: {PACT}:11:66: links to /images/map.png, outside the site's path /news/; write ../../images/map.png",
    ]
    assert built.stderr.splitlines() == expected
    again = site.cli("build", env=env)  # nothing changed: the build reads nothing, and says it all again
    assert again.stderr.splitlines() == expected
    for strict in ((), ("--strict",)):
        checked = site.cli("check", *strict, env=env)
        assert checked.returncode == 1
        assert checked.stdout.startswith("Check failed: 3 errors, 0 warnings;"), checked.stdout
        assert f"{PACT}:11:26: links to ../2021/omicron-bans.md, but there is no content/articles/2021/omicron-bans.md\n" in checked.stderr
        assert "  hint: write omicron.md\n" in checked.stderr


def test_a_link_to_a_draft_or_a_missing_file_warns_until_it_is_there_and_a_page_s_relative_url_is_left_to_check(tmp_path):
    links = "A [draft](draft.md) and [the report](../../files/report.pdf).\n\nMore on [defence](../../../../topics/defence/).\n"
    site = news_site(tmp_path / "site", links=links)
    site.write("-- content/articles/2021/draft.md --\n---\ntitle: Not yet\ndate: 2021-11-20\ndraft: true\n---\nSoon.\n")
    env = {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}
    built = site.cli("build", env=env)
    assert built.stderr.splitlines() == [
        f"warning: {PACT}:10:11: links to draft.md, a draft, which has no page in this build; "
        "publish it (remove 'draft: true'), or build with --drafts",
        f"warning: {PACT}:10:38: links to ../../files/report.pdf, but there is no content/files/report.pdf; "
        "give the path of an article or a file inside the content folder, from this article's folder",
    ]
    (site.root / "content/files").mkdir()
    (site.root / "content/files/report.pdf").write_bytes(b"%PDF-1.4 a report\n")
    built = site.cli("build", "--drafts", env=env)
    assert built.stderr == ""
    page = site.output.read("2021/11/24/pact/index.html")
    (report,) = re.findall(r'href="/news/(files/report\.[0-9a-f]{8}\.pdf)"', page)
    assert site.output.read(report) == "%PDF-1.4 a report\n"
    assert 'href="/news/2021/11/20/draft/"' in page
    assert 'href="../../../../topics/defence/"' in page
    assert site.cli("check", "--drafts", env=env).returncode == 0


def test_the_sample_hosted_under_a_sub_path_has_no_broken_link_from_its_markdown(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "site/content")
    config = re.sub(r"(?m)^base_url: .*$", "base_url: https://example.org/sub/path/", (REPO / "site.yaml").read_text())
    (tmp_path / "site/site.yaml").write_text(config)
    result = Session(tmp_path / "site", BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=tmp_path / "served/sub/path")).build()
    assert result.warnings == ()
    output = tmp_path / "served/sub/path"
    linked = [
        link for page in output.glob("2021/*/*/*/index.html") for link in hrefs(page.read_text())
        if link.startswith("/sub/path/2021/")
    ]
    assert linked, "the sample links no article to another by its source path"
    with serve_folder(tmp_path / "served") as base:
        report = crawl(base + "sub/path/", inside=base + "sub/path/", published_at="https://example.org/sub/path/")
    assert report.broken == [], report
