"""Structured data for search engines (schema.org JSON-LD), built from what a page's template already has.

Templates call these as `news_article(article, site)` and `collection(page, items, site)`
and embed the result with `|tojson`, which escapes `<`, `>` and `&`: a title
holding `</script>` cannot end the script element.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .views import ArticleCard, ArticleView, SiteInfo


def publisher(site: SiteInfo) -> dict[str, Any]:
    return {"@type": "Organization", "name": site.publisher or site.title, "url": site.absolute(site.home_url)}


def news_article(article: ArticleView | ArticleCard, site: SiteInfo) -> dict[str, Any]:
    """A `NewsArticle`: headline, dates, author, the site as publisher, the original as `isBasedOn`, picture, topics and countries."""
    if isinstance(article, ArticleView):
        article = article.card  # the fields themselves, without the view's lookup on every one
    url = site.absolute(article.url)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.published.isoformat(),
        "dateModified": article.updated.isoformat(),
        "inLanguage": article.language or site.language,
        "publisher": publisher(site),
        "author": {"@type": "Person", "name": article.author} if article.author else publisher(site),
    }
    if article.summary:
        data["description"] = article.summary
    if article.source_url:
        data["isBasedOn"] = article.source_url
    if article.image:
        data["image"] = site.absolute(article.image.large)
    if article.topics:
        data["about"] = [{"@type": "Thing", "name": t.name, "url": site.absolute(t.url)} for t in article.topics]
    if article.countries:
        data["contentLocation"] = [
            {"@type": "Country", "name": c.name, "identifier": c.code, "url": site.absolute(c.url)} for c in article.countries
        ]
    return data


def collection(name: str, url: str, description: str, items: Iterable[Any], site: SiteInfo) -> dict[str, Any]:
    """A `CollectionPage` whose main entity is an `ItemList` of what the page lists (articles or terms)."""
    elements = [
        {"@type": "ListItem", "position": position, "url": site.absolute(item.url), "name": getattr(item, "title", None) or item.name}
        for position, item in enumerate(items, 1)
    ]
    page: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": name,
        "url": site.absolute(url),
        "inLanguage": site.language,
        "isPartOf": {"@type": "WebSite", "name": site.title, "url": site.absolute(site.home_url)},
        "mainEntity": {"@type": "ItemList", "numberOfItems": len(elements), "itemListElement": elements},
    }
    if description:
        page["description"] = description
    return page
