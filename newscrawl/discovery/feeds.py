"""Feeds: the WordPress RSS feed of each language copy, a cheap check for the newest posts.

WordPress serves the newest posts (10 by default) at `/bnews/feed/`; the Traditional copy's
known feed is `/bnews/zh-tw/xml/latest.xml` (site notes). The items' links are read with the
selector FEED_ITEM_LINKS (newscrawl.extraction.selectors), by parsel, not here.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from newscrawl.discovery.urls import SIMPLIFIED, TRADITIONAL

FEED_PATHS = {SIMPLIFIED: ("/bnews/feed/",), TRADITIONAL: ("/bnews/zh-tw/xml/latest.xml",)}


def feed_urls(site_url: str, language: str) -> list[str]:
    """The feeds to read for a run in `language` on the host of `site_url` (may be none)."""
    parts = urlsplit(site_url)
    return [urlunsplit((parts.scheme, parts.netloc, path, "", ""))
            for path in FEED_PATHS.get(language, ())]
