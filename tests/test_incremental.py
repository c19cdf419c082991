"""Rebuilds do only what a change needs, and always end where a clean build would."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.build import Changes, Session
from digest.config import Overrides
from digest.errors import DigestError
from digest.site import BuildOptions
from digest.theme import bundled_themes_dir
from digest.watch import WatchedFolders
from tests.conftest import FIXED_NOW, article, snapshot

COUNTRIES = ["Israel", "Morocco", "France", "Japan", "Brazil", "Kenya"]
TOPICS = ["defence", "diplomacy", "energy", "Climate", "trade"]


def starter_site() -> str:
    macros = (bundled_themes_dir() / "default/templates/macros.html").read_text()
    overrides = f"-- templates/macros.html --\n{macros}-- static/css/extra.css --\n/* start */\n"
    return "-- site.yaml --\ntitle: T\nbase_url: https://news.example.org/\npaginate: 3\n" + overrides + "".join(
        article(f"story-{n}", date=f"2021-11-{n + 1:02d}", countries=COUNTRIES[n % 6], topics=TOPICS[n % 5])
        for n in range(8)
    )


def builder(root: Path, output: Path | None = None) -> Session:
    """A live session (cached, like `digest serve`), or with `output` a clean reference build without cache."""
    return Session(root, BuildOptions(now=FIXED_NOW), overrides=Overrides(output_dir=output), use_cache=output is None)



def content(*paths: Path) -> Changes:
    return Changes(content=frozenset(paths))


def test_a_body_edit_re_renders_only_the_article_page(make_site):
    site = make_site(starter_site())
    live = builder(site.root)
    live.build()
    path = site.root / "content/articles/story-3.md"
    path.write_text(path.read_text() + "\nA new paragraph.\n")
    result = live.rebuild(content(path))
    assert result.rendered_outputs == ("2021/11/04/story-3/index.html",)
    assert "A new paragraph." in site.output.read("2021/11/04/story-3/index.html")


class StageRecorder:
    """A reporter that remembers which build stages ran, in order."""

    def __init__(self) -> None:
        self.stages: list[str] = []

    def progress(self, stage: str, total: int) -> Callable[[int], None]:
        return lambda done: None

    def finished(self, stage: str, seconds: float) -> None:
        self.stages.append(stage)


def test_a_body_edit_neither_models_nor_plans_the_site_again(make_site):
    site = make_site(starter_site())
    recorder = StageRecorder()
    live = Session(site.root, BuildOptions(now=FIXED_NOW), reporter=recorder)
    live.build()
    assert recorder.stages == ["read sources", "parse articles", "model", "images", "plan", "choose pages", "render", "commit"]
    recorder.stages.clear()
    path = site.root / "content/articles/story-3.md"
    path.write_text(path.read_text() + "\nA new paragraph.\n")
    live.rebuild(content(path))
    assert recorder.stages == ["parse articles", "choose pages", "render", "commit"]
    recorder.stages.clear()
    path.write_text(path.read_text().replace("title: Story 3", "title: Renamed story"))
    live.rebuild(content(path))
    assert recorder.stages == ["parse articles", "model", "images", "plan", "choose pages", "render", "commit"]


def test_a_body_edit_to_a_draft_renders_nothing(make_site):
    site = make_site(starter_site())
    path = site.root / "content/articles/story-3.md"
    path.write_text(path.read_text().replace("---\n", "---\ndraft: true\n", 1))
    live = builder(site.root)
    live.build()
    path.write_text(path.read_text() + "\nA new paragraph.\n")
    assert live.rebuild(content(path)).rendered_outputs == ()
    assert not site.output.exists("2021/11/04/story-3/index.html")


def test_a_title_edit_re_renders_every_list_that_shows_it_and_no_other(make_site):
    site = make_site(starter_site())
    live = builder(site.root)
    live.build()
    path = site.root / "content/articles/story-3.md"
    path.write_text(path.read_text().replace("title: Story 3", "title: Renamed story"))
    rendered = set(live.rebuild(content(path)).rendered_outputs)
    showing = {name for name, text in ((n, site.output.read(n)) for n in site.output.files()) if "Renamed story" in text}
    assert rendered == showing
    assert "topics/energy/index.html" not in rendered


def test_an_article_stripped_of_its_topics_and_countries_loses_its_related_articles(make_site, tmp_path):
    site = make_site(starter_site().replace("topics: [Climate]", "topics: [defence]"))  # story-3 shares defence with story-0
    live = builder(site.root)
    live.build()
    page = "2021/11/04/story-3/index.html"
    assert 'id="related-heading"' in site.output.read(page)
    path = site.root / "content/articles/story-3.md"
    path.write_text(path.read_text().replace("countries: [Japan]", "countries: []").replace("topics: [defence]", "topics: []"))
    live.rebuild(content(path))
    assert 'id="related-heading"' not in site.output.read(page)
    builder(site.root, tmp_path / "clean").build()
    assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")


def test_a_template_change_re_renders_the_pages_that_use_it_through_extends(make_site):
    site = make_site(starter_site() + '-- templates/term.html --\n{% extends "list.html" %}\n')
    live = builder(site.root)
    live.build()
    pages = [output for output in live.plans if output.endswith(".html")]
    (site.root / "templates/term.html").write_text('{% extends "list.html" %}{% block heading %}<h1>Term {{ term.name }}</h1>{% endblock %}\n')
    rendered = live.rebuild(Changes(templates=frozenset({site.root / "templates/term.html"}))).rendered_outputs
    assert rendered and all(name.startswith(("topics/", "countries/", "sources/")) for name in rendered)
    assert "<h1>Term Energy</h1>" in site.output.read("topics/energy/index.html")
    base = bundled_themes_dir() / "default/templates/base.html"
    assert live.rebuild(Changes(templates=frozenset({base}))).rendered_outputs == ()  # touched, not changed
    override = site.root / "templates/base.html"
    override.write_text(base.read_text().replace("<body", "<!-- overridden -->\n<body"))
    assert sorted(live.rebuild(Changes(templates=frozenset({override}))).rendered_outputs) == sorted(pages)  # every HTML page extends it
    assert "<!-- overridden -->" in site.output.read("404.html")


def test_a_failed_rebuild_keeps_the_output_and_the_next_one_catches_up(make_site, tmp_path):
    site = make_site(starter_site())
    live = builder(site.root)
    live.build()
    before = snapshot(site.root / "public")
    good = site.root / "content/articles/story-1.md"
    bad = site.root / "content/articles/story-2.md"
    good.write_text(good.read_text().replace("Body of", "Edited body of"))
    bad.write_text(bad.read_text().replace("date: 2021-11-03", "date: someday"))
    with pytest.raises(DigestError):
        live.rebuild(content(good, bad))
    assert snapshot(site.root / "public") == before
    bad.write_text(bad.read_text().replace("date: someday", "date: 2021-11-03"))
    live.rebuild(content(bad))
    builder(site.root, tmp_path / "clean").build()
    assert snapshot(site.root / "public") == snapshot(tmp_path / "clean")


def test_editor_debris_and_the_output_folder_are_not_changes(make_site):
    site = make_site(starter_site())
    live = builder(site.root)
    live.build()
    assert live.config is not None and live.theme is not None
    watched = WatchedFolders.of(live.config, live.theme)
    root = site.root
    noise = [root / "content/articles/.story-1.md.swp", root / "content/articles/story-1.md~", root / "content/articles/4913",
             root / "public/index.html", root / "content/articles/.#story-1.md", root / ".git/index"]
    assert not watched.classify(noise)
    changes = watched.classify([root / "content/articles/story-1.md", root / "site.yaml", root / "templates/x.html"])
    assert changes.content == {root / "content/articles/story-1.md"} and changes.config


EDITS = ("body", "title", "topics", "countries", "untag", "date", "add", "delete", "rename", "draft", "break", "template", "static")


def apply_edit(root: Path, rng: random.Random, step: int) -> Changes:
    """Make one random edit a curator could make; return what a watcher would report."""
    folder = root / "content/articles"
    files = sorted(folder.glob("*.md"))
    kind = rng.choice(EDITS)
    if kind == "add" or not files:
        path = folder / f"new-{step}.md"
        path.write_text(article(f"new-{step}", date=f"2021-12-{rng.randint(1, 28):02d}",
                                countries=rng.choice(COUNTRIES), topics=rng.choice(TOPICS)).split("\n", 1)[1])
        return content(path)
    path = rng.choice(files)
    text = path.read_text()
    if kind == "delete":
        path.unlink()
        return content(path)
    if kind == "rename":
        target = folder / f"renamed-{step}.md"
        path.rename(target)
        return content(path, target)
    if kind == "template":
        template = root / "templates/macros.html"
        source = (bundled_themes_dir() / "default/templates/macros.html").read_text()
        template.write_text(source.replace('<article class="card">', f'<article class="card" data-step="{step}">'))
        return Changes(templates=frozenset({template}))
    if kind == "static":
        css = root / "static/css/extra.css"
        css.write_text(f"/* {step} */\n")
        return Changes(static=frozenset({css}))
    lines = text.split("\n")
    replace = {
        "body": lambda: text + f"\nMore text {step}.\n",
        "title": lambda: text.replace(lines[1], f"title: Retitled {step}"),
        "topics": lambda: text.replace(lines[4], f"topics: [{rng.choice(TOPICS)}, {rng.choice(TOPICS)}]"),
        "countries": lambda: text.replace(lines[3], f"countries: [{rng.choice(COUNTRIES)}]"),
        "untag": lambda: text.replace(lines[3], "countries: []").replace(lines[4], "topics: []"),
        "date": lambda: text.replace(lines[2], f"date: 2021-10-{rng.randint(1, 28):02d}"),
        "draft": lambda: text.replace("---\n", "---\ndraft: true\n", 1) if "draft:" not in text else text.replace("draft: true\n", ""),
        "break": lambda: text.replace(lines[2], "date: not-a-date"),
    }
    path.write_text(replace[kind]())
    return content(path)


@pytest.mark.parametrize("seed", range(int(__import__("os").environ.get("DIGEST_EDIT_SEEDS", "20"))))
def test_any_sequence_of_edits_ends_byte_identical_to_a_clean_build(make_site, tmp_path, seed):
    rng = random.Random(seed)
    site = make_site(starter_site())
    live = builder(site.root)
    live.build()
    broken: set[Path] = set()
    for step in range(14):
        changes = apply_edit(site.root, rng, step)
        for path in list(broken):  # a curator fixes yesterday's typo sooner or later
            if rng.random() < 0.5 and path.exists():
                path.write_text(path.read_text().replace("date: not-a-date", "date: 2021-11-15"))
                changes = Changes(changes.content | {path}, changes.templates, changes.static, changes.config)
                broken.discard(path)
        try:
            live.rebuild(changes)
        except DigestError:
            broken |= {p for p in changes.content if p.exists() and "not-a-date" in p.read_text()}
            continue
        clean = tmp_path / f"clean-{step}"
        builder(site.root, clean).build()
        assert snapshot(site.root / "public") == {k: v for k, v in snapshot(clean).items()}, f"step {step}"
