"""One exception family: every problem says what, where and how to fix it."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


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
        text = str(self.path)
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
        prefix = f"{self.field}: " if self.field else ""
        return f"{self.location}: {prefix}{self.message}"

    def format(self) -> str:
        """The headline, the offending line with a caret, and the hint."""
        lines = [self.headline()]
        if self.source_line:
            lines.append(f"    {self.source_line.rstrip()}")
            if self.location.col:
                lines.append("    " + " " * (self.location.col - 1) + "^")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


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
