"""Publishing a digest: the hosting recipes in examples/ say what they promise, their commands build the sample,
and what a rebuild touches is exactly what a sync tool uploads."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from digest.cache import CACHE_DIR
from tests.conftest import FIXED_NOW, REPO, run_cli, snapshot

EXAMPLES = REPO / "examples"
RECIPES = ["github-pages.yml", "gitlab-ci.yml", "netlify.toml", "rsync.sh"]
ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")
EDITED = "content/articles/2021/turkey-lira-crisis.md"
EDITED_URL = "/2021/12/21/turkey-lira-crisis/"
EDITED_PAGE = EDITED_URL.strip("/") + "/index.html"
LONG_AGO = 1_000_000_000
"""A modification time (2001) no build can give a file: a file that has it was not rewritten."""


def sample_site(folder: Path) -> Path:
    """A curator's copy of the bundled sample digest: its content/ and site.yaml (which has a base_url)."""
    shutil.copytree(REPO / "content", folder / "content")
    shutil.copy(REPO / "site.yaml", folder / "site.yaml")
    return folder


def fixed_clock() -> dict[str, str]:
    return {**os.environ, "DIGEST_NOW": FIXED_NOW.isoformat()}


def build(site: Path) -> None:
    done = run_cli(site, "build", env=fixed_clock())
    assert done.returncode == 0, done.stderr


def edit_body(site: Path) -> None:
    """Add a paragraph to one article's body; its summary, title and everything lists show stay as they were."""
    with (site / EDITED).open("a", encoding="utf-8") as file:
        file.write("\nThe central bank held its rate in January.\n")


def touched_since(folder: Path, when: int) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime != when}


def age(folder: Path) -> None:
    """Give every file in `folder` the same old modification time, as if it was written long ago."""
    for path in folder.rglob("*"):
        os.utime(path, (LONG_AGO, LONG_AGO))


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def load(name: str) -> Any:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)


