"""Article images: `image:` in the front matter → resized renditions and the `Picture` templates draw.

A local image is resized with Pillow into a few widths, each as AVIF and WebP
plus a JPEG fallback (PNG when it has transparency), orientation applied and
metadata dropped. Resizing is the slow part, so every source's renditions wait
in the cache folder under a digest of its bytes and the recipe: a rebuild, or a
second site using the same picture, resizes nothing it resized before. Output
names hold the digest too (`images/pact-3f2a9c1b-800.webp`), so hosts may
cache them forever. A URL is used as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError, features

from .content import Article
from .errors import ContentError, Location, Problem, display_path
from .fields import ImageRef
from .names import slugify
from .views import Picture

WIDTHS = (480, 800, 1200, 1600)
"""The widths written (never wider than the source): a phone, a column, the article's measure at 2x, a wide screen."""
FALLBACK_WIDTH = 800
"""The width of the plain `src` browsers without `srcset` load."""
RECIPE = "widths=480,800,1200,1600;avif=q60s8;webp=q80;jpeg=q82p;png=opt;v1"
"""Everything that shapes a rendition: a new recipe makes new files rather than trusting old ones."""
MAX_PIXELS = 50_000_000
"""Larger pictures are refused rather than decoded (a few bytes can claim billions of pixels)."""
AVIF = features.check("avif")


@dataclass(frozen=True, slots=True)
class Rendition:
    """One resized file: its name in the output, its size and media type."""

    name: str
    width: int
    height: int
    media_type: str


@dataclass(frozen=True, slots=True)
class Made:
    """A source image's renditions, in the cache folder."""

    digest: str
    width: int
    height: int
    renditions: tuple[Rendition, ...]
    folder: Path

    def files(self) -> dict[str, tuple[Path, str]]:
        """Output name → (cached file, fingerprint), as static files are copied."""
        return {r.name: (self.folder / Path(r.name).name, f"i{self.digest}:{r.name}") for r in self.renditions}


class ImageShop:
    """Resizes the pictures articles name (each source once per recipe, ever) and says what to write."""

    def __init__(self, content_dir: Path, folder: Path | None) -> None:
        self.content_dir = content_dir
        self.folder = folder
        """The cache's image folder; None keeps renditions in a temporary folder for this process."""
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        self.known: dict[Path, tuple[tuple[int, int], Made]] = {}
        """Each source file's size and time when last read, and what was made of it."""
        self.stamps: dict[str, tuple[int, int]] = {}
        """The sources the last `prepare` used, with their size and time (what a no-op build checks)."""

    def close(self) -> None:
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def prepare(self, articles: Iterable[Article], base_path: str) -> tuple[dict[Path, Picture], dict[str, tuple[Path, str]]]:
        """Every article's picture, and the rendition files to write; a missing or unreadable image is a `ContentError`."""
        wanted: dict[Path, list[Article]] = {}
        problems: list[Problem] = []
        remote: dict[Path, Picture] = {}
        for article in articles:
            image = article.image
            if image is None:
                continue
            if image.remote:
                remote[article.path] = Picture(image.src, image.alt, image.caption, image.credit, large=image.src)
                continue
            source = self.locate(image)
            if isinstance(source, str):
                problems.append(_problem(article, image, source, "give a path inside content/, such as images/pact.jpg"))
            else:
                wanted.setdefault(source, []).append(article)
        made, failed = self._make_all(list(wanted))
        for source, reason in failed.items():
            problems.extend(_problem(a, a.image, reason, "replace it with a JPEG, PNG, WebP or AVIF file") for a in wanted[source] if a.image)
        if problems:
            raise ContentError(sorted(problems, key=lambda p: (str(p.location.path), p.location.line)))
        pictures = dict(remote)
        files: dict[str, tuple[Path, str]] = {}
        for source, users in wanted.items():
            result = made[source]
            files.update(result.files())
            for article in users:
                assert article.image is not None
                pictures[article.path] = picture(result, article.image, base_path)
        self.stamps = {str(path): self.known[path][0] for path in wanted}
        return pictures, files

    def locate(self, image: ImageRef) -> Path | str:
        """The image's file inside content/, or why there is none."""
        shown = f"content/{image.src}"
        relative = Path(image.src)
        if relative.is_absolute() or ".." in relative.parts:
            return f"'{image.src}' must be a path inside content/, without '..'"
        path = self.content_dir / relative
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return f"{shown} does not exist"
        if self.content_dir.resolve() not in real.parents:
            return f"{shown} leads out of the content folder"
        if not real.is_file():
            return f"{shown} is not a file"
        return path

    def _make_all(self, sources: list[Path]) -> tuple[dict[Path, Made], dict[Path, str]]:
        """Renditions of every source: remembered when its size and time are unchanged, else from the cache or Pillow."""
        made: dict[Path, Made] = {}
        todo: list[tuple[Path, tuple[int, int], OSError | None]] = []
        for source in sources:
            try:
                stat = source.stat()
            except OSError as exc:
                todo.append((source, (0, 0), exc))
                continue
            stamp = (stat.st_size, stat.st_mtime_ns)
            known = self.known.get(source)
            if known is not None and known[0] == stamp:
                made[source] = known[1]
            else:
                todo.append((source, stamp, None))
        failed: dict[Path, str] = {}
        folder = self._folder()
        with ThreadPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1) or 1) as pool:  # Pillow resizes outside the GIL
            results = pool.map(lambda job: _make_or_explain(job[0], job[2], folder), todo)
            for (source, stamp, _), result in zip(todo, results):
                if isinstance(result, str):
                    failed[source] = result
                else:
                    made[source] = result
                    self.known[source] = (stamp, result)
        return made, failed

    def _folder(self) -> Path:
        if self.folder is not None:
            return self.folder
        if self._temporary is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="digest-images-")
        return Path(self._temporary.name)


