"""Raw HTML in articles: sanitised by default (nh3), and never a `javascript:` or `data:` link."""

from __future__ import annotations

import html
import re

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


def _attributes() -> dict[str, set[str]]:
    import nh3  # here, and in `Sanitizer`: a no-op build cleans nothing

    allowed = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    allowed["*"] = {"id", "class", "title", "lang", "dir"}  # heading anchors, footnotes, abbreviations
    for cell in ("th", "td"):
        allowed.setdefault(cell, set()).add("style")  # Markdown table alignment
    return allowed


class Sanitizer:
    """Cleans the HTML Markdown produced; `unsafe_html` keeps raw HTML but still drops script URLs."""

    def __init__(self, unsafe_html: bool = False) -> None:
        import nh3

        self.unsafe_html = unsafe_html
        self.cleaner = nh3.Cleaner(
            attributes=_attributes(), link_rel=None, url_schemes=set(SAFE_SCHEMES), filter_style_properties={"text-align"}
        )

    def clean(self, fragment: str) -> str:
        if self.unsafe_html:
            return strip_dangerous_urls(fragment)
        return self.cleaner.clean(fragment)


_URL_ATTRIBUTE = re.compile(
    r"""(?P<lead>[\s/](?:href|src|action|formaction|xlink:href|poster|background|cite|data|srcset)\s*=\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s>]+)""",
    re.IGNORECASE,
)


def strip_dangerous_urls(fragment: str) -> str:
    """Replace `javascript:`, `data:` and `vbscript:` targets (however encoded) with '#'."""

    def neutralise(match: re.Match[str]) -> str:
        value = match.group("value").strip("\"'")
        plain = re.sub(r"[\x00-\x20]+", "", html.unescape(value)).lower()
        return match.group("lead") + '"#"' if plain.startswith(DANGEROUS_SCHEMES) else match.group(0)

    return _URL_ATTRIBUTE.sub(neutralise, fragment)
