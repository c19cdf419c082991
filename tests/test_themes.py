"""A curator's own theme: a child theme extends another, params reach templates, static files override, and
stylesheets get names that hosts can cache forever."""

from __future__ import annotations

import re
import shutil

from digest.build import Changes, Session, build_once
from digest.site import BuildOptions
from tests.conftest import FIXED_NOW, REPO, SITE_YAML, article, only_problem, snapshot
from tests.nu import nu_errors

CHILD = """-- themes/broadsheet/theme.yaml --
name: Broadsheet
description: The default theme with a serif masthead
extends: default
params:
  accent: "#8a1c1c"
  motto: All the news that fits
-- themes/broadsheet/templates/404.html --
{% extends "base.html" %}
{% block content %}<h1>Lost</h1><p class="motto" style="color: {{ site.params.accent }}">{{ site.params.motto }}</p>{% endblock %}
-- themes/broadsheet/static/css/extra.css --
.masthead { font-family: Georgia, serif; }
"""


def stylesheet(page: str) -> str:
    """The theme's main stylesheet (the map and the statistics add one of their own)."""
    found = re.search(r'<link rel="stylesheet" href="([^"]*/css/digest[.\w]*\.css)">', page)
    assert found, "no stylesheet link"
    return found.group(1)


def test_a_child_theme_changes_only_what_it_overrides_and_its_params_reach_templates(make_site):
    out = make_site(SITE_YAML + "theme: broadsheet\n" + CHILD + article("pact")).build()
    assert '<p class="motto" style="color: #8a1c1c">All the news that fits</p>' in out.read("404.html")
    assert "<h1>Pact</h1>" in out.read("2021/11/24/pact/index.html")  # from the default theme it extends
    assert any(re.fullmatch(r"css/extra\.[0-9a-f]{8}\.css", f) for f in out.files())
    assert any(re.fullmatch(r"css/digest\.[0-9a-f]{8}\.css", f) for f in out.files())


def test_theme_params_in_site_yaml_win_over_the_themes(make_site):
    site_yaml = SITE_YAML + "theme: broadsheet\ntheme_params: {motto: Curated daily}\n"
    out = make_site(site_yaml + CHILD + article("pact")).build()
    assert '<p class="motto" style="color: #8a1c1c">Curated daily</p>' in out.read("404.html")


def test_a_site_template_and_static_file_beat_the_themes(make_site):
    own = '-- templates/404.html --\n{% extends "base.html" %}{% block content %}<h1>Ours</h1>{% endblock %}\n'
    own += "-- static/css/extra.css --\n.masthead { font-family: sans-serif; }\n"
    out = make_site(SITE_YAML + "theme: broadsheet\n" + CHILD + own + article("pact")).build()
    assert "<h1>Ours</h1>" in out.read("404.html")
    [extra] = [f for f in out.files() if f.startswith("css/extra.")]
    assert out.read(extra) == ".masthead { font-family: sans-serif; }\n"


def test_a_theme_that_extends_itself_names_the_loop(make_site):
    loop = "-- themes/a/theme.yaml --\nextends: b\n-- themes/b/theme.yaml --\nextends: a\n"
    problem = only_problem(make_site(SITE_YAML + "theme: a\n" + loop + article("pact")).build_error())
    assert problem.headline() == "themes/b/theme.yaml: extends: theme 'a' is its own ancestor"
    assert problem.hint == "remove the 'extends:' loop between a → b → a"


def test_an_unknown_key_in_theme_yaml_is_reported_at_its_line(make_site):
    bad = "-- themes/a/theme.yaml --\nname: A\nparent: default\n"
    problem = only_problem(make_site(SITE_YAML + "theme: a\n" + bad + article("pact")).build_error())
    assert problem.headline() == "themes/a/theme.yaml:2:1: parent: unknown key 'parent'"
    assert problem.hint == "theme.yaml takes name, description, extends, params"


