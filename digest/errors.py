"""One exception family: every problem says what, where and how to fix it."""

from __future__ import annotations

import errno
import os
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str, *, newlines: bool = False) -> str:
    """`text` safe to print on a terminal: control characters, bidi controls and surrogates shown as escapes, like `ls -b`.

    A file name's undecodable byte (which Python holds as a surrogate, U+DC80-U+DCFF) is shown as the byte (`\\xff`), so the
    name reads as a shell's `$'...'` would write it; with `newlines`, line breaks stay (messages and hints span lines).
    """
    if not _UNPRINTABLE.search(text):
        return text

    def escape(match: re.Match[str]) -> str:
        char = match.group(0)
        code = ord(char)
        if newlines and char == "\n":
            return char
        if char in _NAMED:
            return _NAMED[char]
        if 0xDC80 <= code <= 0xDCFF:
            return f"\\x{code - 0xDC00:02x}"
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, text)


def undecodable(text: str) -> bool:
    """Whether a name read from the disk holds bytes that are not UTF-8 (Python keeps each as a surrogate, U+DC80-U+DCFF)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


NOT_UTF8_NAME = "the file's name is not valid UTF-8"


def rename_hint(path: Path) -> str:
    """How to rename a file whose name is not UTF-8: its bytes read as Windows-1252 (else Latin-1), where such names come from."""
    raw = os.fsencode(path.name)
    try:
        guess = raw.decode("cp1252")
    except UnicodeDecodeError:
        guess = raw.decode("latin-1")
    shown = display_path(path)
    return f"rename it, e.g. mv {shell_quoted(str(shown))} {shlex.quote(str(shown.parent / guess))}"


def shell_quoted(text: str) -> str:
    """`text` as a shell user would type it: plain or in quotes, or as bash's `$'caf\\xe9.md'` when it holds bytes that are not
    UTF-8 or characters a terminal would act on."""
    if printable(text) == text:
        return shlex.quote(text)
    return "$'" + printable(text.replace("\\", "\\\\").replace("'", "\\'")) + "'"


def display_path(path: Path) -> Path:
    """The path as the user would type it: relative to the working folder when inside it."""
    here = os.getcwd().rstrip(os.sep)
    text = str(path)
    if text == here:
        return Path(".")
    return Path(text[len(here) + 1 :]) if text.startswith(here + os.sep) else path


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file; line and column count from 1 (0 means unknown)."""

    path: Path
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        text = printable(str(self.path))
        if self.line:
            text += f":{self.line}"
            if self.col:
                text += f":{self.col}"
        return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, as a user reads it."""

    location: Location
    message: str
    field: str = ""
    hint: str = ""
    source_line: str = ""

    @classmethod
    def at_option(cls, option: str, message: str, hint: str = "") -> Problem:
        """A problem with what the command line said (`--country Marocco`) rather than with a file."""
        return cls(Location(Path(option)), message, hint=hint)

    def headline(self) -> str:
        """`path:line:col: field: message`, the first line a user sees."""
        prefix = f"{printable(self.field)}: " if self.field else ""
        return f"{self.location}: {prefix}{printable(self.message, newlines=True)}"

    def format(self) -> str:
        """The headline, the offending line with a caret, and the hint; nothing in them can steer the terminal (see `printable`)."""
        lines = [self.headline()]
        if self.source_line:
            before, after = _around(self.source_line.rstrip(), self.location.col)
            lines.append(f"    {printable(before + after)}")
            if self.location.col:
                lines.append("    " + " " * len(printable(before)) + "^")
        if self.hint:
            lines.append(f"  hint: {printable(self.hint, newlines=True)}")
        return "\n".join(lines)


SHOWN_LINE = 120
"""Characters of a source line shown around the caret: a hostile line can be megabytes long."""


def _around(line: str, col: int) -> tuple[str, str]:
    """The part of `line` shown before the column (1-based; 0 for none) and from it on, cut with '…' where it is long."""
    cut = max(col - 1, 0)
    before, after = line[:cut], line[cut:]
    if len(before) > SHOWN_LINE // 2:
        before = "…" + before[-(SHOWN_LINE // 2) :]
    if len(before) + len(after) > SHOWN_LINE:
        after = after[: max(SHOWN_LINE - len(before), 1)] + "…"
    return before, after


class DigestError(Exception):
    """Base of every error digest reports to a user (printed without a traceback)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """Every problem, formatted, separated by blank lines."""
        return "\n\n".join(problem.format() for problem in self.problems)

    @classmethod
    def single(
        cls,
        path: Path,
        message: str,
        *,
        line: int = 0,
        col: int = 0,
        field: str = "",
        hint: str = "",
        source_line: str = "",
    ) -> "DigestError":
        """An error carrying one problem."""
        return cls([Problem(Location(path, line, col), message, field, hint, source_line)])


class ConfigError(DigestError):
    """site.yaml is missing or wrong."""


class ContentError(DigestError):
    """One or more articles cannot be read."""


class PlanError(DigestError):
    """Pages cannot be laid out (two sources want one URL, an unsafe path)."""


class TemplateError(DigestError):
    """A template is missing or fails to render."""


class OutputError(DigestError):
    """The output folder is unsafe or cannot be written."""


class CommandError(DigestError):
    """A command would do harm or cannot do what it was asked: a folder not empty, a file already there, an option naming nothing."""


@dataclass(slots=True)
class Problems:
    """Collects problems over a whole run, so the user sees all of them at once."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, kind: type[DigestError] = DigestError) -> None:
        """Raise one error with every problem collected, sorted by place."""
        if self.items:
            ordered = sorted(
                self.items,
                key=lambda p: (str(p.location.path), p.location.line, p.location.col),
            )
            raise kind(ordered)


ENVIRONMENT_HINTS = {
    errno.ENOSPC: "free some disk space (or choose an output folder on another disk) and build again",
    errno.EDQUOT: "free some of your disk quota and build again",
    errno.EROFS: "the file system is read-only: choose an output folder where you can write (--output)",
    errno.EACCES: "you may not write there: fix the folder's permissions or choose another output folder (--output)",
    errno.EPERM: "the file may not be changed (is it immutable, or owned by another user?): fix it, or choose another output folder",
    errno.ENOENT: "a folder vanished while digest was using it: check the path and build again",
}


def environment_problem(exc: OSError, where: Path | None = None) -> Problem:
    """What the machine refused (a full disk, a read-only folder, a permission) as one problem naming the path:
    the file the error names, else `where` (the folder being written)."""
    where = display_path(Path(os.fsdecode(exc.filename))) if exc.filename else display_path(where or Path("."))
    reason = exc.strerror or type(exc).__name__
    hint = ENVIRONMENT_HINTS.get(exc.errno or 0, "check the path and the disk, then build again")
    return Problem(Location(where), reason.lower() if reason[:1].isupper() and reason[1:2].islower() else reason, "", hint)
