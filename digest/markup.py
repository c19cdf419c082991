"""Markdown → sanitised HTML within the site's limits, and the summary lists show when an article gives none.

Hostile Markdown costs Python-Markdown dearly: thousands of nested lists take minutes and gigabytes before a
`RecursionError`. So a cheap scan of each line's `>` and list markers refuses text nested deeper than
`limits.markdown_depth` before conversion, and the conversion itself runs on a CPU-time budget
(`limits.seconds_per_article`), enforced with SIGPROF where Python can take signals: in the main thread, which is
where a build parses articles (in its worker processes or, for a few, in the process itself). Elsewhere (a rebuild
in `digest serve`'s watcher thread) the conversion runs without a budget, and the depth scan still applies.
"""

from __future__ import annotations

import html
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import markdown

from .config import Limits
from .sanitize import Sanitizer

MARKDOWN_EXTENSIONS = ("extra", "toc", "sane_lists")
SUMMARY_WORDS = 50
TAB_COLUMNS = 4
"""Python-Markdown's indentation step: a list nested in another is indented by this much more."""


class MarkupError(Exception):
    """A text's Markdown cannot be converted within the site's limits: what, how to fix it, and where in the text (line 0: the whole)."""

    def __init__(self, message: str, hint: str, line: int = 0, col: int = 0, source_line: str = "") -> None:
        self.message = message
        self.hint = hint
        self.line = line
        self.col = col
        self.source_line = source_line
        super().__init__(message)


class MarkdownRenderer:
    """One reused Markdown converter (building one costs more than a short article), then the sanitiser."""

    def __init__(self, unsafe_html: bool = False, limits: Limits | None = None) -> None:
        self._md = self._converter()
        self._sanitizer = Sanitizer(unsafe_html)
        self.limits = limits or Limits()

    @staticmethod
    def _converter() -> markdown.Markdown:
        return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")

    def convert(self, text: str, *, scanned: bool = False) -> str:
        """Sanitised HTML of `text`, or a `MarkupError` when it is nested too deeply (unless the caller `scanned` it with
        `too_deep` already) or takes too long."""
        deep = None if scanned else too_deep(text, self.limits.markdown_depth)
        if deep is not None:
            raise deep
        seconds = self.limits.seconds_per_article
        try:
            with cpu_budget(seconds):
                self._md.reset()
                return self._sanitizer.clean(self._md.convert(text))
        except OverBudget:
            self._md = self._converter()  # interrupted anywhere: start afresh rather than trust its state
            raise MarkupError(
                f"its Markdown took more than {seconds:g} s of CPU time to convert",
                f"look for very long or deeply nested Markdown, or raise the limit in site.yaml: limits: {{seconds_per_article: {seconds * 3:g}}}",
            ) from None
        except RecursionError:
            self._md = self._converter()
            raise MarkupError(
                "its Markdown is nested too deeply to convert",
                "flatten nested lists, block quotes or emphasis; limits.markdown_depth in site.yaml counts only lists and block quotes",
            ) from None


# -- nesting -------------------------------------------------------------------------------------

_STEP = re.compile(r"([ \t]*)(>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))")
"""One level at the start of a line: the white space before a block quote's `>` or a list item's marker, and the marker."""
_RULE = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
"""A horizontal rule (`* * *`, `- - -`), which Python-Markdown reads before any list."""


def too_deep(text: str, limit: int) -> MarkupError | None:
    """A `MarkupError` at the first line whose block quotes and lists nest deeper than `limit`, else None.

    Each `>` or list marker at the start of a line is one level, and so is each further indentation by
    `TAB_COLUMNS` in front of them (a nested list); a line with no marker counts nothing, so indented code does
    not. Generous: it never counts fewer levels than Python-Markdown builds, and counts more only for odd spacing
    between markers. Cheap: a line can only be that deep when it starts with more than `limit` characters that may
    make levels (no level takes less than one), so one regular expression finds the few lines worth counting.
    """
    for candidate in re.finditer(f"\n[ \t>*+.)0-9-]{{{limit + 1},}}", "\n" + text):  # a literal first: the engine skips to each line
        start = candidate.start()  # the "\n" put in front of the line is at the index the line has in `text`
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        col = next((col for col, level in _levels(line) if level > limit), 0)
        if col and not _RULE.fullmatch(line):
            total = max(level for _, level in _levels(line))
            return MarkupError(
                f"block quotes and lists nested {total} deep; an article may nest them at most {limit} deep",
                f"flatten them, or raise the limit in site.yaml: limits: {{markdown_depth: {total}}}",
                text.count("\n", 0, start) + 1, col, line,
            )
    return None


def _levels(line: str) -> Iterator[tuple[int, int]]:
    """(column of the marker, counting from 1; nesting depth there) for each level at the start of `line`."""
    position = spaces = 0
    for markers, match in enumerate(_STEP.finditer(line), 1):
        if match.start() != position:
            return
        position = match.end()
        gap = match.group(1)
        spaces += gap.count(" ") + TAB_COLUMNS * gap.count("\t")
        yield match.start(2) + 1, markers + max(0, spaces - (markers - 1)) // TAB_COLUMNS  # one space after each earlier marker is its own


# -- the time budget ----------------------------------------------------------------------------


class OverBudget(BaseException):
    """The CPU timer ran out inside a conversion (a BaseException, so that no `except Exception` in a converter swallows it)."""


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Raise `OverBudget` inside the block once this process has spent `seconds` of CPU time in it.

    CPU time, not the clock: the same file passes or fails the same way on a busy machine. Python runs signal
    handlers in the main thread only, so elsewhere (and without `setitimer`) the block runs unbounded. The handler
    and any timer set before are put back afterwards.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = True

    def expire(signum: int, frame: FrameType | None) -> None:
        if armed:
            raise OverBudget

    previous = signal.signal(signal.SIGPROF, expire)
    earlier = signal.setitimer(signal.ITIMER_PROF, max(seconds, 1e-6))  # 0 would mean no timer at all
    try:
        try:
            yield
        finally:
            armed = False  # a tick after this line is ignored; one just before it still counts as over budget
    finally:
        signal.setitimer(signal.ITIMER_PROF, *earlier)
        signal.signal(signal.SIGPROF, previous)


# -- summaries --------------------------------------------------------------------------------


_TAG = re.compile(r"<[^>]+>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def summarise(body_html: str) -> str:
    """The first paragraph as plain text, cut at a word boundary."""
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    words = html.unescape(_TAG.sub("", match.group(1))).split()
    text = " ".join(words[:SUMMARY_WORDS])
    return text + ("…" if len(words) > SUMMARY_WORDS else "")
