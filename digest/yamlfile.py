"""Safe YAML that remembers where every value came from.

Only the safe loader's tags are accepted; duplicate keys and runaway alias
expansion are errors. Every key and value keeps its line and column, so later
stages can point at the exact place in the user's file.

Places cost as much again as the parse, and only an error or a warning needs
them: so a document is read with libyaml's plain constructor first, and read
again with places the first time one is asked for. Anything the plain reading
cannot vouch for (anchors, tags, duplicate or merge keys, values it cannot
construct, great depth or size) is read with places at once, which also gives
the exact error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml parses ten times faster than the pure-Python loader
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from .errors import DigestError, Location, Problem

MAX_NODES = 20_000
"""Cap on values built from one document, so alias bombs fail fast."""

MAX_DEPTH = 50
"""Cap on nesting, so a deeply nested document fails with a message, not a RecursionError."""

KeyPath = tuple[str | int, ...]
PLAIN_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
TAG_HINT = "remove the '!' tag; front matter holds plain text, numbers, dates, lists and mappings"


def _shown_tag(tag: str) -> str:
    """A tag as the user wrote it: 'tag:yaml.org,2002:python/object' → '!!python/object'."""
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a value (or key) starts in the file, 1-based, and its raw text if scalar."""

    line: int
    col: int
    raw: str | None = None
    plain: bool = False


class YamlDoc:
    """A parsed document with the place of every value (`spots`) and key (`keys`), found when first asked for."""

    __slots__ = ("data", "_locate", "_places")

    def __init__(self, data: Any, spots: Mapping[KeyPath, Spot] | None = None, keys: Mapping[KeyPath, Spot] | None = None,
                 *, locate: Callable[[], YamlDoc] | None = None) -> None:
        self.data = data
        self._locate = locate
        self._places = (spots, keys) if spots is not None and keys is not None else None

    def _known(self) -> tuple[Mapping[KeyPath, Spot], Mapping[KeyPath, Spot]]:
        if self._places is None:
            located = self._locate() if self._locate is not None else None
            self._places = (located.spots, located.keys) if located is not None else ({}, {})
        return self._places

    @property
    def spots(self) -> Mapping[KeyPath, Spot]:
        return self._known()[0]

    @property
    def keys(self) -> Mapping[KeyPath, Spot]:
        return self._known()[1]

    def spot(self, path: KeyPath) -> Spot:
        """The value's place, or the closest enclosing one that is known."""
        spots = self.spots
        while path and path not in spots:
            path = path[:-1]
        return spots.get(path, Spot(1, 1))


def parse_yaml(text: str, path: Path, *, first_line: int = 1, lines: list[str] | None = None) -> YamlDoc:
    """Parse one YAML document; `first_line` is the file line the text starts on."""

    def with_places() -> YamlDoc:
        return parse_yaml_with_places(text, path, first_line=first_line, lines=lines)

    if not _SPECIAL.search(text):
        try:
            data = _plain_data(text)
        except _Unsure:
            pass
        else:
            return YamlDoc(data, locate=with_places)
    return with_places()


_INDENT = re.compile(r"[ \t]*(?:-[ \t]+)*")
"""A line's indentation, with the dashes of list items it opens."""

_SPECIAL = re.compile(r"(?:^|[\s\[{,])[&*!]\S")
"""What may start an anchor, an alias (alias bombs need both) or a tag; 'AT&T' or 'M & A' in a value does not."""


def parse_yaml_with_places(text: str, path: Path, *, first_line: int = 1, lines: list[str] | None = None) -> YamlDoc:
    """`parse_yaml` the careful way: every value's place found as it is read, and every error at its place."""
    return _Builder(text, path, first_line, lines if lines is not None else text.splitlines()).build()


class _Unsure(Exception):
    """The plain reading met something only the reading with places judges (and words) rightly."""


