"""The null spider: the bannedbook spider's link following and nothing else.

It is the throughput baseline of `python -m bench`: what Scrapy itself costs to fetch the
same pages with the same settings. It is the real spider (same arguments, same start
requests, same link selection through its `_links`, memory of requested links and discovery
planner, same priorities and request fingerprints) with the article extraction taken out of
`parse`, and without pipelines, feeds or the incremental middleware; its state is in memory
(the planner's schedule needs one), as for a first crawl. Run from the repository root,
inside the project:

    python -m scrapy runspider bench/nullspider.py -a start_urls=http://127.0.0.1:8000/bnews/
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response, TextResponse

from bench.plainspider import ARTICLE_PAGES_STAT
from newscrawl import settings
from newscrawl.discovery import urls
from newscrawl.spiders.bannedbook import BannedbookSpider


class NullSpider(BannedbookSpider):
    name = "bench-null"
    # Project settings minus everything that is not fetching and link following. The request
    # fingerprinter stays: it decides which URLs are one page, so which pages are fetched.
    custom_settings: ClassVar[dict[str, Any]] = {
        "ITEM_PIPELINES": {},
        # (A spider's dict replaces the project's: keep the link-path middleware.)
        "SPIDER_MIDDLEWARES": {**settings.SPIDER_MIDDLEWARES,
                               "newscrawl.discovery.incremental.IncrementalMiddleware": None},
        "EXTENSIONS": {"newscrawl.reporting.report.RunReport": None,
                       "newscrawl.state.keeper.StateKeeper": 10},
        "NEWSCRAWL_STATE_ENABLED": False,
        "FEEDS": {},
        "NEWSCRAWL_DEFAULT_FEED": None,  # else the real spider adds its default output file
    }

    def parse(self, response: Response) -> Iterator[Request]:  # type: ignore[override]
        if not isinstance(response, TextResponse) or not response.body:
            return
        if urls.article_ref(response.url) is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(ARTICLE_PAGES_STAT)
        yield from self._links(response)