def picture(made: Made, image: ImageRef, base_path: str) -> Picture:
    """What templates need to draw `made` with the article's words, its URLs under `base_path`."""
    by_type: dict[str, list[Rendition]] = {}
    for rendition in made.renditions:
        by_type.setdefault(rendition.media_type, []).append(rendition)
    *better, fallback = by_type.values()  # renditions are made best format first, the fallback last

    def srcset(renditions: list[Rendition]) -> str:
        return ", ".join(f"{base_path}{r.name} {r.width}w" for r in renditions)

    plain = min(fallback, key=lambda r: abs(r.width - FALLBACK_WIDTH))
    large = fallback[-1]
    return Picture(
        base_path + plain.name, image.alt, image.caption, image.credit, plain.width, plain.height, srcset(fallback),
        tuple((group[0].media_type, srcset(group)) for group in better), base_path + large.name, large.width, large.height,
    )


def _problem(article: Article, image: ImageRef | None, message: str, hint: str) -> Problem:
    line, col, text = (image.line, image.col, image.source_line) if image else (1, 1, "")
    return Problem(Location(display_path(article.path), line, col), message, "image", hint, text)


def _make_or_explain(source: Path, error: OSError | None, folder: Path) -> Made | str:
    """The source's renditions, or why it cannot have any (in words for the user)."""
    if error is not None:
        return f"content image cannot be read ({error.strerror or error})"
    try:
        return make(source, folder)
    except UnidentifiedImageError:
        return f"{_shown(source)} is not an image digest can read"
    except Image.DecompressionBombError:
        return f"{_shown(source)} has more than {MAX_PIXELS:,} pixels"
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's errors for truncated or corrupt files
        return f"{_shown(source)} cannot be decoded: it looks damaged ({exc})"


def _shown(source: Path) -> str:
    return str(display_path(source))


def make(source: Path, cache: Path) -> Made:
    """Resize one source into every width and format, unless the cache already holds them."""
    data = source.read_bytes()
    digest = hashlib.sha256(data + RECIPE.encode()).hexdigest()
    folder = cache / digest[:2] / digest
    stem = slugify(source.stem)[:40] or "image"
    done = _read_made(folder, digest)
    if done is not None:
        return done
    with Image.open(source) as opened:
        if opened.width * opened.height > MAX_PIXELS:
            raise Image.DecompressionBombError(f"{opened.width}x{opened.height}")
        opened.load()
        image = ImageOps.exif_transpose(opened)
    alpha = image.mode in ("RGBA", "LA", "PA") or image.mode == "P" and "transparency" in image.info
    image = image.convert("RGBA" if alpha else "RGB")
    widths = sorted({w for w in WIDTHS if w < image.width} | {min(image.width, WIDTHS[-1])})
    formats = [*((("AVIF", "avif", "image/avif", {"quality": 60, "speed": 8}),) if AVIF else ()),
               ("WEBP", "webp", "image/webp", {"quality": 80}),
               ("PNG", "png", "image/png", {"optimize": True}) if alpha else ("JPEG", "jpg", "image/jpeg", {"quality": 82, "progressive": True, "optimize": True})]
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [(width, max(1, round(image.height * width / image.width))) for width in widths]
    resized = {width: image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS) for width, height in sizes}
    renditions = []  # best format first, each in every width: the order `picture` reads them in
    for fmt, suffix, media_type, options in formats:
        for width, height in sizes:
            name = f"images/{stem}-{digest[:8]}-{width}.{suffix}"
            _write_atomic(folder / Path(name).name, partial(resized[width].save, format=fmt, **options))
            renditions.append(Rendition(name, width, height, media_type))
    made = Made(digest, image.width, image.height, tuple(renditions), folder)
    record = {"width": made.width, "height": made.height, "renditions": [[r.name, r.width, r.height, r.media_type] for r in renditions]}
    _write_atomic(folder / "made.json", lambda out: out.write(json.dumps(record).encode()))  # last: a killed build leaves none
    return made


def _read_made(folder: Path, digest: str) -> Made | None:
    """The renditions a former build made, if its record and every file are whole."""
    try:
        data = json.loads((folder / "made.json").read_text())
        renditions = tuple(Rendition(str(n), int(w), int(h), str(t)) for n, w, h, t in data["renditions"])
        made = Made(digest, int(data["width"]), int(data["height"]), renditions, folder)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return made if renditions and all(p.is_file() for p, _ in made.files().values()) else None


def _write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a file whole or not at all: into a temporary file beside it, then renamed over it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
