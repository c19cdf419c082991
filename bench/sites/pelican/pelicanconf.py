"""Pelican's side of the benchmark: the pages digest builds, with Pelican's `simple` theme.

Articles at /YYYY/MM/DD/slug/, index, tag and category pages paginated by 20, the
Atom feeds Pelican makes by default (20 items each), and the same Markdown
extensions digest uses. Pelican's content cache is on, as a user wanting fast
rebuilds would have it; cold builds delete it.
"""

AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"

DEFAULT_PAGINATION = 20
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
CATEGORY_URL = "categories/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
AUTHOR_SAVE_AS = ""  # one author wrote everything: no author pages (digest has none)
AUTHORS_SAVE_AS = ""

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
FEED_MAX_ITEMS = 20
FEED_DOMAIN = "http://127.0.0.1"  # silences the "feeds without SITEURL" warning

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
