"""`digest serve` as a curator uses it: a real server, real edits on disk, real HTTP.

Every test starts `python -m digest serve` on a free port (tests/servers.py),
edits files the way editors do, and polls the server with bounded waits.
"""

from __future__ import annotations

import os
import re
import socket
import struct
import subprocess

import pytest

from tests.conftest import article
from tests.servers import Lines, Server, await_serving, edit, eventually, serve, start

SECRET = "do-not-serve-7f3a9c"  # a line of site.yaml that must never reach a browser
SITE = f"-- site.yaml --\ntitle: Test Digest\n# {SECRET}\n"
PACT = "content/articles/pact.md"
PACT_URL = "/2021/11/24/pact/"
TWO_ARTICLES = (
    SITE
    + article("pact", title="Israel signs defence pact with Morocco")
    + article("port", title="Port deal agreed in Haifa", date="2021-11-20", topics="trade")
)


def started(make_site, text: str = TWO_ARTICLES):  # type: ignore[no-untyped-def]
    """The site from `text` and a context manager that serves it."""
    site = make_site(text)
    return site, serve(site.root, watching=site.root / PACT)


# -- serving -------------------------------------------------------------------------


def test_pages_get_the_live_script_only_when_served_and_the_server_stays_on_this_machine(make_site):
    site, running = started(make_site)
    with running as server:
        assert server.serving_line == f"Serving public/ at http://127.0.0.1:{server.port}/ — watching for changes (Ctrl-C to stop)"
        page = server.get(PACT_URL)
        assert page.status == 200
        assert page.header("Content-Type") == "text/html; charset=utf-8"
        assert page.header("Cache-Control") == "no-store"
        assert "<h1>Israel signs defence pact with Morocco</h1>" in page.body
        assert '<script id="digest-live">' in page.body
        assert page.body.index('<script id="digest-live">') < page.body.rindex("</body>")
        on_disk = (site.root / "public/2021/11/24/pact/index.html").read_text(encoding="utf-8")
        assert "digest-live" not in on_disk and "__digest__" not in on_disk

        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', page.body)
        assert stylesheet and re.fullmatch(r"/css/digest\.[0-9a-f]{8}\.css", stylesheet.group(1))
        css = server.get(stylesheet.group(1))
        assert css.status == 200
        assert css.header("Content-Type").startswith("text/css")
        assert "digest-live" not in css.body


def test_a_site_without_base_url_previews_its_feeds_at_the_servers_address(make_site):
    site, running = started(make_site)  # its site.yaml names no base_url, which `digest build` would refuse
    with running as server:
        feed = server.get("/feed.xml")
        assert feed.status == 200 and feed.header("Content-Type").startswith("application/xml")
        assert f'<link rel="self" type="application/atom+xml" href="http://127.0.0.1:{server.port}/feed.xml"/>' in feed.body
        assert f'<link rel="canonical" href="http://127.0.0.1:{server.port}{PACT_URL}">' in server.get(PACT_URL).body
    assert site.cli("build").returncode == 1


def test_a_missing_page_gets_the_themes_404_page(make_site):
    _, running = started(make_site)
    with running as server:
        missing = server.get("/no/such/page/")
        assert missing.status == 404
        assert missing.header("Content-Type") == "text/html; charset=utf-8"
        assert "Page not found" in missing.body
        assert '<script id="digest-live">' in missing.body  # so a page that appears later reloads it


def test_a_taken_port_makes_the_server_use_the_next_free_one(make_site):
    site = make_site(TWO_ARTICLES)
    with _occupied_port_before_a_free_one() as occupant:
        taken = occupant.getsockname()[1]
        with serve(site.root, port=taken, watching=site.root / PACT) as server:
            server.out.wait_for(rf"^Port {taken} is taken; using {taken + 1} instead\.$")
            assert server.port == taken + 1
            assert server.serving_line.startswith(f"Serving public/ at http://127.0.0.1:{taken + 1}/ ")
            assert "Israel signs defence pact" in server.get(PACT_URL).body


def _occupied_port_before_a_free_one() -> socket.socket:
    """A socket bound to some port P (not listening) while P + 1 is free, as the server would see it."""
    for _ in range(50):
        occupant = socket.socket()
        occupant.bind(("127.0.0.1", 0))
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
            try:
                probe.bind(("127.0.0.1", occupant.getsockname()[1] + 1))
                return occupant
            except OSError:
                occupant.close()
    pytest.fail("found no port P with P + 1 free in 50 tries")


# -- edits ---------------------------------------------------------------------------