def test_a_stylesheet_edit_gives_it_a_new_name_on_every_page_and_removes_the_old(make_site, tmp_path):
    site = make_site(SITE_YAML + "-- static/css/digest.css --\nbody { color: black; }\n" + article("a") + article("b", date="2021-11-25"))
    before = stylesheet(site.build().read("index.html"))
    (site.root / "static/css/digest.css").write_text("body { color: navy; }\n")
    out = site.build()
    after = stylesheet(out.read("index.html"))
    assert after != before and re.fullmatch(r"/css/digest\.[0-9a-f]{8}\.css", after)
    assert out.read(after.lstrip("/")) == "body { color: navy; }\n"
    assert not out.exists(before.lstrip("/"))
    assert all(stylesheet(out.read(p)) == after for p in out.files() if p.endswith(".html"))
    clean = site.build(output_dir=tmp_path / "clean")
    assert snapshot(out.root) == snapshot(clean.root)


def test_an_asset_that_does_not_exist_is_a_template_error_at_its_line(make_site):
    broken = '-- templates/404.html --\n{% extends "base.html" %}\n{% block content %}\n<img src="{{ asset(\'img/logo.png\') }}" alt="">\n{% endblock %}\n'
    problem = only_problem(make_site(SITE_YAML + broken + article("pact")).build_error())
    assert problem.headline().startswith("templates/404.html:3: asset('img/logo.png'): no such static file")


def test_serve_picks_up_a_stylesheet_edit_on_every_page(make_site, tmp_path):
    site = make_site(SITE_YAML + "-- static/css/digest.css --\nbody { color: black; }\n" + article("a") + article("b", date="2021-11-25"))
    session = Session(site.root, BuildOptions(now=FIXED_NOW))
    session.build()
    css = site.root / "static/css/digest.css"
    css.write_text("body { color: navy; }\n")
    rendered = session.rebuild(Changes(static=frozenset({css}))).rendered_outputs
    session.close()
    assert {p for p in site.output.files() if p.endswith(".html")} <= set(rendered)
    clean = site.build(output_dir=tmp_path / "clean")
    assert snapshot(site.root / "public") == snapshot(clean.root)


def test_the_bundled_paper_theme_builds_the_sample_as_a_broadsheet(tmp_path):
    """`theme: paper` extends the default theme with a lead story, columns and a serif masthead, and stays valid HTML."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    (site / "site.yaml").write_text((REPO / "site.yaml").read_text(encoding="utf-8") + "theme: paper\n", encoding="utf-8")
    out = build_once(site, BuildOptions(now=FIXED_NOW)).config.output_dir
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<article class="card lead with-image">' in home and '<div class="cards columns">' in home
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', home)
    assert [re.sub(r"\.[0-9a-f]{8}\.", ".", s) for s in sheets] == ["/css/digest.css", "/css/paper.css"]
    assert 'class="card lead' not in (out / "page/2/index.html").read_text(encoding="utf-8")
    assert "<h1>Israel signs defence pact with Morocco</h1>" in (out / "2021/11/24/israel-morocco-defence-pact/index.html").read_text()
    assert nu_errors(out) == []


def test_a_site_can_replace_a_flag_and_only_used_flags_are_written(make_site):
    own = '-- flags/il.svg --\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"><rect width="4" height="3" fill="#fff"/></svg>\n'
    out = make_site(SITE_YAML + own + article("pact", countries="Israel, Morocco")).build()
    assert out.read("flags/il.svg") == own.split("--\n", 1)[1]
    assert (REPO / "themes/default/flags/ma.svg").read_text() == out.read("flags/ma.svg")
    assert sorted(f for f in out.files() if f.startswith("flags/")) == ["flags/il.svg", "flags/ma.svg"]
    assert '<img class="flag" src="/flags/ma.svg" alt="" width="32" height="24"> Morocco</h1>' in out.read("countries/ma/index.html")
