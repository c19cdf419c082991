"""`site.yaml` → a frozen, validated `SiteConfig`; every problem found in one pass."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import ConfigError, DigestError, Location, Problem, Problems, display_path
from .names import slugify
from .yamlfile import KeyPath, YamlDoc, parse_yaml

CONFIG_NAME = "site.yaml"

KNOWN_KEYS = (
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "theme",
    "content_dir",
    "output_dir",
    "paginate",
    "countries",
    "topics",
    "markdown",
    "max_article_size",
)
DEFAULT_MAX_ARTICLE_SIZE = 5 * 1024 * 1024
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "k": 1024, "mb": 1024**2, "m": 1024**2}

STARTER = """title: My News Digest
description: What this digest follows, in one sentence.
base_url: https://example.org/
"""


@dataclass(frozen=True, slots=True)
class TopicDefinition:
    """One entry of the optional topic vocabulary in site.yaml."""

    slug: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything site.yaml says, with defaults filled in and paths made absolute."""

    root: Path
    title: str
    description: str = ""
    base_url: str = "/"
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    content_dir: Path = Path("content")
    output_dir: Path = Path("public")
    paginate: int = 20
    country_aliases: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, TopicDefinition] = field(default_factory=dict)
    unsafe_html: bool = False
    """Pass raw HTML in articles through (`markdown: {unsafe_html: true}`); script URLs are removed anyway."""
    max_article_size: int = DEFAULT_MAX_ARTICLE_SIZE
    output_origin: Location | None = None
    """Where output_dir was chosen: its line in site.yaml, `--output`, or None for the default."""

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. `/digest/`; always ends with '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME


def load_config(root: Path, *, output_dir: Path | None = None) -> SiteConfig:
    """Read `root/site.yaml`; `output_dir` (from the command line) overrides the file's."""
    root = root.resolve()
    path = display_path(root / CONFIG_NAME)
    if not (root / CONFIG_NAME).is_file():
        raise ConfigError.single(
            path,
            f"no {CONFIG_NAME} in {root}",
            hint=f"run digest in your site's folder (or pass --site DIR), or create {CONFIG_NAME} with at least:\n"
            + "\n".join("    " + line for line in STARTER.splitlines()),
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError.single(path, f"not valid UTF-8 (byte {exc.start})", hint="save the file as UTF-8") from None
    try:
        doc = parse_yaml(text, path)
    except DigestError as exc:
        raise ConfigError(exc.problems) from None
    return _validate(root, path, doc, text.splitlines(), output_dir)


def _validate(root: Path, path: Path, doc: YamlDoc, lines: list[str], output_override: Path | None) -> SiteConfig:
    problems = Problems()

    def report(at: KeyPath, message: str, hint: str = "", *, key: bool = False) -> None:
        spot = doc.keys.get(at) if key else None
        spot = spot or doc.spot(at)
        source = lines[spot.line - 1] if 0 < spot.line <= len(lines) else ""
        name = ".".join(str(part) for part in at)
        problems.add(Problem(Location(path, spot.line, spot.col), message, name, hint, source))

    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        report((), "site.yaml must be a mapping of keys to values", "start with a line like 'title: My Digest'")
        problems.raise_if_any(ConfigError)
    for key in data:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(KNOWN_KEYS)
            report((key,), f"unknown key '{key}'", hint, key=True)

    def text(key: str, default: str, *, required: bool = False) -> str:
        value = data.get(key, None)
        if value is None:
            if required:
                report((), f"'{key}' is required", f"add a line like '{key}: My News Digest'")
            return default
        if not isinstance(value, str) or not value.strip():
            report((key,), f"must be text, got {value!r}", f'quote it: {key}: "{value}"')
            return default
        return value.strip()

    title = text("title", "", required=True)
    description = text("description", "")
    base_url = text("base_url", "/")
    try:
        parts = urlsplit(base_url)
    except ValueError:
        parts = urlsplit("")
    if base_url != "/" and (parts.scheme not in ("http", "https") or not parts.netloc):
        report(("base_url",), f"must be an http(s) URL, got '{base_url}'", "e.g. base_url: https://news.example.org/digest/")
    language = text("language", "en")
    timezone = text("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(timezone, sorted(available_timezones()), n=3)
        report(("timezone",), f"unknown time zone '{timezone}'", "use an IANA name" + (f", e.g. {', '.join(close)}" if close else " such as Europe/Paris"))
        timezone = "UTC"
    theme = text("theme", "default")
    for folder in ("content_dir", "output_dir"):
        if "\0" in str(data.get(folder, "")):
            report((folder,), "must not contain a NUL character", "write a plain folder name, e.g. public")
            data = {k: v for k, v in data.items() if k != folder}
    content_dir = root / text("content_dir", "content")
    output_dir = output_override.resolve() if output_override else root / text("output_dir", "public")
    if output_override:
        output_origin: Location | None = Location(Path("--output"))
    elif "output_dir" in data:
        spot = doc.spot(("output_dir",))
        output_origin = Location(path, spot.line, spot.col)
    else:
        output_origin = None

    paginate = data.get("paginate", 20)
    if isinstance(paginate, bool) or not isinstance(paginate, int) or paginate < 1:
        report(("paginate",), f"must be a whole number of at least 1, got {paginate!r}", "e.g. paginate: 20")
        paginate = 20

    unsafe_html = _markdown_options(data.get("markdown"), report)
    max_article_size = _size(data.get("max_article_size"), report)
    country_aliases = _country_aliases(data.get("countries"), report)
    topics = _topic_vocabulary(data.get("topics"), report)
    problems.raise_if_any(ConfigError)
    return SiteConfig(
        root=root,
        title=title,
        description=description,
        base_url=base_url,
        language=language,
        timezone=timezone,
        theme=theme,
        content_dir=content_dir.resolve(),
        output_dir=output_dir.resolve(),
        paginate=paginate,
        country_aliases=country_aliases,
        topics=topics,
        output_origin=output_origin,
        unsafe_html=unsafe_html,
        max_article_size=max_article_size,
    )


def _markdown_options(value: Any, report: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, dict):
        report(("markdown",), "must be a mapping", "e.g. markdown: {unsafe_html: true}")
        return False
    for key in value:
        if key != "unsafe_html":
            report(("markdown", key), f"unknown key '{key}'", "the only key here is 'unsafe_html'", key=True)
    unsafe = value.get("unsafe_html", False)
    if not isinstance(unsafe, bool):
        report(("markdown", "unsafe_html"), f"must be true or false, got {unsafe!r}", "e.g. unsafe_html: true")
        return False
    return unsafe


def _size(value: Any, report: Any) -> int:
    """Bytes from 5242880, '5 MB' or '500 KB'."""
    if value is None:
        return DEFAULT_MAX_ARTICLE_SIZE
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?[bB]?)\s*", str(value))
    size = int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]) if match else 0
    if size < 1:
        report(("max_article_size",), f"must be a size like 5 MB or 500 KB, got {value!r}", "e.g. max_article_size: 5 MB")
        return DEFAULT_MAX_ARTICLE_SIZE
    return size


