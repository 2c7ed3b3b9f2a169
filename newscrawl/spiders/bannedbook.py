"""The bannedbook spider: routes each response by what its request was for, to the parser and
to the discovery objects it holds.

What to follow is decided by what a URL is (newscrawl.discovery.urls), not by where a page
puts the link. Every request is built by one RequestFactory and carries its kind (and
listing) in its meta (newscrawl.discovery.requests); a response is routed and recorded by
that. Which known articles a run may skip is decided by newscrawl.discovery.incremental;
which sitemaps, feeds and listings a run reads, and when a listing's walk ends, by the
Planner and the SitemapReader (newscrawl.discovery), not this spider nor each other. The
spider tells the planner of every article request it sends out. An article page is parsed
once: the parser's tree gives its links too (extract(links=...)).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl import __version__
from newscrawl.article import Article
from newscrawl.discovery import urls
from newscrawl.discovery.links import RunLinks, hrefs
from newscrawl.discovery.planner import Planner
from newscrawl.discovery.requests import (
    PAGES_META,
    Discovery,
    Kind,
    RequestFactory,
    Route,
    Scope,
    for_article,
    kind_of,
    listing_of,
)
from newscrawl.discovery.revisits import Revisits
from newscrawl.discovery.sitemap_reader import SitemapReader
from newscrawl.extraction import selectors
from newscrawl.extraction.extract import Extraction, NotAnArticle, extract, is_challenge
from newscrawl.extraction.notfound import is_not_found
from newscrawl.extraction.pages import follow
from newscrawl.extraction.selectors import FEED_ITEM_LINKS, LISTING_ENTRY_LINKS, PAGE_LINKS
from newscrawl.reasons import CHALLENGE, EMPTY, NOT_HTML, http
from newscrawl.reporting import loss
from newscrawl.run.arguments import ARGUMENTS, DEFAULT_LANG, parse_arguments
from newscrawl.run.config import setting
from newscrawl.run.places import default_feed
from newscrawl.spiders.failures import count_not_article
from newscrawl.spiders.sitenotes import SiteNotes
from newscrawl.transport import network
from newscrawl.transport.refusals import refusal, remember

logger = logging.getLogger(__name__)

DEFAULT_SITE = "https://www.bannedbook.org/"


class BannedbookSpider(Spider):
    name = "bannedbook"
    # Called by the crawl command before the first request (newscrawl.commands.preflight).
    check_arguments = staticmethod(parse_arguments)

    def __init__(self, **kwargs: Any) -> None:
        # Parsed by newscrawl.run.arguments (the crawl command checked them before the crawl).
        given = {name: kwargs.pop(name) for name in list(kwargs) if name in ARGUMENTS}
        args = parse_arguments(given)
        super().__init__(**kwargs)
        language = args["lang"] or urls.LANG_ARGUMENT[DEFAULT_LANG]
        self.scope = Scope.of(args["start_urls"] or [urls.section_url(DEFAULT_SITE, language)],
                              language, args["since"])
        # Scrapy's and other components' names for parts of the scope.
        self.language = language
        self.start_urls = list(self.scope.start_urls)
        self.allowed_domains = list(self.scope.hosts)
        self.since = self.scope.since
        self.max_articles = args["max_articles"] or 0
        self.refresh = bool(args["refresh"])
        self.requests = RequestFactory({
            Kind.ROBOTS: Route(self.parse_robots, self.on_robots_error),
            Kind.SITEMAP: Route(self.parse_sitemap, self.on_sitemap_error),
            Kind.FEED: Route(self.parse_feed, self.on_error),
            Kind.LISTING: Route(self.parse, self.on_error),
            Kind.ARTICLE: Route(self.parse, self.on_error)})
        # What each link is, once per run; which URLs were already requested (see links.py).
        self.links = RunLinks(self.scope.covers)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Spider priority: above settings.py, below -s USER_AGENT=... on the command line.
        settings.set("USER_AGENT", f"newscrawl/{__version__} (news archiver;"
                     f" +{settings['NEWSCRAWL_CONTACT_URL']})", priority="spider")
        # A default in settings.py would be merged with -o, writing every article twice.
        default_feed(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BannedbookSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Arguments that components read as settings (still unfrozen at this point).
        if spider.max_articles:
            crawler.settings.set("NEWSCRAWL_MAX_ARTICLES", spider.max_articles, "spider")
        if spider.refresh:
            crawler.settings.set("NEWSCRAWL_REFRESH", True, "spider")
        spider.planner = Planner(spider.scope, spider.requests, crawler)
        spider.revisits = Revisits(spider.scope, spider.requests, crawler)
        spider.sitemaps = SitemapReader(spider.scope, spider.requests, crawler,
                                        found=spider.planner.sitemaps_found,
                                        watch=spider.revisits)
        # For the incremental middleware: it resumes articles earlier runs left pending.
        spider.discovery = Discovery(spider.scope, spider.requests, spider.planner.found_article)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        # A page's first cap + 1 links are read (one past tells a page past it): discovery/limits.py
        spider.max_links = setting(crawler.settings, "NEWSCRAWL_MAX_LINKS_PER_PAGE")
        spider.link_limit = spider.max_links + 1 if spider.max_links > 0 else 0
        spider.notes = SiteNotes(crawler)  # what the site is, for last-run.json
        spider.links.left_out = lambda url: crawler.stats.inc_value(  # type: ignore[union-attr]
            "newscrawl/links/left_out/english")
        return spider

    async def start(self) -> Any:
        # Listings among the start URLs (the front page) come once sitemaps and feeds are read.
        for request in [*self.sitemaps.first_requests(), *self.planner.first_requests(),
                        *self._sent(self.revisits.first_requests())]:  # revisits: issue 19
            yield request
        for url in self.start_urls:
            if urls.article_ref(url) is not None:
                yield self.article_request(url)

    def covers(self, url: str) -> bool:
        """Whether this run crawls `url` (Scope.covers)."""
        return self.scope.covers(url)

    def article_request(self, url: str) -> Request:
        """The request for an article page this spider sends out; the planner is told."""
        ref = urls.article_ref(url)
        assert ref is not None, url
        self.planner.found_article(ref)
        return self.requests.article(url)

    def _sent(self, requests: Iterable[Request]) -> Iterator[Request]:
        """Requests the sitemap reader returned, sent out: the planner is told of articles."""
        for request in requests:
            if kind_of(request) is Kind.ARTICLE:
                ref = urls.article_ref(request.url)
                if ref is not None:
                    self.planner.found_article(ref)
            yield request

    def spider_idle(self) -> None:
        """Send what the run asks for at an idle moment; keep it open while there is some."""
        batch = self.idle_requests()
        if batch:
            assert self.crawler.engine is not None
            for request in batch:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def idle_requests(self) -> list[Request]:
        """robots.txt if nobody read it yet, else the planner's next listings."""
        return self.sitemaps.idle_requests() or self.planner.idle_requests()

    def parse_robots(self, response: Response) -> Iterator[Request]:
        yield from self.sitemaps.on_robots(response.body, response.url)

    def on_robots_error(self, failure: Failure) -> Iterator[Request]:
        yield from self.sitemaps.on_robots(None, failure.request.url)  # type: ignore[attr-defined]

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        yield from self._sent(self.sitemaps.on_sitemap(response))

    def on_sitemap_error(self, failure: Failure) -> Iterator[Request]:
        yield from self.sitemaps.on_sitemap_error(
            failure.request, type(failure.value).__name__)  # type: ignore[attr-defined]

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            return
        self.notes.feed_read(response.url)
        for link in response.xpath(FEED_ITEM_LINKS).getall():
            url = urls.canonical(response.urljoin(link.strip()))
            if urls.article_ref(url) is not None and self.scope.covers(url):
                yield self.article_request(url)

    def parse(self, response: Response) -> Iterator[Article | Request]:
        """An article or listing page, as its request says (newscrawl.discovery.requests)."""
        request = response.request
        if not isinstance(response, TextResponse) or not response.body:
            count_not_article(self.crawler, request, response.url,
                              (NOT_HTML if response.body else EMPTY).name)
            return
        if is_challenge(response.text, response.headers.get(selectors.CHALLENGE_HEADER)):
            count_not_article(self.crawler, request, response.url, CHALLENGE.name)
            listing = listing_of(request) if request is not None else None
            if listing is not None:  # served with 200: a visit that showed nothing, as a 403
                self.planner.listing_failed(listing)
            elif request is not None:  # an edited article's sitemap watermark stays, as a 503
                self.sitemaps.article_failed(request, None)
            return
        self.crawler.stats.inc_value("newscrawl/pages_ok")
        found = self._extract(response) if request is not None and for_article(request) else None
        if found is not None:
            yield from self._article(response, found)
        yield from self._links(response, found.links if found is not None else None)

    def _extract(self, response: TextResponse) -> Extraction | None:
        """The article page's Extraction, its links read too; None (counted) if no article."""
        try:
            return extract(
                response.body, response.url, links=self.link_limit,
                content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
                crawled_at=self.crawled_at(response),
                mitigated=response.headers.get(selectors.CHALLENGE_HEADER))
        except NotAnArticle as exc:
            count_not_article(self.crawler, response.request, response.url, exc.reason)
            self.revisits.no_article(response.request, response.status, is_not_found(response.text))
            return None

    def _article(self, response: TextResponse, found: Extraction) -> Iterator[Article | Request]:
        loss.count(self.crawler.stats, response.url, found)  # docs/extraction.md
        self.notes.whole_page(found)
        # A multi-page post: the request of its next page, carrying the pages read, until
        # the last one gives the record (newscrawl.extraction.pages).
        self.revisits.answer(response.request, None, url=response.url)
        step = follow(response.meta.get(PAGES_META), found.article, found.pages, response.url)
        yield step if isinstance(step, Article) else self.requests.article_page(
            *step, response.meta)

    def crawled_at(self, response: Response) -> str:
        """When the page was fetched (UTC, ISO 8601 to the second): now, in a crawl."""
        return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    def _links(self, response: TextResponse, found: list[str] | None = None
               ) -> Iterator[Request]:
        """Articles are requested; listing links go to the planner, which decides. `found`:
        the page's PAGE_LINKS hrefs if the parser read them (_extract), else read here."""
        cap = self.max_links
        if found is None:
            found = hrefs(response, PAGE_LINKS, self.link_limit)
        if 0 < cap < len(found):
            self.crawler.stats.inc_value("newscrawl/links_capped")
            logger.warning("%s has more than %d links: only the first %d are followed"
                           " (NEWSCRAWL_MAX_LINKS_PER_PAGE)", response.url, cap, cap)
            found = found[:cap]
        # The listing page its request was asked as, whatever URL answered.
        listing = listing_of(response.request) if response.request is not None else None
        # Only a listing's entries are judged (by the planner); other pages list none.
        listed = hrefs(response, LISTING_ENTRY_LINKS) if listing is not None else ()
        page = self.links.page(response, found, listed)
        if listing is not None:
            if listing.archive in self.scope.start_archives:
                self.notes.front_page(listing, page.urls)
            entries = [url for url in page.urls if url in page.listed]
            self.revisits.shown(entries)  # a removed post listed again: refetched (issue 19)
            served = response.url if response.meta.get("redirect_urls") else None
            after = self.planner.listing_page(listing, entries, list(page.urls), served)
            if after is not None:
                yield after
        # URLs this run already sent out as requests are not built again (links.py).
        for url in self.links.unrequested(page):
            if urls.article_ref(url) is not None:
                yield self.article_request(url)
            else:
                self.planner.discover(url)

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        if kind_of(request) is Kind.FEED:
            self.notes.feed_missing()
            logger.info("no feed at %s (%s)", request.url, type(failure.value).__name__)
            return
        listing = listing_of(request)
        if listing is not None:
            self.planner.listing_failed(listing)
        self.revisits.failed(request, failure)  # a 404, 410 or redirect away: the ledger judges
        self.sitemaps.article_failed(request, failure.value.response.status
                                     if failure.check(HttpError) else None)
        refused = refusal(failure, request.url, urljoin(request.url, "/robots.txt"))
        if refused is not None:  # a redirect, cut or oversized body, Retry-After, robots.txt
            remember(self.crawler.stats, refused)
            count_not_article(self.crawler, request, request.url, refused.reason, str(refused))
            return
        if failure.check(HttpError):
            response = failure.value.response
            text = response.text if isinstance(response, TextResponse) else ""
            challenged = is_challenge(text, response.headers.get(selectors.CHALLENGE_HEADER))
            reason = CHALLENGE.name if challenged else http(response.status).name
            count_not_article(self.crawler, request, request.url, reason)
            return
        why = network.count(self.crawler.stats, failure.value, request.url)
        logger.warning("giving up on %s after retries: %s (%s)", request.url, failure.value, why)
