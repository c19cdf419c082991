"""`plan_site`: the site model → one `PagePlan` per output file, before anything renders.

The URL layout and what a plan is live in `pages.py`. Every plan says which file it writes, which
templates may draw it (in order), the context they get, and which source files
it shows. Two plans that want the same output are an error naming both sources.
Planning is pure: it reads no file, not even an article's body.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .content import Article
from .countries import REGIONS, Country
from .editions import Edition
from .errors import Location, PlanError, Problem, Problems, display_path
from .i18n import N_, Translator, text_direction
from .links import LinkPairs, linked_body
from .pages import PUBLIC_PAGES, PageKind, PagePlan, Urls, template_candidates
from .periods import GroupBy
from .related import RelatedIndex
from .search import edition_links, search_plans
from .site import Month, Site, Term, TermKind, Year
from .stats import coverage
from .syndication import SITEMAP_LIMIT, Syndication, feed_formats, feed_links
from .views import ArticleCard, ArticleView, CountryLink, EditionGroup, EditionLink, EditionView, Link, Pager, Picture, SiteInfo, TermLink
from .worldmap import WorldMap, WorldShapes, world_map

EDITION_HEADLINES = 3
"""How many of an edition's articles lists of editions name."""
MENU: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Latest"), ()), (N_("Topics"), ("topics",)), (N_("Countries"), ("countries",)), (N_("Archive"), ("archive",)),
)
"""The sections every page links to, by their English name (the planner's translator gives the site's)."""
INDEX_TITLES = {PageKind.TOPICS: N_("Topics"), PageKind.COUNTRIES: N_("Countries"), PageKind.SOURCES: N_("Sources"), PageKind.AUTHORS: N_("Authors")}


def plan_site(site: Site, related: RelatedIndex) -> list[PagePlan]:
    """Every page of the site, checked for output collisions."""
    plans = list(Planner(site, related).plans())
    check_collisions(plans)
    return plans


def check_collisions(plans: Iterable[PagePlan]) -> None:
    """Two plans for one output file is an error naming both sources."""
    collisions = Collisions()
    collisions.add(plans)
    collisions.raise_if_any()


class Collisions:
    """Outputs wanted so far, to find two plans for one file among plans that come a batch at a time.

    It keeps what an error names of each first plan (its kind and sources), not the plan, so plans seen can be let go.
    """

    def __init__(self) -> None:
        self.seen: dict[str, tuple[PageKind, tuple[Path, ...]]] = {}
        self.problems = Problems()

    def add(self, plans: Iterable[PagePlan]) -> None:
        seen = self.seen
        for plan in plans:
            key = plan.output.casefold()
            first = seen.get(key)
            if first is None:
                seen[key] = (plan.kind, plan.sources)
                continue
            where = plan.sources[0] if plan.sources else Path("site.yaml")
            kind, sources = first
            other = ", ".join(str(display_path(s)) for s in sources) or f"the {kind} page"
            if str(display_path(where)) == other:
                other += f" (a different file: {ascii(str(sources[0]))} against {ascii(str(where))})"
            self.problems.add(
                Problem(
                    Location(display_path(where), 1, 1),
                    f"this {plan.kind} wants the URL {plan.url}, which {other} already has",
                    "",
                    "give one of them a different 'slug:' (or date)",
                )
            )

    def raise_if_any(self) -> None:
        self.problems.raise_if_any(PlanError)


def flag_url(urls: Urls, flags: frozenset[str], code: str) -> str:
    """Where a country's flag is written ('' when the theme has none for it)."""
    name = code.lower()
    return f"{urls.base}flags/{name}.svg" if name in flags else ""


def term_link(urls: Urls, term: Term, flag_url: str = "", words: Translator | None = None) -> TermLink:
    """A term's entry in its index (a topic's, a country's, a source's, an author's), with its count; a country named in the
    language of `words`."""
    country = term.country
    return TermLink(
        words.country(country.code, term.name) if words and country else term.name, urls.path(term.kind.folder, term.slug), term.count,
        term.description, country.flag if country else "", country.code if country else "",
        flag_url=flag_url,
    )


