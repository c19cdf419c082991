"""Pagefind's bundle made byte-stable: two indexes of the same pages are the same bytes.

Pagefind lists each filter's values, and the filters themselves, in the order of a
hash map whose seed changes with every run; the rest of its bundle is stable. So
the filter files and the metadata file that names them are decoded (gzip around
`pagefind_dcd` and a CBOR document), their lists sorted, and written again under
names made from their new bytes, as Pagefind names them from theirs; the entry
file then names the new metadata file. What a search finds is unchanged: the
browser reads these lists into maps.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"


class CborBytes(bytes):
    """A CBOR byte string (kept apart from text when written back)."""


def decode(data: bytes) -> Any:
    """The CBOR document `data` (integers, strings, arrays, maps, simple values and floats: what Pagefind writes)."""
    value, end = _item(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the CBOR document")
    return value


def _item(data: bytes, at: int) -> tuple[Any, int]:
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if major == 7:
        if info == 20 or info == 21:
            return info == 21, at
        if info == 22:
            return None, at
        sizes = {25: (2, ">e"), 26: (4, ">f"), 27: (8, ">d")}
        if info in sizes:
            size, fmt = sizes[info]
            return struct.unpack(fmt, data[at : at + size])[0], at + size
        raise ValueError(f"unsupported CBOR simple value {info}")
    if info < 24:
        number = info
    elif info <= 27:
        size = 1 << (info - 24)
        number = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError("indefinite lengths are not supported")
    if major == 0:
        return number, at
    if major == 1:
        return -1 - number, at
    if major == 2:
        return CborBytes(data[at : at + number]), at + number
    if major == 3:
        return data[at : at + number].decode("utf-8"), at + number
    if major == 4:
        items = []
        for _ in range(number):
            item, at = _item(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(number):
            key, at = _item(data, at)
            mapping[key], at = _item(data, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR major type {major}")


def encode(value: Any) -> bytes:
    """`value` as CBOR, every length and number in its shortest form (as Pagefind writes them)."""
    if value is True or value is False:
        return bytes([0xF5 if value else 0xF4])
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, CborBytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(f"cannot write a {type(value).__name__} as CBOR")


def _head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise ValueError("number too large for CBOR")


def read_document(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    return decode(data[len(SIGNATURE) :])


def write_document(folder: Path, prefix: str, stem: str, suffix: str, value: Any, digits: int) -> str:
    """Write `value` as Pagefind does (gzip, signature, CBOR) to `folder/{prefix}{stem}_{hash}{suffix}`; the `{stem}_{hash}` key."""
    data = gzip.compress(SIGNATURE + encode(value), mtime=0)
    key = f"{stem}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{prefix}{key}{suffix}").write_bytes(data)
    return key


def make_stable(bundle: Path) -> None:
    """Sort what Pagefind wrote in hash-map order in the bundle at `bundle`, renaming the files that changed."""
    entry_path = bundle / ENTRY_FILE
    text = entry_path.read_text(encoding="utf-8")
    entry = json.loads(text)
    for language in entry.get("languages", {}).values():
        old_meta = str(language["hash"])
        meta_path = bundle / f"pagefind.{old_meta}.pf_meta"
        meta = read_document(meta_path)
        stem = old_meta.rsplit("_", 1)[0]
        renamed: dict[str, str] = {}
        for _, key in meta[3]:  # the filters: [name, file key]
            path = bundle / "filter" / f"{key}.pf_filter"
            document = read_document(path)
            document[1] = sorted(document[1], key=lambda pair: pair[0])  # [filter name, [[value, [pages]], ...]]
            path.unlink()
            renamed[key] = write_document(bundle / "filter", "", stem, ".pf_filter", document, len(key) - len(stem) - 1)
        meta[3] = sorted([name, renamed[key]] for name, key in meta[3])
        meta_path.unlink()
        new_meta = write_document(bundle, "pagefind.", stem, ".pf_meta", meta, len(old_meta) - len(stem) - 1)
        text = text.replace(f'"hash":"{old_meta}"', f'"hash":"{new_meta}"')
    entry_path.write_text(text, encoding="utf-8")
