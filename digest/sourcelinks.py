"""Links by source path: an article names another article or a file by where it lies beside it (`../2021/other.md`,
`../../images/map.png`), and each build writes the URL that target has in that build.

Bodies are converted and cached once, whatever the site's base URL: `body_links` lists what a body links to when it
is parsed, `LinkResolver` turns those references into URLs after the site is modelled (a problem for each one that
leads nowhere), and the renderer swaps them into the cached HTML (`links.linked_body`). The URLs travel in each page's plan,
so a page is drawn again exactly when a target it links to moves.
"""

from __future__ import annotations

import hashlib
import html
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Location, Problem, display_path
from .links import LinkPairs
from .sources import is_ignored_name

FILES_DIGEST = 8
"""Hex digits of a file's digest in its published name (`images/map.3f2a9c1b.png`), as stylesheets get."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a build's references by source path stand for."""

    links: Mapping[Path, LinkPairs] = field(default_factory=dict)
    """By the file that writes them (only files with a reference that resolves)."""
    files: Mapping[str, tuple[Path, str]] = field(default_factory=dict)
    """Files of the content folder that are linked, as static files: output name → (file, fingerprint)."""
    problems: tuple[Problem, ...] = ()
    """References that lead nowhere or break under the site's path: warnings of the build, errors of `digest check`."""
    stamps: tuple[tuple[str, int, int], ...] = ()
    """Every file looked for, with its size and time (-1, -1 when missing): what a build that reads nothing checks."""


@dataclass(frozen=True, slots=True)
class Targets:
    """Everything a reference may name in one build: pages by their source file, and the site's static files."""

    pages: Mapping[Path, str]
    """Article files (and edition notes) with a page in this build → the page's URL."""
    unpublished: Mapping[Path, str]
    """Article files without a page in this build → why ('a draft', 'dated in the future')."""
    statics: Mapping[Path, str]
    """The site's own static files → their name in the output."""


