"""A generated 1,000-article digest: one page per article, topic and country, and a summary that counts them.

The corpus comes from the shared benchmark generator (`gen_corpus.py --flavor digest`),
which writes only `content/articles/YYYY/<slug>.md`; this test adds the `site.yaml`.
Expected pages are computed from the generated front matter, not from digest's model.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from digest.countries import CountryIndex
from digest.names import slugify
from tests.conftest import REPO

GENERATOR = REPO.parent / "shared" / "corpus" / "gen_corpus.py"
ARTICLES = 1000
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
SUMMARY = re.compile(r"^Built (\d+) pages from (\d+) articles in [\d.]+ s → ", re.M)
ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")
COUNT = re.compile(r'<p class="count">(\d+) articles?</p>')


@dataclass(frozen=True)
class Corpus:
    root: Path
    output: Path
    summary: str
    sources: dict[Path, dict[str, Any]]  # file → its front matter

    def html(self) -> list[str]:
        return sorted(p.relative_to(self.output).as_posix() for p in self.output.rglob("*.html"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    if not GENERATOR.is_file():
        pytest.skip(f"the corpus generator is not at {GENERATOR} (it lives in the shared workspace, outside the repository)")
    root = tmp_path_factory.mktemp("corpus") / "site"
    subprocess.run(
        [sys.executable, str(GENERATOR), str(root), "--articles", str(ARTICLES), "--flavor", "digest"],
        check=True, capture_output=True, text=True, timeout=120,
    )
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert all(re.fullmatch(r"content/articles/\d{4}/[a-z0-9-]+\.md", f) for f in written), "the generator now writes more"
    assert len(written) == ARTICLES
    if not (root / "site.yaml").exists():
        (root / "site.yaml").write_text("title: Generated Corpus Digest\n", encoding="utf-8")

    output = root.parent / "public"
    run = subprocess.run(
        [sys.executable, "-m", "digest", "-s", str(root), "build", "--output", str(output)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    sources = {}
    for path in sorted((root / "content" / "articles").rglob("*.md")):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        assert match, f"{path} has no front matter"
        sources[path] = yaml.safe_load(match.group(1))
    return Corpus(root, output, run.stdout, sources)


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
    # Every page is an index.html except the 404 page, which is a page too.
    assert sorted(set(html) - set(index_pages)) == ["404.html"]
    assert pages == len(index_pages) + 1 == len(html)
