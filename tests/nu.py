"""The Nu Html Checker (vnu.jar, from npm's vnu-jar) over a built folder, for any test that wants valid HTML.

Without java or the jar the calling test is skipped, and failed under CI (`CI` set), where a skip would hide that
nothing was checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_TIMEOUT = 600
"""Seconds vnu may take over one folder; a thousand pages take about 15."""


def nu_errors(folder: Path) -> list[str]:
    """Every error the checker finds in the HTML pages under `folder`, as `path:line:col: message`; empty when valid."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        missing = "java (Java 17+)" if java is None else f"the checker at {VNU_JAR.relative_to(REPO)}"
        message = (
            f"Nu Html Checker unavailable: {missing} is missing; install Java 17+ and run "
            f"`npm install --no-save --ignore-scripts vnu-jar` in {REPO}"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # --skip-non-html: the folder also holds CSS, feeds, sitemaps and the JSON manifest, which are not HTML documents.
    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json", "--stdout", str(folder)],
        check=False, capture_output=True, text=True, timeout=VNU_TIMEOUT,
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}", pytrace=False)
    errors = [
        f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('message')}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    if not errors and run.returncode != 0:
        errors.append(f"vnu exited {run.returncode} without reporting an error: {run.stderr.strip()}")
    return errors
