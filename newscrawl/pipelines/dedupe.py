"""Every article once: by post id (which the canonical URL carries) and by text.

A republished copy (same title and body under another post id) is dropped. An article
exported by an earlier run is fetched again only to refresh or because its sitemap lastmod
says it changed (newscrawl.discovery.incremental): same text, it is dropped as unchanged;
changed text is exported again with the next ``version``.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from pyroaring import BitMap64
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.discovery.postids import post_ids
from newscrawl.state.base import State, article_key
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        # Post ids passed this run, per language. The request fingerprint already makes one
        # fetch per post id; this guards the rare post reached under two categories in one
        # response batch. In bitmaps: a set of key strings grew ~0.1 KB a post exported
        # (docs/benchmarks.md, "Memory of a first crawl").
        self._seen: dict[str, BitMap64] = {}
        self._state: State | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self._state = state_of(self.crawler)

    def _drop(self, reason: str, message: str) -> DropItem:
        self.stats.inc_value(f"newscrawl/dropped/{reason}")
        return DropItem(message, log_level="INFO")

    def process_item(self, item: Any) -> Any:
        assert self._state is not None
        article = ItemAdapter(item)
        key = article_key(article["language"], article["article_id"])
        url = article["url"]
        seen = self._seen.get(article["language"])
        if seen is None:
            seen = self._seen[article["language"]] = post_ids()
        post = int(article["article_id"])
        if post in seen:
            raise self._drop("duplicate_id", f"post {key} seen twice this run: {url}")
        seen.add(post)
        known = self._state.lookup(key)
        if known is not None and known.status in ("exported", "copy"):
            if known.content_hash == article["content_hash"]:
                raise self._drop("unchanged", f"unchanged since an earlier run: {url}")
            if known.status == "exported":
                article["version"] = known.version + 1
                self.stats.inc_value("newscrawl/updated")
        owner = self._state.claim(key, article["content_hash"])
        if owner != key:
            self._state.record_copy(key, article["content_hash"])
            raise self._drop("republished_copy", f"{url} repeats the text of post {owner}")
        return item
