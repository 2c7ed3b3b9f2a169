"""What the spider sees of the site, noted under the ``newscrawl/site/...`` stats
(newscrawl/run/sitestats.py) for last-run.json's ``site`` section (reporting/site.py)."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newscrawl.discovery import urls
from newscrawl.extraction.extract import Extraction
from newscrawl.run import sitestats


class SiteNotes:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @property
    def stats(self) -> StatsCollector:
        """The crawler's stats: set when the crawl starts, after the spider is built."""
        assert self.crawler.stats is not None
        return self.crawler.stats

    def feed_read(self, url: str) -> None:
        self.stats.set_value(sitestats.FEEDS_READ,
                             [*self.stats.get_value(sitestats.FEEDS_READ, []), url])

    def feed_missing(self) -> None:
        self.stats.inc_value(sitestats.FEEDS_MISSING)

    def whole_page(self, found: Extraction) -> None:
        """An article page parsed whole, and whether the END ENTRY comment was one signal."""
        self.stats.inc_value(sitestats.WHOLE_PAGES)
        if found.end_marker:
            self.stats.inc_value(sitestats.WITH_END_MARKER)

    def front_page(self, listing: urls.ListingRef, links: Iterable[str]) -> None:
        """Page 1 of a start listing (the front page): whether it links its own page 2."""
        if listing.page != 1:
            return
        pages = any((ref := urls.listing_ref(url)) is not None and ref.archive == listing.archive
                    and ref.page == 2 for url in links)
        self.stats.set_value(sitestats.FRONT_PAGE_PAGES,
                             pages or bool(self.stats.get_value(sitestats.FRONT_PAGE_PAGES)))
