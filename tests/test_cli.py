"""The command line as a curator types it: the site folder named before or after the command, the help, the summary line."""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from digest.cli import make_parser
from digest.output import MANIFEST
from tests.conftest import SITE_YAML, article, run_cli, snapshot
from tests.servers import await_serving, start

TWO_ARTICLES = SITE_YAML + article("pact", title="Israel signs defence pact with Morocco") + article("port", title="Port deal agreed in Haifa", date="2021-11-20")
NOW = {**os.environ, "DIGEST_NOW": "2021-11-26T09:00:00+00:00"}


def commands() -> dict[str, str]:
    """Every command `digest` has, with the line its help gives it."""
    parser = make_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help or "" for choice in action._choices_actions}


# -- -s/--site, before or after the command ----------------------------------------------


def test_the_site_folder_may_be_named_before_or_after_the_command(make_site, tmp_path):
    make_site(TWO_ARTICLES)
    after = run_cli(tmp_path, "build", "-s", "site")
    assert after.returncode == 0, after.stderr
    assert re.fullmatch(r"Built \d+ pages from 2 articles in \d+\.\d\d s → site/public/ \(\d+ files written\)\n", after.stdout)
    assert (tmp_path / "site/public/2021/11/24/pact/index.html").is_file()
    assert not (tmp_path / "public").exists()

    before = run_cli(tmp_path, "-s", "site", "build")
    assert before.returncode == 0, before.stderr
    assert before.stdout.endswith(" → site/public/ (nothing changed)\n")


def test_the_site_folder_named_after_the_command_wins_over_the_one_before(make_site, tmp_path):
    make_site(TWO_ARTICLES)
    (tmp_path / "elsewhere").mkdir()
    done = run_cli(tmp_path, "--site", "elsewhere", "build", "--site", "site")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site/public/index.html").is_file()
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_every_curator_command_takes_the_site_folder_on_either_side(make_site, tmp_path, where):
    make_site(TWO_ARTICLES)

    def digest(command: str, *args: str):  # type: ignore[no-untyped-def]
        site = ("-s", "site")
        line = (*site, command, *args) if where == "before" else (command, *args, *site)
        return run_cli(tmp_path, *line, env=NOW)

    new = digest("new", "Talks resume in Rabat", "--country", "Morocco", "--topic", "defence", "--source", "Reuters")
    assert new.returncode == 0, new.stderr
    assert new.stdout == "site/content/articles/2021/talks-resume-in-rabat.md\n"

    listed = digest("list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split("  ")[1] for line in listed.stdout.splitlines()[1:]] == [
        "Talks resume in Rabat", "Israel signs defence pact with Morocco", "Port deal agreed in Haifa",
    ]

    checked = digest("check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("Check passed: 0 errors, 0 warnings; "), checked.stderr

    assert digest("build").returncode == 0
    assert (tmp_path / "site/.digest-cache").is_dir()
    cleaned = digest("clean")
    assert cleaned.returncode == 0, cleaned.stderr
    assert not (tmp_path / "site/.digest-cache").exists()
    assert not (tmp_path / ".digest-cache").exists() and not (tmp_path / "content").exists()


def test_serve_takes_the_site_folder_after_the_command(make_site, tmp_path):
    make_site(TWO_ARTICLES)
    server = start(tmp_path, "-s", "site")  # digest serve --port N -s site
    try:
        await_serving(server)
        assert server.serving_line.startswith("Serving site/public/ at http://127.0.0.1:")
        assert "Israel signs defence pact with Morocco" in server.get("/2021/11/24/pact/").body
    finally:
        server.stop()


# -- help ---------------------------------------------------------------------------------


def test_bare_digest_prints_the_help_and_succeeds(tmp_path):
    bare = run_cli(tmp_path, env={**os.environ, "COLUMNS": "80"})
    assert bare.returncode == 0, bare.stderr
    assert bare.stderr == ""
    assert bare.stdout.startswith("usage: digest [-h] [--version] [-s DIR] COMMAND ...\n")
    assert bare.stdout == run_cli(tmp_path, "--help", env={**os.environ, "COLUMNS": "80"}).stdout
    assert "Run 'digest COMMAND --help' for a command's options." in bare.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_help_lists_every_command_on_one_line_of_eighty_columns(tmp_path):
    shown = run_cli(tmp_path, "--help", env={**os.environ, "COLUMNS": "80"}).stdout
    listed = shown.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[0] for line in listed] == list(commands())
    for line, (name, help_line) in zip(listed, commands().items()):
        assert help_line, f"'digest {name}' has no help line"
        assert re.fullmatch(rf" +{name} +{re.escape(help_line)}", line)
        assert len(line) <= 80


def test_each_command_names_the_site_option_in_its_own_help(tmp_path):
    for name in commands():
        shown = run_cli(tmp_path, name, "--help", env={**os.environ, "COLUMNS": "100"})
        assert shown.returncode == 0, shown.stderr
        assert re.search(r"^  -s DIR, --site DIR +the site folder \(holds site\.yaml\); default: here$", shown.stdout, re.M), name


# -- the summary line ---------------------------------------------------------------------


def test_the_summary_line_counts_the_files_written_and_removed(make_site):
    site = make_site(TWO_ARTICLES)
    site.cli("build")
    before = published(site.root / "public")
    (site.root / "content/articles/port.md").unlink()
    done = site.cli("build")
    assert done.returncode == 0, done.stderr
    after = published(site.root / "public")
    counts = re.fullmatch(r"Built (\d+) pages from 1 article in \d+\.\d\d s → public/ \((\d+) files written, (\d+) removed\)\n", done.stdout)
    assert counts, done.stdout
    pages, written, removed = map(int, counts.groups())
    assert pages < len(after)  # besides pages: a stylesheet, a script, the flag, the favicon
    assert written == len([name for name in after if after[name] != before.get(name)])
    assert removed == len(before.keys() - after.keys()) and "2021/11/20/port/index.html" not in after


def published(folder: Path) -> dict[str, bytes]:
    """What a reader of the site gets: `snapshot`, without digest's own record of what it wrote."""
    return {name: data for name, data in snapshot(folder).items() if name != MANIFEST}


def test_notes_follow_the_summary_sentence_on_the_same_line(make_site):
    result = make_site(TWO_ARTICLES).build().result
    assert result is not None
    noted = replace(result, seconds=0.25, notes=("1 draft left out; --drafts to include",))
    assert noted.summary("public/") == f"Built {result.pages} pages from 2 articles in 0.25 s → public/ ({result.files.written} files written) — " \
        "1 draft left out; --drafts to include"
    assert replace(noted, files=replace(result.files, written=0, removed=1)).summary("out/").endswith(" → out/ (1 file removed) — 1 draft left out; --drafts to include")
    assert replace(noted, files=replace(result.files, written=1, removed=0), notes=()).summary("out/").endswith(" → out/ (1 file written)")
