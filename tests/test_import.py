"""A curator's morning with `digest import`: the feeds and a pasted story become drafts, checked as the build checks
them, written without tracking parameters or scripts, never twice, and kept off the site until they are published."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from digest.content import Article, ArticleParser, SourceFile
from digest.intake import MAX_BYTES
from digest.sources import load_config
from tests.conftest import InlineSite, full_snapshot
from tests.crawl import serve_folder, serving

FIXTURES = Path(__file__).with_name("fixtures")
FEEDS = ("maghreb-wire.atom", "sahel-daily.rss", "gulf-brief.json", "seed-story.txt", "not-a-feed.xml")

SITE = """-- site.yaml --
title: Maghreb Watch
base_url: https://maghreb.example.org/
timezone: Africa/Casablanca
-- content/articles/2026/rabat-summit.md --
---
title: Rabat hosts a summit on the Sahel
date: 2026-11-20
countries: [Morocco]
source: Le Desk
url: https://ledesk.example.ma/rabat-summit
---
Heads of state met in Rabat.
"""

CORRIDOR = "content/articles/2026/morocco-and-mauritania-agree-on-a-new-atlantic-corridor.md"
GAS = "content/articles/2026/algeria-reopens-talks-on-gas-prices-with-spain.md"
CUSTOMS = "content/articles/2026/mali-and-niger-open-a-joint-customs-post.md"
DROUGHT = "content/articles/2026/drought-warning-for-the-niger-river-basin.md"
DOHA = "content/articles/2026/qatar-hosts-a-new-round-of-sudan-ceasefire-talks.md"
DUQM = "content/articles/2026/oman-expands-the-port-of-duqm.md"
OLIVES = "content/articles/2026/tunisia-s-olive-harvest-is-the-largest-in-a-decade.md"

@pytest.fixture
def site(make_site: Callable[[str], InlineSite]) -> InlineSite:
    """The site, with this morning's feeds saved into its inbox/ folder (also the working folder)."""
    made = make_site(SITE)
    (made.root / "inbox").mkdir()
    for name in FEEDS:
        shutil.copy(FIXTURES / name, made.root / "inbox" / name)
    return made




def draft(site: InlineSite, relative: str) -> tuple[Article, str]:
    """A written draft as the build reads it (the project's own front-matter parser), and its body's Markdown."""
    path = site.root / relative
    text = path.read_text(encoding="utf-8")
    article = ArticleParser.for_site(load_config(site.root)).parse(SourceFile(path, Path(relative), text.encode())).article
    return article, text.split("\n---\n", 1)[1]


def articles(site: InlineSite) -> list[str]:
    return sorted(path.relative_to(site.root).as_posix() for path in (site.root / "content/articles").rglob("*.md"))


def test_an_atom_feed_becomes_drafts_with_clean_addresses_and_no_script(site, digest):
    code, out, err = digest(site.root, "import", "inbox/maghreb-wire.atom")
    assert (code, err) == (0, "")
    assert out == (
        f"wrote {CORRIDOR}\n"
        f"wrote {GAS}\n"
        "Imported 2 drafts from 1 source; each stays off the site until its draft: true is removed.\n"
    )
    corridor, body = draft(site, CORRIDOR)
    assert (corridor.title, corridor.source, corridor.draft) == ("Morocco and Mauritania agree on a new Atlantic corridor", "Maghreb Wire", True)
    assert corridor.url == "https://maghreb-wire.example.com/2026/11/24/atlantic-corridor?id=4471"  # utm_source, _medium, _campaign gone
    assert corridor.published.isoformat() == "2026-11-24T09:30:00+01:00"
    assert corridor.summary == "Rabat and Nouakchott sign a road & port deal meant to open the Sahel to the sea."
    assert [country.name for country in corridor.countries] == ["Morocco", "Mauritania"]  # named in the title
    assert "Ministers from **Rabat** and Nouakchott signed the agreement" in body
    assert "- Road: 1,000 km\n- Cost: 1.2 billion dollars" in body
    assert "[whole dossier](https://maghreb-wire.example.com/dossiers/sahel)" in body  # fbclid gone from links too
    for left_out in ("script", "document.write", "tracker.example.net", "onclick", "steal", "iframe", "video.example.net"):
        assert left_out not in body
    gas, body = draft(site, GAS)
    assert [country.name for country in gas.countries] == ["Algeria", "Spain"]
    assert body.strip() == "Sonatrach's chief executive met Spanish buyers in Algiers."  # the <style> went with its rules


