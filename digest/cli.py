"""`digest [-s DIR] build | serve | watch | check | init | new | import | list | stats | clean`: arguments, progress on a terminal, clean errors.

Each command imports what only it needs inside its function: `digest build` with nothing changed runs in about the
time Python takes to start, so it should not pay for the server, the watcher or the curator's tools.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from . import __version__
from .build import Changes, Session
from .cache import open_cache
from .config import CONFIG_NAME, Overrides
from .errors import CommandError, ContentError, DigestError, Problem, display_path, environment_problem
from .lock import SiteLock
from .publish import BuildResult, counted
from .site import BuildOptions
from .sources import check_content_dir, load_config

QUIET_PERIOD_MS = 30
"""The default of --quiet-period (watch.QUIET_SECONDS, which importing the watcher to read would cost every command)."""


class TerminalReporter:
    """Draws one self-overwriting progress line per stage on a terminal; with `timings`, each stage's time."""

    def __init__(self, stream: TextIO, enabled: bool, timings: bool = False) -> None:
        self.stream = stream
        self.enabled = enabled
        self.timings = timings
        self.last = 0.0

    def finished(self, stage: str, seconds: float) -> None:
        if self.timings:
            self.stream.write(f"  {stage}: {seconds * 1000:.1f} ms\n")
            self.stream.flush()

    def progress(self, name: str, total: int) -> Callable[[int], None]:
        def progress(done: int) -> None:
            now = time.monotonic()
            if not self.enabled or total < 50 or (now - self.last < 0.1 and done != total):
                return
            self.last = now
            end = "\r\033[K" if done == total else ""
            self.stream.write(f"\r\033[K{name} {done}/{total}{end}")
            self.stream.flush()

        return progress


