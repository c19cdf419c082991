"""The theme chain: the site's own `templates/` and `static/`, then its theme, then the themes it extends.

A theme is a folder with `theme.yaml` (name, description, `extends:`, default
`params`), `templates/` and `static/`. Its params, a parent's overridden by a
child's and all by the site's `theme_params`, reach templates as `site.params`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import CONFIG_NAME, SiteConfig, setting_problem
from .errors import NOT_UTF8_NAME, ConfigError, Location, Problem, Problems, display_path, rename_hint, undecodable
from .i18n import LOCALES
from .yamlfile import parse_yaml

THEME_FILE = "theme.yaml"
SITE_TEMPLATES = "templates"
SITE_STATIC = "static"


def bundled_themes_dir() -> Path:
    """Themes shipped with digest: inside the package when installed, beside it in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "themes"
    return installed if installed.is_dir() else here.parent / "themes"


MANIFEST_KEYS = ("name", "description", "extends", "params")


@dataclass(frozen=True, slots=True)
class Theme:
    """Where templates and static files come from, most specific first, and the params templates see."""

    names: tuple[str, ...]
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    flag_dirs: tuple[Path, ...] = ()
    """Folders of SVG flags by lower-case ISO code (`il.svg`), the site's own first."""
    locale_dirs: tuple[Path, ...] = ()
    """Folders of translation catalogues (`locales/fr/LC_MESSAGES/messages.po`), the site's own first."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What one theme.yaml says."""

    name: str
    description: str
    extends: str
    params: Mapping[str, Any]


def resolve_theme(config: SiteConfig) -> Theme:
    """Follow `extends:` in theme.yaml from the site's theme to the root theme."""
    names: list[str] = []
    folders: list[Path] = []
    params: list[Mapping[str, Any]] = []
    name: str | None = config.theme
    while name:
        if name in names:
            raise ConfigError.single(
                display_path(folders[-1] / THEME_FILE), f"theme '{name}' is its own ancestor", field="extends",
                hint="remove the 'extends:' loop between " + " → ".join([*names, name]),
            )
        folder = find_theme(config, name, folders[-1] if folders else None)
        manifest = read_manifest(folder)
        names.append(name)
        folders.append(folder)
        params.append(manifest.params)
        name = manifest.extends
    site_templates = config.root / SITE_TEMPLATES
    site_static = config.root / SITE_STATIC
    template_dirs = [site_templates] if site_templates.is_dir() else []
    template_dirs += [f / "templates" for f in folders if (f / "templates").is_dir()]
    static_dirs = [site_static] if site_static.is_dir() else []
    static_dirs += [f / "static" for f in folders if (f / "static").is_dir()]
    merged: dict[str, Any] = {}
    for layer in [*reversed(params), config.theme_params]:  # the root theme's first, the site's last
        merged.update(layer)
    flag_dirs = [d for d in [config.root / "flags", *(f / "flags" for f in folders)] if d.is_dir()]
    locale_dirs = [d for d in [config.root / LOCALES, *(f / LOCALES for f in folders)] if d.is_dir()]
    return Theme(tuple(names), tuple(template_dirs), tuple(static_dirs), merged, tuple(flag_dirs), tuple(locale_dirs))


def find_theme(config: SiteConfig, name: str, child: Path | None = None) -> Path:
    """The folder of theme `name`: the site's `themes/<name>/`, else the bundled one; `child` is the theme extending it, if any."""
    places = [config.root / "themes" / name, bundled_themes_dir() / name]
    for place in places:
        if place.is_dir():
            return place.resolve()
    found = available_themes(config)
    close = difflib.get_close_matches(name, found, n=1)
    listed = ", ".join(f"{theme} ({where})" for theme, where in found.items()) or "none"
    hint = (f"did you mean '{close[0]}'? " if close else "") + f"themes found: {listed}; " + (
        f"or make themes/{name}/ beside {CONFIG_NAME} (a theme.yaml, templates/ and static/)"
    )
    if child is None:
        raise ConfigError([setting_problem(config, "theme", f"unknown theme '{name}'", hint)])
    raise ConfigError([_manifest_problem(child / THEME_FILE, "extends", f"unknown theme '{name}'", hint)])


