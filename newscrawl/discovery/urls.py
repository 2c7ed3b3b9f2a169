"""URL rules of the site: what a URL is, decided from the URL alone.

Every function here is pure so that the rules are table-tested and shared by
the spider, the parser, the incremental filter and the request fingerprinter.

Being pure, the rules a crawl asks about every URL are memoised (functools.lru_cache): the
same menu, tag and related links recur on every page, and one request's URL is asked about
by the spider, the incremental filter, the fingerprinter and the parser. Their results are
immutable (strings, frozen dataclasses, None), so sharing them is safe. The caches are
bounded (a full crawl of the site meets millions of URLs).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# The language tags and their `-a lang=` names live below every layer (LANG_ARGUMENT is
# re-exported here for the spider, which reads urls.LANG_ARGUMENT).
from newscrawl.languages import ENGLISH, SIMPLIFIED, TRADITIONAL
from newscrawl.languages import LANG_ARGUMENT as LANG_ARGUMENT

# Path prefix of each language copy of the news section.
_LANG_PREFIX = {SIMPLIFIED: "/bnews/", TRADITIONAL: "/bnews/zh-tw/", ENGLISH: "/en/bnews/"}

_SEGMENT = r"[A-Za-z0-9_-]+"
_ARTICLE = re.compile(
    rf"^(?P<prefix>/bnews/zh-tw/|/en/bnews/|/bnews/)"
    rf"(?P<category>{_SEGMENT}(?:/{_SEGMENT})*)/(?P<date>\d{{8}})/(?P<id>\d+)\.html$"
)
_LISTING = re.compile(
    rf"^(?P<prefix>/bnews/zh-tw/|/en/bnews/|/bnews/)"
    rf"(?P<section>tag/[^/]+/|(?:(?!page/\d+/$){_SEGMENT}/)+)?"
    r"(?:page/(?P<page>\d+)/)?$"
)
# A later page of a multi-page post (<!--nextpage-->): WordPress serves page N at …/ID.html/N.
_ARTICLE_PAGE = re.compile(r"^(?P<article>.+\.html)/(?P<page>\d+)/?$")
# Entries per memoised rule: a few pages' worth of distinct links and queued requests.
_CACHE = 8192

# First path segments under /bnews/ that look like listings but are not news.
_NOT_LISTINGS = frozenset({"fq", "xml", "feed", "wp-content", "wp-admin", "wp-includes",
                           "wp-json", "zh-tw", "en", "page", "author", "comments-feed"})


class Kind(Enum):
    ARTICLE = "article"
    LISTING = "listing"  # tag archive, category listing or the section's front page
    OTHER = "other"


@dataclass(frozen=True)
class ArticleRef:
    article_id: str
    category: str
    published: str  # YYYY-MM-DD
    language: str


@dataclass(frozen=True)
class ListingRef:
    archive: str  # canonical URL of the listing's first page
    page: int
    language: str


# A URL canonicalize_url would leave as it is: lower-case scheme and host, a path of
# unreserved characters in segments that are not dot segments, no escapes, query or fragment.
# Most links of the site are such; canonicalize_url costs ~10 µs a call.
_PLAIN = re.compile(r"https?://[a-z0-9.-]+(?::[1-9][0-9]*)?(?:/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*)?)+")
# The AMP copy of a post (the WordPress AMP plugin's "paired" URL): `…/ID.html/amp` or
# `…/ID.html/amp/`; its other form, `?amp=1`, goes with the query. Both name the post itself
# (issue 17): its canonical URL is the article's, so it is never a second record.
_AMP = re.compile(r"(?<=\.html)/amp/?$")


def canonical(url: str) -> str:
    """Scheme, lower-case host and path with upper-case percent-escapes; no query, no fragment.

    WordPress news URLs carry everything in the path, so query strings (utm_*,
    share trackers, `?amp=1`) and fragments never name another page; an article's AMP copy
    (`…/ID.html/amp/`) is the article.
    """
    if _PLAIN.fullmatch(url):
        return _AMP.sub("", url) if url.endswith(("/amp", "/amp/")) else url
    parts = urlsplit(canonicalize_url(url.strip()))
    host = (parts.hostname or "").lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = _AMP.sub("", parts.path or "/")
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


def is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def on_hosts(url: str, hosts: Iterable[str]) -> bool:
    """Whether the URL's host is one of `hosts` or a subdomain of one (ports do not matter)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == allowed or host.endswith("." + allowed) for allowed in hosts)