class LinkResolver:
    """Resolves the references of a site's bodies; remembers each linked file's digest while its size and time hold."""

    def __init__(self, content_dir: Path, static_dir: Path, base_path: str) -> None:
        self.content_dir = content_dir
        self.static_dir = static_dir
        self.base_path = base_path
        self.digests: dict[Path, tuple[tuple[int, int], str]] = {}

    def resolve(self, documents: Iterable[tuple[Path, tuple[str, ...]]], targets: Targets) -> Resolution:
        """Each document's (file, references) resolved against `targets` and the content folder."""
        links: dict[Path, LinkPairs] = {}
        files: dict[str, tuple[Path, str]] = {}
        problems: list[Problem] = []
        stamps: dict[str, tuple[int, int]] = {}
        urls = {url: path for path, url in targets.pages.items()}
        for path, references in documents:
            pairs = []
            for reference in references:
                url, problem = self._one(path, reference, targets, urls, files, stamps)
                if url is not None:
                    pairs.append((reference, url))
                if problem is not None:
                    problems.append(problem)
            if pairs:
                links[path] = tuple(pairs)
        problems.sort(key=lambda p: (str(p.location.path), p.location.line, p.location.col))
        return Resolution(links, files, tuple(problems), tuple((path, *stamp) for path, stamp in sorted(stamps.items())))

    def _one(
        self, document: Path, reference: str, targets: Targets, urls: Mapping[str, Path], files: dict[str, tuple[Path, str]],
        stamps: dict[str, tuple[int, int]],
    ) -> tuple[str | None, Problem | None]:
        """The URL a reference stands for (None: leave it as written), and what is wrong with it."""
        shown = html.unescape(reference)
        written, _, _ = split_reference(shown)
        cut = min((i for i in (reference.find("?"), reference.find("#")) if i >= 0), default=len(reference))
        after = reference[cut:]  # the query and fragment as the HTML writes them, escapes and all
        if written.startswith("/"):
            if written.startswith(self.base_path):
                return None, None
            return None, self._outside(document, reference, shown, targets, urls)
        target = Path(os.path.normpath(document.parent / written))
        page = targets.pages.get(target)
        if page is not None:
            return page + after, None
        why = targets.unpublished.get(target)
        if why is not None:
            hint = "publish it (remove 'draft: true'), or build with --drafts" if why == "a draft" else "it has a page from its date on (or build with --future)"
            return None, problem_at(document, reference, f"links to {shown}, {why}, which has no page in this build", hint)
        static = targets.statics.get(target)
        if static is not None:
            return self.base_path + static + after, None
        published = self._content_file(target, stamps)
        if published is not None:
            out, fingerprint = published
            files[out] = (target, fingerprint)
            return self.base_path + out + after, None
        if target.suffix != ".md" and not any(folder in target.parents for folder in (self.content_dir, self.static_dir)):
            return None, None  # a relative URL of a page, say ../../../topics/defence/: `digest check` follows it
        return None, self._missing(document, reference, shown, target, targets, urls)

    def _content_file(self, target: Path, stamps: dict[str, tuple[int, int]]) -> tuple[str, str] | None:
        """A file of the content folder that may be published (no article, no dotfile): its output name and fingerprint."""
        if self.content_dir not in target.parents or target.suffix == ".md" or is_ignored_name(target.name):
            return None
        try:
            info = target.stat()
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):
            stamps[str(target)] = (-1, -1)
            return None
        stamps[str(target)] = (info.st_size, info.st_mtime_ns)
        if not target.is_file() or self.content_dir.resolve() not in real.parents:
            return None
        stamp = (info.st_size, info.st_mtime_ns)
        known = self.digests.get(target)
        if known is None or known[0] != stamp:
            known = self.digests[target] = (stamp, hashlib.sha256(target.read_bytes()).hexdigest())
        relative = target.relative_to(self.content_dir).as_posix()
        stem, dot, suffix = relative.rpartition(".")
        out = f"{stem}.{known[1][:FILES_DIGEST]}.{suffix}" if dot and "/" not in suffix else f"{relative}.{known[1][:FILES_DIGEST]}"
        return out, "s" + known[1]

    def _source_form(self, document: Path, url: str, targets: Targets, urls: Mapping[str, Path]) -> str | None:
        """The reference by source path that stands for a site URL (a page or a static file), if one does."""
        path, mark, rest = split_reference(url)
        for candidate in (path, path + "/", path.removesuffix("index.html")):
            source = urls.get(candidate)
            if source is not None:
                return relative_path(source, document) + mark + rest
        inner = path.removeprefix(self.base_path)
        for source, out in targets.statics.items():
            if out == inner:
                return relative_path(source, document) + mark + rest
        beside = Path(os.path.normpath(self.content_dir / inner)) if inner else None  # a file of content/ at that path
        if beside is not None and self.content_dir in beside.parents and beside.suffix != ".md" and beside.is_file():
            return relative_path(beside, document) + mark + rest
        return None

    def _outside(self, document: Path, reference: str, shown: str, targets: Targets, urls: Mapping[str, Path]) -> Problem:
        """A root-absolute reference outside the site's path: it leads nowhere where the site is published."""
        meant = self._source_form(document, self.base_path + shown[1:], targets, urls)
        hint = f"write {meant}" if meant else f"link the article or file by its path from this file (../2021/other.md), or start it with {self.base_path}"
        return problem_at(document, reference, f"links to {shown}, outside the site's path {self.base_path}", hint)

    def _missing(self, document: Path, reference: str, shown: str, target: Path, targets: Targets, urls: Mapping[str, Path]) -> Problem:
        """A reference by path that names no article or file: the page URL it may mean, else the closest file names."""
        own = targets.pages.get(document)
        written, mark, rest = split_reference(shown)
        meant = self._source_form(document, posixpath.normpath(posixpath.join(own, written)) + mark + rest, targets, urls) if own else None
        if meant is None:
            import difflib  # here: its import costs more than resolving every link of a site with none broken

            near = [path for path in targets.pages if path.parent == target.parent] or list(targets.pages)
            names = {relative_path(path, document): path for path in near}
            close = difflib.get_close_matches(relative_path(target, document), list(names), n=1, cutoff=0.6)
            meant = close[0] + (mark + rest if mark else "") if close else None
        hint = f"write {meant}" if meant else "give the path of an article or a file inside the content folder, from this article's folder"
        if target.suffix == ".md" and target.is_file():
            return problem_at(document, reference, f"links to {shown}, which is no article of the site", hint)
        return problem_at(document, reference, f"links to {shown}, but there is no {display_path(target)}", hint)


def split_reference(reference: str) -> tuple[str, str, str]:
    """(the path, '#' or '?' or '', what follows) of a reference; the path with its %-escapes decoded."""
    from urllib.parse import unquote

    cut = min((i for i in (reference.find("?"), reference.find("#")) if i >= 0), default=-1)
    path, mark, rest = (reference, "", "") if cut < 0 else (reference[:cut], reference[cut], reference[cut + 1 :])
    return unquote(path), mark, rest


def relative_path(target: Path, document: Path) -> str:
    """`target` as a reference from `document`'s folder ('../2021/omicron.md')."""
    return Path(os.path.relpath(target, document.parent)).as_posix()


def problem_at(document: Path, reference: str, message: str, hint: str) -> Problem:
    """A problem of a reference, at the first line of `document` that writes it."""
    where, line = find_reference(document, html.unescape(reference))
    return Problem(where, message, "", hint, line)


def find_reference(document: Path, reference: str) -> tuple[Location, str]:
    """Where a file writes a reference (a link's target, a picture's source): its place and line; line 1 when not found."""
    try:
        lines = document.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return Location(display_path(document)), ""
    for forms in ((f"({reference}", f"<{reference}>", f'"{reference}"', f"'{reference}'", f"]: {reference}"), (reference,)):
        for number, text in enumerate(lines, 1):
            for form in forms:
                found = text.find(form)
                if found >= 0:
                    return Location(display_path(document), number, found + form.index(reference) + 1), text
    return Location(display_path(document), 1, 1), ""