def test_an_rss_feed_loses_every_tracking_parameter_and_event_handler(site, digest):
    assert digest(site.root, "import", "inbox/sahel-daily.rss")[0] == 0
    customs, body = draft(site, CUSTOMS)
    assert customs.url == "https://saheldaily.example.org/news/joint-customs-post?page=2"  # utm_*, gclid, mc_cid, mc_eid gone
    assert (customs.source, customs.published.isoformat()) == ("Sahel Daily", "2026-11-24T15:15:00+01:00")
    assert customs.summary == "Traders between Gao and Niamey will clear goods once instead of twice."
    assert [country.name for country in customs.countries] == ["Mali", "Niger"]
    assert body.startswith("\n## One stop, not two\n\nTraders between Gao and Niamey")
    assert "![The new customs post](https://saheldaily.example.org/img/post.jpg)" in body
    assert "Tracker" not in body and "onerror" not in body and "alert" not in body
    drought, body = draft(site, DROUGHT)  # an item with only a description: it is the summary and the body
    assert drought.summary == body.strip() == "Forecasters expect the river to run low until the rains of June."


def test_a_json_feed_s_items_and_their_relative_links(site, digest):
    code, out, _ = digest(site.root, "import", "inbox/gulf-brief.json", "--topic", "diplomacy", "--country", "US")
    assert (code, out) == (0, f"wrote {DOHA}\nwrote {DUQM}\n"
                              "Imported 2 drafts from 1 source; each stays off the site until its draft: true is removed.\n")
    doha, body = draft(site, DOHA)
    assert (doha.title, doha.source) == ("Qatar hosts a new round of Sudan ceasefire talks", "Gulf Brief")
    assert doha.url == "https://gulfbrief.example.net/2026/11/23/qatar-mediation?ref=home"
    assert doha.published.isoformat() == "2026-11-23T05:45:00+01:00"  # 07:45 in Doha, in the site's time zone
    assert [topic.slug for topic in doha.topics] == ["diplomacy"]
    assert [country.name for country in doha.countries] == ["United States", "Qatar", "Sudan", "Egypt", "Saudi Arabia"]  # --country first
    assert "A [first round](https://gulfbrief.example.net/2026/11/01/earlier-talks) failed" in body  # not a link into the digest
    assert "ads.js" not in body and "onmouseover" not in body
    duqm, body = draft(site, DUQM)
    assert duqm.summary == "The sultanate adds two berths for container ships. Work starts in January."
    assert body.strip() == "The sultanate adds two berths for container ships.\n\nWork starts in January."
    assert "countries: [United States, Oman]\ntopics: [diplomacy]\n" in (site.root / DUQM).read_text()


def test_a_pasted_story_keeps_its_title_and_loses_the_page_s_frame(site, digest):
    code, out, _ = digest(site.root, "import", "inbox/seed-story.txt")
    assert (code, out.splitlines()[0]) == (0, f"wrote {OLIVES}")
    olives, body = draft(site, OLIVES)
    assert (olives.title, olives.draft, olives.url, olives.source) == ("Tunisia's olive harvest is the largest in a decade", True, "", "")
    assert olives.published.isoformat() == "2026-11-25T13:00:00+01:00"  # now, as digest new dates an article
    assert [country.name for country in olives.countries] == ["Tunisia"]
    assert body == (
        "\nGrowers in Sfax expect to press more than 340,000 tonnes of oil this season, after two years of drought.\n\n"
        "Exporters say prices in Europe have fallen by a third since the spring.\n\n"
        "\\# of presses working: more than 1,700, the ministry says.\n"  # a '#' that opened a line, not a heading
    )
    assert "Exit mobile version" not in body and "Share this" not in body and "Skip to content" not in body


def test_a_second_import_skips_every_story_already_there_and_says_so(site, digest):
    assert digest(site.root, "import", "inbox/maghreb-wire.atom", "inbox/seed-story.txt")[0] == 0
    before = full_snapshot(site.root / "content")
    code, out, err = digest(site.root, "import", "inbox/maghreb-wire.atom", "inbox/seed-story.txt", "inbox/maghreb-wire.atom")
    assert (code, err) == (0, "")
    assert out == (
        f'skipped "Morocco and Mauritania agree on a new Atlantic corridor": '
        f"https://maghreb-wire.example.com/2026/11/24/atlantic-corridor?id=4471 is already in {CORRIDOR}\n"
        f'skipped "Algeria reopens talks on gas prices with Spain": https://maghreb-wire.example.com/2026/11/18/gas-prices is already in {GAS}\n'
        f"skipped \"Tunisia's olive harvest is the largest in a decade\": a story of that title is already in {OLIVES}\n"
        f'skipped "Morocco and Mauritania agree on a new Atlantic corridor": '
        f"https://maghreb-wire.example.com/2026/11/24/atlantic-corridor?id=4471 is already in {CORRIDOR}\n"
        f'skipped "Algeria reopens talks on gas prices with Spain": https://maghreb-wire.example.com/2026/11/18/gas-prices is already in {GAS}\n'
        "Imported 0 drafts from 3 sources (5 skipped).\n"
    )
    assert full_snapshot(site.root / "content") == before