def language_of(url: str) -> str | None:
    path = urlsplit(url).path
    for lang in (TRADITIONAL, ENGLISH, SIMPLIFIED):  # longest prefix first
        if path.startswith(_LANG_PREFIX[lang]):
            return lang
    return None


def article_ref(url: str) -> ArticleRef | None:
    """The post id, category, date and language an article URL carries; None if not one."""
    match = _ARTICLE.match(urlsplit(url).path)
    if not match:
        return None
    date = match["date"]
    try:  # what strptime("%Y%m%d") accepts for 8 digits, at a tenth of its cost
        day = dt.date(int(date[:4]), int(date[4:6]), int(date[6:]))
    except ValueError:
        return None
    category = match["category"]
    if category.split("/", 1)[0] in _NOT_LISTINGS:
        return None
    return ArticleRef(match["id"], category, day.isoformat(), language_of(url) or SIMPLIFIED)


def article_page(url: str) -> tuple[str, int] | None:
    """(canonical article URL, N) when `url` is page N ≥ 2 of a multi-page post
    (`…/ID.html/N`, WordPress's wp_link_pages); else None. Such a page is neither an article
    of its own nor a listing (`kind` is OTHER): the spider reads it as part of its post."""
    parts = urlsplit(url)
    match = _ARTICLE_PAGE.match(parts.path)
    if not match or int(match["page"]) < 2:
        return None
    article = canonical(urlunsplit((parts.scheme, parts.netloc, match["article"], "", "")))
    return (article, int(match["page"])) if article_ref(article) is not None else None


def listing_ref(url: str) -> ListingRef | None:
    """Archive and page number of a tag archive, category listing or front page."""
    parts = urlsplit(canonical(url))
    match = _LISTING.match(parts.path)
    if not match:
        return None
    section = match["section"] or ""
    if section and section.split("/", 1)[0] in _NOT_LISTINGS:
        return None
    root = urlunsplit((parts.scheme, parts.netloc, match["prefix"] + section, "", ""))
    return ListingRef(root, int(match["page"] or 1), language_of(url) or SIMPLIFIED)


# Memoised after their definitions rather than with `@functools.lru_cache`: mutmut (docs/
# testing.md) does not mutate a decorated function, and these are the rules to measure.
canonical = functools.lru_cache(maxsize=_CACHE)(canonical)
is_http = functools.lru_cache(maxsize=_CACHE)(is_http)
article_ref = functools.lru_cache(maxsize=_CACHE)(article_ref)
article_page = functools.lru_cache(maxsize=_CACHE)(article_page)
listing_ref = functools.lru_cache(maxsize=_CACHE)(listing_ref)
MEMOISED = (canonical, is_http, article_ref, article_page, listing_ref)


def kind(url: str) -> Kind:
    if not is_http(url):
        return Kind.OTHER
    if article_ref(url):
        return Kind.ARTICLE
    if listing_ref(url):
        return Kind.LISTING
    return Kind.OTHER


def section_url(base: str, language: str) -> str:
    """The front page of the news section in `language` on the host of `base`."""
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, _LANG_PREFIX[language], "", ""))


def in_language(url: str, language: str) -> str:
    """The same page in another language copy: `/bnews/…` ↔ `/bnews/zh-tw/…` (same post id).

    A URL of no known language copy is returned as it is.
    """
    parts = urlsplit(url)
    current = language_of(url)
    if current is None or current == language:
        return url
    path = _LANG_PREFIX[language] + parts.path[len(_LANG_PREFIX[current]):]
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
