"""Drop records that lack what makes them an article; never write one half-filled."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.extraction.text import content_hash

logger = logging.getLogger(__name__)

REQUIRED = ("url", "article_id", "title", "body")


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        article = ItemAdapter(item)
        missing = [field for field in REQUIRED if not article.get(field)]
        if missing:
            reason = "missing_" + "_".join(missing)
            self.stats.inc_value(f"newscrawl/invalid/{reason}")
            self.stats.inc_value("newscrawl/invalid")
            logger.warning("extraction failure: %s has no %s; not exported",
                           article.get("url"), " or ".join(missing))
            raise DropItem(f"invalid article ({reason}): {article.get('url')}")
        # Cleaning may have changed the text: the hash must match what is written.
        article["content_hash"] = content_hash(article["title"], article["body"])
        return item
