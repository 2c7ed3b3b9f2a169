"""Requests as data: what a request is for, carried with it, and the run's scope.

Every request the crawl builds says in its meta what it is for (`Kind`) and, for a listing
page, which listing and page it was asked as (`ListingRef`). Responses are routed and
recorded by what their request carried, never guessed again from `response.url`: a listing
redirected to another listing is still the listing that was claimed (docs/discovery.md).
Modelled on zyte-spider-templates' request types (a kind with its own callback and priority,
carried in the request), not copied from them.

- `Kind`: robots, sitemap, feed, listing, article, with its priority.
- `Scope`: start URLs, hosts, language, since; `covers(url)` says whether the run crawls a URL.
- `RequestFactory`: builds every request from the callbacks and errbacks given per kind.
- `Discovery`: what a spider offers the components around it (the incremental middleware):
  its scope, its factory, and where to report an article request it sends out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request

from newscrawl.discovery import urls

KIND_META = "newscrawl_kind"  # the Kind's value (a str: any scheduler serialises it)
LISTING_META = "newscrawl_listing"  # (archive, page) of a listing page's request
SOURCE_META = "sitemap_source"  # the sitemap source that sent a sitemap or article request
FALLBACKS_META = "fallbacks"  # sitemap URLs to try in turn when this one cannot be read
LASTMOD_META = "lastmod"  # an article's sitemap lastmod, POSIX seconds
RECHECK_META = "recheck"  # fetch an exported article again: its sitemap says it changed
# A later page of a multi-page post: {"post": its URL, "read": the records of the pages read so
# far (dicts), "next": the URLs of the pages still to read} (newscrawl.extraction.pages).
PAGES_META = "newscrawl_pages"

# Articles first: they are what the run is for, and it keeps the frontier short. robots.txt
# and sitemaps before them: they decide which articles there are.
ARTICLE_PRIORITY = 10


class Kind(str, Enum):
    """What a request is for; its value is the stat name `newscrawl/requests/<value>`."""

    ROBOTS = "robots"
    SITEMAP = "sitemap"
    FEED = "feed"
    LISTING = "listing"
    ARTICLE = "article"

    @property
    def priority(self) -> int:
        """Scrapy request priority (higher first)."""
        return _PRIORITY[self]


_PRIORITY = {Kind.ROBOTS: ARTICLE_PRIORITY + 1, Kind.SITEMAP: ARTICLE_PRIORITY + 1,
             Kind.FEED: 0, Kind.LISTING: 0, Kind.ARTICLE: ARTICLE_PRIORITY}


def kind_of(request: Request) -> Kind | None:
    """The kind the request carries; None for a request the crawl did not build (Scrapy's
    robots.txt middleware's)."""
    value = request.meta.get(KIND_META)
    return Kind(value) if value is not None else None


def listing_of(request: Request) -> urls.ListingRef | None:
    """The listing page the request was asked as (its archive and page), else None."""
    carried = request.meta.get(LISTING_META)
    if carried is None:
        return None
    archive, page = carried
    first = urls.listing_ref(archive)
    return None if first is None else dataclasses.replace(first, page=page)


def for_article(request: Request) -> bool:
    """Whether a request's answer is an article page: asked as one, or a redirect led to one
    (a listing URL the site redirects to a post: what was served is known from its URL)."""
    return kind_of(request) is Kind.ARTICLE or (
        bool(request.meta.get("redirect_urls")) and urls.article_ref(request.url) is not None)


@dataclass(frozen=True)
class Scope:
    """What a run crawls: its start URLs, their hosts, one language, articles since a date.

    start_urls: absolute http(s) URLs (the first names the site); hosts: host names (their
    subdomains are in scope too); language: "zh-cn" or "zh-tw" (urls.LANG_ARGUMENT values);
    since: YYYY-MM-DD or None.
    """

    start_urls: tuple[str, ...]
    language: str
    since: str | None = None
    hosts: tuple[str, ...] = ()

    @classmethod
    def of(cls, start_urls: list[str], language: str, since: str | None = None) -> Scope:
        """The scope whose hosts are those of the start URLs."""
        hosts = tuple(sorted({urlsplit(url).hostname or "" for url in start_urls}))
        return cls(tuple(start_urls), language, since, hosts)

    def covers(self, url: str) -> bool:
        """Whether this run crawls canonical `url`: an article or listing on a start host (or
        one of its subdomains), in the run's language."""
        if not urls.is_http(url) or not urls.on_hosts(url, self.hosts):
            return False
        ref = urls.article_ref(url) or urls.listing_ref(url)
        return ref is not None and ref.language == self.language

    @cached_property
    def start_archives(self) -> frozenset[str]:
        """The listings among the start URLs (the front page): read on every run."""
        return frozenset(ref.archive for url in self.start_urls
                         if (ref := urls.listing_ref(url)) is not None)

    @property
    def site(self) -> str:
        """The first start URL: where robots.txt and the feeds are looked for."""
        return self.start_urls[0]

    @property
    def robots_url(self) -> str:
        parts = urlsplit(self.site)
        return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


Callback = Callable[..., Any]


@dataclass(frozen=True)
class Route:
    """Where the response (callback) and the failure (errback) of a kind of request go."""

    callback: Callback
    errback: Callback


class RequestFactory:
    """Builds every request of the crawl, each carrying its kind (and listing) in its meta.

    routes: the callback and errback per Kind (a spider's bound methods, so that a Redis
    frontier can serialise the request). It calls nothing else: who sends a request out
    tells the planner about it (newscrawl.spiders.bannedbook).
    """

    def __init__(self, routes: Mapping[Kind, Route]) -> None:
        missing = set(Kind) - set(routes)
        if missing:
            raise ValueError(f"no route for {sorted(k.value for k in missing)}")
        self.routes = dict(routes)

    def build(self, kind: Kind, url: str, **meta: Any) -> Request:
        route = self.routes[kind]
        return Request(url, callback=route.callback, errback=route.errback,
                       priority=kind.priority, meta={KIND_META: kind.value, **meta})

    def robots(self, url: str) -> Request:
        return self.build(Kind.ROBOTS, url)

    def sitemap(self, url: str, source: str, fallbacks: list[str] | None = None) -> Request:
        """A sitemap (index or file) of `source` (the sitemap robots.txt named)."""
        return self.build(Kind.SITEMAP, url, **{SOURCE_META: source,
                                                FALLBACKS_META: fallbacks or []})

    def feed(self, url: str) -> Request:
        return self.build(Kind.FEED, url)

    def listing(self, url: str) -> Request:
        """A page of a listing (or a start URL that is neither listing nor article)."""
        ref = urls.listing_ref(url)
        if ref is None:
            return self.build(Kind.LISTING, url)
        return self.build(Kind.LISTING, url, **{LISTING_META: (ref.archive, ref.page)})

    def article(self, url: str, *, lastmod: float | None = None, recheck: bool = False,
                source: str | None = None) -> Request:
        """An article page. lastmod: its sitemap lastmod (POSIX seconds); recheck: fetch it
        though it was exported (its sitemap says it changed since); source: the sitemap
        source that sent it."""
        meta: dict[str, Any] = {}
        if lastmod is not None:
            meta[LASTMOD_META] = lastmod
        if recheck:
            meta[RECHECK_META] = True
        if source is not None:
            meta[SOURCE_META] = source
        return self.build(Kind.ARTICLE, url, **meta)


    def article_page(self, url: str, chain: dict[str, Any], asked: Mapping[str, Any]) -> Request:
        """Page N ≥ 2 of a multi-page post: an article request (its answer is part of an
        article) carrying the chain so far (PAGES_META) and what the post's own request
        carried (lastmod, recheck, source). Never filtered as a duplicate (a chain asks each
        page once, and a post fetched again needs its pages again); asked before new
        articles, so that a chain ends soon."""
        carried = {name: asked[name] for name in (LASTMOD_META, RECHECK_META, SOURCE_META)
                   if name in asked}
        request = self.build(Kind.ARTICLE, url, **carried, **{PAGES_META: chain})
        request.priority += 1
        request.dont_filter = True
        return request


def post_of(request: Request) -> str | None:
    """The post's URL when `request` asks for a later page of a multi-page post, else None."""
    chain = request.meta.get(PAGES_META)
    return chain["post"] if chain else None


@dataclass(frozen=True)
class Discovery:
    """What a spider offers the components around it (its attribute `discovery`).

    sent_article(ref): to call for each article request a component sends out itself (the
    incremental middleware's resumed articles), so the planner knows the run found it.
    """

    scope: Scope
    requests: RequestFactory
    sent_article: Callable[[urls.ArticleRef], None]
