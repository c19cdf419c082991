"""`digest [-s DIR] build …`: argument parsing, progress on a terminal, clean errors."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence, TextIO

from . import __version__
from .build import full_build
from .content import display_path
from .errors import DigestError
from .site import BuildOptions


class TerminalReporter:
    """Draws one self-overwriting progress line per stage on a terminal, nothing elsewhere."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last = 0.0

    def stage(self, name: str, total: int = 0) -> Callable[[int], None]:
        def progress(done: int) -> None:
            now = time.monotonic()
            if not self.enabled or (now - self.last < 0.1 and done != total):
                return
            self.last = now
            end = "\n" if done == total else ""
            self.stream.write(f"\r\033[K{name} {done}/{total}{end}")
            self.stream.flush()

        return progress


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description="Build curated news digests into static websites.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("-s", "--site", type=Path, default=Path("."), help="the site folder (holds site.yaml); default: here")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into its output folder")
    build.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    build.add_argument("--future", action="store_true", help="include articles dated in the future")
    build.add_argument("--output", type=Path, help="write here instead of the configured output_dir")
    build.add_argument("--quiet", action="store_true", help="print only errors")
    build.add_argument("--debug", action="store_true", help="show a traceback for errors")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return run_build(args)
    except DigestError as exc:
        if getattr(args, "debug", False):
            raise
        count = len(exc.problems)
        print(exc.report(), file=sys.stderr)
        if count > 1:
            print(f"\n{count} problems; nothing was written.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; the output folder was left as it was.", file=sys.stderr)
        return 130


def run_build(args: argparse.Namespace) -> int:
    reporter = TerminalReporter(sys.stderr, enabled=sys.stderr.isatty() and not args.quiet)
    options = BuildOptions(drafts=args.drafts, future=args.future, now=datetime.now(timezone.utc))
    result = full_build(args.site, options, output_dir=args.output, reporter=reporter)
    if not args.quiet:
        print(result.summary(f"{display_path(result.config.output_dir)}/"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