def byline_links(urls: Urls, terms: Sequence[Term]) -> dict[str, Link]:
    """Each spelling of a source (or author) that articles use → one link to its page, named as the page is."""
    links: dict[str, Link] = {}
    for term in terms:
        link = Link(term.name, urls.path(term.kind.folder, term.slug))
        links.update(dict.fromkeys(map(attrgetter(term.kind.value), term.articles), link))
    return links


def edition_groups(cards: tuple[ArticleCard, ...], group_by: GroupBy, other: str = "Other news") -> tuple[EditionGroup, ...]:
    """An edition's cards under their first topic or first country, groups in the order their first article comes."""
    if group_by is GroupBy.NONE:
        return (EditionGroup("", "", cards),)
    groups: dict[tuple[str, str, str], list[ArticleCard]] = {}
    for card in cards:
        head: Link | CountryLink | None = (card.topics or (None,))[0] if group_by is GroupBy.TOPIC else (card.countries or (None,))[0]
        key = (head.name, head.url, getattr(head, "flag_url", "")) if head is not None else (other, "", "")
        groups.setdefault(key, []).append(card)
    return tuple(EditionGroup(name, url, tuple(items), flag) for (name, url, flag), items in groups.items())


def by_region(terms: Sequence[Term], links: Sequence[TermLink], words: Translator) -> tuple[tuple[str, tuple[TermLink, ...]], ...]:
    """Countries' links grouped by continent, in a fixed continent order, by name (as `words` write it) within one."""
    order = {name: index for index, name in enumerate(REGIONS)}

    def region(pair: tuple[Term, TermLink]) -> str:
        country = pair[0].country
        return country.region if country and country.region else N_("Other")

    ranked = sorted(zip(terms, links), key=lambda pair: (order.get(region(pair), len(order)), words.sort_key(pair[1].name)))
    return tuple((words.region(name), tuple(link for _, link in group)) for name, group in groupby(ranked, key=region))


