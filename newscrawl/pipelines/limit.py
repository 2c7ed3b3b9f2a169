"""Stop after N articles (``-a max_articles=N``): exactly N are exported, not N plus stragglers."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from newscrawl.run.config import setting
from newscrawl.run.errors import NotTaken


class ArticleLimitPipeline:
    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.passed = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleLimitPipeline:
        limit = setting(crawler.settings, "NEWSCRAWL_MAX_ARTICLES")
        if limit <= 0:
            raise NotConfigured  # no message: an unset limit is not worth a warning per run
        return cls(crawler, limit)

    def process_item(self, item: Any) -> Any:
        if self.passed >= self.limit:
            # Not exported, so not recorded: a later run picks it up.
            raise NotTaken(f"max_articles={self.limit} reached", log_level="DEBUG")
        self.passed += 1
        if self.passed == self.limit:
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_articles"))
        return item