class _PlainConstructor(_SafeLoader):
    """libyaml's safe loader, refusing what `_Builder` treats specially rather than deciding it differently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if any(not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value):
            raise _Unsure
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):  # a key given twice, perhaps spelt differently ('1' and '01')
            raise _Unsure
        return mapping


def _plain_data(text: str) -> Any:
    loader = _PlainConstructor(text)
    try:
        data = loader.get_single_data()
    except Exception:  # any error at all: the reading with places reports it, at its place
        raise _Unsure from None
    finally:
        loader.dispose()
    if _size(data, 0) > MAX_NODES:
        raise _Unsure
    return data


def _size(value: Any, depth: int) -> int:
    """How many values `value` holds, itself included; more than `MAX_NODES` when it nests deeper than `MAX_DEPTH`."""
    if depth > MAX_DEPTH:
        return MAX_NODES + 1
    if isinstance(value, dict):
        return 1 + sum(_size(k, depth + 1) + _size(v, depth + 1) for k, v in value.items()) - len(value)
    if isinstance(value, list):
        return 1 + sum(_size(v, depth + 1) for v in value)
    return 1


class _Builder:
    def __init__(self, text: str, path: Path, first_line: int, lines: list[str]) -> None:
        self.text = text
        self.path = path
        self.offset = first_line - 1
        self.lines = lines
        self.spots: dict[KeyPath, Spot] = {}
        self.keys: dict[KeyPath, Spot] = {}
        self.count = 0
        self.open_nodes: set[int] = set()

    def build(self) -> YamlDoc:
        loader = _SafeLoader(self.text)
        try:
            node = loader.get_single_node()
            data = None if node is None else self.value(loader, node, ())
        except yaml.MarkedYAMLError as exc:
            raise self.yaml_error(exc) from None
        except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
            raise DigestError.single(self.path, f"invalid YAML: {exc}") from None
        finally:
            loader.dispose()
        return YamlDoc(data, self.spots, self.keys)

    def here(self, node: yaml.Node) -> Spot:
        mark = node.start_mark
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        plain = isinstance(node, yaml.ScalarNode) and not node.style
        return Spot(mark.line + 1 + self.offset, mark.column + 1, raw, plain)

    def value(self, loader: Any, node: yaml.Node, at: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.problem(
                self.here(node),
                f"the document expands to more than {MAX_NODES:,} values",
                "YAML aliases (*name) are expanding out of control; write the values out instead",
            )
        if len(at) > MAX_DEPTH:
            raise self.problem(self.here(node), f"values are nested more than {MAX_DEPTH} deep", "front matter needs a level or two at most")
        self.spots.setdefault(at, self.here(node))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if node.tag not in PLAIN_COLLECTION_TAGS:
                raise self.problem(self.here(node), f"invalid YAML: custom YAML tags are not allowed: '{_shown_tag(node.tag)}'", TAG_HINT)
            if id(node) in self.open_nodes:
                raise self.problem(self.here(node), "an alias refers to the value it is part of", "YAML cannot hold a value inside itself; write it out")
            self.open_nodes.add(id(node))
            try:
                return self.collection(loader, node, at)
            finally:
                self.open_nodes.discard(id(node))
        return self.scalar(loader, node)

    def scalar(self, loader: Any, node: yaml.Node) -> Any:
        try:
            return loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):
            # e.g. 2021-02-30 looks like a date but is none: keep the text, the field check explains
            return node.value
        except yaml.YAMLError:
            raise
        except Exception:  # PyYAML's constructors fail in odd ways on '!!int ""' and the like
            raise self.problem(
                self.here(node), f"cannot read '{node.value}' as {_shown_tag(node.tag)}", "remove the '!!' tag or fix the value"
            ) from None

    def collection(self, loader: Any, node: yaml.MappingNode | yaml.SequenceNode, at: KeyPath) -> Any:
        if isinstance(node, yaml.SequenceNode):
            return [self.value(loader, item, at + (index,)) for index, item in enumerate(node.value)]
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.problem(self.here(key_node), "a key must be a plain word", "write 'name: value'")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.problem(self.here(key_node), "invalid YAML: merge keys ('<<') are not supported", "write the values out")
            key = self.scalar(loader, key_node)
            key_spot = self.here(key_node)
            if key in result:
                first = self.keys[at + (key,)]
                raise self.problem(key_spot, f"duplicate key '{key}' (first given on line {first.line})", "keep only one of them")
            self.keys[at + (key,)] = key_spot
            result[key] = self.value(loader, value_node, at + (key,))
        return result

    def problem(self, spot: Spot, message: str, hint: str) -> DigestError:
        return DigestError(
            [Problem(Location(self.path, spot.line, spot.col), message, "", hint, self.line_text(spot.line))]
        )

    def line_text(self, line: int) -> str:
        index = line - 1
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def yaml_error(self, exc: yaml.MarkedYAMLError) -> DigestError:
        tab = self.tab_at(exc.problem_mark)
        if tab is not None:
            return tab
        context = exc.context or ""
        opened = context.startswith(("while parsing a flow", "while scanning a quoted", "while scanning a double-quoted"))
        mark = (exc.context_mark if opened else None) or exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + self.offset) if mark else 0
        col = (mark.column + 1) if mark else 0
        what = exc.problem or "invalid YAML"
        if context:
            what = f"{context}, {what}" if "while" not in context else f"{what} ({context})"
        if opened:
            closer = "]" if "sequence" in context else "}" if "mapping" in context else "quote"
            what = f"this {'quote' if closer == 'quote' else closer.replace(']', '[').replace('}', '{')} is never closed"
        hint = "check the indentation and quote values that contain ': ', '#', or start with a special character"
        if "invalid Unicode character escape" in (exc.problem or ""):
            hint = "\\uD800-\\uDFFF escapes are lone surrogates, half of a character; write the character itself, or its \\UXXXXXXXX escape"
        if "could not determine a constructor" in (exc.problem or ""):
            tag = (exc.problem or "").split("tag", 1)[-1].strip().strip("'")
            what = f"custom YAML tags are not allowed: '{_shown_tag(tag)}'"
            hint = TAG_HINT
        return DigestError(
            [Problem(Location(self.path, line, col), f"invalid YAML: {what}", "", hint, self.line_text(line))]
        )

    def tab_at(self, mark: yaml.Mark | None) -> DigestError | None:
        """A tab where the error is, in the line's indentation or at the very column: named as such, not as YAML's puzzle
        ('found character that cannot start any token')."""
        if mark is None:
            return None
        line = mark.line + 1 + self.offset
        text = self.line_text(line)
        indent = _INDENT.match(text)
        column = text.find("\t", 0, indent.end()) if indent else -1
        if column < 0 and text[mark.column : mark.column + 1] == "\t":
            column = mark.column
        if column < 0:
            return None
        return DigestError([Problem(
            Location(self.path, line, column + 1), f"tab character at line {line} col {column + 1}: YAML indents with spaces", "",
            "replace the tab with spaces (two for each level); most editors can insert spaces when Tab is pressed", text,
        )])