def test_edits_show_up_and_rebuild_only_the_pages_they_affect(make_site):
    site, running = started(make_site)
    pact = site.root / PACT
    with running as server:
        mark = server.mark()
        edit(pact, ("title: Israel signs defence pact with Morocco", "title: Israel and Morocco sign a defence pact"))
        server.page(PACT_URL, "<h1>Israel and Morocco sign a defence pact</h1>")
        server.page("/", "Israel and Morocco sign a defence pact")
        line = server.wait_rebuild(mark, what=PACT)
        assert int(line["rendered"]) > 1  # the title shows on every list of the article

        mark = server.mark()
        edit(pact, ("Body of", "The revised body of"))
        server.page(PACT_URL, "The revised body of")
        line = server.wait_rebuild(mark, what=PACT)
        assert line["rendered"] == "1", line.string
        pages = int(line["pages"])

        mark = server.mark()
        edit(pact, ("topics: [defence]", "topics: [defence, energy]"))
        server.page("/topics/energy/", "Israel and Morocco sign a defence pact")
        line = server.wait_rebuild(mark, what=PACT)
        # + topics/energy/ and its Atom, RSS and JSON feeds
        assert int(line["rendered"]) > 1 and int(line["pages"]) == pages + 1 + 3, line.string


def test_deleted_articles_disappear_and_new_ones_appear(make_site):
    site, running = started(make_site)
    with running as server:
        (site.root / PACT).unlink()
        server.status(PACT_URL, 404)
        eventually(lambda: "Israel signs defence pact" not in server.get("/").body, what="the home page to drop the article")
        assert "Port deal agreed in Haifa" in server.get("/").body

        site.write(article("gas", title="Gas field opens off the coast", date="2021-11-28", topics="energy"))
        server.page("/2021/11/28/gas/", "<h1>Gas field opens off the coast</h1>")
        server.page("/", "Gas field opens off the coast")
        server.page("/topics/energy/", "Gas field opens off the coast")


def test_vim_and_atomic_saves_end_in_the_new_content(make_site):
    site, running = started(make_site)
    pact = site.root / PACT
    with running as server:
        # vim (backupcopy=auto): move the file to a backup, write a new one, delete the backup
        text = pact.read_text(encoding="utf-8")
        backup = pact.with_name("pact.md~")
        os.rename(pact, backup)
        pact.write_text(text.replace("Israel signs defence pact with Morocco", "Saved by vim"), encoding="utf-8")
        backup.unlink()
        server.page(PACT_URL, "<h1>Saved by vim</h1>")

        # many IDEs: write a hidden temporary file, then rename it over the original
        temporary = pact.with_name(".pact.md.tmp")
        temporary.write_text(pact.read_text(encoding="utf-8").replace("Saved by vim", "Saved atomically"), encoding="utf-8")
        os.replace(temporary, pact)
        server.page(PACT_URL, "<h1>Saved atomically</h1>")
        server.page("/", "Saved atomically")
        assert "Saved by vim" not in server.get("/").body


def git(root, *args: str) -> None:  # type: ignore[no-untyped-def]
    subprocess.run(["git", "-c", "user.name=Curator", "-c", "user.email=curator@example.org", *args], cwd=root, check=True, capture_output=True)


def test_a_git_checkout_of_500_articles_ends_in_one_rebuild(make_site):
    site = make_site(TWO_ARTICLES + "-- .gitignore --\npublic/\n.digest-cache/\n")
    git(site.root, "init", "-q", "-b", "main")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "two articles")
    git(site.root, "checkout", "-q", "-b", "more")
    slugs = [f"burst-{n:03}" for n in range(500)]
    site.write("".join(article(slug, title=f"Burst story {slug}") for slug in slugs))
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "500 more")
    git(site.root, "checkout", "-q", "main")

    with serve(site.root, watching=site.root / PACT) as server:
        mark = server.mark()
        git(site.root, "checkout", "-q", "more")  # 500 files appear at once
        done = server.wait_rebuild(mark)
        assert "500 content changed" in done.string, done.string
        assert server.get("/2021/11/24/burst-499/").status == 200
        assert "Burst story burst-" in server.get("/topics/defence/").body
        assert_no_straggler(server, mark, done)

        mark = server.mark()
        git(site.root, "checkout", "-q", "main")  # and vanish at once
        done = server.wait_rebuild(mark)
        assert "500 content changed" in done.string, done.string
        assert server.get("/2021/11/24/burst-000/").status == 404
        assert_no_straggler(server, mark, done)


def assert_no_straggler(server: Server, mark: int, done: re.Match[str]) -> None:
    """`done` was the only rebuild since `mark` and none is still owed: a save made now is the next rebuild."""
    probe = server.probe(server.root / PACT)
    assert [m.string for m in server.rebuilds(mark)] == [done.string, probe.string]


# -- errors --------------------------------------------------------------------------


