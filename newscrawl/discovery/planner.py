"""One run's discovery: what the spider asks for, in which order, and what the state keeps.

The rules are the pure modules beside this one (sitemaps, feeds, walk, schedule); this class
applies them to a run. The order of a run, driven by the spider's start and spider_idle:

0. robots.txt (its `Sitemap:` lines, else the usual WordPress indexes) and the feed. The
   sitemap files newer than the watermark are read and their new or edited articles
   requested; so are the feed's.
1. When that is done: the front page (the start URLs), paged while it shows fresh articles
   (newscrawl.discovery.walk). On a site without sitemaps, until a finished run has paged it
   to its end, it is walked whole: it enumerates the site.
2. Then the listings due in the schedule, most overdue first, at most
   NEWSCRAWL_LISTING_BUDGET; and, on a site without sitemaps, every listing discovered this
   run that was never visited (it may hold articles nothing else reaches).
3. Listings discovered since, on a site without sitemaps, until none is left.

Articles found on any page are requested at once. A listing link found on a site with
sitemaps is only put into the schedule (its first visit spread over the next day).

Kept only when the run finishes: the listings' next due times, which walks ended, the
sitemap watermarks. A killed run leaves every listing it claimed due again after the lease
(newscrawl.discovery.schedule.LEASE) and its sitemaps to be read again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from functools import cached_property
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newscrawl.discovery import feeds, schedule, urls, walk
from newscrawl.discovery.sitemap_reader import SitemapReader
from newscrawl.state.base import State, article_key
from newscrawl.state.keeper import state_of

if TYPE_CHECKING:
    from newscrawl.spiders.bannedbook import BannedbookSpider

logger = logging.getLogger(__name__)

STAT = "newscrawl/"
DEFAULT_BUDGET = 25
DEFAULT_MAX_PAGES = 10_000


def _clock(setting: str | None) -> float:
    """NEWSCRAWL_NOW (ISO 8601, for tests and benchmarks that simulate days), else now."""
    if not setting:
        return time.time()
    try:
        moment = dt.datetime.fromisoformat(setting)
    except ValueError:
        raise ValueError(f"NEWSCRAWL_NOW={setting!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


class Planner:
    """The discovery of one run of `spider` (one worker's part, with Redis)."""

    def __init__(self, spider: BannedbookSpider, crawler: Crawler) -> None:
        settings = crawler.settings
        self.spider = spider
        self.crawler = crawler
        self.use_sitemaps = settings.getbool("NEWSCRAWL_SITEMAPS", True)
        self.use_feeds = settings.getbool("NEWSCRAWL_FEEDS", True)
        self.budget = settings.getint("NEWSCRAWL_LISTING_BUDGET", DEFAULT_BUDGET)
        self.max_pages = settings.getint("NEWSCRAWL_LISTING_MAX_PAGES", DEFAULT_MAX_PAGES)
        self.refresh = settings.getbool("NEWSCRAWL_REFRESH")
        self.now = _clock(settings.get("NEWSCRAWL_NOW"))
        self._state: State | None = None
        self.phase = 0
        # Post ids as ints (URL digits), not strings: half the memory in a 2M-post crawl.
        self.found: set[int] = set()  # post ids of the run's language found this run
        self.exported: set[int] = set()  # post ids exported this run
        self.shown: dict[str, set[int]] = {}  # listing -> post ids its pages showed
        self.visits: dict[str, bool] = {}  # listing -> its page 1 showed news
        self.walked: set[str] = set()  # listings whose walk ended by itself
        self.handled: set[str] = set()  # listings discovered, queued or visited this run
        self.deferred: dict[str, None] = {}  # listings to visit at the next idle
        self.queued: set[str] = set()  # listings requested this run (page 1)
        self.undecided: list[str] = []  # listings discovered while sitemaps were being read
        self.sitemaps = SitemapReader(self)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.sitemaps.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.request_reached_downloader,
                                signal=signals.request_reached_downloader)

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None  # set once the crawl starts
        return self.crawler.stats

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = state_of(self.crawler)
        return self._state

    @cached_property
    def start_archives(self) -> frozenset[str]:
        """The listings among the start URLs (the front page): read every run."""
        return frozenset(ref.archive for url in self.spider.start_urls
                         if (ref := urls.listing_ref(url)) is not None)

    def spider_opened(self) -> None:
        # Connected now, after the feed exporter's: a lastmod is recorded only once the
        # article's line is written, so a run killed in between fetches the edit again.
        self.crawler.signals.connect(self.item_done, signal=signals.item_scraped)
        self.crawler.signals.connect(self.item_done, signal=signals.item_dropped)

    # --- phase 0: robots.txt, sitemaps (newscrawl.discovery.sitemap_reader), feeds ------

    def first_requests(self) -> list[Request]:
        """Phase 0: the feeds, and robots.txt unless Scrapy's robots.txt middleware reads it.

        When the middleware reads robots.txt (ROBOTSTXT_OBEY) its `Sitemap:` lines arrive
        with the robots_parsed signal, and the file is not fetched twice.
        """
        site = self.spider.start_urls[0]
        out = []
        if self.use_sitemaps and not self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            out.append(self.sitemaps.robots_request())
        if self.use_feeds:
            out += [self.spider.request_for(url, kind="feed")
                    for url in feeds.feed_urls(site, self.spider.language)]
        return out

    # --- listings -------------------------------------------------------------------------

    def found_article(self, ref: urls.ArticleRef) -> None:
        self.found.add(int(ref.article_id))

    def discover(self, url: str) -> None:
        """A listing link: schedule its listing, and visit it this run if it must be."""
        ref = urls.listing_ref(url)
        if ref is None or ref.archive in self.handled or ref.archive in self.start_archives:
            return
        self.handled.add(ref.archive)
        if self.phase == 0:  # whether the site has sitemaps is known only at the end of it
            self.undecided.append(ref.archive)
        else:
            self._register(ref.archive)

    def _register(self, archive: str) -> None:
        at_once = not self.sitemaps.found
        if self.state.discover_listing(archive,
                                       schedule.first_due(archive, self.now, at_once=at_once)):
            self.stats.inc_value(f"{STAT}listings/discovered")
            if at_once:
                self.deferred[archive] = None
        elif at_once:
            known = self.state.listing_schedule(archive)
            if known is not None and known.interval <= 0 and known.due <= self.now:
                self.deferred[archive] = None  # found by a run that never visited it

    def listing_page(self, listing: urls.ListingRef, entries: list[str],
                     page_urls: list[str]) -> Request | None:
        """Judge a listing page (newscrawl.discovery.walk); the next page's request or None.

        entries: canonical URLs of the articles the page lists; page_urls: canonical URLs of
        every link of the page this run covers.
        """
        archive = listing.archive
        refs = list({ref.article_id: ref for url in entries
                     if (ref := urls.article_ref(url)) is not None
                     and ref.language == self.spider.language}.values())
        after = None
        for url in page_urls:
            ref = urls.listing_ref(url)
            if ref is not None and ref.archive == archive and ref.page == listing.page + 1:
                after = url
                break
        # Where sitemaps give every article, the state's knowledge may end any walk; without
        # them, only in a listing a finished run once walked to its end (newscrawl.discovery.walk).
        walked = not self.refresh and (self.sitemaps.found or self.state.archive_walked(archive))
        verdict = walk.judge_page(
            refs, page=listing.page, has_next=after is not None, max_pages=self.max_pages,
            shown_before=self.shown.setdefault(archive, set()),
            found=lambda ref: int(ref.article_id) in self.found,
            known=lambda ref: self.state.lookup(article_key(ref.language, ref.article_id))
            is not None,
            walked=walked, since=self.spider.since,
            exhaustive=(not walked and not self.sitemaps.found
                        and archive in self.start_archives))
        if listing.page == 1:
            self.stats.inc_value(f"{STAT}listings/visited")
            self.visits[archive] = any(map(self._news, refs))
        if verdict.reason is not None:
            self.stats.inc_value(f"{STAT}listings/walk_end/{verdict.reason}")
            if verdict.reason != "page_cap":
                self.walked.add(archive)
        if verdict.follow and after is not None:
            return self.spider.request_for(after, kind="listing")
        return None

    def listing_failed(self, url: str) -> None:
        """Page 1 of a listing answered no listing (404, …): a visit that found nothing."""
        ref = urls.listing_ref(url)
        if ref is not None and ref.page == 1:
            self.visits.setdefault(ref.archive, False)

    def _news(self, ref: urls.ArticleRef) -> bool:
        """Whether the article was not in the archive when this run started."""
        if int(ref.article_id) in self.exported:
            return True
        known = self.state.lookup(article_key(ref.language, ref.article_id))
        return known is None or known.status == "pending"

    def _listing_requests(self, archives: list[str]) -> list[Request]:
        out = []
        for archive in archives:
            if archive not in self.queued:
                self.queued.add(archive)
                self.handled.add(archive)
                out.append(self.spider.request_for(archive, kind="listing"))
        return out

    def spider_idle(self) -> None:
        batch: list[Request] = []
        if self.phase == 0 and self.use_sitemaps and not self.sitemaps.robots_read:
            batch = [self.sitemaps.robots_request()]  # the middleware did not read it (or is off)
        while not batch and self.phase < 3:
            if self.phase == 0:
                for archive in self.undecided:
                    self._register(archive)
                self.undecided.clear()
                self.queued |= self.start_archives
                batch = [self.spider.request_for(url, kind="listing")
                         for url in self.spider.start_urls]
            elif self.phase == 1:
                self.stats.set_value(f"{STAT}listings/due",
                                     self.state.count_due_listings(self.now))
                due = self.state.claim_due_listings(self.now, self.budget, schedule.LEASE)
                self.stats.set_value(f"{STAT}listings/claimed", len(due))
                batch = self._listing_requests(due)
            else:
                batch = []
            batch += self._listing_requests(list(self.deferred))
            self.deferred.clear()
            self.phase += 1
        if not batch and self.deferred:
            batch = self._listing_requests(list(self.deferred))
            self.deferred.clear()
        if batch:
            assert self.crawler.engine is not None
            for request in batch:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    # --- bookkeeping ----------------------------------------------------------------------

    def request_reached_downloader(self, request: Request, spider: Any = None) -> None:
        kind = request.meta.get("newscrawl_kind")
        if kind is None:
            if request.url.endswith("/robots.txt"):
                kind = "robots"
            elif urls.article_ref(request.url) is not None:
                kind = "article"
            elif urls.listing_ref(request.url) is not None:
                kind = "listing"
            else:
                kind = "other"
        self.stats.inc_value(f"{STAT}requests/{kind}")

    def item_done(self, item: Any, response: Response | None = None, **kwargs: Any) -> None:
        """An article taken in (written, or dropped as unchanged): remember its lastmod."""
        if response is None or urls.article_ref(response.url) is None:
            return
        adapter = ItemAdapter(item)
        language, article_id = adapter.get("language"), adapter.get("article_id")
        if not language or not article_id:
            return
        if kwargs.get("exception") is None:
            self.exported.add(int(article_id))
        # Without a sitemap lastmod, the run's start: the version fetched is at least as new
        # (an edit made during the run is then later, and is fetched again next run).
        lastmod = response.meta.get("lastmod")
        self.state.set_article_lastmod(article_key(language, article_id),
                                       lastmod if lastmod is not None else self.now)

    def spider_closed(self, reason: str) -> None:
        if reason != "finished":
            return  # what this run claimed falls due again after the lease
        start = self.start_archives  # read on every run: not scheduled
        for archive, changed in self.visits.items():
            if archive in start:
                continue
            previous = self.state.listing_schedule(archive)
            self.state.schedule_listing(
                archive, schedule.after_visit(previous, self.now, changed, archive))
        for archive in sorted(self.walked):
            self.state.mark_archive_walked(archive)
        self.sitemaps.commit()