def test_one_story_in_two_feeds_is_imported_once_and_a_taken_name_is_numbered(site, digest):
    shutil.copy(site.root / "inbox/sahel-daily.rss", site.root / "inbox/sahel-mirror.rss")
    hand_written = site.root / CUSTOMS
    hand_written.write_text("---\ntitle: Mali and Niger open a joint customs post\ndate: 2026-11-23\n---\nMy own notes.\n")
    code, out, _ = digest(site.root, "import", "inbox/sahel-daily.rss", "inbox/sahel-mirror.rss")
    assert code == 0
    assert out.splitlines() == [
        f"wrote {CUSTOMS.removesuffix('.md')}-2.md",  # the hand-written file of that name stays as it is
        f"wrote {DROUGHT}",
        'skipped "Mali and Niger open a joint customs post": https://saheldaily.example.org/news/joint-customs-post?page=2 came earlier in this import',
        'skipped "Drought warning for the Niger river basin": https://saheldaily.example.org/news/drought-warning came earlier in this import',
        "Imported 2 drafts from 2 sources (2 skipped); each stays off the site until its draft: true is removed.",
    ]
    assert hand_written.read_text() == "---\ntitle: Mali and Niger open a joint customs post\ndate: 2026-11-23\n---\nMy own notes.\n"
    numbered, _ = draft(site, CUSTOMS.removesuffix(".md") + "-2.md")
    assert (numbered.slug, numbered.source) == ("mali-and-niger-open-a-joint-customs-post-2", "Sahel Daily")


def test_since_skips_older_stories_and_dry_run_writes_nothing(site, digest):
    before = full_snapshot(site.root / "content")
    code, out, err = digest(site.root, "import", "inbox/maghreb-wire.atom", "inbox/sahel-daily.rss", "--since", "2026-11-22", "--dry-run")
    assert (code, err) == (0, "")
    assert out == (
        f"would write {CORRIDOR}\n"
        f"would write {CUSTOMS}\n"
        "Would import 2 drafts from 2 sources (2 older than --since); nothing was written (--dry-run).\n"
    )
    assert full_snapshot(site.root / "content") == before
    code, out, _ = digest(site.root, "import", "inbox/maghreb-wire.atom", "inbox/sahel-daily.rss", "--since", "2026-11-22")
    assert out.splitlines()[:2] == [f"wrote {CORRIDOR}", f"wrote {CUSTOMS}"]
    assert articles(site) == sorted([CORRIDOR, CUSTOMS, "content/articles/2026/rabat-summit.md"])


def test_options_are_checked_as_digest_new_checks_them_before_anything_is_written(site, digest):
    before = full_snapshot(site.root / "content")
    code, out, err = digest(site.root, "import", "inbox/gulf-brief.json", "--country", "Marocco", "--since", "last week")
    assert (code, out) == (1, "")
    assert err == (
        "--country: unknown country 'Marocco'\n"
        "  hint: did you mean 'Morocco' or 'Macao' or 'Monaco'?\n\n"
        "--since: must be a date like 2026-11-20 or an ISO 8601 time, got 'last week'\n\n"
        "2 problems; nothing was written.\n"
    )
    assert full_snapshot(site.root / "content") == before


def test_a_malformed_feed_is_a_one_line_error_and_nothing_is_written(site, digest):
    before = full_snapshot(site.root / "content")
    code, out, err = digest(site.root, "import", "inbox/maghreb-wire.atom", "inbox/not-a-feed.xml")
    assert (code, out) == (1, "")
    assert err == "inbox/not-a-feed.xml: is not an RSS, Atom or JSON feed (line 6, column 1: no element found)\n"
    (site.root / "inbox/error-page.xml").write_text("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n")
    (site.root / "inbox/half.json").write_text('{"version": "https://jsonfeed.org/version/1.1", "items": [')
    assert digest(site.root, "import", "inbox/error-page.xml")[1:] == ("", "inbox/error-page.xml: is not an RSS, Atom or JSON feed (it is a web page)\n")
    assert digest(site.root, "import", "inbox/half.json")[1:] == (
        "", "inbox/half.json: is not an RSS, Atom or JSON feed (line 1, column 59: Expecting value)\n")
    assert full_snapshot(site.root / "content") == before


