"""Search: the `/search/` page and a Pagefind index of every article page, both page plans.

The index is planned like any other output: its plan names the article pages it
indexes, and its fingerprint is made of theirs (with Pagefind's version), so it
is made again only when an article page changed. Pagefind cannot update an index
in place, so then it reads every article page again, as built: the ones this build
staged and the ones already in the output, laid out as hard links in the staging
folder (one request to Pagefind for all of them; its Python API answers a request
only every tenth of a second, too slow for a request per page). Its bundle is
written into the staging folder and staged file by file like any page: only the
files whose bytes changed are written, the commit moves them in with the rest,
the manifest lists them, and a failed build leaves the old index whole. Pagefind
writes some lists in a random order; `searchbundle` sorts them, so an index is
the same bytes however often it is made.

What is indexed and how is the theme's: `data-pagefind-*` attributes in the
article template mark the story, and give the filters (topic, country, year,
source, edition) and the date to sort by; Pagefind weights the headline, the
page's `<h1>`, above the text.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import SiteConfig
from .errors import DigestError
from .indexer import IndexStopped, Stop, find_indexer, indexer_version, run_pagefind
from .output import WORK_DIR, OutputWriter, work_dir
from .pages import PageKind, PagePlan, Urls
from .searchbundle import make_stable

if TYPE_CHECKING:
    from .build import Session
    from .editions import Edition
    from .plan import Planner
    from .state import BuildState, PageLedger
    from .views import Link

BUNDLE = "pagefind/"
"""Where Pagefind's bundle goes in the output (its default place, where its scripts look for their files)."""
ENTRY = BUNDLE + "pagefind-entry.json"
"""The index plan's output: the bundle's entry file, which every search loads first."""
MARK = "i"
"""The ledger's fingerprints of bundle files start with this (pages' are hex digests, static files' start with 's')."""
SCRATCH = "search"
"""Beside the staging tree: the article pages as hard links, and the bundle as Pagefind writes it."""


# -- planning: pure, like every planner ----------------------------------------------------------


def search_plans(planner: Planner) -> Iterator[PagePlan]:
    """`/search/` with the topics, countries and sources to filter by (and their counts), then the index of every article page."""
    from .plan import flag_url, term_link

    site = planner.site
    if not site.config.search.enabled:
        return
    urls = planner.urls
    topics = tuple(term_link(urls, t) for t in site.topics)
    countries = tuple(term_link(urls, t, flag_url(urls, planner.flags, t.country.code) if t.country else "", planner.words) for t in site.countries)
    publications = tuple(term_link(urls, t) for t in site.sources)  # not `sources=`: that names a plan's files
    yield planner.plan(PageKind.SEARCH, urls.path("search"), planner.words.gettext("Search"), topics=topics, countries=countries, publications=publications)
    yield index_plan(urls, tuple(sorted(urls.output_of(card.url) for card in planner.card_list)), site.config.language)


def index_plan(urls: Urls, pages: tuple[str, ...], language: str) -> PagePlan:
    """The plan of the search index: the article pages it reads (outputs, sorted) and the language it indexes them in."""
    url = urls.path() + ENTRY
    return PagePlan(PageKind.SEARCH_INDEX, url, ENTRY, (), {"kind": PageKind.SEARCH_INDEX, "pages": pages, "language": language})


def edition_links(editions: tuple[Edition, ...], urls: Urls, before: Mapping[Path, Link]) -> dict[Path, Link]:
    """Each article's edition as a link named by its label ('Week 47, 2021'), the search filter an article page gives;
    an unchanged link is the previous planner's very object, so article plans that show it can be reused."""
    from .views import Link

    links: dict[Path, Link] = {}
    for edition in editions:
        link = Link(edition.span.label, urls.path("editions", edition.id))
        for article in edition.articles:
            old = before.get(article.path)
            links[article.path] = old if old == link else link
    return links


