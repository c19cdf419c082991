"""Related articles: the inverted index gives exactly what scoring every pair of articles gives,
from scratch and after edits, additions and removals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.content import Article
from digest.countries import Country
from digest.fields import TopicRef
from digest.related import RELATED_COUNT, WIDE, RelatedIndex, relate

PROPERTY = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

TOPICS = [TopicRef(f"t{i}", f"Topic {i}") for i in range(9)]
COUNTRIES = [Country(f"Country {i}", f"C{i}", "", "") for i in range(8)]
START = datetime(2021, 11, 24, tzinfo=UTC)


def make_article(number: int, topics: list[int], countries: list[int]) -> Article:
    return Article(
        path=Path(f"/site/content/articles/a{number}.md"), slug=f"a{number}", title=f"Article {number}",
        published=START - timedelta(hours=number), updated=None,
        countries=tuple(COUNTRIES[c] for c in countries), topics=tuple(TOPICS[t] for t in topics),
        source="", url="", summary="", author="", draft=False,
    )


def expected(articles: tuple[Article, ...]) -> dict[Path, tuple[int, ...]]:
    """Score every other article: the terms they share (each of this article's terms counted as often as it names it);
    the five highest, the newest first among equal scores."""
    keys = [[("topic", t.slug) for t in a.topics] + [("country", c.code) for c in a.countries] for a in articles]
    answers = {}
    for i, own in enumerate(keys):
        scored = []
        for j, theirs in enumerate(keys):
            score = sum(1 for key in own if key in set(theirs))
            if j != i and score:
                scored.append((-score, j))
        answers[articles[i].path] = tuple(j for _, j in sorted(scored)[:RELATED_COUNT])
    return answers


terms = st.lists(st.integers(0, len(TOPICS) - 1), max_size=5)
places = st.lists(st.integers(0, len(COUNTRIES) - 1), max_size=4)
wide = st.tuples(st.lists(st.integers(0, len(TOPICS) - 1), min_size=len(TOPICS), max_size=len(TOPICS)), st.just(list(range(len(COUNTRIES)))))
"""An article naming every term (more than `WIDE`), and sometimes a term twice, as no parsed article does."""
unique = st.tuples(st.lists(st.integers(0, len(TOPICS) - 1), unique=True, max_size=5), st.lists(st.integers(0, len(COUNTRIES) - 1), unique=True, max_size=4))
term_lists = st.one_of(unique, unique, unique, st.tuples(terms, places), wide)
sites = st.lists(term_lists, max_size=40).map(lambda specs: tuple(make_article(n, t, c) for n, (t, c) in enumerate(specs)))


def check(index: RelatedIndex, articles: tuple[Article, ...]) -> None:
    assert dict(index.chosen) == expected(articles)
    assert index.order == tuple(a.path for a in articles)


def test_an_article_with_every_term_is_wide() -> None:
    assert len(TOPICS) + len(COUNTRIES) > WIDE


@PROPERTY
@given(articles=sites)
def test_related_articles_are_those_sharing_most_terms_newest_first(articles: tuple[Article, ...]) -> None:
    check(relate(articles), articles)


@PROPERTY
@given(articles=sites, edits=st.lists(st.tuples(st.integers(0, 10**6), term_lists), min_size=1, max_size=4))
def test_edits_to_terms_give_what_a_fresh_index_gives(articles: tuple[Article, ...], edits: list[tuple[int, tuple[list[int], list[int]]]]) -> None:
    index = relate(articles)
    for at, (topics, countries) in edits:
        if not articles:
            return
        at %= len(articles)
        edited = replace(articles[at], topics=tuple(TOPICS[t] for t in topics), countries=tuple(COUNTRIES[c] for c in countries))
        articles = articles[:at] + (edited,) + articles[at + 1 :]
        index = relate(articles, index)
        check(index, articles)


@PROPERTY
@given(articles=sites, at=st.integers(0, 10**6), added=term_lists, remove=st.booleans())
def test_an_added_or_removed_article_gives_what_a_fresh_index_gives(
    articles: tuple[Article, ...], at: int, added: tuple[list[int], list[int]], remove: bool
) -> None:
    index = relate(articles)
    if remove and articles:
        at %= len(articles)
        changed = articles[:at] + articles[at + 1 :]
    else:
        at %= len(articles) + 1
        article = make_article(1000, *added)
        changed = articles[:at] + (article,) + articles[at:]
    check(relate(changed, index), changed)


def test_an_unchanged_site_keeps_every_answer() -> None:
    articles = tuple(make_article(n, [n % 3, 3], [n % 2]) for n in range(20))
    first = relate(articles)
    again = relate(tuple(replace(a, title=a.title + "!") for a in articles), first)
    assert all(again.chosen[path] is first.chosen[path] for path in first.order)


def test_an_edit_asks_again_only_the_articles_whose_answer_can_change(monkeypatch) -> None:
    from digest import related

    articles = tuple(make_article(n, [n % 4], [n % 5]) for n in range(40))
    index = relate(articles)
    asked: list[int] = []
    original = related._Finder.related

    def spy(self: related._Finder, position: int) -> tuple[tuple[int, ...], int]:
        asked.append(position)
        return original(self, position)

    monkeypatch.setattr(related._Finder, "related", spy)
    edited = articles[:39] + (replace(articles[39], topics=(TOPICS[0],), countries=(COUNTRIES[0],)),)  # the oldest: beats no one on a tie
    check(relate(edited, index), edited)
    assert 39 in asked and len(asked) < 10