SITE_HELP = "the site folder (holds site.yaml); default: here"


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, with the commands listed under "commands:" alone, not under a line of their own saying COMMAND."""

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        if isinstance(action, argparse._SubParsersAction):
            return text.split("\n", 1)[1]
        return text


class CommandParser(argparse.ArgumentParser):
    """A command's parser: it takes `-s/--site` too, so `digest build -s DIR` works as `digest -s DIR build` does."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.add_argument("-s", "--site", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=SITE_HELP)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest", description="Build curated news digests into static websites.",
        epilog="Run 'digest COMMAND --help' for a command's options.", formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("-s", "--site", type=Path, default=Path("."), metavar="DIR", help=SITE_HELP)
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND", parser_class=CommandParser)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
        command.add_argument("--future", action="store_true", help="include articles dated in the future")
        command.add_argument("--output", type=Path, help="write here instead of the configured output_dir")
        command.add_argument("--quiet", action="store_true", help="print only errors and warnings")
        command.add_argument("--no-cache", action="store_true", help="neither read nor write .digest-cache/: build everything from the sources")
        command.add_argument("--debug", action="store_true", help="show a traceback for errors")
        command.add_argument("--force", action="store_true", help="build into an output folder that holds files digest did not write")
        command.add_argument("--no-wait", action="store_true", help="if another digest is working on this site, stop instead of waiting for it")

    build = commands.add_parser("build", help="build the site into its output folder", description="Build the site into its output folder.")
    common(build)
    build.add_argument("--relative", action="store_true", help="write internal links relative to each page (as relative_urls: true)")
    build.add_argument(
        "--verify", action="store_true",
        help="read and hash every article file instead of trusting the cache's record of their sizes and times "
        "(for a file system or tool that changes a file yet keeps its size and times)",
    )
    serve = commands.add_parser("serve", help="serve a live preview that rebuilds on every save",
                                 description="Build, serve on localhost, rebuild and reload browsers on every save.")
    common(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; the next free one if taken)")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME", help="also answer requests addressed to NAME, besides localhost and the --host address (repeatable); others get 403")
    serve.add_argument("--quiet-period", type=float, default=QUIET_PERIOD_MS, metavar="MS", help=f"wait this long after the last file event before rebuilding (default {QUIET_PERIOD_MS})")
    check = commands.add_parser("check", help="check config, content and every internal link",
                                 description="Validate config and content, build into a temporary folder, check every internal link.")
    check.add_argument("--strict", action="store_true", help="treat warnings (an article with no countries, say) as errors")
    check.add_argument("--drafts", action="store_true", help="include drafts")
    check.add_argument("--future", action="store_true", help="include articles dated in the future")
    check.add_argument("--debug", action="store_true", help="show a traceback for errors")
    watch = commands.add_parser("watch", help="rebuild on every save, without a server",
                                 description="Rebuild into the output folder on every save, without a server.")
    common(watch)
    watch.add_argument("--quiet-period", type=float, default=QUIET_PERIOD_MS, metavar="MS", help=f"wait this long after the last file event before rebuilding (default {QUIET_PERIOD_MS})")
    init = commands.add_parser("init", help="start a site: a site.yaml and an example article",
                                description="Start a new site: a commented site.yaml, an example article, a .gitignore.")
    init.add_argument("folder", nargs="?", type=Path, metavar="DIR", help="where (made if missing); default: --site, else here")
    init.add_argument("--force", action="store_true", help="add the starter files a non-empty folder lacks (existing files are never changed)")
    init.add_argument("--debug", action="store_true", help="show a traceback for errors")
    new = commands.add_parser("new", help="write a new article, its front matter filled in",
                               description="Write a new article's file, front matter filled in and checked as the build checks it.")
    new.add_argument("title", metavar="TITLE", help="the headline; the file's name (and the address's last part) is made from it")
    new.add_argument("--country", action="append", default=[], metavar="NAME", help="a country: name, ISO code or alias (repeat for more)")
    new.add_argument("--topic", action="append", default=[], metavar="NAME", help="a topic (repeat for more)")
    new.add_argument("--source", default="", help="the publication the original comes from")
    new.add_argument("--url", default="", help="the original article's address")
    new.add_argument("--date", default="", help="2021-11-24 or an ISO 8601 time (default: now, in the site's time zone)")
    new.add_argument("--summary", default="", help="a sentence for lists (default: the first paragraph)")
    new.add_argument("--draft", action="store_true", help="mark it draft: true, kept off the site until you remove that")
    new.add_argument("--edit", action="store_true", help="then open it in $EDITOR (or $VISUAL)")
    new.add_argument("--debug", action="store_true", help="show a traceback for errors")
    intake = commands.add_parser("import", help="write drafts of new stories from feeds or pasted stories",
                                 description="Write a draft article for each new story of feeds (RSS, Atom, JSON Feed) or pasted stories (.txt).")
    intake.add_argument("sources", nargs="+", metavar="FEED_OR_FILE", help="a feed's http(s) address or file, or a story pasted into a .txt file (its first line the title)")
    intake.add_argument("--since", default="", metavar="DATE", help="skip stories older than this date (2026-11-20) or ISO 8601 time")
    intake.add_argument("--topic", action="append", default=[], metavar="NAME", help="a topic for every draft (repeat for more)")
    intake.add_argument("--country", action="append", default=[], metavar="NAME", help="a country for every draft, besides those its story names (repeat for more)")
    intake.add_argument("--dry-run", action="store_true", help="say what would be written, and write nothing")
    intake.add_argument("--debug", action="store_true", help="show a traceback for errors")
    listing = commands.add_parser("list", help="list the articles, newest first",
                                   description="List the articles, newest first: date, title, countries, topics, file.")
    listing.add_argument("--drafts", action="store_true", help="include drafts")
    listing.add_argument("--future", action="store_true", help="include articles dated in the future")
    listing.add_argument("--topic", metavar="NAME", help="only articles with this topic (any spelling an article may use)")
    listing.add_argument("--country", metavar="NAME", help="only articles about this country (name, ISO code or alias)")
    listing.add_argument("--format", choices=("table", "json"), default="table", help="aligned columns (default) or JSON for scripts")
    listing.add_argument("--debug", action="store_true", help="show a traceback for errors")
    stats = commands.add_parser("stats", help="print the numbers of /stats/: months, topics, countries",
                                 description="Print what the site covers: articles per month, top topics, countries and sources, editions.")
    stats.add_argument("--drafts", action="store_true", help="include drafts")
    stats.add_argument("--future", action="store_true", help="include articles dated in the future")
    stats.add_argument("--debug", action="store_true", help="show a traceback for errors")
    clean = commands.add_parser("clean", help="remove the build cache, .digest-cache/",
                                 description="Remove the build cache, .digest-cache/ (only if it is digest's).")
    clean.add_argument("--output", action="store_true", help="also remove the files digest wrote into the output folder (as its manifest lists them), and nothing else")
    clean.add_argument("--debug", action="store_true", help="show a traceback for errors")
    return parser


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: staged files go, the output stays as it was


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `digest`: what it can do, as `git` and `hugo help` answer
        parser.print_help()
        return 0
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "build":
            return run_build(args)
        if args.command == "check":
            return run_check(args)
        if args.command == "clean":
            return run_clean(args)
        if args.command in CURATOR_COMMANDS:
            return CURATOR_COMMANDS[args.command](args)
        return run_live(args, serve=args.command == "serve")
    except DigestError as exc:
        if args.debug:
            raise
        count = len(exc.problems)
        print(exc.report(), file=sys.stderr)
        if count > 1:
            print(f"\n{count} problems; nothing was written.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted; the output folder was left as it was.", file=sys.stderr)
        return 130
    except OSError as exc:  # the machine said no: a full disk, a read-only folder, a permission
        if args.debug:
            raise
        print(environment_problem(exc).format(), file=sys.stderr)
        return 1


