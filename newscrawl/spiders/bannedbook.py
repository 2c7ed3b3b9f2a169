"""The bannedbook spider: discovers article and listing links and routes pages to the parser.

What to follow is decided by what a URL is (newscrawl.discovery.urls), not by where a page
puts the link. Which requests a run may skip (known articles, exhausted archives)
is decided by newscrawl.discovery.incremental, not here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl import __version__
from newscrawl.arguments import ARGUMENTS, DEFAULT_LANG, parse_arguments
from newscrawl.article import Article
from newscrawl.discovery import urls
from newscrawl.extraction.extract import Extraction, NotAnArticle, extract, is_challenge
from newscrawl.extraction.selectors import LISTING_ENTRY_LINKS, PAGE_LINKS
from newscrawl.places import default_feed
from newscrawl.signals import article_failed

logger = logging.getLogger(__name__)

DEFAULT_SITE = "https://www.bannedbook.org/"
# Articles first: they are what the run is for, and it keeps the frontier short.
ARTICLE_PRIORITY = 10


class BannedbookSpider(Spider):
    name = "bannedbook"
    # Called by the crawl command before the first request (newscrawl.preflight).
    check_arguments = staticmethod(parse_arguments)

    def __init__(self, **kwargs: Any) -> None:
        # Parsed by newscrawl.arguments (the crawl command checked them before the crawl).
        given = {name: kwargs.pop(name) for name in list(kwargs) if name in ARGUMENTS}
        args = parse_arguments(given)
        super().__init__(**kwargs)
        self.language = args["lang"] or urls.LANG_ARGUMENT[DEFAULT_LANG]
        self.start_urls = args["start_urls"] or [urls.section_url(DEFAULT_SITE, self.language)]
        self.allowed_domains = sorted({urlsplit(url).hostname or "" for url in self.start_urls})
        # Read by newscrawl.discovery.incremental, which decides what this run may skip.
        self.since = args["since"]
        self.max_articles = args["max_articles"] or 0
        self.refresh = bool(args["refresh"])

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
        return spider

    async def start(self) -> Any:
        for url in self.start_urls:
            yield self.request_for(url)

    def covers(self, url: str) -> bool:
        """Whether this run crawls `url`: on a start host (or its subdomains), in its language."""
        if not urls.is_http(url) or not urls.on_hosts(url, self.allowed_domains):
            return False
        ref = urls.article_ref(url) or urls.listing_ref(url)
        return ref is not None and ref.language == self.language

    def request_for(self, url: str, *, listed: bool = False) -> Request:
        """The request for a page of the site (also used to resume articles of earlier runs)."""
        if urls.article_ref(url) is not None:
            return Request(url, callback=self.parse, errback=self.on_error,
                           priority=ARTICLE_PRIORITY, meta={"listed": listed})
        return Request(url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response) -> Iterator[Article | Request]:
        if not isinstance(response, TextResponse) or not response.body:
            self._count_not_article(response.url, "not_html" if response.body else "empty")
            return
        if is_challenge(response.text):
            self._count_not_article(response.url, "challenge")
            return
        self.crawler.stats.inc_value("newscrawl/pages_ok")
        if urls.article_ref(response.url) is not None:
            yield from self._article(response)
        yield from self._links(response)

    def _article(self, response: TextResponse) -> Iterator[Article]:
        try:
            found = extract(
                response.body, response.url,
                content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
                crawled_at=self.crawled_at(response))
        except NotAnArticle as exc:
            self._count_not_article(response.url, exc.reason)
            return
        self._count_left_out(response.url, found)
        yield found.article

    def _count_left_out(self, url: str, found: Extraction) -> None:
        """Stats of what the body left out and why (docs/extraction.md, "No silent loss")."""
        stats = self.crawler.stats
        for rule, (elements, chars) in found.dropped.items():
            stats.inc_value(f"newscrawl/extraction/dropped/{rule}", elements)
            stats.inc_value(f"newscrawl/extraction/dropped_chars/{rule}", chars)
        if found.unclaimed_chars:
            stats.inc_value("newscrawl/extraction/unclaimed_chars", found.unclaimed_chars)
        if found.substantial_unclaimed:
            stats.inc_value("newscrawl/extraction/unclaimed_pages")
            logger.warning("text in the entry that no rule placed in the body or left out "
                           "(%d characters: %s…) at %s", found.unclaimed_chars,
                           found.unclaimed_sample, url)

    def crawled_at(self, response: Response) -> str:
        """When the page was fetched (UTC, ISO 8601 to the second): now, in a crawl."""
        return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    def _links(self, response: TextResponse) -> Iterator[Request]:
        listed = {urls.canonical(response.urljoin(href))
                  for href in response.css(LISTING_ENTRY_LINKS).getall()}
        seen: set[str] = set()
        for href in response.css(PAGE_LINKS).getall():
            url = urls.canonical(response.urljoin(href))
            if url not in seen:
                seen.add(url)
                if self.covers(url):
                    yield self.request_for(url, listed=url in listed)

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError):
            response = failure.value.response
            reason = "challenge" if is_challenge(response.text if isinstance(
                response, TextResponse) else "") else f"http_{response.status}"
            self._count_not_article(request.url, reason)
            return
        self.crawler.stats.inc_value("newscrawl/errors/network")
        logger.warning("giving up on %s after retries: %s", request.url, failure.value)

    def _count_not_article(self, url: str, reason: str) -> None:
        is_article = urls.article_ref(url) is not None
        self.crawler.stats.inc_value(f"newscrawl/not_article/{reason}")
        if is_article:
            self.crawler.signals.send_catch_log(article_failed, url=url, reason=reason)
        if reason == "challenge":
            logger.warning("challenge page instead of content at %s", url)
        elif is_article:
            logger.warning("extraction failure (%s) at article URL %s", reason, url)
        else:
            logger.info("no content (%s) at %s", reason, url)
