"""The Nu Html Checker (vnu.jar, from npm's vnu-jar) over a built folder, for any test that wants valid HTML.

Without java or the jar the calling test is skipped, and failed under CI (`CI` set), where a skip would hide that
nothing was checked. A large folder takes a while (a thousand pages, about 15 s), so a check can be started in the
background with `NuCheck(folder)` and its errors asked for later; `nu_errors(folder)` does both at once.
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
"""Seconds vnu may take over one folder."""


def nu_errors(folder: Path) -> list[str]:
    """Every error the checker finds in the HTML pages under `folder`, as `path:line:col: message`; empty when valid."""
    return NuCheck(folder).errors()


class NuCheck:
    """The checker running over `folder` in the background from the moment this is made."""

    def __init__(self, folder: Path) -> None:
        java = shutil.which("java")
        self.unavailable = ""
        self.process: subprocess.Popen[str] | None = None
        if java is None or not VNU_JAR.is_file():
            missing = "java (Java 17+)" if java is None else f"the checker at {VNU_JAR.relative_to(REPO)}"
            self.unavailable = (
                f"Nu Html Checker unavailable: {missing} is missing; install Java 17+ and run "
                f"`npm install --no-save --ignore-scripts vnu-jar` in {REPO}"
            )
            return
        # --skip-non-html: the folder also holds CSS, feeds, sitemaps and the JSON manifest, which are not HTML documents.
        self.process = subprocess.Popen(
            [java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json", "--stdout", str(folder)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def errors(self) -> list[str]:
        """Wait for the checker and return its errors, as `nu_errors` does; skips (fails under CI) without java or the jar."""
        if self.process is None:
            if os.environ.get("CI"):
                pytest.fail(self.unavailable, pytrace=False)
            pytest.skip(self.unavailable)
        try:
            stdout, stderr = self.process.communicate(timeout=VNU_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"vnu did not finish in {VNU_TIMEOUT} s", pytrace=False)
        try:
            messages = json.loads(stdout)["messages"]
        except (ValueError, KeyError):
            pytest.fail(f"vnu gave no JSON report (exit {self.process.returncode}):\n{stdout}\n{stderr}", pytrace=False)
        errors = [
            f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('message')}"
            for m in messages
            if m.get("type") in ("error", "non-document-error")
        ]
        if not errors and self.process.returncode != 0:
            errors.append(f"vnu exited {self.process.returncode} without reporting an error: {stderr.strip()}")
        return errors

    def stop(self) -> None:
        """End the checker if it is still running (a test run cut short by -k or -x never asked for its errors)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
