"""`digest build` makes, renders and lets go of its page plans a batch at a time, and still writes the site a
session (serve, watch) writes, keeping every plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import digest.publish
from digest.build import Session, build_once
from digest.config import Overrides
from digest.errors import PlanError
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, article, copy_sample, full_snapshot, snapshot

BATCH = 7
"""Plans a batch in these tests: the sample's pages (some 290) come in more than 40 batches."""


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest.publish, "STREAM_BATCH", BATCH)


class ProgressRecorder:
    """A reporter that remembers each 'Rendering pages' total and the last count reported against it."""

    def __init__(self) -> None:
        self.rendering: list[list[int]] = []

    def progress(self, stage: str, total: int) -> Callable[[int], None]:
        if stage != "Rendering pages":
            return lambda done: None
        seen = [total, 0]
        self.rendering.append(seen)
        return lambda done: seen.__setitem__(1, done)

    def finished(self, stage: str, seconds: float) -> None:
        return None


def test_a_one_shot_build_writes_what_a_session_keeping_every_plan_writes(tmp_path, small_batches):
    site = copy_sample(tmp_path / "sample")
    options = BuildOptions(now=FIXED_NOW)
    recorder = ProgressRecorder()
    streamed = build_once(site, options, reporter=recorder)

    session = Session(site, options, overrides=Overrides(output_dir=tmp_path / "kept"), use_cache=False)
    try:
        kept = session.build()
        assert set(kept.rendered_outputs) <= set(session.plans)  # a session keeps them, for its next rebuild
    finally:
        session.close()
    assert streamed.pages == kept.pages > 40 * BATCH
    assert snapshot(site / "public") == snapshot(tmp_path / "kept")

    totals = [total for total, _ in recorder.rendering]
    assert totals == sorted(totals) and len(totals) > 40  # the total grows with each batch, as the pages come
    assert recorder.rendering[-1] == [streamed.rendered, streamed.rendered]


def test_a_one_shot_build_keeps_no_plan_once_its_pages_are_written(tmp_path, small_batches):
    site = copy_sample(tmp_path / "sample")
    session = Session(site, BuildOptions(now=FIXED_NOW))
    try:
        result = session.build(once=True)
        state = session.state
        assert state is not None and state.planner is not None
        assert result.pages > 40 * BATCH
        assert session.plans == {}
        assert state.planner.article_plans == {}
        assert all(record.plan is None and record.context == b"" for record in state.pages.records.values())
    finally:
        session.close()


def test_after_an_edit_a_one_shot_build_from_the_cache_ends_where_a_clean_build_does(tmp_path, small_batches):
    site = copy_sample(tmp_path / "sample")
    options = BuildOptions(now=FIXED_NOW)
    build_once(site, options)
    edited = site / "content/articles/2021/israel-morocco-defence-pact.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("security cooperation", "security co-operation"), encoding="utf-8")
    again = build_once(site, options)
    assert again.rendered_outputs and len(again.rendered_outputs) < again.pages

    clean = build_once(site, options, output_dir=tmp_path / "clean")
    assert clean.rendered == clean.pages
    assert snapshot(site / "public") == snapshot(tmp_path / "clean")


def test_two_pages_wanting_one_file_in_different_batches_leave_the_output_as_it_was(make_site, monkeypatch):
    site = make_site(
        "-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\n"
        + article("pact", date="2021-11-24")
        + "".join(article(f"story-{n}", date=f"2021-10-{n + 1:02d}") for n in range(6))
    )
    site.build()
    before = full_snapshot(site.root / "public")
    site.write(article("zz-other", title="Other", date="2021-11-24").replace("title: Other", "title: Other\nslug: pact"))
    monkeypatch.setattr(digest.publish, "STREAM_BATCH", 1)  # every plan a batch of its own: the second comes later

    error = site.build_error()

    assert isinstance(error, PlanError)
    assert "wants the URL /2021/11/24/pact/, which content/articles/" in error.report()
    assert full_snapshot(site.root / "public") == before
