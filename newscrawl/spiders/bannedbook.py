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
from newscrawl.article import Article
from newscrawl.discovery import urls
from newscrawl.discovery.links import PAGE_LINKS_META, RunLinks, hrefs
from newscrawl.extraction.extract import NotAnArticle, is_challenge, parse_article
from newscrawl.extraction.selectors import LISTING_ENTRY_LINKS, PAGE_LINKS
from newscrawl.signals import article_failed

logger = logging.getLogger(__name__)

DEFAULT_SITE = "https://www.bannedbook.org/"
# Articles first: they are what the run is for, and it keeps the frontier short.
ARTICLE_PRIORITY = 10


def _comma_list(value: str | list[str] | None) -> list[str]:
    if isinstance(value, list):
        return value
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class BannedbookSpider(Spider):
    name = "bannedbook"

    def __init__(self, start_urls: str | list[str] | None = None, lang: str | None = None,
                 since: str | None = None, max_articles: str | int | None = None,
                 refresh: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if (lang or "zh-cn").lower() not in urls.LANG_ARGUMENT:
            raise ValueError(f"lang={lang!r}: use one of {', '.join(urls.LANG_ARGUMENT)}")
        self.language = urls.LANG_ARGUMENT[(lang or "zh-cn").lower()]
        self.start_urls = _comma_list(start_urls) or [
            urls.section_url(DEFAULT_SITE, self.language)]
        bad = [url for url in self.start_urls if not urls.is_http(url)]
        if bad:
            raise ValueError(f"start_urls must be http(s) URLs, not {', '.join(bad)}")
        self.allowed_domains = sorted({urlsplit(url).hostname or "" for url in self.start_urls})
        # Read by newscrawl.discovery.incremental, which decides what this run may skip.
        self.since = dt.date.fromisoformat(since).isoformat() if since else None
        self.max_articles = int(max_articles) if max_articles else 0
        self.refresh = str(refresh or "").lower() in ("1", "true", "yes")
        # What each link is, once per run; which URLs were already requested (see links.py).
        self.links = RunLinks(self.covers)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Spider priority: above settings.py, below -s USER_AGENT=... on the command line.
        settings.set("USER_AGENT", f"newscrawl/{__version__} (news archiver;"
                     f" +{settings['NEWSCRAWL_CONTACT_URL']})", priority="spider")
        # A default in settings.py would be merged with -o, writing every article twice.
        if not settings.getdict("FEEDS") and settings.get("NEWSCRAWL_DEFAULT_FEED"):
            settings.set("FEEDS", {settings["NEWSCRAWL_DEFAULT_FEED"]: {"format": "jsonlines"}},
                         priority="spider")

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
            yield parse_article(
                response.body, response.url,
                content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
                crawled_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        except NotAnArticle as exc:
            self._count_not_article(response.url, exc.reason)

    def _links(self, response: TextResponse) -> Iterator[Request]:
        page = self.links.page(response, hrefs(response, PAGE_LINKS),
                               hrefs(response, LISTING_ENTRY_LINKS))
        # For the incremental filter: every listed article, requested before or not.
        response.meta[PAGE_LINKS_META] = page
        for url in self.links.unrequested(page):
            yield self.request_for(url, listed=url in page.listed)

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