class Planner:
    """Plans the pages of one `Site`; reuses unchanged cards and article plans of a previous planner.

    Reused cards are the very same objects, so comparing a list page's context
    with the previous build's is mostly a matter of identity checks.
    """

    def __init__(
        self, site: Site, related: RelatedIndex, previous: "Planner | None" = None, sitemap_limit: int = SITEMAP_LIMIT, *,
        params: Mapping[str, Any] | None = None, assets: Mapping[str, str] | None = None, flags: frozenset[str] = frozenset(),
        pictures: Mapping[Path, Picture] | None = None, keep_plans: bool = True, world: WorldShapes | None = None,
        links: Mapping[Path, LinkPairs] | None = None, translator: Translator | None = None,
    ) -> None:
        self.site = site
        self.words = translator or Translator(site.config.language)
        """The site's language: the names of menus and pages, months, countries and continents."""
        self.world = world
        """The countries' shapes for the map on /countries/ (none: no map)."""
        self.links = links or {}
        """The URLs of what each article (and edition note) links to by source path (`sourcelinks.py` resolved them)."""
        self.keep_plans = keep_plans
        """Remember article plans for the next planner to reuse (a one-shot build has no next planner, and lets them go)."""
        self.pictures = pictures or {}
        """Each article's picture, by article file (`images.py` made them)."""
        self.flags = flags
        """The lower-case codes of the countries the theme has a flag for."""
        self.related = related
        config = site.config
        self.urls = Urls(config.base_path)
        self.paginate = config.paginate
        self.topic_names = {t.slug: t.name for t in site.topics}
        self.source_links = byline_links(self.urls, site.sources)
        """Each spelling of a source articles use → the link to its page (every card that shows it has this one object)."""
        self.author_links = byline_links(self.urls, site.authors)
        self.topic_links: dict[str, Link] = {}
        self.country_links: dict[Country, CountryLink] = {}
        sections = MENU[:1] + ((N_("Editions"), ("editions",)),) + MENU[1:] if config.editions.enabled else MENU
        sections += ((N_("Search"), ("search",)),) if config.search.enabled else ()
        sections += ((N_("Stats"), ("stats",)),)
        menu = tuple(Link(self.words.gettext(name), self.urls.path(*part)) for name, part in sections)
        bylines = ((TermKind.SOURCE, site.sources), (TermKind.AUTHOR, site.authors))
        indexes = tuple(Link(self.words.gettext(INDEX_TITLES[PageKind(kind.folder)]), self.urls.path(kind.folder)) for kind, terms in bylines if terms)
        self.formats = feed_formats(config.feeds)
        self.info = SiteInfo(
            config.title, config.description, config.base_url, config.base_path, config.language, menu, self.urls.path(),
            config.origin, config.publisher, feed_links(self.formats, config.title, self.urls.path()), config.relative_urls,
            dict(params or {}), dict(assets or {}), self.words.direction, footer=indexes,
        )
        self.index = {a.path: i for i, a in enumerate(site.articles)}
        same_site = previous is not None and previous.info == self.info  # else no article page can be reused as it was
        self.previous_plans: dict[Path, tuple[tuple[object, ...], PagePlan]] = previous.article_plans if previous and same_site else {}
        self.article_plans: dict[Path, tuple[tuple[object, ...], PagePlan]] = {}
        self.articles_by_path: dict[Path, Article] = {a.path: a for a in site.articles}
        self.cards = self._cards(previous)
        self.card_list = [self.cards[a.path] for a in site.articles]
        self.card_by_id = {id(a): card for a, card in zip(site.articles, self.card_list)}
        self.unchanged_pages = self._unchanged_article_pages(previous) if same_site else set()
        self.syndication = Syndication(site, self.info, self.urls, self.card_by_id, self.formats, sitemap_limit, self.links)
        self.editions = tuple(self.edition_view(e) for e in site.editions)
        """Every edition as its pages show it, newest first."""
        searched = config.search.enabled
        self.edition_of: dict[Path, Link] = edition_links(site.editions, self.urls, previous.edition_of if previous else {}) if searched else {}
        """Each article's edition, for the search filter its page gives (with search only)."""

    def _cards(self, previous: "Planner | None") -> dict[Path, ArticleCard]:
        """Every article's card: the previous one when it cannot differ or turns out equal."""
        same_names = (
            previous is not None and previous.topic_names == self.topic_names and previous.urls.base == self.urls.base
            and previous.source_links == self.source_links and previous.author_links == self.author_links
        )
        cards: dict[Path, ArticleCard] = {}
        for article in self.site.articles:
            old = previous.cards.get(article.path) if previous else None
            if (
                old is not None and same_names and previous is not None and previous.articles_by_path.get(article.path) is article
                and previous.pictures.get(article.path) is self.pictures.get(article.path)
            ):
                cards[article.path] = old  # the very same parsed article: its card cannot differ
                continue
            card = self.card(article)
            cards[article.path] = old if old == card else card
        return cards

    def _unchanged_article_pages(self, previous: "Planner | None") -> set[Path]:
        """Articles whose page cannot have changed: same article, card, neighbours and related cards.

        Only worth knowing when the order of articles is the same as before;
        then it saves checking every article page one by one.
        """
        if previous is None or previous.related.order != self.related.order:
            return set()
        order = self.related.order
        changed = {
            i for i, (path, old, new) in enumerate(zip(order, previous.card_list, self.card_list))
            if old is not new or previous.articles_by_path[path] is not self.articles_by_path[path]
            or previous.links.get(path) is not self.links.get(path)
        }
        dirty = changed | {i + step for i in changed for step in (-1, 1)}
        before, now = previous.related.chosen, self.related.chosen
        for i, path in enumerate(order):
            related = now[path]
            if related is not before[path] or not changed.isdisjoint(related):
                dirty.add(i)
        return {path for i, path in enumerate(order) if i not in dirty and path in previous.article_plans}

    def card(self, article: Article) -> ArticleCard:
        """An article as lists show it; its source and author under the names their pages have."""
        source = self.source_links.get(article.source)
        author = self.author_links.get(article.author)
        return ArticleCard(
            title=article.title,
            url=self.urls.article(article),
            published=article.published,
            updated=article.modified,
            source=source.name if source else article.source,
            source_url=article.url,
            summary=article.summary,
            author=author.name if author else article.author,
            draft=article.draft,
            topics=tuple(self.topic_link(t.slug) for t in article.topics),
            countries=tuple(self.country_link(c) for c in article.countries),
            image=self.pictures.get(article.path),
            extra=article.extra,
            source_page=source.url if source else "",
            author_page=author.url if author else "",
            language=article.language,
            direction=text_direction(article.language) if article.language else "",
        )

    def topic_link(self, slug: str) -> Link:
        """The link to a topic: one object for every card that shows it."""
        link = self.topic_links.get(slug)
        if link is None:
            link = self.topic_links[slug] = Link(self.topic_names[slug], self.urls.path("topics", slug))
        return link

    def country_link(self, country: Country) -> CountryLink:
        """The link to a country: one object for every card that shows it."""
        link = self.country_links.get(country)
        if link is None:
            link = self.country_links[country] = CountryLink(
                self.words.country(country.code, country.name), self.urls.path("countries", country.slug), country.flag, country.code, flag_url(self.urls, self.flags, country.code),
            )
        return link

    def edition_view(self, edition: Edition) -> EditionView:
        """An edition with its articles' cards, in groups, and the addresses of its page and email."""
        url = self.urls.path("editions", edition.id)
        span = edition.span
        cards = tuple(self.card_by_id[id(a)] for a in edition.articles)
        link = EditionLink(
            edition.id, edition.title, url, edition.number, span.label, span.start, span.end, len(edition.articles),
            edition.note.summary if edition.note else "", tuple(Link(c.title, c.url) for c in cards[:EDITION_HEADLINES]),
        )
        mailed = self.site.config.editions.email and bool(self.info.origin)
        intro = linked_body(edition.note.intro, self.links.get(edition.note.path, ())) if edition.note else Markup("")
        return EditionView(
            link, intro, edition_groups(cards, self.site.config.editions.group_by, self.words.gettext("Other news")), cards,
            max(a.published for a in edition.articles), max(a.modified for a in edition.articles), url,
            url + "email.html" if mailed else "", url + "email.txt" if mailed else "",
            tuple(a.path for a in edition.articles) + ((edition.note.path,) if edition.note else ()),
        )

    def article_plan(self, article: Article) -> PagePlan:
        """The article's own page; `article` may be a newer version with the same card.

        When the article, its card and its neighbours' and related cards are the
        very objects the previous planner used, its plan is reused as is.
        """
        in_order = self.card_list
        index = self.index[article.path]
        card = in_order[index]
        newer = in_order[index - 1] if index > 0 else None
        older = in_order[index + 1] if index + 1 < len(in_order) else None
        related = tuple(in_order[i] for i in sorted(self.related.chosen[article.path]))  # newest first, like every list
        edition = self.edition_of.get(article.path)
        links = self.links.get(article.path, ())
        key = (article, card, newer, older, edition, links, *related)
        known = self.previous_plans.get(article.path)
        if known is not None and len(known[0]) == len(key) and all(a is b for a, b in zip(known[0], key)):
            if self.keep_plans:
                self.article_plans[article.path] = known
            return known[1]
        view = ArticleView(card, article.path, article.fingerprint, links)
        filed: dict[str, Any] = {"edition": edition} if edition else {}  # with search, its edition is a filter
        plan = self.plan(
            PageKind.ARTICLE, view.url, article.title, (article.path,), modified=article.modified,
            article=view, newer=newer, older=older, related=related, **filed,
        )
        if self.keep_plans:
            self.article_plans[article.path] = (key, plan)
        return plan

    def plan(
        self, kind: PageKind, url: str, title: str, sources: tuple[Path, ...] = (), slug: str = "", modified: datetime | None = None,
        **context: Any,
    ) -> PagePlan:
        context.update(site=self.info, page=Link(title, url), kind=kind)
        return PagePlan(kind, url, self.urls.output_of(url), template_candidates(kind, slug), context, sources, modified)

    def plans(self) -> Iterator[PagePlan]:
        """Every page, then the site's feeds and the sitemaps and robots.txt that list the pages."""
        listed: list[tuple[str, datetime | None]] = []  # not the plans: they may be let go as soon as they are rendered
        for plan in self.pages():
            if plan.kind in PUBLIC_PAGES:
                listed.append((plan.url, plan.modified))
            yield plan
        config = self.site.config
        yield from self.syndication.feeds(self.urls.path(), config.title, config.description, self.site.articles, self.info.feeds)
        yield from self.syndication.sitemaps(listed, self.card_list)
        yield from search_plans(self)

    def pages(self) -> Iterator[PagePlan]:
        site = self.site
        latest = max((a.modified for a in site.articles), default=None)
        lead: dict[str, Any] = {"edition": self.editions[0]} if self.editions else {}
        yield from self.listing(PageKind.HOME, self.urls.path(), site.config.title, site.articles, **lead)
        yield from self.article_pages()
        for kind, terms, index in (
            (PageKind.TOPIC, site.topics, PageKind.TOPICS), (PageKind.COUNTRY, site.countries, PageKind.COUNTRIES),
            (PageKind.SOURCE, site.sources, PageKind.SOURCES), (PageKind.AUTHOR, site.authors, PageKind.AUTHORS),
        ):
            if not terms and kind in (PageKind.SOURCE, PageKind.AUTHOR):
                continue  # no index of sources (or authors) until an article names one
            links = tuple(term_link(self.urls, t, flag_url(self.urls, self.flags, t.country.code) if t.country else "", self.words) for t in terms)
            groups: dict[str, Any] = {"groups": by_region(terms, links, self.words), "map": self.world_map(terms, links)} if kind is PageKind.COUNTRY else {}
            yield self.plan(index, self.urls.path(index.value), self.words.gettext(INDEX_TITLES[index]), modified=latest, terms=links, **groups)
            for term, link in zip(terms, links):
                title = f"{link.name} · {site.config.title}"
                feeds = feed_links(self.formats, title, link.url)
                yield from self.listing(kind, link.url, link.name, term.articles, slug=term.slug, term=link, feeds=feeds)
                yield from self.syndication.feeds(link.url, title, term.description, term.articles, feeds)
        yield from self.archives(site.years, latest)
        yield self.stats_page(latest)
        yield from self.edition_pages()
        not_found = self.urls.path() + "404.html"
        yield PagePlan(PageKind.NOT_FOUND, not_found, "404.html", template_candidates(PageKind.NOT_FOUND),
                       {"site": self.info, "page": Link(self.words.gettext("Page not found"), not_found), "kind": PageKind.NOT_FOUND})

    def world_map(self, terms: Sequence[Term], links: Sequence[TermLink]) -> WorldMap | None:
        """The map of the countries the site covers, shaded by their counts (none without countries or shapes)."""
        if self.world is None or not terms:
            return None
        codes = [term.country.code if term.country else "" for term in terms]
        return world_map(
            self.world, {c: t.count for c, t in zip(codes, terms) if c}, {c: link.url for c, link in zip(codes, links) if c},
            {c: link.name for c, link in zip(codes, links) if c},
        )

    def stats_page(self, latest: datetime | None) -> PagePlan:
        """/stats/: the site's numbers (`stats.coverage`) with links to what they count, and a chart of the months."""
        from .charts import month_chart

        numbers = coverage(self.site)
        urls = self.urls
        flags = {t.slug: flag_url(urls, self.flags, t.country.code) if t.country else "" for t in self.site.countries}
        words = self.words
        topics = tuple(TermLink(t.name, urls.path("topics", t.key), t.count) for t in numbers.topics)
        countries = tuple(
            TermLink(words.country(c.key.upper(), c.name), urls.path("countries", c.key), c.count, flag_url=flags.get(c.key, "")) for c in numbers.countries
        )
        months = tuple((words.short_month(m.year, m.month), m.count) for m in numbers.months)
        editions = tuple(TermLink(e.name, urls.path("editions", e.key), e.count) for e in numbers.editions)
        by_source = tuple(TermLink(s.name, urls.path("sources", s.key), s.count) for s in numbers.sources)  # not `sources`: a plan's own files
        chart = month_chart(months, words.gettext("Articles per month"), words.gettext("Articles")) if months else Markup("")
        return self.plan(
            PageKind.STATS, urls.path("stats"), words.gettext("Stats"), modified=latest, numbers=numbers, topics=topics, countries=countries,
            by_source=by_source, editions=editions, chart=chart, months=months,
        )

    def article_pages(self) -> Iterator[PagePlan]:
        for article in self.site.articles:
            known = self.previous_plans.get(article.path) if article.path in self.unchanged_pages else None
            if known is not None:
                if self.keep_plans:
                    self.article_plans[article.path] = known
                yield known[1]
            else:
                yield self.article_plan(article)

    def paginated(self, first_url: str, count: int) -> Iterator[tuple[int, tuple[str, ...], slice]]:
        """Each page of a list of `count` items: its number, every page's URL, and the part of the items it shows."""
        size = self.paginate
        total = max(1, -(-count // size))
        urls = tuple(self.urls.page(first_url, n) for n in range(1, total + 1))
        for number in range(1, total + 1):
            yield number, urls, slice((number - 1) * size, number * size)

    def listing(self, kind: PageKind, first_url: str, title: str, articles: Sequence[Article], slug: str = "", **context: Any) -> Iterator[PagePlan]:
        for number, urls, part in self.paginated(first_url, len(articles)):
            chunk = articles[part]
            pager = Pager(number, len(urls), tuple([self.card_by_id[id(a)] for a in chunk]), urls, len(articles))
            shown = title if number == 1 else self.page_title(title, number)
            modified = max((a.modified for a in chunk), default=None)
            yield self.plan(kind, urls[number - 1], shown, slug=slug, modified=modified, pager=pager, **context)

    def page_title(self, title: str, number: int) -> str:
        """'Topics (page 2)': the title of a list's later pages."""
        return self.words.gettext("%(title)s (page %(number)s)") % {"title": title, "number": self.words.number(number)}

    def edition_pages(self) -> Iterator[PagePlan]:
        """/editions/ (newest first, paginated), each edition's page with its email twin, and the editions feed."""
        if not self.site.config.editions.enabled:
            return
        first = self.urls.path("editions")
        editions = self.words.gettext("Editions")
        title = f"{editions} · {self.site.config.title}"
        feeds = feed_links(self.formats, title, first)
        links = [view.link for view in self.editions]
        for number, urls, part in self.paginated(first, len(links)):
            chunk = self.editions[part]
            pager = Pager(number, len(urls), tuple(v.link for v in chunk), urls, len(links))
            modified = max((v.updated for v in chunk), default=None)
            yield self.plan(PageKind.EDITIONS, urls[number - 1], editions if number == 1 else self.page_title(editions, number),
                            modified=modified, pager=pager, feeds=feeds)
        for index, view in enumerate(self.editions):
            sources = view.sources
            newer = Link(links[index - 1].title, links[index - 1].url) if index > 0 else None  # only what the page shows of them,
            older = Link(links[index + 1].title, links[index + 1].url) if index + 1 < len(links) else None  # so their edits pass it by
            context: dict[str, Any] = {"edition": view, "newer": newer, "older": older, "feeds": feeds}
            yield self.plan(PageKind.EDITION, view.url, view.title, sources, modified=view.updated, **context)
            if view.email_url:  # an email shows no neighbours: their edits pass it by
                yield self.plan(PageKind.EDITION_EMAIL, view.email_url, view.title, sources, edition=view, feeds=feeds)
                yield self.plan(PageKind.EDITION_TEXT, view.text_url, view.title, sources, edition=view, feeds=feeds)
        yield from self.syndication.edition_feeds(first, title, self.editions, feeds)

    def archives(self, years: tuple[Year, ...], newest: datetime | None) -> Iterator[PagePlan]:
        def month_link(month: Month) -> TermLink:
            name = self.words.month(month.year, month.month)
            return TermLink(name, self.urls.path(f"{month.year:04d}", f"{month.month:02d}"), len(month.articles))

        overview = tuple(
            TermLink(str(y.year), self.urls.path(f"{y.year:04d}"), len(y.articles), months=tuple(month_link(m) for m in y.months))
            for y in years
        )
        archive = Link(self.words.gettext("Archive"), self.urls.path("archive"))
        yield self.plan(PageKind.ARCHIVE, archive.url, archive.name, modified=newest, years=overview)
        for year, entry in zip(years, overview):
            yield from self.listing(PageKind.YEAR, entry.url, entry.name, year.articles, months=entry.months, parent=archive)
            for month, link in zip(year.months, entry.months):
                yield from self.listing(PageKind.MONTH, link.url, link.name, month.articles, parent=Link(entry.name, entry.url))
