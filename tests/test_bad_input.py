"""The bad-input suite: one tiny site per folder under tests/bad_input/, and the exact error a user sees.

Each folder holds a site (site.yaml, content/articles/*.md, templates/, …) and:

- `expected.txt`: line 1 is the headline of the one problem digest reports (`path:line:col: field: message`,
  paths relative to the site folder); each following line `hint: <text>` must occur in its hint.
- `make.py` (optional): run with `root` (the copied site folder) to create what git cannot hold
  reliably: symlinks, file names differing only by case or Unicode normalisation.
- `xfail.txt` (optional): digest gets this case wrong today; the file says how. The test is then
  a strict xfail: it must fail with an assertion (not a crash), and a fix shows up as XPASS.

A case lives either here or in an inline test (test_front_matter_errors, test_config_errors, …), never
in both: here when its headline and hint say everything worth checking, inline when a test checks more
(the whole report, the error class, what is left on disk, the command line's exit code).
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest

from tests.conftest import InlineSite, only_problem

CASES_DIR = Path(__file__).resolve().parent / "bad_input"
CASE_FILES = ("expected.txt", "make.py", "xfail.txt")
"""Files that describe a case rather than belong to its site."""


def case_names() -> list[str]:
    return sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


def case_params() -> list[object]:
    """One param per case; cases with an xfail.txt are strict xfails (an AssertionError, not a crash)."""
    params = []
    for name in case_names():
        reason_file = CASES_DIR / name / "xfail.txt"
        marks = []
        if reason_file.is_file():
            reason = reason_file.read_text(encoding="utf-8").strip()
            marks.append(pytest.mark.xfail(reason=reason, strict=True, raises=(AssertionError, pytest.fail.Exception)))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def copy_site(case: Path, root: Path) -> Path:
    """The case's site in `root`, with `make.py` run there; returns `root`."""
    shutil.copytree(case, root, symlinks=True, ignore=lambda folder, names: CASE_FILES if Path(folder) == case else ())
    if (case / "make.py").is_file():
        runpy.run_path(str(case / "make.py"), init_globals={"root": root})
    return root


def expectation(case: Path) -> tuple[str, list[str]]:
    """(headline, pieces of the hint) from the case's expected.txt."""
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    hints = [line[len("hint: ") :] for line in lines[1:] if line.startswith("hint: ")]
    return lines[0], hints


def test_the_suite_has_at_least_42_cases_each_with_an_expectation():
    names = case_names()
    assert len(names) >= 42, names
    for name in names:
        case = CASES_DIR / name
        assert (case / "expected.txt").is_file(), f"{name} has no expected.txt"
        first = (case / "expected.txt").read_text(encoding="utf-8").splitlines()[0]
        assert first.strip(), f"{name}: expected.txt starts with an empty line"


@pytest.mark.parametrize("name", case_params())
def test_bad_input_is_reported_with_the_exact_headline(name, tmp_path, monkeypatch):
    case = CASES_DIR / name
    root = copy_site(case, tmp_path / "site")
    monkeypatch.chdir(root)
    headline, hints = expectation(case)
    error = InlineSite(root).build_error()
    problem = only_problem(error)
    assert problem.headline() == headline, error.report()
    for hint in hints:
        assert hint in problem.hint, error.report()
    assert not (root / "public" / "index.html").exists(), "a failed build wrote pages"
