"""Markdown → sanitised HTML within the site's limits, and the summary lists show when an article gives none.

Hostile Markdown costs Python-Markdown dearly: thousands of nested lists take minutes and gigabytes before a
`RecursionError`. So a cheap scan of each line's `>` and list markers refuses text nested deeper than
`limits.markdown_depth` before conversion, and the conversion itself runs on a CPU-time budget
(`limits.seconds_per_article`), enforced with SIGPROF where Python can take signals: in the main thread, which is
where a build parses articles (in its worker processes or, for a few, in the process itself). Elsewhere (a rebuild
in `digest serve`'s watcher thread) the conversion runs without a budget, and the depth scan still applies.

Two engines convert (`markdown: {engine: ...}` in site.yaml): Python-Markdown with `extra`, `toc` and `sane_lists`,
and cmark-gfm (GitHub-Flavoured Markdown in C, through `cmarkgfm`). Both end in the same sanitiser, and the
commonmark engine's headings get the ids Python-Markdown's `toc` extension would give them, so links to a section
survive a change of engine.
"""

from __future__ import annotations

import html
import re
import signal
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from .config import Limits, MarkdownSettings
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
    """One reused Markdown converter of the site's engine (building one costs more than a short article), then the sanitiser."""

    def __init__(self, settings: MarkdownSettings | None = None, limits: Limits | None = None) -> None:
        self.settings = settings or MarkdownSettings()
        self._convert = converter(self.settings.engine)
        self._sanitizer = Sanitizer(self.settings.unsafe_html)
        self.limits = limits or Limits()

    def convert(self, text: str, *, scanned: bool = False) -> str:
        """Sanitised HTML of `text`, or a `MarkupError` when it is nested too deeply (unless the caller `scanned` it with
        `too_deep` already) or takes too long."""
        deep = None if scanned else too_deep(text, self.limits.markdown_depth)
        if deep is not None:
            raise deep
        seconds = self.limits.seconds_per_article
        try:
            with cpu_budget(seconds):
                return self._sanitizer.clean(self._convert(text))
        except OverBudget:
            self._convert = converter(self.settings.engine)  # interrupted anywhere: start afresh rather than trust its state
            raise MarkupError(
                f"its Markdown took more than {seconds:g} s of CPU time to convert",
                f"look for very long or deeply nested Markdown, or raise the limit in site.yaml: limits: {{seconds_per_article: {seconds * 3:g}}}",
            ) from None
        except RecursionError:
            self._convert = converter(self.settings.engine)
            raise MarkupError(
                "its Markdown is nested too deeply to convert",
                "flatten nested lists, block quotes or emphasis; limits.markdown_depth in site.yaml counts only lists and block quotes",
            ) from None


# -- engines ------------------------------------------------------------------------------------

Converter = Callable[[str], str]
"""Markdown text → HTML not yet sanitised."""


def engine_version(engine: str) -> str:
    """The installed version of the library behind `engine`: a cache made with another converts nothing for this one."""
    from importlib import metadata  # here: it costs more than the rest of a build that finds nothing changed

    return metadata.version("cmarkgfm" if engine == "commonmark" else "markdown")


def converter(engine: str) -> Converter:
    """A fresh converter of the named engine (one of `config.MARKDOWN_ENGINES`)."""
    if engine == "commonmark":
        return CommonMark()
    return PythonMarkdown()


class PythonMarkdown:
    """Python-Markdown with `extra`, `toc` and `sane_lists`: one instance, reset before each text."""

    def __init__(self) -> None:
        import markdown  # here: a no-op build converts nothing

        self._md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")

    def __call__(self, text: str) -> str:
        self._md.reset()
        return str(self._md.convert(text))


class CommonMark:
    """cmark-gfm through `cmarkgfm`'s C functions, freeing what they allocate, then heading ids and footnotes as
    Python-Markdown writes them.

    Not `cmarkgfm.github_flavored_markdown_to_html`: it never frees the parsed tree nor the HTML (about 35 bytes
    kept per byte of Markdown, gigabytes over a large site), and its `tagfilter` would escape raw `<script>` even
    with `unsafe_html`. Raw HTML passes through (`CMARK_OPT_UNSAFE`) to the sanitiser, as with Python-Markdown.
    """

    EXTENSIONS = (b"table", b"strikethrough", b"autolink")

    def __init__(self) -> None:
        from cmarkgfm import _cmark  # type: ignore[import-untyped]
        from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

        self._ffi: Any = _cmark.ffi
        self._lib: Any = _cmark.lib
        self._lib.cmark_gfm_core_extensions_ensure_registered()
        self._extensions = [self._lib.cmark_find_syntax_extension(name) for name in self.EXTENSIONS]
        self._options = (
            Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
            | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
        )
        self._release = _Release.of(_cmark.__file__)

    def __call__(self, text: str) -> str:
        lib, data = self._lib, text.encode("utf-8", "surrogatepass")
        parser = lib.cmark_parser_new(self._options)
        try:
            for extension in self._extensions:
                lib.cmark_parser_attach_syntax_extension(parser, extension)
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            try:
                raw = lib.cmark_render_html(root, self._options, lib.cmark_parser_get_syntax_extensions(parser))
                try:
                    rendered: str = self._ffi.string(raw).decode("utf-8", "surrogatepass")
                finally:
                    if self._release is not None:
                        self._release.text(self._ffi, raw)
            finally:
                if self._release is not None:
                    self._release.tree(self._ffi, root)
        finally:
            lib.cmark_parser_free(parser)
        return with_heading_ids(_footnotes_as_python_markdown(rendered)).rstrip("\n")


