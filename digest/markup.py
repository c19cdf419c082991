"""Markdown → sanitised HTML, and the summary lists show when an article gives none."""

from __future__ import annotations

import html
import re

import markdown

from .sanitize import Sanitizer

MARKDOWN_EXTENSIONS = ("extra", "toc", "sane_lists")
SUMMARY_WORDS = 50


class MarkdownRenderer:
    """One reused Markdown converter (building one costs more than a short article), then the sanitiser."""

    def __init__(self, unsafe_html: bool = False) -> None:
        self._md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
        self._sanitizer = Sanitizer(unsafe_html)

    def convert(self, text: str) -> str:
        self._md.reset()
        return self._sanitizer.clean(self._md.convert(text))



_TAG = re.compile(r"<[^>]+>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def summarise(body_html: str) -> str:
    """The first paragraph as plain text, cut at a word boundary."""
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    words = html.unescape(_TAG.sub("", match.group(1))).split()
    text = " ".join(words[:SUMMARY_WORDS])
    return text + ("…" if len(words) > SUMMARY_WORDS else "")

