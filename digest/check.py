"""`digest check`: validate everything, build into a throw-away folder, check every internal link.

Nothing is written to the site's output folder or cache. Errors fail the check;
warnings (an article with no countries, say) fail it only with `--strict`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .build import Session
from .config import Overrides
from .content import Article
from .errors import DigestError, Location, Problem, display_path
from .pages import PageKind, PagePlan
from .site import BuildOptions, LeftOut
from .sourcelinks import find_reference

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src", "area": "href"}


@dataclass(frozen=True, slots=True)
class CheckReport:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    pages: int = 0
    links: int = 0
    left_out: tuple[Problem, ...] = ()
    """The drafts and future articles the site does not publish: information, never a failure (not even with --strict)."""

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def left_out_summary(self) -> str:
        """'2 articles left out (1 draft, 1 future, not errors); ' for the verdict line, or '' when every article is in."""
        if not self.left_out:
            return ""
        drafts = sum(1 for note in self.left_out if note.field == "draft")
        kinds = [f"{drafts} draft{'s' if drafts != 1 else ''}"] if drafts else []
        if len(self.left_out) > drafts:
            kinds.append(f"{len(self.left_out) - drafts} future")
        count = len(self.left_out)
        return f"{count} article{'s' if count != 1 else ''} left out ({', '.join(kinds)}; not errors); "


def check_site(root: Path, options: BuildOptions) -> CheckReport:
    """Build `root` into a temporary folder and report every problem found."""
    with tempfile.TemporaryDirectory(prefix="digest-check-") as folder:
        session = Session(root, options, overrides=Overrides(output_dir=Path(folder) / "site"), use_cache=False, force=True)
        try:
            result = session.build()
        except DigestError as exc:
            return CheckReport(exc.problems, ())
        finally:
            session.close()
        warnings = tuple(_article_warnings(session.articles))
        known = {problem.location for problem in result.warnings}
        broken, links = _check_links(Path(folder) / "site", result.config.base_path, session.plans, known)
        left_out = tuple(_left_out_note(item) for item in session.left_out)
    return CheckReport(result.warnings + tuple(broken), warnings, result.pages, links, left_out)


def _left_out_note(item: LeftOut) -> Problem:
    """Why one article is not on the site, at the line of its `draft:` or `date:`."""
    field = "draft" if item.draft else "date"
    if item.draft:
        message, hint = "note: a draft, left out of the site", "--drafts includes it; draft: false publishes it"
    else:
        day = item.published.date().isoformat() if item.published.time() == time(0) else item.published.isoformat()
        message, hint = f"note: dated {day}, in the future: left out of the site until then", "--future includes it"
    try:
        lines = item.path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    found = next(((n, text) for n, text in enumerate(lines[1:], 2) if text.startswith(f"{field}:") or text == "---"), None)
    if found is None or found[1] == "---":
        return Problem(Location(display_path(item.path), 1, 1), message, field, hint)
    return Problem(Location(display_path(item.path), found[0], 1), message, field, hint, found[1])


def _article_warnings(articles: Mapping[Path, Article]) -> list[Problem]:
    found = []
    for path, article in sorted(articles.items()):
        where = Location(display_path(path), 1, 1)
        for field, missing in (("countries", not article.countries), ("topics", not article.topics), ("source", not article.source)):
            if missing:
                found.append(Problem(where, f"warning: the article has no {field}", field, f"add '{field}:' so readers can find it in the indexes"))
    return found


class _PageLinks(HTMLParser):
    """The ids a page defines and the links it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.ids.add(str(values[name]))
        wanted = LINK_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted):
            self.links.append(str(values[wanted]))


def _check_links(output: Path, base_path: str, plans: dict[str, PagePlan], known: set[Location]) -> tuple[list[Problem], int]:
    """Every link of every page that leads nowhere, but those the build warned of already (at the same place), and how many links there are."""
    pages: dict[str, _PageLinks] = {}
    for path in sorted(output.rglob("*.html")):
        parser = _PageLinks()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(output).as_posix()] = parser
    problems: list[Problem] = []
    count = 0
    for page, parsed in pages.items():
        plan = plans.get(page)
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # external: not ours to check offline
            count += 1
            target = _target(page, parts.path, base_path)
            if target is None or not (output / target).is_file():
                problem = _broken(plan, page, link, f"links to {link}, which does not exist")
            elif parts.fragment and target.endswith(".html") and unquote(parts.fragment) not in pages[target].ids:
                problem = _broken(plan, page, link, f"links to {link}, but that page has no #{parts.fragment}")
            else:
                continue
            if problem.location not in known:
                problems.append(problem)
    return problems, count


def _target(page: str, path: str, base_path: str) -> str | None:
    """The output file a link on `page` points at, or None if it leaves the site."""
    path = unquote(path)
    if not path:
        return page
    if path.startswith("/"):
        if not path.startswith(base_path):
            return None
        inner = path[len(base_path) :]
    else:
        inner = str(Path(page).parent / path) if "/" in page else path
    parts: list[str] = []
    for part in inner.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    relative = "/".join(parts)
    if not relative or path.endswith("/"):
        relative = (relative + "/" if relative else "") + "index.html"
    return relative


def _broken(plan: PagePlan | None, page: str, link: str, message: str) -> Problem:
    """A broken link, placed where the article's text has it (or on the page, for template links)."""
    source = plan.sources[0] if plan and plan.sources and plan.kind is PageKind.ARTICLE else None
    where, line = find_reference(source, link) if source is not None else (Location(Path(page)), "")
    hint = f"on the page {plan.url}" if plan else f"on {page}"
    return Problem(where, message, "", hint + "; fix the link in the article or template", line)
