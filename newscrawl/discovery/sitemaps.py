"""Sitemaps: where to find them, which files and which articles a run still needs.

XML is read by Scrapy's own sitemap support (`scrapy.utils.sitemap`, what SitemapSpider is
built on), gzip by Scrapy's `gunzip`; this module only decides.

The watermark: the newest `lastmod` a finished run has taken in. Yoast lists posts by last
modification, oldest first, 1,000 a file, and each index entry's `lastmod` is its file's
newest post. So a run reads the index and only the files whose `lastmod` is newer than the
watermark, and in them only the entries newer than the watermark. Nothing is keyed on a
file's number or on a file's `lastmod` having changed: an edit moves its post to the last
file and shifts every later file, whose `lastmod` then changes though it holds nothing new.
An entry without `lastmod` is always taken (a core WordPress index has none: then every file
is read, every run).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

# Where WordPress puts sitemaps when robots.txt names none: Yoast SEO's index, then core's.
WELL_KNOWN = ("/bnews/sitemap_index.xml", "/bnews/wp-sitemap.xml")
# Sub-sitemaps that list no posts (pages, taxonomies, authors) in Yoast's and core's naming.
_NOT_POSTS = re.compile(r"(^|/)(page|category|post_tag|author|tag)-sitemap\d*\.xml"
                        r"|wp-sitemap-(taxonomies|users|posts-page)-")
# A decompressed sitemap is at most 50 MB (sitemaps.org); refuse a gzip bomb past that.
MAX_SIZE = 50 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    loc: str
    lastmod: float | None  # POSIX seconds; None when the entry has none or it is unreadable


def parse_lastmod(text: str | None) -> float | None:
    """W3C datetime (`2023-03-22`, `2023-03-22T08:00:00+08:00`, `…Z`) → POSIX seconds.

    A date or time without zone is taken as UTC. Unreadable: None.
    """
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def body_of(body: bytes) -> bytes:
    """The XML of a sitemap response: gunzipped when it is gzip (a `.xml.gz` file)."""
    if body[:3] == b"\x1f\x8b\x08":
        return gunzip(body, max_size=MAX_SIZE)
    return body


def read(xml: bytes) -> tuple[str, list[Entry]]:
    """The type (`sitemapindex`, `urlset`, or `` when not a sitemap) and the entries."""
    try:
        sitemap = Sitemap(xml)
    except Exception:  # lxml raises several types on a body that is not XML at all
        return "", []
    return sitemap.type, [Entry(d["loc"], parse_lastmod(d.get("lastmod"))) for d in sitemap]


def from_robots(robots_txt: bytes, base_url: str) -> list[str]:
    """Sitemap URLs robots.txt names (`Sitemap:` lines), in its order, once each."""
    return list(dict.fromkeys(sitemap_urls_from_robots(robots_txt, base_url)))


def well_known(site_url: str) -> list[str]:
    """The usual WordPress sitemap indexes on the host of `site_url`, most likely first."""
    parts = urlsplit(site_url)
    return [urlunsplit((parts.scheme, parts.netloc, path, "", "")) for path in WELL_KNOWN]


def lists_posts(loc: str) -> bool:
    """Whether a sub-sitemap may list posts (unknown names are read, to be safe)."""
    return not _NOT_POSTS.search(urlsplit(loc).path)


def newer(entries: list[Entry], watermark: float | None) -> Iterator[Entry]:
    """The entries a run must read: newer than the watermark, or of unknown age."""
    for entry in entries:
        if watermark is None or entry.lastmod is None or entry.lastmod > watermark:
            yield entry


def wants(status: str | None, lastmod: float | None, taken: float | None) -> str | None:
    """What to do with an article a sitemap lists: "new", "recheck" or None (nothing).

    status: what the state knows of it (None: nothing); taken: the `lastmod` of the version
    the archive holds (or the time it was fetched), None if not recorded. Only an exported
    article is rechecked: a copy or a dead link is not news when it changes.
    """
    if status is None:
        return "new"
    if status == "exported" and None not in (lastmod, taken) and lastmod > taken:  # type: ignore[operator]
        return "recheck"
    return None