def test_a_broken_article_keeps_the_last_good_page_and_tells_open_pages(make_site):
    site, running = started(make_site)
    pact = site.root / PACT
    location = f"{PACT}:3:7: date: must be a date like 2021-11-24, got '24/11/21'"
    with running as server, server.events() as events:
        assert events.status_line == "HTTP/1.1 200 OK"
        assert "content-type: text/event-stream" in events.headers
        hello = events.next("hello")
        assert hello == {"build": hello["build"], "error": ""}  # type: ignore[index]

        mark = len(server.err)
        edit(pact, ("date: 2021-11-24", "date: 24/11/21"), ("title: Israel signs defence pact with Morocco", "title: Never shown"))
        server.err.wait_for(f"^{location}$", since=mark)
        report = events.next("error-report", where=lambda data: location in data["error"])  # type: ignore[index]
        assert "hint:" in report["error"]  # type: ignore[index]
        page = server.get(PACT_URL)
        assert page.status == 200 and "<h1>Israel signs defence pact with Morocco</h1>" in page.body
        assert "Never shown" not in page.body

        edit(pact, ("date: 24/11/21", "date: 2021-11-24"), ("title: Never shown", "title: Fixed and shown"))
        events.next("reload")
        server.page(PACT_URL, "<h1>Fixed and shown</h1>")


def test_an_edit_saved_while_the_server_starts_is_not_lost(make_site):
    """An edit made after the first build read the files, before watching began, must still show."""
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("needs Linux pipes to pause the server between its first build and watching")
    site = make_site(TWO_ARTICLES)
    # A full stdout pipe blocks the server at its first line ("Built ..."): after the build, before watching.
    read_end, write_end = os.pipe()
    size = fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    os.write(write_end, b"\n" * size)
    server = start(site.root, stdout=write_end)
    os.close(write_end)
    try:
        eventually(lambda: (site.root / "public/.digest-manifest.json").exists(), what="the first build")
        edit(site.root / PACT, ("title: Israel signs defence pact with Morocco", "title: Saved during startup"))
        server.out = Lines(os.fdopen(read_end, encoding="utf-8"))
        await_serving(server)
        server.page(PACT_URL, "<h1>Saved during startup</h1>", timeout=3)
    except BaseException:
        server.kill()
        raise
    server.stop()


# -- hostile requests ----------------------------------------------------------------

HOSTILE = [
    "/../site.yaml",
    "/%2e%2e/site.yaml",
    "/..%2fsite.yaml",
    "/%2e%2e%2f%2e%2e%2fetc/passwd",
    "/../../../../../../etc/passwd",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/%00",
    "/site.yaml%00.html",
    "/..\\site.yaml",
    "/..%5csite.yaml",
    "/.%2e/site.yaml",
    "http://evil/etc/passwd",
    "http://evil/../site.yaml",
    "/%252e%252e/site.yaml",
    "/leak.yaml",  # a symlink inside public/ to ../site.yaml
    "/up/site.yaml",  # a symlink inside public/ to ..
    "/up/",
    "/css/",  # a folder without index.html: never listed
    "/css",
    "/content/articles/pact.md",
    "/site.yaml",
    "site.yaml",
    "*",
]


def test_hostile_paths_never_leave_the_output_folder(make_site):
    site, running = started(make_site)
    with running as server:
        public = site.root / "public"
        os.symlink("../site.yaml", public / "leak.yaml")
        os.symlink("..", public / "up")
        assert SECRET in (public / "leak.yaml").read_text(encoding="utf-8")  # the bait works on disk

        inside = server.raw("/.digest-manifest.json")
        assert inside.status == 200 and "index.html" in inside.body

        answers = {target: server.raw(target) for target in HOSTILE}
        for target, answer in answers.items():
            assert SECRET not in answer.body and "root:x:0:0" not in answer.body, target
            assert "countries: [Israel]" not in answer.body, target  # no article source either
            if answer.status == 301:
                location = answer.header("Location")
                assert location.startswith("/") and not location.startswith("//") and ".." not in location, (target, location)
            else:
                assert answer.status == 404, (target, answer.status)
                assert "Page not found" in answer.body, target
        assert sum(a.status == 404 for a in answers.values()) >= 12


def test_a_path_that_is_not_utf8_gets_a_404(make_site):
    _, running = started(make_site)
    with running as server:
        for target in ("/%ff", "/%c0%ae%c0%ae/site.yaml"):
            answer = server.raw(target)
            assert answer.status == 404 and SECRET not in answer.body, target


def test_a_browser_dropping_a_connection_prints_no_traceback(make_site):
    _, running = started(make_site)
    with running as server:
        for _ in range(3):  # a connection reset before the request line, as a browser's spare socket is
            raw = socket.create_connection(("127.0.0.1", server.port))
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw.close()
        assert server.get("/").status == 200
    # leaving `serve` stops the server and checks its stderr holds no traceback
