"""Charts of the `/stats/` page: inline SVG drawn by pygal, without its JavaScript.

pygal writes a few things a static page must not carry: the day it drew the chart
(a comment), a random id, and its configuration as a script even when asked for
no JavaScript. They are taken out of its element tree before it is written, so
two builds of the same numbers give the same bytes. Colours are the theme's
custom properties, so the chart follows its light and dark schemes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

from markupsafe import Markup

CHART_ID = "articles-per-month"
SVG = "{http://www.w3.org/2000/svg}"


@lru_cache(maxsize=4)
def month_chart(months: tuple[tuple[str, int], ...], label: str = "Articles per month", series: str = "Articles") -> Markup:
    """A bar chart of (month's name, articles), oldest first, titled `label`; the same months give the same bytes."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="transparent", plot_background="transparent", foreground="currentColor", foreground_strong="currentColor",
        foreground_subtle="currentColor", colors=("var(--accent)",), font_family="system-ui, sans-serif", opacity="1",
        opacity_hover="0.8", transition="none", label_font_size=12, major_label_font_size=12,
    )
    many = len(months) > 12
    chart = pygal.Bar(
        js=[], disable_xml_declaration=True, show_legend=False, width=800, height=320, style=style,
        x_label_rotation=-45 if many else 0, show_minor_x_labels=not many, x_labels_major_every=3 if many else None,
        truncate_label=-1, margin=8, spacing=4, min_scale=1, max_scale=6, y_labels_major_every=None,
    )
    chart.uuid = CHART_ID  # pygal's own is random; the page has one chart
    chart.x_labels = [name for name, _ in months]
    chart.add(series, [count for _, count in months])
    root = chart.render_tree()
    clean(root)
    root.set("role", "img")
    root.set("aria-labelledby", f"{CHART_ID}-title")
    root.set("class", "chart")
    for title in root.iter(f"{SVG}title"):
        title.set("id", f"{CHART_ID}-title")
        title.text = f"{label}: " + ", ".join(f"{name} {count}" for name, count in months)
        break
    ET.register_namespace("", SVG[1:-1])
    return Markup(ET.tostring(root, encoding="unicode", short_empty_elements=True))


def clean(root: ET.Element) -> None:
    """Take out comments (pygal's carries the day), scripts and the hidden tooltip's parts."""
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag
            if not isinstance(tag, str) or tag in (f"{SVG}script", "script") or "tooltip" in (child.get("class") or "").split():  # comments' tag is a function
                parent.remove(child)
