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
from scrapy.http import Response

from newscrawl.discovery import urls
from newscrawl.discovery.requests import RECHECK_META, Discovery
from newscrawl.reasons import lookup
from newscrawl.run.config import setting
from newscrawl.run.errors import MarkupDrift
from newscrawl.run.runtime import FAILURE_STAT
from newscrawl.run.signals import article_failed
from newscrawl.state.base import State, article_key
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)


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
        # Articles earlier runs found but did not finish (killed, closed early, site errors).
        discovery = self._discovery()
        if discovery is None:
            return
        for url in self.state.pending_urls():
            # Pending articles of another language or site (a mirror) wait for their own runs.
            ref = urls.article_ref(url)
            if ref is not None and discovery.scope.covers(url):
                self.stats.inc_value("newscrawl/resumed")
                discovery.sent_article(ref)
                yield discovery.requests.article(url)

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
