"""The README tells the truth about the repository it sits in."""

from __future__ import annotations

from tests.conftest import REPO


def test_the_readme_quotes_the_very_test_command_that_ci_runs() -> None:
    command = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert command.startswith("python3 -m venv .venv && ") and command.endswith(" -m pytest"), f".ci/run now ends with {command!r}"
    assert f"```sh\n{command}\n```" in readme, f"README.md should quote .ci/run's test command as it is:\n{command}"