def _session(args: argparse.Namespace, preview_url: str = "") -> Session:
    reporter = TerminalReporter(sys.stderr, enabled=sys.stderr.isatty() and not args.quiet, timings=args.debug)
    options = BuildOptions(drafts=args.drafts, future=args.future, now=_now())
    overrides = Overrides(args.output, getattr(args, "relative", False), preview_url)
    return Session(args.site, options, overrides=overrides, reporter=reporter, force=args.force, use_cache=not args.no_cache)


def _warn(session: Session) -> None:
    """Say what went wrong with the cache, and what the last build warned of: never silent, even with --quiet."""
    for line in session.cache_notes.take():
        print(f"warning: {line}", file=sys.stderr, flush=True)
    for problem in session.take_warnings():  # links that lead nowhere: one line each, with what to write instead
        print(f"warning: {problem.location}: {problem.message}; {problem.hint}", file=sys.stderr, flush=True)


def _now() -> datetime:
    """The clock that decides what is in the future; DIGEST_NOW (ISO 8601) fixes it, for tests and reproducible builds."""
    fixed = os.environ.get("DIGEST_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _summary(result: BuildResult) -> str:
    return result.summary(f"{display_path(result.config.output_dir)}/")


def _site_lock(args: argparse.Namespace) -> SiteLock | None:
    """The site's lock, held: one build or server per site at a time (None where there is no site yet to lock)."""
    if not (args.site / CONFIG_NAME).is_file():
        return None  # reading the config reports the missing site.yaml
    lock = SiteLock(args.site, args.command)
    lock.acquire(wait=not args.no_wait, say=lambda text: print(text, file=sys.stderr, flush=True))
    return lock


def run_build(args: argparse.Namespace) -> int:
    session = _session(args)
    session.check()  # a site refused at the start leaves no trace, not even a lock file
    lock = _site_lock(args)
    try:
        if args.verify and not args.no_cache:
            _forget_stat_index(args.site, session)
        result = session.build(once=True)
    finally:
        session.close()
        _warn(session)
        if lock is not None:
            lock.release()
    if not args.quiet:
        print(_summary(result))
    return 0


def _forget_stat_index(site: Path, session: Session) -> None:
    """`--verify`: without its stat index, the build reads and hashes every article file (and records them afresh)."""
    cache = open_cache(site.resolve(), session.cache_notes)
    if cache is not None:
        cache.forget_source_entries()
        cache.close()


def run_check(args: argparse.Namespace) -> int:
    from .check import check_site

    report = check_site(args.site, BuildOptions(drafts=args.drafts, future=args.future, now=_now()))
    for problem in report.errors + report.warnings:
        print(problem.format(), file=sys.stderr)
    for note in report.left_out:
        print(note.format())
    verdict = "failed" if report.failed(args.strict) else "passed"
    print(
        f"Check {verdict}: {counted(len(report.errors), 'error')}, {counted(len(report.warnings), 'warning')}"
        f"{' (errors under --strict)' if args.strict and report.warnings else ''}; "
        f"{report.left_out_summary()}"
        f"{counted(report.pages, 'page')}, {counted(report.links, 'internal link')} checked"
    )
    return 1 if report.failed(args.strict) else 0


def run_clean(args: argparse.Namespace) -> int:
    from .cleaning import clean_site

    for line in clean_site(args.site, output=args.output):
        print(line)
    return 0


def run_init(args: argparse.Namespace) -> int:
    from .starter import plant_site

    folder = args.folder if args.folder is not None else args.site
    planted = plant_site(folder, _now(), force=args.force)
    shown = display_path(folder.resolve())
    where = "here" if shown == Path(".") else f"in {shown}/"
    if planted.created:
        print(f"Created a digest {where}:" if not planted.kept else f"Added {where}:")
        print("".join(f"  {path}\n" for path in planted.created), end="")
    if planted.kept:
        print("Left as they were (already there):")
        print("".join(f"  {path}\n" for path in planted.kept), end="")
    print("\nNext:")
    if shown != Path("."):
        print(f"  cd {shlex.quote(str(shown))}")
    print('  digest new "Your first headline" --country Morocco --topic defence')
    print("  digest serve")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from .catalogue import read_catalogue
    from .drafting import ArticleRequest, compose_article, write_article

    config = load_config(args.site)
    request = ArticleRequest(
        args.title, tuple(args.country), tuple(args.topic), args.source, args.url, args.date, args.summary, args.draft,
    )
    article = compose_article(config, request, _now())
    write_article(config, article, read_catalogue(config).articles)
    shown = display_path(article.path)
    print(shown)
    if args.edit:
        return open_in_editor(shown)
    return 0


def open_in_editor(path: Path) -> int:
    """Run $EDITOR (else $VISUAL) on `path`; its exit status is the command's."""
    import subprocess

    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not editor:
        raise CommandError([Problem.at_option("--edit", "neither EDITOR nor VISUAL is set, so no editor was opened; the file is written",
                                              "open it yourself, or set one, e.g. export EDITOR=nano")])
    try:
        return subprocess.run([*shlex.split(editor), str(path)], check=False).returncode
    except (OSError, ValueError) as exc:
        raise CommandError([Problem.at_option("--edit", f"cannot run the editor '{editor}' ({exc}); the file is written",
                                              "set EDITOR to your editor's command, e.g. export EDITOR='code --wait'")]) from None


def run_list(args: argparse.Namespace) -> int:
    import shutil

    from .catalogue import entries_json, entries_table, read_catalogue, read_filters, select_entries

    config = load_config(args.site)
    check_content_dir(config)  # no folder is a mistake to say, not an empty list
    filters = read_filters(config, BuildOptions(drafts=args.drafts, future=args.future, now=_now()), args.topic, args.country)
    catalogue = read_catalogue(config)
    entries = select_entries(config, catalogue.articles, filters)
    if args.format == "json":
        print(entries_json(entries))
    elif entries:
        print(entries_table(entries, shutil.get_terminal_size().columns if sys.stdout.isatty() else None))
    else:
        print("No articles" + (" match" if filters.topic or filters.country else "") + ".", file=sys.stderr)
    if catalogue.problems:
        sys.stdout.flush()
        print(ContentError(catalogue.problems).report(), file=sys.stderr)
        files = len({problem.location.path for problem in catalogue.problems})
        print(f"\n{files} article file{'s' if files > 1 else ''} could not be read and {'are' if files > 1 else 'is'} not listed.", file=sys.stderr)
        return 1
    return 0


def run_stats(args: argparse.Namespace) -> int:
    """The numbers of the /stats/ page, from the same `coverage`; an article that does not read stops it, as it stops a build."""
    from .catalogue import read_catalogue
    from .site import model_site
    from .stats import coverage, format_coverage

    config = load_config(args.site)
    check_content_dir(config)
    catalogue = read_catalogue(config)
    if catalogue.problems:
        raise ContentError(catalogue.problems)
    site = model_site(config, catalogue.articles, BuildOptions(drafts=args.drafts, future=args.future, now=_now()))
    print(format_coverage(coverage(site)))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from .catalogue import read_catalogue
    from .intake import ImportRequest, carry_out, plan_import

    config = load_config(args.site)
    catalogue = read_catalogue(config)
    if catalogue.problems:
        print(f"warning: {len({p.location.path for p in catalogue.problems})} article file(s) do not read; their url: is not compared", file=sys.stderr)
    plan = plan_import(config, ImportRequest(tuple(args.sources), tuple(args.topic), tuple(args.country), args.since), _now(), catalogue.articles)
    for line in carry_out(config, plan, catalogue.articles, dry_run=args.dry_run):
        print(line, flush=True)
    print(plan.summary(dry_run=args.dry_run))
    return 0


CURATOR_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"init": run_init, "new": run_new, "list": run_list, "import": run_import, "stats": run_stats}


