"""Edition emails: a rendered page made ready for email clients, and HTML made plain text for its text twin.

Email clients ignore `<style>` blocks and cannot resolve a site-relative link,
so every URL is made absolute and every CSS rule is written into the `style`
attribute of the elements it matches (css-inline); rules that cannot be
inlined (`:hover`, `@media`) are dropped with the block, so templates avoid them.
"""

from __future__ import annotations

import html
import re

import css_inline

from .links import absolute_from, rewrite_urls

BREAKS = re.compile(r"<br\s*/?>|</(?:p|li|h[1-6]|blockquote|tr|div)>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")


def email_ready(page: str, page_url: str) -> str:
    """The page with absolute links only (resolved against its absolute `page_url`) and its CSS inlined."""
    linked = rewrite_urls(page, absolute_from(page_url))
    return str(css_inline.CSSInliner(keep_style_tags=False, keep_link_tags=False, load_remote_stylesheets=False).inline(linked))


def plain_text(fragment: str) -> str:
    """HTML as plain text: one line per paragraph, item or heading, a blank line between them, no tags, entities decoded."""
    blocks = (html.unescape(TAG.sub("", block)) for block in BREAKS.split(fragment))
    return "\n\n".join(text for block in blocks if (text := " ".join(block.split())))
