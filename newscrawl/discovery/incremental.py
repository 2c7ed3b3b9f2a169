"""What a run may skip without fetching: the cost side of incremental crawling.

- an article exported by an earlier run (unless the run refreshes);
- an article dated before ``-a since`` (the URL carries the date);
- an article that gave no article NEWSCRAWL_MAX_ATTEMPTS times (a dead related link);
- the later pages of a listing whose page shows only such articles. Known articles
  end a walk only in an archive a finished earlier run paged to its end, so a run
  killed mid-walk does not leave its deeper pages unvisited for good.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from newscrawl.discovery import urls
from newscrawl.discovery.links import page_links
from newscrawl.report import SUCCESS_REASONS
from newscrawl.signals import article_failed
from newscrawl.state.base import State, article_key
from newscrawl.state.keeper import state_of

# Failures that say the page itself is broken. A challenge page, a 5xx or a dropped
# connection says nothing about the article: those are retried next run without limit.
GIVE_UP_REASONS = frozenset({"http_404", "http_410", "not_html", "empty", "no_title", "no_body"})


class IncrementalMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.refresh = crawler.settings.getbool("NEWSCRAWL_REFRESH")
        self.max_attempts = crawler.settings.getint("NEWSCRAWL_MAX_ATTEMPTS")
        self._state: State | None = None
        # Archives whose last page this run read. Recorded only when the run ends well: a
        # pager links the last page from the first, so reaching it says nothing of the middle.
        self._reached_end: set[str] = set()
        crawler.signals.connect(self.article_failed, signal=article_failed)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = state_of(self.crawler)
        return self._state

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for request in start:
            yield request
        # Articles earlier runs found but did not finish (killed, closed early, site errors).
        spider = self.crawler.spider
        if not hasattr(spider, "request_for"):
            return
        for url in self.state.pending_urls():
            # Pending articles of another language or site (a mirror) wait for their own runs.
            if spider.covers(url):
                self.stats.inc_value("newscrawl/resumed")
                yield spider.request_for(url)

    def process_spider_output(self, response: Response, result: Iterable[Any],
                              spider: Spider | None = None) -> Iterator[Any]:
        yield from self._select(response, list(result))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any],
                                          spider: Spider | None = None) -> AsyncIterator[Any]:
        for output in self._select(response, [output async for output in result]):
            yield output

    def _select(self, response: Response, outputs: list[Any]) -> list[Any]:
        """The outputs of one page that this run still needs (a page's output is small)."""
        since = getattr(self.crawler.spider, "since", None)
        listing = urls.listing_ref(response.url)
        if listing is not None:
            later = [_is_later_page(o, listing) for o in outputs]
            # Judged by the page's links, not by the requests built for them (links.py).
            page = page_links(response, outputs)
            if not any(_is_later_url(url, listing) for url in page.urls):
                self._reached_end.add(listing.archive)
            elif self._exhausted(page.listed, listing, since):
                self.stats.inc_value("newscrawl/skipped/pages", sum(later))
                outputs = [o for o, is_later in zip(outputs, later, strict=True) if not is_later]
        return [o for o in outputs if not self._skip(o, since)]

    def _skip(self, output: Any, since: str | None) -> bool:
        if not isinstance(output, Request):
            return False
        ref = urls.article_ref(output.url)
        if ref is None:
            return False
        if since and ref.published < since:
            self.stats.inc_value("newscrawl/skipped/before_since")
            return True
        key = article_key(ref.language, ref.article_id)
        known = self.state.lookup(key)
        if known is None:
            # Remembered before the fetch, so a run killed now still fetches it next time.
            self.state.record_pending(key, output.url)
            return False
        if known.status == "pending":
            return False
        # A dead link is retried a few runs; anything else known is fetched only to refresh.
        failed = known.status == "failed"
        if (known.attempts >= self.max_attempts) if failed else not self.refresh:
            self.stats.inc_value(f"newscrawl/skipped/{known.status}")
            return True
        return False

    def spider_closed(self, reason: str) -> None:
        if reason in SUCCESS_REASONS:
            for archive in sorted(self._reached_end):
                self.state.mark_archive_walked(archive)

    def article_failed(self, url: str, reason: str) -> None:
        ref = urls.article_ref(url)
        if ref is not None and reason in GIVE_UP_REASONS:
            self.state.record_failure(article_key(ref.language, ref.article_id))

    def _exhausted(self, listed_urls: Iterable[str], listing: urls.ListingRef,
                   since: str | None) -> bool:
        """True when nothing on this page is worth fetching, so neither is anything older."""
        listed = [urls.article_ref(url) for url in listed_urls]
        if not listed:
            return False
        walked = not self.refresh and self.state.archive_walked(listing.archive)
        return all(
            ref is not None and (
                (since is not None and ref.published < since)
                or (walked and self.state.lookup(article_key(ref.language, ref.article_id))
                    is not None))
            for ref in listed)


def _is_later_page(output: Any, listing: urls.ListingRef) -> bool:
    return isinstance(output, Request) and _is_later_url(output.url, listing)


def _is_later_url(url: str, listing: urls.ListingRef) -> bool:
    ref = urls.listing_ref(url)
    return ref is not None and ref.archive == listing.archive and ref.page > listing.page
