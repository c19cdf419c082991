"""The theme chain (site → theme → parent themes) and the Jinja environment over it."""

from __future__ import annotations

import email.utils
import hashlib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup

from .errors import Location, Problem, TemplateError, display_path
from .i18n import Translator
from .links import absolute_from, linked_body, relative_to, rewrite_urls
from .mailing import email_ready, plain_text
from .metadata import collection, news_article
from .pages import PageKind, PagePlan
from .theme import Theme
from .views import ArticleView, Feed, SiteInfo


def without_url(terms: Iterable[Any], url: str) -> list[Any]:
    """`item.topics|without_url(page.url)`: the terms but the one a page is about (`rejectattr` does it ten times slower,
    and lists show chips on every card)."""
    return [term for term in terms if term.url != url]


@dataclass(frozen=True, slots=True)
class Choice:
    """The template chosen for a list of candidates, and a digest of everything that choice depends on."""

    template: jinja2.Template
    name: str
    digest: bytes
    """Changes when a candidate before the chosen one appears, or the chosen one or anything it uses changes."""


BodyLookup = Callable[[ArticleView], Markup]
"""Gives an article page its rendered body (from the build's body store)."""


class PageRenderer:
    """Chooses and renders templates for plans; template problems become `TemplateError`s.

    One renderer serves one state of the theme's files: a template change makes
    a new renderer, so nothing is looked up on disk twice.
    """

    def __init__(self, theme: Theme, translator: Translator | None = None) -> None:
        self.theme = theme
        self.translator = translator = translator or Translator("en")
        """The site's language: the theme's words (`_()`, `{% trans %}`), and dates and numbers as it writes them."""
        self.env = jinja2.Environment(
            extensions=["jinja2.ext.i18n"],
            loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
            autoescape=_escapes,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a template change makes a new renderer; no stat per page meanwhile
        )
        self.env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks and indentation are not part of its msgid
        self.env.install_gettext_callables(translator.gettext, translator.ngettext, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters["format_date"] = translator.format_date
        self.env.filters["date_range"] = translator.date_range
        self.env.filters["number"] = translator.number
        self.env.globals["plural_forms"] = translator.plural_forms
        self.env.filters["isodate"] = lambda value: value.isoformat()
        self.env.filters["without_url"] = without_url
        self.env.filters["rfc822"] = email.utils.format_datetime
        self.env.filters["absolute"] = _absolute
        self.env.filters["absolute_links"] = lambda html, page_url: Markup(rewrite_urls(str(html), absolute_from(page_url)))
        self.env.filters["plain_text"] = lambda fragment: plain_text(str(fragment))
        self.env.globals.update(news_article=news_article, collection=collection, asset=_asset)
        self.choices: dict[tuple[str, ...], Choice] = {}
        self.used_digests: dict[str, bytes] = {}
        """Per chosen template: a digest of its source and of everything it uses."""

    def choose(self, plan: PagePlan) -> Choice:
        """The first of the plan's candidates that exists (remembered per candidate list)."""
        known = self.choices.get(plan.templates)
        if known is None:
            try:
                template = self.env.select_template(list(plan.templates))
            except jinja2.TemplatesNotFound:
                raise self.missing(plan) from None
            except jinja2.TemplateSyntaxError as exc:
                raise self.error(exc, plan) from None
            name = template.name or plan.templates[0]
            known = self.choices[plan.templates] = Choice(template, name, self._choice_digest(plan.templates, name))
        return known

    def _choice_digest(self, candidates: tuple[str, ...], chosen: str) -> bytes:
        digest = hashlib.blake2b(self.translator.digest, digest_size=16)  # a catalogue's words are part of every page
        for name in candidates:  # those tried before the chosen one: a new file there changes the choice
            digest.update(name.encode() + b"\0" + hashlib.blake2b(self.source_of(name).encode()).digest())
            if name == chosen:
                break
        used = self.used_digests.get(chosen)
        if used is None:
            whole = hashlib.blake2b(digest_size=16)
            for name in sorted(self.uses(chosen)):
                whole.update(name.encode() + b"\0" + self.source_of(name).encode() + b"\0")
            used = self.used_digests[chosen] = whole.digest()
        digest.update(used)
        return digest.digest()

    def missing(self, plan: PagePlan) -> TemplateError:
        tried = [f"    {display_path(folder / name)}" for name in plan.templates for folder in self.theme.template_dirs]
        where = display_path(self.theme.template_dirs[-1] / plan.templates[-1]) if self.theme.template_dirs else Path(plan.templates[-1])
        looked = "looked for:\n" + "\n".join(tried or ["    (no template folders at all)"])
        return TemplateError([Problem(Location(where), f"no template for the {plan.kind} page {plan.url}", "", looked)])

    def source_of(self, name: str) -> str:
        """A template's text, or '' when it does not exist (which is part of what a page used)."""
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return ""
        return source

    def uses(self, name: str) -> frozenset[str]:
        """`name` and every template it extends, includes or imports, transitively ('*' for a computed name)."""
        found: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in found:
                continue
            found.add(current)
            try:
                referenced = jinja2.meta.find_referenced_templates(self.env.parse(self.source_of(current)))
            except jinja2.TemplateSyntaxError:
                continue
            for reference in referenced:
                if reference is None:  # computed name: it may use any template
                    found.add("*")
                else:
                    pending.append(reference)
        return frozenset(found)

    def render(self, plan: PagePlan, body_of: BodyLookup) -> bytes:
        """The page's bytes; an article page gets its body from `body_of` first."""
        template = self.choose(plan).template
        context = plan.context
        view = context.get("article")
        if isinstance(view, ArticleView):
            context = {**context, "article": replace(view, body=linked_body(body_of(view), view.links))}
        feed = context.get("feed")
        if isinstance(feed, Feed) and any(e.content is not None for e in feed.entries):
            entries = tuple(
                replace(e, content=replace(e.content, body=linked_body(body_of(e.content), e.content.links))) if e.content else e
                for e in feed.entries
            )
            context = {**context, "feed": replace(feed, entries=entries)}
        try:
            text = template.render(context)
        except Exception as exc:  # any failure inside a template is reported at its line
            raise self.error(exc, plan) from None
        site = context.get("site")
        if plan.kind is PageKind.EDITION_EMAIL and isinstance(site, SiteInfo):
            text = email_ready(text, site.absolute(plan.url))
        elif isinstance(site, SiteInfo) and site.relative and plan.output.endswith(".html"):
            text = rewrite_urls(text, _links_for(plan, site))
        return text.encode("utf-8")

    def error(self, exc: Exception, plan: PagePlan) -> TemplateError:
        path, line = _template_place(exc)
        message = getattr(exc, "message", None) or str(exc)
        source = ""
        if path and line and Path(path).is_file():
            lines = Path(path).read_text(encoding="utf-8").splitlines()
            source = lines[line - 1] if line <= len(lines) else ""
        where = Location(display_path(Path(path)) if path else Path(plan.templates[0]), line)
        return TemplateError([Problem(where, message, "", f"while rendering {plan.url}", source)])


def bodies_wanted(plan: PagePlan) -> list[ArticleView]:
    """The articles whose body `PageRenderer.render` asks for on this page: a process that renders it elsewhere needs those."""
    view = plan.context.get("article")
    wanted = [view] if isinstance(view, ArticleView) else []
    feed = plan.context.get("feed")
    if isinstance(feed, Feed):
        wanted += [entry.content for entry in feed.entries if entry.content is not None]
    return wanted


def _links_for(plan: PagePlan, site: SiteInfo) -> Callable[[str], str]:
    """How a page's links are rewritten in relative mode: relative to the page, except on the 404 page.

    Hosts show the 404 page at whatever address was missing, where no relative
    link can work; it links to the published site instead, when base_url names it.
    """
    if plan.kind is PageKind.NOT_FOUND and site.origin:
        published = absolute_from(site.origin + plan.url)
        return lambda url: url if url.startswith("#") else published(url)
    return relative_to(plan.url, site.base_path)


@jinja2.pass_context
def _asset(context: jinja2.runtime.Context, path: str) -> str:
    """`{{ asset('css/digest.css') }}`: a static file's URL under its content-hashed name ('/css/digest.3f2a9c1b.css')."""
    site = context.get("site")
    assets = site.assets if isinstance(site, SiteInfo) else {}
    name = assets.get(path.lstrip("/"))
    if name is None:
        known = ", ".join(sorted(assets)) or "none"
        raise LookupError(f"asset('{path}'): no such static file in the site's or the theme's static/ (there are: {known})")
    return site.base_path + name if isinstance(site, SiteInfo) else name


def _escapes(name: str | None) -> bool:
    """Autoescape every template but plain-text ones (robots.txt): HTML, XML and JSON alike."""
    return not (name or "").endswith(".txt")


@jinja2.pass_context
def _absolute(context: jinja2.runtime.Context, url: str) -> str:
    """`{{ page.url|absolute }}`: a site URL with the site's host in front."""
    site = context.get("site")
    return site.absolute(url) if isinstance(site, SiteInfo) else url


def _template_place(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or "", exc.lineno or 0
    place = ("", 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".json", ".txt")):
            place = (frame.filename, frame.lineno or 0)
    return place
