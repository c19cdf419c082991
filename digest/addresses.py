"""Web addresses from front matter: read with a real URL parser, refused when a browser would read them otherwise,
and kept in the form a browser sends (an IDNA host in punycode, a percent-encoded path), ready for any `href`.

Hosts go through the `idna` package (IDNA 2008 with UTS #46 mapping, as browsers read them), not Python's `idna`
codec: that one implements IDNA 2003, which accepts `exa mple.com` and maps `faß.de` to another domain, `fass.de`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NoReturn
from urllib.parse import quote, urlsplit, urlunsplit

EXAMPLE = "e.g. url: https://www.example.com/news/story"
_ASCII_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
"""A host name's part as DNS and browsers take it (letters, digits, '-' inside, and the '_' some hosts use)."""
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PRINTABLE_ASCII = "".join(map(chr, range(0x21, 0x7F)))
_PATH_SAFE = _PRINTABLE_ASCII.translate({ord(c): None for c in "`{}"})
_QUERY_SAFE = _PRINTABLE_ASCII
_FRAGMENT_SAFE = _PRINTABLE_ASCII.replace("`", "")
"""What stays as written in each part (everything else is percent-encoded as UTF-8), after the WHATWG URL standard's sets."""


class AddressProblem(ValueError):
    """What is wrong with a web address, and how to write it instead."""

    def __init__(self, message: str, hint: str = EXAMPLE) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


def web_address(text: str) -> str:
    """`text` as an http(s) address in ASCII (`https://例え.jp/記事` → `https://xn--r8jz45g.jp/%E8%A8%98%E4%BA%8B`), or an
    `AddressProblem`. An address already in ASCII comes back as it was written."""
    odd = next((c for c in text if c.isspace() or c in '"<>\\'), None)
    if odd is not None:
        what = "white space" if odd.isspace() else f"'{odd}'"
        hint = "a space inside the path is written %20" if odd.isspace() else "copy the address from the browser's address bar"
        if odd == "\\":
            hint = "browsers read '\\' as '/' and other programs do not; write '/' or %5C"
        raise AddressProblem(f"must not contain {what}, got '{text}'", hint)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise AddressProblem(f"is not a valid address ({exc}), got '{text}'") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise AddressProblem(f"must be an http or https address, got '{text}'")
    if "@" in parts.netloc:
        raise AddressProblem(f"must not hold a user name or password (before '@'), got '{text}'",
                             "link to the page itself, e.g. url: https://www.example.com/news/story")
    host = _ascii_host(parts.netloc.rpartition(":")[0] if port is not None or parts.netloc.endswith(":") else parts.netloc)
    netloc = host + (f":{port}" if port is not None else "")
    if parts.netloc.isascii() and netloc.lower() == parts.netloc.lower():
        netloc = parts.netloc  # as written: an ASCII address keeps its spelling
    if netloc == parts.netloc and text.isascii() and text.isprintable() and not any(c in text for c in "%`{}"):
        return text  # nothing to encode: the usual address
    path = quote(_STRAY_PERCENT.sub("%25", parts.path), safe=_PATH_SAFE)
    query = quote(_STRAY_PERCENT.sub("%25", parts.query), safe=_QUERY_SAFE)
    fragment = quote(_STRAY_PERCENT.sub("%25", parts.fragment), safe=_FRAGMENT_SAFE)
    encoded = urlunsplit((parts.scheme, netloc, path, query, fragment))
    return text if encoded == text else encoded


def _ascii_host(host: str) -> str:
    """The host in ASCII (lower case, punycode), or an `AddressProblem` naming what makes it no host."""
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            _no_host(host, "not an IPv6 address")
    if re.fullmatch(r"[0-9.]+", host):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            _no_host(host, "not an IPv4 address")
    if host.isascii() and "xn--" not in host.lower():
        name = host.lower()
    else:
        import idna  # only for hosts that need it: the tables take a moment to load

        try:
            name = idna.uts46_remap(host, std3_rules=False, transitional=False)
        except idna.IDNAError as exc:
            _no_host(host, str(exc))
    labels = name.removesuffix(".").split(".")
    if len(name) > 253:
        _no_host(host, "longer than 253 characters")
    ascii_labels = []
    for label in labels:
        if not label:
            _no_host(host, "an empty part between dots")
        if label.isascii() and not label.startswith("xn--"):
            if not _ASCII_LABEL.fullmatch(label):
                _no_host(host, f"'{label}' is no name: letters, digits and '-' inside, at most 63 of them")
            ascii_labels.append(label)
            continue
        import idna

        try:
            ascii_labels.append(idna.encode(label).decode("ascii") if not label.isascii() else _checked_punycode(label))
        except (idna.IDNAError, UnicodeError) as exc:
            _no_host(host, str(exc))
    return ".".join(ascii_labels) + ("." if name.endswith(".") else "")


def _checked_punycode(label: str) -> str:
    """An `xn--` label as written, once it is known to decode to a valid international name."""
    import idna

    try:
        idna.encode(idna.decode(label))
    except (idna.IDNAError, UnicodeError):
        raise AddressProblem(f"has no valid host: '{label}' is no international name in punycode") from None
    return label


def _no_host(host: str, why: str) -> NoReturn:
    raise AddressProblem(f"has no valid host: '{host}' ({why})")