def _country_aliases(value: Any, report: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        report(("countries",), "must be a mapping with 'aliases'", "e.g. countries: {aliases: {Holland: NL}}")
        return {}
    for key in value:
        if key != "aliases":
            report(("countries", key), f"unknown key '{key}'", "the only key here is 'aliases'", key=True)
    aliases = value.get("aliases") or {}
    if not isinstance(aliases, dict):
        report(("countries", "aliases"), "must map names to ISO codes", "e.g. aliases: {Holland: NL}")
        return {}
    result: dict[str, str] = {}
    for name, code in aliases.items():
        if not isinstance(code, str) or not code.strip():
            report(("countries", "aliases", name), f"must be an ISO country code, got {code!r}", 'e.g. Holland: "NL"')
            continue
        result[str(name)] = code.strip()
    return result


def _topic_vocabulary(value: Any, report: Any) -> dict[str, TopicDefinition]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        report(("topics",), "must map topic slugs to {name, description, aliases}", "e.g. topics: {defence: {name: Defence}}")
        return {}
    result: dict[str, TopicDefinition] = {}
    for slug, spec in value.items():
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            report(("topics", slug), "must be a mapping with name, description, aliases", f"e.g. {slug}: {{name: {str(slug).title()}}}")
            continue
        for key in spec:
            if key not in ("name", "description", "aliases"):
                report(("topics", slug, key), f"unknown key '{key}'", "topic entries take name, description and aliases", key=True)
        aliases = spec.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            report(("topics", slug, "aliases"), "must be a list of names", "e.g. aliases: [AI, machine learning]")
            aliases = []
        canonical = slugify(str(slug))
        result[canonical] = TopicDefinition(
            slug=canonical,
            name=str(spec.get("name") or str(slug).replace("-", " ").title()),
            description=str(spec.get("description") or ""),
            aliases=tuple(aliases),
        )
    return result
