"""The link path of one run: decide what a link is once, build a request for it once.

A page of the site offers about 36 links (menu, tag links, related articles, pager), and
nearly all of them were already met on earlier pages. Building a `Request` for each, passing
it through the spider middlewares and fingerprinting it only for the dupefilter to drop it
cost a third of a crawl's CPU. So, per run:

- `hrefs` reads a page's links with the selector compiled once to lxml XPath, as plain
  strings (`response.css(...).getall()` wraps each match in a parsel Selector first); an
  article page's links are read by the same query from the article parser's own tree
  (newscrawl.extraction.extract, `links=`), so that page is parsed once;
- `RunLinks.page` resolves a page's links (href -> canonical URL, or None when this run does
  not crawl it) through a bounded memo keyed by the href itself when it is absolute (its
  meaning does not depend on the page: http(s)://, mailto:, javascript:), else by the
  joined URL;
- `RunLinks.unrequested` drops the URLs this run has already sent out as requests, before a
  `Request` is built;
- `RequestedLinksMiddleware` records what was sent out: the requests that leave the spider
  middlewares after every filter above it (the incremental filter prunes some requests in
  the context of one page, and such a URL must still be followed from another page).

Scrapy's dupefilter stays the authority on what is fetched: this only spares it the
requests it would drop, so what is followed, skipped and exported does not change. The
memory of requested URLs is bounded (two generations of NEWSCRAWL_LINK_MEMORY URLs; an older
URL met again is built again and dropped by the dupefilter, as before).

Own code, not a library's: Scrapy's LinkExtractor and dupefilter work on built links and
requests, which is the cost this removes.

A listing page is judged (newscrawl.discovery.planner) by all its listed articles, from the
`PageLinks`, including those no request is built for any more.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from newscrawl.discovery import urls
from newscrawl.discovery.limits import compiled_query
from newscrawl.languages import ENGLISH
from newscrawl.run.config import setting

logger = logging.getLogger(__name__)

# Distinct hrefs whose resolution a run keeps: the links that recur on every page (menu, tags)
# are a few hundred; 2**15 cost 5 MiB more peak RSS at 20,000 articles for no CPU (bench).
_RESOLVED = 2**13
_ABSOLUTE = ("http://", "https://")
_PAGE_SCHEMES = frozenset({"http", "https"})  # what a scheme-relative link ("http:x") joins


def _absolute(href: str) -> bool:
    """Whether `href` means the same on every page (so the memo may key on it alone)."""
    if href.startswith(_ABSOLUTE):
        return True
    # Another scheme (mailto:, javascript:, tel:): urljoin returns it as it is.
    scheme, colon, _ = href.partition(":")
    return bool(colon) and scheme.isalpha() and scheme.lower() not in _PAGE_SCHEMES


def hrefs(response: TextResponse, css: str, limit: int = 0) -> list[str]:
    """What `response.css(css).getall()` returns for a parsel CSS selector ending in ::attr();
    only the first `limit` matches when `limit` > 0 (newscrawl.discovery.limits)."""
    return compiled_query(css, limit)(response.selector.root)


@dataclass(frozen=True)
class PageLinks:
    """The links of one page that this run crawls: canonical, distinct, in page order."""

    urls: tuple[str, ...]
    listed: frozenset[str]  # those of them in the page's listing entries (div.postlist h4)


class RequestedUrls:
    """A bounded set of URLs: the newest 1 to 2 x `size` added are remembered."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._new: set[str] = set()
        self._old: set[str] = set()

    def add(self, url: str) -> None:
        if len(self._new) >= self.size:
            self._old, self._new = self._new, set()
        self._new.add(url)

    def __contains__(self, url: object) -> bool:
        return url in self._new or url in self._old


class RunLinks:
    """A spider's link decisions for one run.

    `covers(url) -> bool` says whether the run crawls a canonical URL; it must be pure for
    the run (the memo keeps its answers). `requested` is installed by
    RequestedLinksMiddleware; without it every covered link is returned as before.
    """

    def __init__(self, covers: Callable[[str], bool]) -> None:
        self._covers = covers
        self._resolve = functools.lru_cache(maxsize=_RESOLVED)(self._resolve_uncached)
        self.requested: RequestedUrls | None = None
        # Told of each distinct link to the English copy (/en/bnews/), left out on purpose
        # (issue 17): the spider counts them (newscrawl/links/left_out/english).
        self.left_out: Callable[[str], None] = lambda url: None

    def _resolve_uncached(self, url: str) -> str | None:
        target = urls.canonical(url)
        if self._covers(target):
            return target
        if urls.language_of(target) == ENGLISH and urls.kind(target) is not urls.Kind.OTHER:
            logger.debug("left out on purpose (the English copy is not archived): %s", target)
            self.left_out(target)
        return None

    def resolve(self, response: TextResponse, hrefs: Iterable[str]) -> Iterator[str | None]:
        """The canonical covered URL of each href (None when not crawled), in order."""
        resolve, join = self._resolve, response.urljoin
        for href in hrefs:
            yield resolve(href if _absolute(href) else join(href))

    def page(self, response: TextResponse, hrefs: Iterable[str],
             listed_hrefs: Iterable[str]) -> PageLinks:
        """The page's covered links; `listed_hrefs` are the hrefs of its listing entries."""
        found = dict.fromkeys(url for url in self.resolve(response, hrefs) if url)
        listed = frozenset(url for url in self.resolve(response, listed_hrefs) if url)
        return PageLinks(tuple(found), listed.intersection(found))

    def unrequested(self, page: PageLinks) -> Iterator[str]:
        """The page's URLs that this run has not sent out as requests yet."""
        requested = self.requested
        if requested is None:
            yield from page.urls
            return
        for url in page.urls:
            if url not in requested:
                yield url


class RequestedLinksMiddleware:
    """Spider middleware: remembers the URLs of requests that leave the spider middlewares.

    Place it below every middleware that may drop requests (its order number lower than
    theirs), so that it sees what is really sent out. NotConfigured when
    NEWSCRAWL_LINK_MEMORY is 0 or the spider keeps no `links` (a RunLinks).
    """

    def __init__(self, requested: RequestedUrls) -> None:
        self.requested = requested

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestedLinksMiddleware:
        size = setting(crawler.settings, "NEWSCRAWL_LINK_MEMORY")
        links = getattr(crawler.spider, "links", None)
        if size <= 0 or not isinstance(links, RunLinks):
            raise NotConfigured
        links.requested = RequestedUrls(size)
        return cls(links.requested)

    def _mark(self, output: Any) -> Any:
        if isinstance(output, Request):
            self.requested.add(output.url)
        return output

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in start:
            yield self._mark(output)

    def process_spider_output(self, response: Response, result: Iterable[Any],
                              spider: Spider | None = None) -> Iterator[Any]:
        for output in result:
            yield self._mark(output)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any],
                                          spider: Spider | None = None) -> AsyncIterator[Any]:
        async for output in result:
            yield self._mark(output)
