"""The README tells the truth about the repository it sits in."""

from __future__ import annotations

from tests.conftest import REPO


def test_the_readme_quotes_the_very_test_command_that_ci_runs() -> None:
    command = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert command.startswith("python3 -m venv .venv && ") and command.endswith(" -m pytest"), f".ci/run now ends with {command!r}"
    assert f"```sh\n{command}\n```" in readme, f"README.md should quote .ci/run's test command as it is:\n{command}"


def test_the_readme_lists_the_commands_as_digest_help_does(monkeypatch) -> None:
    from digest.cli import make_parser

    monkeypatch.setenv("COLUMNS", "80")
    listed = make_parser().format_help().split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"```text\ncommands:\n{listed}\n```" in readme, f"README.md should quote the commands 'digest --help' lists:\ncommands:\n{listed}"