def test_drafts_stay_off_the_site_until_published(site, digest):
    assert digest(site.root, "import", "inbox/maghreb-wire.atom")[0] == 0
    page = "2026/11/24/morocco-and-mauritania-agree-on-a-new-atlantic-corridor/index.html"
    public = site.build()
    assert not public.exists(page)
    assert public.exists("2026/11/20/rabat-summit/index.html")
    assert "Atlantic corridor" not in public.read("index.html") + public.read("feed.xml")
    preview = site.build(drafts=True)
    text = preview.read(page)
    assert "<h1>Morocco and Mauritania agree on a new Atlantic corridor</h1>" in text
    assert "Guerguerat" in text and "tracker.example.net" not in text
    assert "Atlantic corridor" in preview.read("countries/mr/index.html")


# -- over HTTP -----------------------------------------------------------------------------


def test_a_feed_is_fetched_over_http(site, digest):
    with serve_folder(FIXTURES) as address:
        code, out, err = digest(site.root, "import", address + "sahel-daily.rss", address + "seed-story.txt")
        missing = digest(site.root, "import", address + "gone.rss")
    assert (code, err) == (0, "")
    assert out.splitlines()[:3] == [f"wrote {CUSTOMS}", f"wrote {DROUGHT}", f"wrote {OLIVES}"]
    customs, _ = draft(site, CUSTOMS)
    assert (customs.url, customs.source) == ("https://saheldaily.example.org/news/joint-customs-post?page=2", "Sahel Daily")
    assert missing[1:] == ("", f"digest import: {address}gone.rss: the server answered 404 File not found\n")


class _ToFtp(BaseHTTPRequestHandler):
    """A server whose feed has moved to an ftp: address."""

    def do_GET(self) -> None:
        self.send_response(301)
        self.send_header("Location", "ftp://files.example.org/feed.rss")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_redirect_away_from_the_web_is_not_followed(site, digest):
    with serving(_ToFtp) as origin:
        address = origin + "feed.rss"
        answer = digest(site.root, "import", address)
    assert answer == (1, "", f"digest import: {address}: the server answered 301 redirect to a ftp: address, which digest does not follow\n")


class _Endless(BaseHTTPRequestHandler):
    """A server that sends a feed larger than digest takes, without saying its length."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Flood</title>')
        chunk = b"<!-- " + b"x" * (1 << 16) + b" -->"
        try:
            for _ in range(MAX_BYTES // len(chunk) + 2):
                self.wfile.write(chunk)
        except OSError:  # digest hung up once it had read enough
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_size_cap_holds_whether_the_server_says_the_length_or_not(site, digest, tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "huge.rss").write_bytes(b"<rss>" + b" " * MAX_BYTES)
    before = full_snapshot(site.root / "content")
    with serve_folder(folder) as address:
        declared = digest(site.root, "import", address + "huge.rss")
    assert declared == (1, "", f"digest import: {address}huge.rss: is larger than 10 MiB, the most digest imports from one source\n")
    with serving(_Endless) as origin:
        address = origin + "flood.rss"
        streamed = digest(site.root, "import", address)
    assert streamed == (1, "", f"digest import: {address}: is larger than 10 MiB, the most digest imports from one source\n")
    assert full_snapshot(site.root / "content") == before
    (site.root / "inbox/huge.rss").write_bytes(b"<rss>" + b" " * MAX_BYTES)
    assert digest(site.root, "import", "inbox/huge.rss")[2] == "inbox/huge.rss: is larger than 10 MiB, the most digest imports from one source\n"


def test_a_story_that_cannot_be_a_draft_is_skipped_with_its_reason(site, digest):
    (site.root / "inbox/odd.rss").write_text("""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Odd Wire</title>
  <item><title>A link that runs a script</title><link>javascript:alert(1)</link></item>
  <item><description>An item with no title at all.</description><link>https://odd.example.org/untitled</link></item>
  <item><title>Chad and Cameroon reopen their border</title><link>https://odd.example.org/border?fbclid=abc</link></item>
</channel></rss>
""")
    code, out, err = digest(site.root, "import", "inbox/odd.rss")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith('skipped "A link that runs a script" from inbox/odd.rss: url: ')
    assert lines[1:] == [
        "skipped a story of inbox/odd.rss: it has no title",
        "wrote content/articles/2026/chad-and-cameroon-reopen-their-border.md",
        "Imported 1 draft from 1 source (2 skipped); each stays off the site until its draft: true is removed.",
    ]
    border, _ = draft(site, "content/articles/2026/chad-and-cameroon-reopen-their-border.md")
    assert (border.url, [country.name for country in border.countries]) == ("https://odd.example.org/border", ["Chad", "Cameroon"])
    assert border.published.isoformat() == "2026-11-25T13:00:00+01:00"  # no date in the feed: now, as digest new dates it
