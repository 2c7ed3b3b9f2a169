"""One run's discovery: what the spider asks for, in which order, and what the state keeps.

The rules are the pure modules beside this one (sitemaps, feeds, walk, schedule); this class
applies them to a run. It knows the run's Scope, its RequestFactory and the crawler (and the
state), not the spider and not the SitemapReader: the spider calls each, and the reader tells
the planner when the site has sitemaps (`sitemaps_found`). The order of a run, driven by the
spider's start and its idle moments (`idle_requests`, newscrawl.discovery.progress.Phase):

0. robots.txt (its `Sitemap:` lines, else the usual WordPress indexes) and the feed. The
   sitemap files newer than the watermark are read and their new or edited articles
   requested; so are the feed's.
1. When that is done: the front page (the start URLs), paged while it shows fresh articles
   (newscrawl.discovery.walk). On a site without sitemaps, until a finished run has paged a
   listing (the front page or any other) to its end, it is walked whole: no listing is
   assumed to enumerate the site (issue 17).
2. Then the listings due in the schedule, most overdue first, at most
   NEWSCRAWL_LISTING_BUDGET; and, on a site without sitemaps, every listing discovered this
   run that was never visited (it may hold articles nothing else reaches).
3. Listings discovered since, on a site without sitemaps, until none is left.

Articles found on any page are requested at once. A listing link found on a site with
sitemaps is only put into the schedule (its first visit spread over the next day).

A listing page is judged under the listing its request was asked as (newscrawl.discovery.
requests), whatever URL answered: a listing redirected to another one records its visit under
its own name (and the target gets no schedule it never claimed); so does one whose redirect
this run's dupefilter dropped, and one answering a challenge page (a visit that showed nothing).

Kept only when the run finishes: the listings' next due times, which walks ended, the
sitemap watermarks. A killed run leaves every listing it claimed due again after the lease
(newscrawl.discovery.schedule.LEASE) and its sitemaps to be read again.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newscrawl.discovery import feeds, schedule, urls, walk
from newscrawl.discovery.progress import Listings, Phase, Posts, clock
from newscrawl.discovery.requests import (
    LASTMOD_META,
    RequestFactory,
    Scope,
    for_article,
    kind_of,
    listing_of,
)
from newscrawl.run.config import setting
from newscrawl.run.errors import NotTaken
from newscrawl.state.base import State, article_key
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)

STAT = "newscrawl/"


class Planner:
    """The discovery of one run (one worker's part, with Redis).

    scope: what the run crawls; requests: the factory of its requests; crawler: its signals,
    settings (NEWSCRAWL_FEEDS, NEWSCRAWL_LISTING_BUDGET, NEWSCRAWL_LISTING_MAX_PAGES,
    NEWSCRAWL_REFRESH, NEWSCRAWL_NOW: ValueError when not ISO 8601) and stats; state: the
    run's, else the StateKeeper's once first needed.
    """

    def __init__(self, scope: Scope, requests: RequestFactory, crawler: Crawler,
                 state: State | None = None) -> None:
        settings = crawler.settings
        self.scope = scope
        self.requests = requests
        self.crawler = crawler
        self.use_feeds = setting(settings, "NEWSCRAWL_FEEDS")
        self.budget = setting(settings, "NEWSCRAWL_LISTING_BUDGET")
        self.max_pages = setting(settings, "NEWSCRAWL_LISTING_MAX_PAGES")
        self.refresh = setting(settings, "NEWSCRAWL_REFRESH")
        self.now = clock(setting(settings, "NEWSCRAWL_NOW"))
        self._state = state
        self.phase = Phase.SOURCES
        self.has_sitemaps = False  # told by the SitemapReader (sitemaps_found)
        self.posts = Posts()
        self.listings = Listings()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.request_reached_downloader,
                                signal=signals.request_reached_downloader)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None  # set once the crawl starts
        return self.crawler.stats

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = state_of(self.crawler)
        return self._state

    def spider_opened(self) -> None:
        # Connected now, after the feed exporter's: a lastmod is recorded only once the
        # article's line is written, so a run killed in between fetches the edit again.
        self.crawler.signals.connect(self.item_done, signal=signals.item_scraped)
        self.crawler.signals.connect(self.item_done, signal=signals.item_dropped)

    # --- phase SOURCES: the feeds (robots.txt and sitemaps: the SitemapReader) ---------------

    def first_requests(self) -> list[Request]:
        """The feeds of the run's language (none when NEWSCRAWL_FEEDS is off)."""
        if not self.use_feeds:
            return []
        return [self.requests.feed(url)
                for url in feeds.feed_urls(self.scope.site, self.scope.language)]

    def sitemaps_found(self) -> None:
        """The SitemapReader's word: the site has sitemaps (read this run, or by an earlier)."""
        self.has_sitemaps = True

    # --- listings -------------------------------------------------------------------------

    def found_article(self, ref: urls.ArticleRef) -> None:
        """An article request was sent out: told by whoever sends it."""
        self.posts.found.add(int(ref.article_id))

    def discover(self, url: str) -> None:
        """A listing link: schedule its listing, and visit it this run if it must be."""
        ref = urls.listing_ref(url)
        listings = self.listings
        if ref is None or ref.archive in listings.seen or ref.archive in self.scope.start_archives:
            return
        listings.seen.add(ref.archive)
        if self.phase == Phase.SOURCES:  # whether the site has sitemaps is known at its end
            listings.undecided.append(ref.archive)
        else:
            self._register(ref.archive)

    def _register(self, archive: str) -> None:
        at_once = not self.has_sitemaps
        if self.state.discover_listing(archive,
                                       schedule.first_due(archive, self.now, at_once=at_once)):
            self.stats.inc_value(f"{STAT}listings/discovered")
            if at_once:
                self.listings.waiting[archive] = None
        elif at_once:
            known = self.state.listing_schedule(archive)
            if known is not None and known.interval <= 0 and known.due <= self.now:
                self.listings.waiting[archive] = None  # found by a run that never visited it

    def listing_page(self, listing: urls.ListingRef, entries: list[str], page_urls: list[str],
                     served: str | None = None) -> Request | None:
        """Judge a page of `listing` (newscrawl.discovery.walk); the next page's request or None.

        listing: the listing page the request was asked as; entries: canonical URLs of the
        articles the page lists; page_urls: canonical URLs of every link of the page this run
        covers; served: the URL that answered, when a redirect led to another listing (its
        visit is then `listing`'s, and its pages are not walked).
        """
        archive = listing.archive
        refs = list({ref.article_id: ref for url in entries
                     if (ref := urls.article_ref(url)) is not None
                     and ref.language == self.scope.language}.values())
        if served is not None:
            target = urls.listing_ref(served)
            if target is None or target.archive != archive:
                self.stats.inc_value(f"{STAT}listings/redirected")
                logger.info("listing %s redirects to %s: a visit of %s, not walked",
                            listing.archive, urls.canonical(served), listing.archive)
                if listing.page == 1:
                    self._visited(listing, refs)
                return None
        after = None
        for url in page_urls:
            ref = urls.listing_ref(url)
            if ref is not None and ref.archive == archive and ref.page == listing.page + 1:
                after = url
                break
        # Where sitemaps give every article, the state's knowledge may end any walk; without
        # them, only in a listing a finished run once walked to its end (newscrawl.discovery.walk).
        walked = not self.refresh and (self.has_sitemaps or self.state.archive_walked(archive))
        verdict = walk.judge_page(
            refs, page=listing.page, has_next=after is not None, max_pages=self.max_pages,
            shown_before=self.listings.shown.setdefault(archive, set()),
            found=lambda ref: int(ref.article_id) in self.posts.found,
            known=lambda ref: self.state.lookup(article_key(ref.language, ref.article_id))
            is not None,
            walked=walked, since=self.scope.since,
            exhaustive=not walked and not self.has_sitemaps)
        if listing.page == 1:
            self._visited(listing, refs)
        if verdict.reason is not None:
            self.stats.inc_value(f"{STAT}listings/walk_end/{verdict.reason}")
            if verdict.reason != "page_cap":
                self.listings.walked.add(archive)
        if verdict.follow and after is not None:
            return self.requests.listing(after)
        return None

    def _visited(self, listing: urls.ListingRef, refs: list[urls.ArticleRef]) -> None:
        self.stats.inc_value(f"{STAT}listings/visited")
        self.listings.visited[listing.archive] = any(map(self._news, refs))

    def listing_failed(self, listing: urls.ListingRef) -> None:
        """The listing page asked for answered no listing (404, challenge, …): on page 1, a
        visit that found nothing."""
        if listing.page == 1:
            self.listings.visited.setdefault(listing.archive, False)

    def _news(self, ref: urls.ArticleRef) -> bool:
        """Whether the article was not in the archive when this run started."""
        if int(ref.article_id) in self.posts.exported:
            return True
        known = self.state.lookup(article_key(ref.language, ref.article_id))
        return known is None or known.status == "pending"

    def _listing_requests(self, archives: list[str]) -> list[Request]:
        out = []
        listings = self.listings
        for archive in archives:
            if archive not in listings.claimed:
                listings.claimed.add(archive)
                listings.seen.add(archive)
                out.append(self.requests.listing(archive))
        return out

    def idle_requests(self) -> list[Request]:
        """What the run asks for at an idle moment (the spider sends them; [] when done)."""
        batch: list[Request] = []
        listings = self.listings
        while not batch and self.phase < Phase.DISCOVERED:
            if self.phase == Phase.SOURCES:
                for archive in listings.undecided:
                    self._register(archive)
                listings.undecided.clear()
                listings.claimed |= self.scope.start_archives
                batch = [self.requests.listing(url) for url in self.scope.start_urls
                         if urls.article_ref(url) is None]  # start articles: sent at start
            elif self.phase == Phase.FRONT:
                self.stats.set_value(f"{STAT}listings/due",
                                     self.state.count_due_listings(self.now))
                due = self.state.claim_due_listings(self.now, self.budget, schedule.LEASE)
                self.stats.set_value(f"{STAT}listings/claimed", len(due))
                batch = self._listing_requests(due)
            batch += self._listing_requests(list(listings.waiting))
            listings.waiting.clear()
            self.phase = Phase(self.phase + 1)
        if not batch and listings.waiting:
            batch = self._listing_requests(list(listings.waiting))
            listings.waiting.clear()
        return batch

    # --- bookkeeping ----------------------------------------------------------------------

    def request_reached_downloader(self, request: Request, spider: Any = None) -> None:
        kind = kind_of(request)
        # Not built by the crawl: Scrapy's robots.txt middleware's request, or another's.
        name = kind.value if kind is not None else (
            "robots" if request.meta.get("dont_obey_robotstxt") else "other")
        self.stats.inc_value(f"{STAT}requests/{name}")

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        """A listing's redirect dropped by the dupefilter: its target is read by this run
        already (under its own name). The listing asked for is visited, showing nothing."""
        listing = listing_of(request)
        if listing is None or listing.page != 1 or not request.meta.get("redirect_urls"):
            return
        self.stats.inc_value(f"{STAT}listings/redirected")
        logger.info("listing %s redirects to %s, which this run reads already: a visit of %s"
                    " that showed nothing new", listing.archive, urls.canonical(request.url),
                    listing.archive)
        self.listings.visited.setdefault(listing.archive, False)

    def item_done(self, item: Any, response: Response | None = None, **kwargs: Any) -> None:
        """An article taken in (written, or dropped as unchanged): remember its lastmod."""
        if response is None or response.request is None or not for_article(response.request) \
                or isinstance(kwargs.get("exception"), NotTaken):  # e.g. past max_articles
            return
        adapter = ItemAdapter(item)
        language, article_id = adapter.get("language"), adapter.get("article_id")
        if not language or not article_id:
            return
        if kwargs.get("exception") is None:
            self.posts.exported.add(int(article_id))
        # Without a sitemap lastmod, the run's start: the version fetched is at least as new
        # (an edit made during the run is then later, and is fetched again next run).
        lastmod = response.meta.get(LASTMOD_META)
        self.state.set_article_lastmod(article_key(language, article_id),
                                       lastmod if lastmod is not None else self.now)

    def spider_closed(self, reason: str) -> None:
        if reason != "finished":
            return  # what this run claimed falls due again after the lease
        start = self.scope.start_archives  # read on every run: not scheduled
        for archive, changed in self.listings.visited.items():
            if archive in start:
                continue
            previous = self.state.listing_schedule(archive)
            self.state.schedule_listing(
                archive, schedule.after_visit(previous, self.now, changed, archive))
        for archive in sorted(self.listings.walked):
            self.state.mark_archive_walked(archive)