def _url_host(host: str) -> str:
    """The address as a URL writes it: an IPv6 one in brackets (`[::1]`)."""
    return f"[{host}]" if ":" in host else host


def run_live(args: argparse.Namespace, *, serve: bool) -> int:
    """`serve` and `watch`: build, then rebuild after every burst of changes until Ctrl-C.

    Watching starts before the first build, so an edit saved while it runs is
    picked up right after it.
    """
    import webbrowser

    from .search import BackgroundIndex
    from .server import LiveState, bind_server, serve_in_background
    from .theme import resolve_theme
    from .watch import WatchedFolders, Watcher

    live = LiveState()

    def say(text: str) -> None:
        if not args.quiet:
            print(text, flush=True)

    server = None
    preview_url = ""
    config = load_config(args.site, Overrides(args.output, preview_url=f"http://{_url_host(args.host)}:{args.port}/"))
    _site_lock(args)  # held while this process lives: its rebuilds never meet another build's
    if serve:  # take the port first, so a site without base_url previews at the server's own address; answer after the build
        server = bind_server(args.host, args.port, config.output_dir, config.base_path, live, args.allowed_host)
        port = server.server_address[1]
        if port != args.port:
            say(f"Port {args.port} is taken; using {port} instead.")
        preview_url = f"http://{_url_host(args.host)}:{port}/"
    session = _session(args, preview_url)
    index = BackgroundIndex(session)
    watched = WatchedFolders.of(config, resolve_theme(config))

    def failed(exc: DigestError) -> None:
        print(exc.report(), file=sys.stderr, flush=True)
        live.failed(exc.report())

    def on_change(changes: Changes) -> WatchedFolders | None:
        index.stop()  # a rebuild never waits for the search index: it stops the one under way, and starts it again after
        started = time.perf_counter()
        try:
            result = session.rebuild(changes, index_later=True)
            _warn(session)
        except DigestError as exc:
            failed(exc)
        except Exception as exc:  # keep previewing whatever goes wrong; say what it was
            if args.debug:
                raise
            print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            live.failed(f"{type(exc).__name__}: {exc}")
        else:
            took = (time.perf_counter() - started) * 1000
            if result.files.written or result.files.removed or live.error:
                live.built()  # browsers reload now; the search index is made after, in the background
            line = f"{changes.describe()}: re-rendered {result.rendered} of {result.pages} pages in {took:.0f} ms"
            index.start(lambda searched: say(line + searched), failed)
        if session.config is None or session.theme is None:
            return None
        return WatchedFolders.of(session.config, session.theme)

    watcher = Watcher(watched, on_change, quiet=args.quiet_period / 1000)
    watcher.start()
    try:
        say(_summary(session.build()))
        _warn(session)
    except DigestError as exc:
        if session.config is None or session.theme is None:
            watcher.stop()
            if server is not None:
                server.server_close()  # bound, never served
            raise  # no site to serve yet: site.yaml itself is broken
        print(exc.report(), file=sys.stderr, flush=True)
        live.failed(exc.report())
    config = session.config or config
    if server is not None:
        serve_in_background(server)
        url = f"http://{_url_host(args.host)}:{port}{config.base_path}"
        if args.open:
            webbrowser.open(url)
    watcher.resume()
    if serve:
        say(f"Serving {display_path(config.output_dir)}/ at {url} — watching for changes (Ctrl-C to stop)")
    else:
        say(f"Watching for changes; writing to {display_path(config.output_dir)}/ (Ctrl-C to stop)")
    stop = threading.Event()
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        say("\nStopping.")
    finally:
        watcher.stop()
        index.stop()
        session.close()
        live.close()
        if server is not None:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
