"""Rendering on several cores: forked workers for a one-shot build, warm ones for a session whose threads make forking
unsafe (serve, watch); either way the output is a clean build's, and a worker that dies ends the build cleanly."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest import parallel
from digest.build import Changes, Session
from digest.errors import OutputError, TemplateError
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, snapshot
from tests.test_incremental import builder, starter_site


@pytest.fixture(autouse=True)
def pools_for_small_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers even for a few dozen pages, one page a batch, on two cores whatever the machine has."""
    monkeypatch.setattr(parallel, "RENDER_PER_WORKER", 1)
    monkeypatch.setattr(parallel, "RENDER_BATCH", 1)
    monkeypatch.setattr(parallel, "cores", lambda: 2)


@pytest.fixture
def threads_alive() -> Iterator[None]:
    """Another thread running, as the watcher and the server do in `digest serve`."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="a server, say")
    thread.start()
    yield
    stop.set()
    thread.join()


class Killer:
    """A reporter that kills a render worker once the first pages are back."""

    def __init__(self, victim: Callable[[], int]) -> None:
        self.victim = victim
        self.armed = False

    def progress(self, stage: str, total: int) -> Callable[[int], None]:
        def seen(done: int) -> None:
            if self.armed and stage == "Rendering pages" and done:
                self.armed = False
                os.kill(self.victim(), signal.SIGKILL)
        return seen

    def finished(self, stage: str, seconds: float) -> None:
        return None


def alive(pids: list[int]) -> list[int]:
    def running(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False
    return [pid for pid in pids if running(pid)]


def test_a_template_edit_in_a_threaded_session_renders_in_warm_workers_as_a_clean_build_would(make_site, tmp_path, threads_alive):
    site = make_site(starter_site())
    live = builder(site.root)
    try:
        live.build()
        workers = [w.process.pid for w in live.renders.workers]
        assert len(workers) == 2  # the first build already rendered through the pool
        story = site.root / "content/articles/story-3.md"  # a body only this process holds: the cache never saw it
        story.write_text(story.read_text() + "\nA paragraph the workers get from the parent.\n")
        live.rebuild(Changes(content=frozenset({story})))
        macros = site.root / "templates/macros.html"
        macros.write_text(macros.read_text().replace('<article class="card">', '<article class="card" data-edited="yes">'))
        result = live.rebuild(Changes(templates=frozenset({macros})))
        assert len(result.rendered_outputs) > 2
        assert [w.process.pid for w in live.renders.workers] == workers  # the same workers, with a new renderer
        assert "A paragraph the workers get from the parent." in site.output.read("2021/11/04/story-3/index.html")
        assert 'data-edited="yes"' in site.output.read("index.html")
        builder(site.root, tmp_path / "clean").build()
        assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")
    finally:
        live.close()
    assert not alive(workers) and not live.renders.workers


def test_a_template_error_in_a_warm_worker_is_reported_as_in_one_process_and_the_workers_stay(make_site, threads_alive):
    site = make_site(starter_site())
    live = builder(site.root)
    try:
        live.build()
        workers = [w.process.pid for w in live.renders.workers]
        macros = site.root / "templates/macros.html"
        good = macros.read_text()
        macros.write_text(good.replace('<article class="card">', '<article class="card" data-x="{{ no_such_thing.name }}">'))
        with pytest.raises(TemplateError) as raised:
            live.rebuild(Changes(templates=frozenset({macros})))
        assert raised.value.problems[0].headline().startswith(f"{Path('templates/macros.html')}:")
        assert "'no_such_thing' is undefined" in raised.value.problems[0].headline()
        assert alive(workers) == workers
        macros.write_text(good)
        live.rebuild(Changes(templates=frozenset({macros})))
        assert [w.process.pid for w in live.renders.workers] == workers
    finally:
        live.close()


def test_a_warm_worker_killed_mid_build_ends_it_with_one_line_and_the_next_build_starts_another(make_site, tmp_path, threads_alive):
    site = make_site(starter_site())
    killer = Killer(lambda: live.renders.workers[0].process.pid)
    live = Session(site.root, BuildOptions(now=FIXED_NOW), reporter=killer)
    try:
        live.build()
        before = snapshot(site.root / "public")
        macros = site.root / "templates/macros.html"
        macros.write_text(macros.read_text().replace('<article class="card">', '<article class="card" data-edited="yes">'))
        killer.armed = True
        with pytest.raises(OutputError) as raised:
            live.rebuild(Changes(templates=frozenset({macros})))
        assert [p.headline() for p in raised.value.problems] == ["public: a process rendering pages was killed by SIGKILL; the output was left as it was"]
        assert snapshot(site.root / "public") == before
        live.rebuild(Changes(templates=frozenset({macros})))
        assert len(alive([w.process.pid for w in live.renders.workers])) == 2
        builder(site.root, tmp_path / "clean").build()
        assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")
    finally:
        live.close()


def test_a_forked_worker_killed_mid_build_ends_it_with_one_line(make_site):
    if threading.active_count() != 1:
        pytest.skip("forked workers are for a process running one thread")
    site = make_site(starter_site())
    killer = Killer(lambda: multiprocessing.active_children()[0].pid)
    killer.armed = True
    live = Session(site.root, BuildOptions(now=FIXED_NOW), reporter=killer)
    try:
        with pytest.raises(OutputError) as raised:
            live.build()
    finally:
        live.close()
    assert [p.headline() for p in raised.value.problems] == ["public: a process rendering pages was killed by SIGKILL; the output was left as it was"]
    assert not live.renders.workers and not multiprocessing.active_children()
    assert not (site.root / "public").exists() or not list((site.root / "public").rglob("*.html"))
