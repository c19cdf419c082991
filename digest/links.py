"""Reading and rewriting the URLs inside rendered HTML: relative to the page (`relative_urls`), absolute (feed content),
or by source path (`sourcelinks.py`).

Only attribute values inside tags are touched (`href`, `src`, `srcset`,
`action`, `poster`); text, including code that shows HTML, is left alone,
since the Markdown renderer and autoescape write `<` in text as `&lt;`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup

TAG = re.compile(r"<[a-zA-Z][^<>]*>")
ATTRIBUTE = re.compile(r"""(\s(?:href|src|srcset|action|poster)\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
SRCSET_ITEM = re.compile(r"(\s*)(\S+)(\s+[^,]*)?")
_EXTERNAL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//|#|\?")
"""A reference that leaves the site (a scheme, a host) or stays on the page (a fragment, a query)."""
LinkPairs = tuple[tuple[str, str], ...]
"""(a reference as a body writes it, the URL it stands for in this build), for the references that resolve."""


def rewrite_urls(html: str, rewrite: Callable[[str], str]) -> str:
    """`html` with every URL in a link attribute passed through `rewrite`."""

    def attribute(match: re.Match[str]) -> str:
        quote = '"' if match.group(2) is not None else "'"
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if match.group(1).strip().lower().startswith("srcset"):
            new = ",".join(_srcset_item(item, rewrite) for item in value.split(","))
        else:
            new = rewrite(value)
        return f"{match.group(1)}{quote}{new}{quote}"

    def tag(match: re.Match[str]) -> str:
        return ATTRIBUTE.sub(attribute, match.group(0))

    return TAG.sub(tag, html)


def body_links(body: str) -> tuple[str, ...]:
    """The internal references of a converted body (relative or root-absolute, in `href`, `src` and `srcset`), as written
    in its HTML, each once, in order."""
    if "=" not in body:
        return ()
    found: dict[str, None] = {}
    for tag in TAG.finditer(body):
        for attribute in ATTRIBUTE.finditer(tag.group(0)):
            value = attribute.group(2) if attribute.group(2) is not None else attribute.group(3)
            if attribute.group(1).strip().lower().startswith("srcset"):
                values = [match.group(2) for item in value.split(",") if (match := SRCSET_ITEM.match(item)) and match.group(2)]
            else:
                values = [value]
            for url in values:
                if url and not _EXTERNAL.match(url):
                    found[url] = None
    return tuple(found)


def linked_body(body: Markup, pairs: LinkPairs) -> Markup:
    """`body` with each reference by source path replaced by its URL (the others as they are)."""
    if not pairs:
        return body
    table = dict(pairs)
    return Markup(rewrite_urls(str(body), lambda url: table.get(url, url)))


def _srcset_item(item: str, rewrite: Callable[[str], str]) -> str:
    match = SRCSET_ITEM.match(item)
    if not match or not match.group(2):
        return item
    return f"{match.group(1)}{rewrite(match.group(2))}{match.group(3) or ''}"


def relative_to(page_url: str, base_path: str) -> Callable[[str], str]:
    """Turns a site URL ('/digest/topics/') into one relative to the page at `page_url`.

    A folder URL gets its `index.html` spelled out, so links work from file://
    too, where a browser shows a folder's listing instead of its index page.
    URLs outside the site's path, absolute URLs and fragments are kept.
    """
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"

    def rewrite(url: str) -> str:
        if not url.startswith(base_path) or url.startswith("//"):
            return url
        path, mark, rest = _split(url)
        if path.endswith("/"):
            path += "index.html"
        relative = posixpath.relpath(path, folder)
        return relative + mark + rest

    return rewrite


def absolute_from(page_url: str) -> Callable[[str], str]:
    """Resolves every URL against the absolute `page_url` (for feed content, which readers show out of the site)."""

    def rewrite(url: str) -> str:
        try:
            return url if not url or urlsplit(url).scheme else urljoin(page_url, url)
        except ValueError:  # not a URL at all ('http://[::1'): leave it as written
            return url

    return rewrite


def _split(url: str) -> tuple[str, str, str]:
    """(path, '?' or '#' or '', the rest) of a URL."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=-1)
    return (url, "", "") if cut < 0 else (url[:cut], url[cut], url[cut + 1 :])