def available_themes(config: SiteConfig) -> dict[str, str]:
    """Every theme the site may name, with where it is: the site's `themes/` folder first, then those shipped with digest."""
    found: dict[str, str] = {}
    for folder, where in ((config.root / "themes", "themes/"), (bundled_themes_dir(), "bundled")):
        if folder.is_dir():
            for theme in sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
                found.setdefault(theme, where)
    return found


def _manifest_problem(path: Path, key: str, message: str, hint: str) -> Problem:
    """A problem at the line of theme.yaml that sets `key` (found again: the manifest was read without places)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = next(((n, text) for n, text in enumerate(lines, 1) if text.startswith(f"{key}:")), None)
    if found is None:
        return Problem(Location(display_path(path)), message, key, hint)
    line, text = found
    col = len(key) + 2 + len(text[len(key) + 1 :]) - len(text[len(key) + 1 :].lstrip())
    return Problem(Location(display_path(path), line, col), message, key, hint, text)


def read_manifest(folder: Path) -> Manifest:
    """A theme's theme.yaml (all of it optional); every problem at its line."""
    path = folder / THEME_FILE
    if not path.is_file():
        return Manifest(folder.name, "", "", {})
    shown = display_path(path)
    text = path.read_text(encoding="utf-8")
    doc = parse_yaml(text, shown)
    lines = text.splitlines()
    problems = Problems()

    def report(key: str, message: str, hint: str) -> None:
        spot = doc.keys.get((key,)) or doc.spot((key,))
        source = lines[spot.line - 1] if 0 < spot.line <= len(lines) else ""
        problems.add(Problem(Location(shown, spot.line, spot.col), message, key, hint, source))

    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError.single(shown, "theme.yaml must be a mapping", hint="e.g. name: Paper")
    for key in data:
        if key not in MANIFEST_KEYS:
            report(str(key), f"unknown key '{key}'", "theme.yaml takes " + ", ".join(MANIFEST_KEYS))
    extends = data.get("extends") or ""
    if not isinstance(extends, str):
        report("extends", f"must be a theme's name, got {extends!r}", "e.g. extends: default")
        extends = ""
    params = data.get("params") or {}
    if not isinstance(params, dict):
        report("params", "must be a mapping of names to values", "e.g. params: {accent: '#8a1c1c'}")
        params = {}
    problems.raise_if_any(ConfigError)
    return Manifest(str(data.get("name") or folder.name), str(data.get("description") or ""), extends.strip(), params)




def static_files(theme: Theme) -> Iterator[tuple[str, Path]]:
    """(relative path, file) for each static file; the site's own win over the theme's."""
    seen: set[str] = set()
    for folder in theme.static_dirs:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            if undecodable(str(path)):  # its name could reach neither a URL, nor the cache, nor a terminal as it is
                raise ConfigError.single(display_path(path), NOT_UTF8_NAME, hint=rename_hint(path))
            relative = path.relative_to(folder).as_posix()
            if relative not in seen:
                seen.add(relative)
                yield relative, path


HASHED_SUFFIXES = (".css", ".js")
"""Static files written under a name holding a digest of their bytes, so hosts may cache them forever."""


def asset_name(relative: str, digest: str) -> str:
    """'css/digest.3f2a9c1b.css' for 'css/digest.css' (only stylesheets and scripts; other files keep their name)."""
    stem, dot, suffix = relative.rpartition(".")
    if not dot or "." + suffix not in HASHED_SUFFIXES or "/" in suffix:
        return relative
    return f"{stem}.{digest[:8]}.{suffix}"


def flag_files(theme: Theme) -> dict[str, Path]:
    """Every flag the theme chain offers, by lower-case country code; the site's own win."""
    found: dict[str, Path] = {}
    for folder in reversed(theme.flag_dirs):
        found.update({path.stem: path for path in folder.glob("*.svg")})
    return found