def shell_lines(name: str) -> list[str]:
    """The shell lines a recipe runs: a workflow's `run:` steps, a job's `script:`, netlify's `command`, a script's lines."""
    if name == "github-pages.yml":
        runs = [step["run"] for job in load(name)["jobs"].values() for step in job["steps"] if "run" in step]
    elif name == "gitlab-ci.yml":
        runs = load(name)["pages"]["script"]
    elif name == "netlify.toml":
        runs = [load(name)["build"]["command"]]
    else:
        runs = [line for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    return [line.strip() for run in runs for line in run.splitlines() if line.strip()]


def commands(name: str, program: str) -> list[list[str]]:
    """Each command of the recipe that starts `program`, split as the shell would split it."""
    found = []
    for line in shell_lines(name):
        for part in line.split("&&"):
            words = shlex.split(part)
            if words and words[0] == program:
                found.append(words)
    return found


def steps_of(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return steps


def uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).startswith(action + "@")


# --- the recipes say what they promise --------------------------------------------------------------------


def test_the_github_workflow_restores_the_cache_builds_and_deploys_public():
    workflow = load("github-pages.yml")
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["group"] == "pages"
    steps = steps_of(workflow, "build")
    python = next(s for s in steps if uses(s, "actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    cache = next(s for s in steps if uses(s, "actions/cache"))
    assert ".digest-cache" in cache["with"]["path"].split()
    assert "hashFiles(" in cache["with"]["key"] and "content/**" in cache["with"]["key"] and "site.yaml" in cache["with"]["key"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"].strip())  # a partial match still restores
    upload = next(s for s in steps if uses(s, "actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "public"
    build_step = next(s for s in steps if s.get("run") == "digest build")
    assert steps.index(cache) < steps.index(build_step) < steps.index(upload)
    assert any(uses(s, "actions/checkout") for s in steps[: steps.index(build_step)])
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert any(uses(s, "actions/deploy-pages") for s in deploy["steps"])


def test_the_gitlab_job_is_named_pages_caches_and_publishes_public():
    job = load("gitlab-ci.yml")["pages"]
    assert ".digest-cache/" in job["cache"]["paths"]
    assert job["artifacts"]["paths"] == ["public"]
    assert "digest build" in job["script"]


def test_netlify_publishes_public_with_python_3_11_and_a_plugin_for_the_cache():
    netlify = load("netlify.toml")
    assert netlify["build"]["publish"] == "public"
    assert netlify["build"]["environment"]["PYTHON_VERSION"] == "3.11"
    [plugin] = netlify["plugins"]
    assert plugin["package"] == "netlify-plugin-cache" and ".digest-cache" in plugin["inputs"]["paths"]


# --- their commands work -----------------------------------------------------------------------------------


@pytest.mark.parametrize("recipe", RECIPES)
def test_the_recipes_digest_commands_build_the_sample(recipe, tmp_path):
    found = commands(recipe, "digest")
    assert found, f"examples/{recipe} runs no digest command"
    for number, words in enumerate(found):
        site = sample_site(tmp_path / str(number))
        done = run_cli(site, *words[1:], env=fixed_clock())
        assert done.returncode == 0, f"{shlex.join(words)}: {done.stderr}"
        assert (site / "public/index.html").is_file()
        assert (site / "public" / EDITED_PAGE).is_file()


def test_a_ci_run_that_restores_only_the_cache_still_publishes_the_whole_site(tmp_path):
    """The recipes restore .digest-cache/ with public/; a runner that gets the cache alone (an older entry, a new
    commit, an empty public/) must still publish every page, exactly as a cold build would.
    Restoring both is `test_a_cached_build_is_byte_identical_to_an_uncached_one` in tests/test_cache.py."""
    site = sample_site(tmp_path / "runner")
    build(site)
    shutil.rmtree(site / "public")
    edit_body(site)
    build(site)
    cold = sample_site(tmp_path / "cold")
    edit_body(cold)
    build(cold)
    assert snapshot(site / "public") == snapshot(cold / "public")


# --- what a rebuild touches ---------------------------------------------------------------------------------


def test_a_rebuild_touches_only_the_files_whose_bytes_changed(tmp_path):
    """Over the whole output, between two `digest build` commands: a file gets a new modification time exactly when
    its bytes changed, and one article's new paragraph changes its page alone (and anything that links to it).
    In-process versions: `test_one_edited_article_re_renders_only_the_pages_that_show_it` (tests/test_cache.py)
    counts the files written, `test_unchanged_files_are_not_rewritten_and_stale_ones_removed` (tests/test_build.py)
    checks one page's mtime after a deletion."""
    site = sample_site(tmp_path / "site")
    public = site / "public"
    build(site)
    age(public)
    before = snapshot(public)
    edit_body(site)
    build(site)
    after = snapshot(public)
    changed = changed_files(before, after)
    assert touched_since(public, LONG_AGO) == changed & after.keys()
    assert EDITED_PAGE in changed
    assert {name for name in changed if ARTICLE_PAGE.match(name)} == {EDITED_PAGE}
    index = {name for name in changed if name.startswith("pagefind/")}  # the search index's files, named by their bytes
    assert all(name.startswith(("pagefind/fragment/", "pagefind/index/", "pagefind/filter/", "pagefind/pagefind")) for name in index)
    listed = {".digest-manifest.json"}  # the manifest lists the index's new names
    assert all(EDITED_URL in after[name].decode() for name in changed - {EDITED_PAGE} - index - listed)

    shutil.rmtree(site / CACHE_DIR)  # safe to delete: the next build is a cold one, and rewrites nothing
    age(public)
    build(site)
    assert touched_since(public, LONG_AGO) == set()
    assert snapshot(public) == after


def require_rsync() -> str:
    rsync = shutil.which("rsync")
    if rsync is None:
        message = "rsync is not installed: install it (Debian: apt-get install rsync, as .ci/run does) to test the rsync recipe"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return rsync


def digest_on_path(folder: Path) -> dict[str, str]:
    """An environment whose `digest` is this Python's `python -m digest`, as the recipe's `digest build` expects."""
    folder.mkdir()
    shim = folder / "digest"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m digest "$@"\n')
    shim.chmod(0o755)
    env = fixed_clock()
    env["PATH"] = f"{folder}{os.pathsep}{env['PATH']}"
    return env


def test_rsync_uploads_only_the_pages_a_rebuild_changed(tmp_path):
    rsync = require_rsync()
    [upload] = commands("rsync.sh", "rsync")
    flags = [word for word in upload[1:] if word.startswith("-")]
    assert [word for word in upload[1:] if not word.startswith("-")] == ["public/", "$target"]
    assert "--checksum" not in flags and "-c" not in flags  # the quick check (size and mtime) is enough
    site = sample_site(tmp_path / "site")
    server = tmp_path / "server" / "www"
    server.mkdir(parents=True)
    env = digest_on_path(tmp_path / "bin")

    def publish() -> None:
        done = subprocess.run(["bash", str(EXAMPLES / "rsync.sh"), f"{server}/"], cwd=site, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr

    build(site)
    age(site / "public")  # built long ago: a copy of the files that did not keep their times would look newer
    publish()
    assert snapshot(server) == snapshot(site / "public")

    edit_body(site)
    before = snapshot(site / "public")
    build(site)
    changed = changed_files(before, snapshot(site / "public"))
    plan = subprocess.run([rsync, *flags, "--itemize-changes", "--dry-run", "public/", f"{server}/"], cwd=site,
                          capture_output=True, text=True, timeout=120, check=True)
    sent = {line.split(" ", 1)[1] for line in plan.stdout.splitlines() if line.startswith(">f")}
    assert sent == changed & snapshot(site / "public").keys()  # the search index's replaced files are gone, not sent
    assert {name for name in sent if ARTICLE_PAGE.match(name)} == {EDITED_PAGE}

    publish()
    assert snapshot(server) == snapshot(site / "public")
