"""Properties over arbitrary input: the article loader only ever raises digest's own error,
and every page digest plans lands inside the output folder.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path, PurePosixPath

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.config import SiteConfig, TopicDefinition
from digest.content import BIDI_CONTROLS, FIELDS, Article, ArticleParser, SourceFile
from digest.countries import CountryIndex
from digest.errors import DigestError
from digest.output import inside
from digest.plan import plan_site
from digest.site import BuildOptions, build_site

ROOT = Path("/nonexistent/site")
ARTICLE_PATH = ROOT / "content/articles/a.md"
SHOWN = Path("content/articles/a.md")
COUNTRIES = CountryIndex()
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make_config(*, unsafe_html: bool = False, vocabulary: bool = False, zone: str = "UTC", base_url: str = "/", paginate: int = 20) -> SiteConfig:
    topics = {"defence": TopicDefinition("defence", "Defence", aliases=("military",))} if vocabulary else {}
    return SiteConfig(
        root=ROOT, title="Test Digest", base_url=base_url, timezone=zone, content_dir=ROOT / "content",
        output_dir=ROOT / "public", paginate=paginate, topics=topics, unsafe_html=unsafe_html,
    )


PARSERS = {
    (unsafe, vocabulary): ArticleParser(make_config(unsafe_html=unsafe, vocabulary=vocabulary), COUNTRIES)
    for unsafe in (False, True)
    for vocabulary in (False, True)
}


def parse(data: bytes, unsafe: bool = False, vocabulary: bool = False) -> Article:
    return PARSERS[(unsafe, vocabulary)].parse(SourceFile(ARTICLE_PATH, SHOWN, data))


def check_outcome(data: bytes, unsafe: bool = False, vocabulary: bool = False) -> None:
    """Parsing gives an Article that keeps digest's promises, or a DigestError: never anything else."""
    try:
        article = parse(data, unsafe, vocabulary)
    except DigestError as error:
        assert error.problems, "a DigestError without a problem"
        for problem in error.problems:
            assert problem.headline()  # and it can be formatted
            problem.format()
        return
    assert isinstance(article, Article)
    assert SLUG.fullmatch(article.slug) and len(article.slug) <= 100, article.slug
    assert article.title and not any(c in BIDI_CONTROLS or "\ud800" <= c <= "\udfff" for c in article.title)
    assert article.title == unicodedata.normalize("NFC", article.title)
    assert article.url == "" or re.match(r"https?://", article.url, re.I), article.url
    assert 1899 <= article.published.year <= 2201 and article.published.tzinfo is not None
    assert all(SLUG.fullmatch(topic.slug) for topic in article.topics)


# -- (a) the loader only ever raises DigestError -------------------------------------------

line_endings = st.sampled_from(["\n", "\r\n", "\r"])
boms = st.sampled_from([b"", b"\xef\xbb\xbf"])


@st.composite
def article_texts(draw: st.DrawFn) -> str:
    """Any text; often shaped like an article (fences, fields) so the YAML and field checks run too."""
    shape = draw(st.sampled_from(["raw", "opened", "fenced", "fields"]))
    if shape == "raw":
        return draw(st.text())
    if shape == "opened":
        return "---\n" + draw(st.text())
    if shape == "fenced":
        return f"---\n{draw(st.text())}\n---\n{draw(st.text())}"
    names = st.sampled_from(FIELDS) | st.text(min_size=1, max_size=8)
    lines = draw(st.lists(st.tuples(names, st.text(max_size=30)), max_size=8))
    return "---\n" + "".join(f"{name}: {value}\n" for name, value in lines) + "---\n" + draw(st.text(max_size=50))


@PROPERTY
@given(text=article_texts(), ending=line_endings, bom=boms, unsafe=st.booleans(), vocabulary=st.booleans())
def test_any_text_parses_or_raises_a_digest_error(text, ending, bom, unsafe, vocabulary):
    check_outcome(bom + text.replace("\n", ending).encode("utf-8"), unsafe, vocabulary)


@PROPERTY
@given(data=st.binary(max_size=400), prefix=st.sampled_from([b"", b"---\n", b"---\ntitle: "]))
@example(data=b"\xff\xfe-\x00-\x00-\x00", prefix=b"")
@example(data=b"\x00\x00\xfe\xff", prefix=b"")
@example(data=b"Caf\xe9\n---\n", prefix=b"---\ntitle: ")
def test_any_bytes_parse_or_raise_a_digest_error(data, prefix):
    check_outcome(prefix + data)


