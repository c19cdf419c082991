"""A generated 1,000-article digest: one page per article, topic and country, a summary that counts them, valid
HTML and feeds, and no broken link when it is hosted under a sub-path or opened from disk with relative URLs.

The corpus comes from the benchmark's generator in this repository
(`bench/gen_corpus.py --flavor digest`), which writes only
`content/articles/YYYY/<slug>.md`; this test adds the `site.yaml`. Expected pages
are computed from the generated front matter, not from digest's model. The hosted and
relative variants are built from the same folder into folders of their own, so
the parse cache of the first build serves them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from digest.countries import CountryIndex
from digest.names import slugify
from tests.conftest import REPO
from tests.crawl import crawl_published, offered_files, serve_folder
from tests.feed_rules import feed_files, feed_problems
from tests.nu import NuCheck

GENERATOR = REPO / "bench" / "gen_corpus.py"
ARTICLES = 1000
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
SUMMARY = re.compile(r"^Built (\d+) pages from (\d+) articles in [\d.]+ s → ", re.MULTILINE)
ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")
COUNT = re.compile(r'<p class="count">(\d+) articles?</p>')
CORPUS_URL = "https://corpus.example.org/"
HOSTED_URL = "https://corpus.example.org/digest/"


@dataclass(frozen=True)
class Corpus:
    root: Path
    output: Path
    summary: str
    sources: dict[Path, dict[str, Any]]  # file → its front matter
    nu: NuCheck  # the Nu Html Checker over the output, started as soon as it was built

    def html(self) -> list[str]:
        return sorted(p.relative_to(self.output).as_posix() for p in self.output.rglob("*.html"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """The corpus generated and built once. The Nu Html Checker starts on its output right away: it takes about
    15 s, which it spends while the other tests build and crawl their variants."""
    root = tmp_path_factory.mktemp("corpus") / "site"
    subprocess.run(
        [sys.executable, str(GENERATOR), str(root), "--articles", str(ARTICLES), "--flavor", "digest"],
        check=True, capture_output=True, text=True, timeout=120,
    )
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert all(re.fullmatch(r"content/articles/\d{4}/[a-z0-9-]+\.md", f) for f in written), "the generator now writes more"
    assert len(written) == ARTICLES
    (root / "site.yaml").write_text(site_yaml(CORPUS_URL), encoding="utf-8")

    output = root.parent / "public"
    run = build(root, output)
    sources = {}
    for path in sorted((root / "content" / "articles").rglob("*.md")):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        assert match, f"{path} has no front matter"
        sources[path] = yaml.safe_load(match.group(1))
    corpus = Corpus(root, output, run.stdout, sources, NuCheck(output))
    yield corpus
    corpus.nu.stop()


def site_yaml(base_url: str) -> str:
    return f"title: Generated Corpus Digest\nbase_url: {base_url}\n"


def build(root: Path, output: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`digest build` of the corpus into `output`, as a curator runs it."""
    run = subprocess.run(
        [sys.executable, "-m", "digest", "-s", str(root), "build", "--output", str(output), *options],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def hosted(corpus: Corpus) -> Path:
    """The corpus published at https://corpus.example.org/digest/ and built into `<served root>/digest/`; returns
    the served root. site.yaml's base_url is rewritten for this build and put back after it: in the same folder,
    the parse cache of the first build serves it (the cache is keyed by the site's folder, not its base_url)."""
    served = corpus.root.parent / "served"
    config = corpus.root / "site.yaml"
    config.write_text(site_yaml(HOSTED_URL), encoding="utf-8")
    try:
        build(corpus.root, served / "digest")
    finally:
        config.write_text(site_yaml(CORPUS_URL), encoding="utf-8")
    return served


@pytest.fixture(scope="module")
def relative(corpus: Corpus) -> Path:
    """The corpus built with `digest build --relative` into a folder of its own."""
    output = corpus.root.parent / "relative"
    build(corpus.root, output, "--relative")
    return output


def test_one_page_per_topic(corpus: Corpus) -> None:
    expected = {slugify(t) for meta in corpus.sources.values() for t in meta["topics"]}
    pages = [p.parent.name for p in corpus.output.glob("topics/*/index.html")]
    assert sorted(pages) == sorted(expected)


def test_one_page_per_country(corpus: Corpus) -> None:
    index = CountryIndex()
    expected = {index.resolve(c).code.lower() for meta in corpus.sources.values() for c in meta["countries"]}
    pages = [p.parent.name for p in corpus.output.glob("countries/*/index.html")]
    assert sorted(pages) == sorted(expected)


def test_term_pages_count_their_articles(corpus: Corpus) -> None:
    index = CountryIndex()
    expected: Counter[str] = Counter()
    for meta in corpus.sources.values():
        expected.update({f"topics/{slugify(t)}/index.html" for t in meta["topics"]})
        expected.update({f"countries/{index.resolve(c).code.lower()}/index.html" for c in meta["countries"]})
        expected.update({f"sources/{slugify(meta['source'])}/index.html"} if meta.get("source") else set())
    shown = {}
    for page in expected:
        match = COUNT.search((corpus.output / page).read_text(encoding="utf-8"))
        assert match, f"{page} shows no article count"
        shown[page] = int(match.group(1))
    assert shown == dict(expected)


def test_one_page_per_article(corpus: Corpus) -> None:
    expected = {f"{meta['date']:%Y/%m/%d}/{slugify(path.stem)}/index.html" for path, meta in corpus.sources.items()}
    assert len(expected) == ARTICLES
    assert [f for f in corpus.html() if ARTICLE_PAGE.match(f)] == sorted(expected)


def test_summary_counts_every_page_written(corpus: Corpus) -> None:
    match = SUMMARY.search(corpus.summary)
    assert match, f"no summary line in:\n{corpus.summary}"
    pages, articles = int(match.group(1)), int(match.group(2))
    assert articles == ARTICLES
    html = corpus.html()
    index_pages = [f for f in html if f.endswith("/index.html") or f == "index.html"]
    # Every HTML page is an index.html except the 404 page, which is a page too.
    assert sorted(set(html) - set(index_pages)) == ["404.html"]
    # Beside them: three feeds (Atom, RSS, JSON) for the site and for every topic, country, source and author, a sitemap and robots.txt.
    feeds = sorted(p.relative_to(corpus.output).as_posix() for p in corpus.output.rglob("*") if p.name in ("feed.xml", "rss.xml", "feed.json"))
    terms = [f for f in index_pages if re.fullmatch(r"(topics|countries|sources|authors)/[^/]+/index\.html", f)]
    assert len(feeds) == 3 * (1 + len(terms))
    assert pages == len(html) + len(feeds) + 2
    assert (corpus.output / "sitemap.xml").is_file() and (corpus.output / "robots.txt").is_file()


def test_generated_articles_read_like_news(corpus: Corpus) -> None:
    """What the benchmark relies on: 400-1,200-word bodies, quotes to smarten, and file names digest keeps as slugs."""
    for path in corpus.sources:
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        assert 400 <= len(body.split()) <= 1200, path.name
        assert slugify(path.stem) == path.stem
    bodies = "".join(path.read_text(encoding="utf-8") for path in corpus.sources)
    for mark in ('"', "'", "\n## ", "\n- ", "\n> ", "]("):
        assert bodies.count(mark) >= ARTICLES // 2, f"few {mark!r} in the corpus"


def test_every_feed_is_valid(corpus: Corpus) -> None:
    assert len(feed_files(corpus.output)) > 3
    problems = feed_problems(corpus.output)
    assert problems == [], "\n".join(problems)


def test_hosted_under_a_sub_path_every_link_works_and_every_page_feed_and_sitemap_is_reached(hosted: Path) -> None:
    with serve_folder(hosted) as base:
        report = crawl_published(base + "digest/", inside=base + "digest/", published_at=HOSTED_URL)
    assert report.broken == [], report
    assert offered_files(hosted / "digest") - report.files() == set()


def test_relative_output_opened_from_disk_has_no_broken_link_and_reaches_everything(relative: Path) -> None:
    site = relative.as_uri() + "/"
    report = crawl_published(site + "index.html", inside=site, published_at=CORPUS_URL)
    assert report.broken == [], report
    assert offered_files(relative) - report.files() == set()


def test_every_page_passes_the_nu_html_checker(corpus: Corpus) -> None:
    """After the corpus's other tests, so the checker started with the build has had their time to work."""
    errors = corpus.nu.errors()
    assert errors == [], "\n".join(errors)


def generate(root: Path, articles: int, flavor: str, seed: int = 1) -> dict[str, bytes]:
    subprocess.run(
        [sys.executable, str(GENERATOR), str(root), "--articles", str(articles), "--seed", str(seed), "--flavor", flavor],
        check=True, capture_output=True, timeout=60,
    )
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.md")}


@pytest.mark.parametrize("flavor", ["digest", "pelican", "hugo"])
def test_a_smaller_corpus_is_the_start_of_a_larger_one(tmp_path: Path, flavor: str) -> None:
    small = generate(tmp_path / "small", 30, flavor)
    large = generate(tmp_path / "large", 60, flavor)
    assert len(small) == 30 and len(large) == 60
    assert {name: large[name] for name in small} == small
    assert generate(tmp_path / "other", 30, flavor, seed=2).keys().isdisjoint(small)