@dataclass(slots=True)
class SearchIndexer:
    """One build's search index: whether it is current, and when not, making it and staging its files."""

    plan: PagePlan
    ledger: PageLedger
    config: SiteConfig

    @classmethod
    def split(cls, state: BuildState, plans: dict[str, PagePlan]) -> tuple[dict[str, PagePlan], SearchIndexer | None]:
        """The plans the renderer draws, and the indexer when the site has search (its binary found, else an error now,
        before anything renders)."""
        plan = plans.get(ENTRY)
        if plan is None or plan.kind is not PageKind.SEARCH_INDEX:
            return plans, None
        find_indexer(state.config)
        return {out: p for out, p in plans.items() if out != ENTRY}, cls(plan, state.pages, state.config)

    @property
    def pages(self) -> tuple[str, ...]:
        pages: tuple[str, ...] = self.plan.context["pages"]
        return pages

    def fingerprint(self) -> str:
        """Of Pagefind's version, the language and every article page's own fingerprint: equal ones give an equal bundle."""
        digest = hashlib.blake2b(f"{indexer_version()}|{self.plan.context['language']}|{self.plan.url}".encode(), digest_size=20)
        pending, records = self.ledger.pending, self.ledger.records
        for out in self.pages:
            record = pending.get(out) or records.get(out)
            digest.update(f"{out}\0{record.fingerprint if record is not None else ''}\0".encode("utf-8", "surrogateescape"))
        return MARK + digest.hexdigest()

    def bundle(self) -> set[str]:
        """The files of the bundle now in the output, as the ledger knows them."""
        return {out for out, record in self.ledger.records.items() if record.fingerprint.startswith(MARK)}

    def current(self, fingerprint: str) -> bool:
        """Whether the output holds the bundle made from these very pages, every file of it as digest wrote it."""
        entry = self.ledger.records.get(ENTRY)
        if entry is None or entry.fingerprint != fingerprint:
            return False
        return all(self.ledger.records[out].fingerprint == fingerprint and self.ledger.on_disk(out) for out in self.bundle())

    def stage(self, writer: OutputWriter, stop: Stop | None = None) -> set[str]:
        """The bundle's files for this build's commit: made again and staged when an article page changed.

        Each article page is read as this build leaves it: staged, or already in the output.
        """
        fingerprint = self.fingerprint()
        if self.current(fingerprint):
            return self.bundle()
        staging = writer.staging
        if staging.folder.parent.name == WORK_DIR:
            work_dir(staging.folder.parent.parent)
        scratch = staging.folder / SCRATCH
        shutil.rmtree(scratch, ignore_errors=True)
        pages, made = scratch / "pages", scratch / "bundle"
        staged = set(writer.staged)
        output = str(self.config.output_dir)
        try:
            folders: set[str] = set()
            for out in self.pages:
                source = staging.staged(out) if out in staged else os.path.join(output, out)
                target = os.path.join(pages, out)
                folder = os.path.dirname(target)
                if folder not in folders:
                    os.makedirs(folder, exist_ok=True)
                    folders.add(folder)
                try:
                    os.link(source, target)
                except OSError:  # a file system without hard links
                    shutil.copyfile(source, target)
            os.makedirs(pages, exist_ok=True)
            run_pagefind(pages, made, str(self.plan.context["language"]), stop)
            make_stable(made)
            if stop is not None:
                stop.check()
            files = self._stage_bundle(writer, made)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self.remember(files, fingerprint)
        return files

    def _stage_bundle(self, writer: OutputWriter, made: Path) -> set[str]:
        files: set[str] = set()
        for folder, _, names in os.walk(made):
            for name in names:
                path = os.path.join(folder, name)
                out = BUNDLE + os.path.relpath(path, made).replace(os.sep, "/")
                with open(path, "rb") as handle:
                    writer.stage(out, handle.read())
                files.add(out)
        return files

    def remember(self, files: set[str], fingerprint: str) -> None:
        """Tell the ledger about the bundle's files, as the renderer's pages are told: recorded with their stamps once committed."""
        from .state import PageRecord

        for out in sorted(files):
            self.ledger.pending[out] = PageRecord(fingerprint, None, b"", b"search")
            self.ledger.touched.append(out)


def index_deferred(state: BuildState, stop: Stop | None = None) -> float | None:
    """After a rebuild that left the index for later (`serve`, so the reload waits only for the pages): make it now,
    from the committed article pages, and commit it alone. Seconds it took, or None when it was current;
    `IndexStopped` when `stop` was called first."""
    started = time.perf_counter()
    pages, indexer = SearchIndexer.split(state, state.plans)
    if indexer is None or indexer.current(indexer.fingerprint()):
        return None
    before = indexer.bundle()
    writer = OutputWriter(state.config.output_dir, state.config.root, state.manifest)
    try:
        bundle = indexer.stage(writer, stop)
        wanted = (set(state.pages.records) - before) | bundle
        writer.commit(wanted)
    except BaseException:
        writer.abort()
        raise
    state.pages.commit(wanted)
    return time.perf_counter() - started


class BackgroundIndex:
    """`serve`'s search index: made in a thread of its own after each rebuild has reloaded the browsers. The next
    rebuild stops it first (and makes it again after), so neither a reload nor a rebuild ever waits for Pagefind."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.thread: threading.Thread | None = None
        self.stop_index = Stop()

    def start(self, done: Callable[[str], None], failed: Callable[[DigestError], None]) -> None:
        """Index in the background; then `done` gets what the rebuild line adds ('' when the index was current), or
        `failed` the error."""
        self.stop()
        stop = self.stop_index = Stop()

        def run() -> None:
            try:
                seconds = self.session.index_search(stop)
            except IndexStopped:
                done("; search index left to the next rebuild")
            except DigestError as exc:
                failed(exc)
            else:
                done(f"; search index in {seconds * 1000:.0f} ms" if seconds is not None else "")

        self.thread = threading.Thread(target=run, name="digest-search-index", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop the index under way, if any, and wait until it has let go of the output."""
        self.stop_index()
        if self.thread is not None:
            self.thread.join()
            self.thread = None