@PROPERTY
@given(data=st.binary(max_size=400))
def test_any_bytes_decoded_leniently_parse_or_raise_a_digest_error(data):
    text = data.decode("utf-8", errors="replace")
    check_outcome(text.encode("utf-8"))
    check_outcome(("---\n" + text).encode("utf-8"))


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(timezone.utc) | st.timezones())
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12
)
field_values = {
    "title": st.text(max_size=40) | values,
    "date": st.dates() | st.datetimes(timezones=st.none() | st.timezones()) | st.text(max_size=25) | values,
    "countries": st.lists(st.sampled_from(["Israel", "NO", "il", "ISR", "Marocco", "", " "]) | st.text(max_size=10), max_size=4) | values,
    "topics": st.lists(st.sampled_from(["defence", "Military", "AI", "???", ""]) | st.text(max_size=10), max_size=4) | values,
    "url": st.sampled_from(["https://example.org/x", "javascript:alert(1)", "data:text/html,x", "//example.org"]) | values,
    "slug": st.text(alphabet="abcXYZ-09./ \u00e9", max_size=12) | values,
    "draft": st.booleans() | values,
    "extra": st.dictionaries(st.text(max_size=8), values, max_size=3) | values,
}


@st.composite
def front_matter(draw: st.DrawFn) -> dict[object, object]:
    if draw(st.booleans()):
        return draw(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12) | st.integers(), values, max_size=8))
    fields = draw(st.fixed_dictionaries({}, optional={name: field_values.get(name, values) for name in FIELDS}))
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda k: k not in FIELDS), values, max_size=2))
    return {**fields, **extra}


@PROPERTY
@given(
    data=front_matter(),
    body=st.text(max_size=80),
    flow=st.sampled_from([None, False, True]),
    allow_unicode=st.booleans(),
    ending=line_endings,
    unsafe=st.booleans(),
    vocabulary=st.booleans(),
)
def test_any_front_matter_parses_or_raises_a_digest_error(data, body, flow, allow_unicode, ending, unsafe, vocabulary):
    dumped = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=allow_unicode, sort_keys=False)
    text = f"---\n{dumped}---\n{body}"
    check_outcome(text.replace("\n", ending).encode("utf-8", "surrogatepass"), unsafe, vocabulary)


@PROPERTY
@given(
    title=st.text(min_size=1, max_size=40).filter(str.strip),
    day=st.dates(date(1900, 1, 2), date(2200, 12, 30)),
    moment=st.times(),
    url=st.text(max_size=30),
)
def test_valid_front_matter_gives_an_article(title, day, moment, url):
    """Quoted text titles and real dates always parse; a bad url is the only thing that may fail."""
    data = {"title": title, "date": datetime.combine(day, moment), "url": url}
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\nBody.\n"
    try:
        article = parse(text.encode("utf-8"))
    except DigestError as error:
        fields = {p.field for p in error.problems}
        assert fields <= {"url", "title"}, error.report()
        if "title" in fields:  # only for characters digest refuses
            assert any(c in BIDI_CONTROLS for c in title), error.report()
        return
    assert article.title == unicodedata.normalize("NFC", " ".join(title.split()))


# Hostile YAML written by hand: every one must end in a DigestError.
HOSTILE = {
    "merge-key": "base: &b {title: T}\n<<: *b\ndate: 2021-11-24\n",
    "binary-title": "title: !!binary aGVsbG8=\ndate: 2021-11-24\n",
    "null-key": "~: 1\ntitle: T\ndate: 2021-11-24\n",
    "list-key": "? [a]\n: 1\n",
    "mapping-key": "? {a: 1}\n: 1\n",
    "set-value": "title: T\ndate: 2021-11-24\nextra: {a: !!set {x}}\n",
    "omap-value": "title: T\ndate: 2021-11-24\nextra: !!omap [a: 1]\n",
    "timestamp-tag": "title: T\ndate: !!timestamp 2021-13-45\n",
    "huge-int-date": "title: T\ndate: 9999999999999999999999999\n",
    "year-9999-west": "title: T\ndate: 9999-12-31T23:59:59-12:00\n",
    "year-0": "title: T\ndate: 0000-01-01\n",
    "python-name": "title: !!python/name:os.system ''\ndate: 2021-11-24\n",
    "local-tag": "title: !shout pact\ndate: 2021-11-24\n",
    "anchor-loop": "title: &a [*a]\n",
    "unknown-alias": "title: *nope\n",
    "two-documents": "title: T\n--- \ndate: 2021-11-24\n",
}
KNOWN_CRASHES = {
    "set-key": (
        "? !!set {a}\n: x\n",
        "a '!!set' mapping key is built by the safe loader before the tag check and is unhashable: TypeError",
    ),
    "url-unclosed-ipv6": (
        "title: T\ndate: 2021-11-24\nurl: 'http://[::1'\n",
        "urlsplit raises ValueError('Invalid IPv6 URL') for an unclosed '[' in the url field",
    ),
}


