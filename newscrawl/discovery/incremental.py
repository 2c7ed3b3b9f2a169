"""What a run may skip without fetching: the cost side of incremental crawling.

- an article exported by an earlier run (unless the run refreshes);
- an article dated before ``-a since`` (the URL carries the date);
- an article that gave no article NEWSCRAWL_MAX_ATTEMPTS times (a dead related link); a run's
  failures are counted at its end, and not at all when it raised the markup-drift alarm
  (newscrawl/quality/drift.py): the parser failed then, not the page.

An exported article is fetched again only to refresh, or when its sitemap entry says it
changed since (a request marked `recheck`). When a listing's walk ends is decided by
newscrawl.discovery.planner and newscrawl.discovery.walk.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from newscrawl.discovery import backlog, urls
from newscrawl.discovery.requests import RECHECK_META, Discovery
from newscrawl.reasons import lookup
from newscrawl.run.config import setting
from newscrawl.run.errors import MarkupDrift
from newscrawl.run.runtime import FAILURE_STAT
from newscrawl.run.signals import article_failed
from newscrawl.state.base import State, article_key
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)

DEFERRED_STAT = "newscrawl/frontier/deferred"  # articles left pending for want of room
BACKLOG_STAT = "newscrawl/frontier/backlog"  # requests built from later passes of the backlog


class IncrementalMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.refresh = setting(crawler.settings, "NEWSCRAWL_REFRESH")
        self.max_attempts = setting(crawler.settings, "NEWSCRAWL_MAX_ATTEMPTS")
        self._state: State | None = None
        # Articles that failed this run, counted toward NEWSCRAWL_MAX_ATTEMPTS at its end: a
        # run that raised the markup-drift alarm failed because of the parser, not the pages.
        self._failed: list[str] = []
        # The frontier's bound and the backlog of pending articles in the state (backlog.py).
        self.frontier_max = setting(crawler.settings, "NEWSCRAWL_FRONTIER_MAX")
        self.low_water = setting(crawler.settings, "NEWSCRAWL_SITEMAP_LOW_WATER")
        self.passes = backlog.Passes()
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.request_reached_downloader,
                                signal=signals.request_reached_downloader)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.article_failed, signal=article_failed)

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
        # Articles earlier runs found but did not finish (killed, closed early, site errors):
        # the first page of the backlog now, the rest as the frontier drains (backlog.py).
        for request in self._backlog(idle=True):
            yield request

    def _backlog(self, idle: bool) -> list[Request]:
        """Requests for the next page of the state's pending articles, if the frontier is low
        (at an idle moment: pages until one gives a request, or the passes are done)."""
        discovery = self._discovery()
        count = backlog.waiting(self.crawler)
        if discovery is None or not backlog.low(count, self.low_water, idle):
            return []
        size = backlog.page_size(count, self.frontier_max)
        out: list[Request] = []
        while not out and (cursor := self.passes.next_cursor()) is not None:
            resumed = self.passes.first  # what earlier runs left pending
            found, after = self.state.pending(cursor, size)
            self.passes.read(after)
            for url in found:
                # Pending articles of another language or site (a mirror) wait for their runs.
                ref = urls.article_ref(url)
                if ref is not None and discovery.scope.covers(url):
                    self.stats.inc_value("newscrawl/resumed" if resumed else BACKLOG_STAT)
                    discovery.sent_article(ref)
                    out.append(discovery.requests.article(url))
            if not idle:
                break
        return out

    def _feed(self, idle: bool) -> bool:
        """Send the backlog's next page into the frontier; whether anything was sent."""
        requests = self._backlog(idle)
        assert self.crawler.engine is not None
        for request in requests:
            self.crawler.engine.crawl(request)
        return bool(requests)

    def request_reached_downloader(self, request: Request, spider: Spider | None = None) -> None:
        if self.passes.cursor or self.passes.owed:
            self._feed(idle=False)

    def spider_idle(self) -> None:
        if self._feed(idle=True):
            raise DontCloseSpider

    def _discovery(self) -> Discovery | None:
        """The spider's scope and request factory (newscrawl.discovery.requests); None for a
        spider that offers none (nothing is then resumed, and `since` is not applied)."""
        discovery = getattr(self.crawler.spider, "discovery", None)
        return discovery if isinstance(discovery, Discovery) else None

    def process_spider_output(self, response: Response, result: Iterable[Any],
                              spider: Spider | None = None) -> Iterator[Any]:
        yield from self._select(response, list(result))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any],
                                          spider: Spider | None = None) -> AsyncIterator[Any]:
        for output in self._select(response, [output async for output in result]):
            yield output

    def _select(self, response: Response, outputs: list[Any]) -> list[Any]:
        """The outputs of one page that this run still needs (a page's output is small)."""
        discovery = self._discovery()
        since = discovery.scope.since if discovery is not None else None
        # Judged once a page: a page's articles all go in, or all wait (backlog.py).
        room = not backlog.full(backlog.waiting(self.crawler), self.frontier_max)
        return [o for o in outputs if not self._skip(o, since, room)]

    def _skip(self, output: Any, since: str | None, room: bool = True) -> bool:
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
        if known is None or known.status == "pending":
            # A full frontier leaves it pending in the state. (A post's next page, which
            # carries the pages read, is no article URL: it never comes here.)
            if room:
                return False
            self.passes.deferred()
            self.stats.inc_value(DEFERRED_STAT)
            return True
        # A dead link is retried a few runs; anything else known is fetched only to refresh.
        failed = known.status == "failed"
        if failed:
            give_up = known.attempts >= self.max_attempts
        else:
            give_up = not (self.refresh or (known.status == "exported"
                                            and output.meta.get(RECHECK_META)))
        if give_up:
            self.stats.inc_value(f"newscrawl/skipped/{known.status}")
            return True
        return False

    def spider_closed(self, reason: str) -> None:
        # After RunReport's handler (an extension, connected first): the alarm is known here.
        if self.stats.get_value(FAILURE_STAT) == MarkupDrift.reason:
            if self._failed:
                self.stats.set_value("newscrawl/failures_not_counted", len(self._failed))
                logger.warning("markup drift: %d failed article(s) not counted toward"
                               " NEWSCRAWL_MAX_ATTEMPTS; they are fetched again next run",
                               len(self._failed))
        else:
            for key in self._failed:
                self.state.record_failure(key)

    def article_failed(self, url: str, reason: str) -> None:
        # Only failures that say the page itself is broken count (newscrawl/reasons.py).
        judged = lookup(reason)
        ref = urls.article_ref(url)
        if ref is not None and judged is not None and judged.counts_toward_give_up:
            self._failed.append(article_key(ref.language, ref.article_id))