class _Release:
    """cmark-gfm's own `cmark_node_free` and allocator, which `cmarkgfm` does not declare, from its compiled module."""

    def __init__(self, library: str) -> None:
        import cffi  # type: ignore[import-untyped]

        self.ffi = cffi.FFI()
        self.ffi.cdef("""
            typedef struct cmark_node cmark_node;
            typedef struct cmark_mem { void *(*calloc)(size_t, size_t); void *(*realloc)(void *, size_t); void (*free)(void *); } cmark_mem;
            void cmark_node_free(cmark_node *node);
            cmark_mem *cmark_get_default_mem_allocator(void);
        """)
        self.lib: Any = self.ffi.dlopen(library)
        self.allocator: Any = self.lib.cmark_get_default_mem_allocator()

    @classmethod
    def of(cls, library: str) -> _Release | None:
        """The functions, or None where the compiled module does not export them (Windows): the engine then works, keeping what it allocates."""
        try:
            return cls(library)
        except (OSError, AttributeError):
            return None

    def tree(self, ffi: Any, root: Any) -> None:
        self.lib.cmark_node_free(self.ffi.cast("cmark_node *", int(ffi.cast("uintptr_t", root))))

    def text(self, ffi: Any, raw: Any) -> None:
        self.allocator.free(self.ffi.cast("void *", int(ffi.cast("uintptr_t", raw))))


_FOOTNOTES = '<section class="footnotes" data-footnotes>\n'


def _footnotes_as_python_markdown(rendered: str) -> str:
    """cmark-gfm's footnotes (always last) in Python-Markdown's container, a `<div class="footnote">` after a rule:
    the sanitiser would drop a `<section>` and leave the notes unmarked under the text."""
    start = rendered.rfind(_FOOTNOTES)
    if start < 0 or not rendered.endswith("</section>\n"):
        return rendered
    return rendered[:start] + '<div class="footnote">\n<hr>\n' + rendered[start + len(_FOOTNOTES) : -len("</section>\n")] + "</div>\n"


# -- heading ids, as Python-Markdown's toc extension gives them ---------------------------------------

_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_ID = re.compile(r"""id=(?:"([^"]*)"|'([^']*)')""")
"""An id attribute, when white space comes before it (a literal first: five times faster than starting with `\\s`)."""
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)
_NUMBERED = re.compile(r"^(.*)_([0-9]+)$")


def with_heading_ids(rendered: str) -> str:
    """`rendered` with an id on each heading that has none: its text slugified, made unique with `_1`, `_2`…"""
    if "<h" not in rendered:
        return rendered
    taken = {found.group(1) or found.group(2) or "" for found in _ID.finditer(rendered) if rendered[found.start() - 1].isspace()}

    def identify(match: re.Match[str]) -> str:
        name = " ".join(_TAG.sub("", _FOOTNOTE_REF.sub("", match.group(2))).split())
        slug = unique_id(slugify_heading(html.unescape(name)), taken)
        return f'<h{match.group(1)} id="{slug}">{match.group(2)}</h{match.group(1)}>'

    return _HEADING.sub(identify, rendered)


def slugify_heading(text: str) -> str:
    """markdown.extensions.toc.slugify with its '-' separator: ASCII letters, digits, `_` and `-`, lower case."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def unique_id(wanted: str, taken: set[str]) -> str:
    """markdown.extensions.toc.unique: `wanted`, or the first free `_1`, `_2`… after it (an empty id is never free)."""
    if wanted in taken or not wanted:
        match = _NUMBERED.match(wanted)
        base, count = (match.group(1), int(match.group(2))) if match else (wanted, 0)
        count += 1
        while f"{base}_{count}" in taken:
            count += 1
        wanted = f"{base}_{count}"
    taken.add(wanted)
    return wanted


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
    return _cut(_opening(body_html))


def repeats_opening(summary: str, body_html: str) -> bool:
    """Whether `summary` says what the body's first paragraph says (it was made from it, or written the same, up to
    case, spacing, punctuation and emphasis): shown above the body it would be read twice."""
    opening = _opening(body_html)
    key = _letters(summary)
    return bool(key) and (key == _letters(opening) or summary == _cut(opening))


def _opening(body_html: str) -> str:
    """The text of the first paragraph ('' when there is none)."""
    match = _FIRST_PARAGRAPH.search(body_html)
    return html.unescape(_TAG.sub("", match.group(1))) if match else ""


def _cut(text: str) -> str:
    words = text.split()
    return " ".join(words[:SUMMARY_WORDS]) + ("…" if len(words) > SUMMARY_WORDS else "")


def _letters(text: str) -> str:
    """Only the letters and digits of `text`, case folded: what two spellings of one sentence share."""
    return "".join(char for char in text.casefold() if char.isalnum())