@pytest.mark.parametrize(
    "front",
    [pytest.param(text, id=name) for name, text in HOSTILE.items()]
    + [
        pytest.param(text, id=name, marks=pytest.mark.xfail(strict=True, reason=reason, raises=(TypeError, ValueError)))
        for name, (text, reason) in KNOWN_CRASHES.items()
    ],
)
def test_hostile_yaml_raises_a_digest_error(front):
    with pytest.raises(DigestError):
        parse(f"---\n{front}---\nBody.\n".encode("utf-8"))


# -- (b) every planned page lands inside the output folder -----------------------------------

file_names = st.text(min_size=1, max_size=30).filter(
    lambda s: "/" not in s and "\0" not in s and s not in (".", "..") and not s.startswith((".", "#", "~"))
)
zones = st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "America/St_Johns"])


@st.composite
def article_source(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file stem, file bytes) for an article with arbitrary names in every field that makes a URL."""
    stem = draw(file_names)
    data: dict[str, object] = {
        "title": draw(st.text(min_size=1, max_size=30)),
        "date": draw(st.datetimes(datetime(1900, 1, 2), datetime(2200, 12, 30), timezones=st.none() | st.timezones())),
        "topics": draw(st.lists(st.text(min_size=1, max_size=20) | st.sampled_from(["defence", "Défense", "DEFENCE", "index", "page", "..", "con"]), max_size=3)),
        "countries": draw(st.lists(st.sampled_from(["IL", "ma", "Norway", "FRA", "Côte d'Ivoire", "USA", "Åland Islands"]) | st.text(max_size=8), max_size=3)),
    }
    if draw(st.booleans()):
        data["slug"] = draw(st.text(alphabet="abz09-./\\ é\u0301ÅIİ", min_size=1, max_size=15) | st.from_regex(SLUG, fullmatch=True))
    return stem, ("---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\nBody.\n").encode("utf-8", "surrogatepass")


@PROPERTY
@given(
    sources=st.lists(article_source(), min_size=1, max_size=6),
    zone=zones,
    base_url=st.sampled_from(["/", "https://example.org/", "https://example.org/digest/", "https://example.org/a/../b/"]),
    paginate=st.integers(1, 3),
)
def test_every_planned_output_lies_inside_the_output_folder(tmp_path_factory, sources, zone, base_url, paginate):
    config = make_config(zone=zone, base_url=base_url, paginate=paginate)
    parser = ArticleParser(config, COUNTRIES)
    articles = []
    for stem, data in sources:
        path = ROOT / "content/articles" / f"{stem}.md"
        try:
            articles.append(parser.parse(SourceFile(path, path.relative_to(ROOT), data)))
        except DigestError:
            continue
    output = tmp_path_factory.getbasetemp() / "public"
    try:
        plans = plan_site(build_site(config, articles, BuildOptions(drafts=True, future=True)))
    except DigestError:
        return  # two articles want one URL: refused, nothing planned
    seen: set[str] = set()
    for plan in plans:
        relative = PurePosixPath(plan.output)
        assert not relative.is_absolute() and ".." not in relative.parts and "" not in plan.output.split("/"), plan.output
        assert re.fullmatch(r"[a-z0-9._/-]+", plan.output), plan.output
        assert (output / plan.output).resolve().is_relative_to(output.resolve()), plan.output
        assert inside(output, plan.output) == output / plan.output
        assert plan.output.casefold() not in seen, plan.output
        seen.add(plan.output.casefold())
