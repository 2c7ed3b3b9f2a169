"""A run's reading of sitemaps: robots.txt, the indexes, the files, the watermarks.

The rules are newscrawl.discovery.sitemaps (pure); this applies them for the run's Planner.
Each sitemap named by robots.txt (or found at a usual WordPress place) is a *source* with its
own watermark in the state, moved on only when the run finishes and every file of the
source it needed was read.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from scrapy import Request
from scrapy.http import Response

from newscrawl.discovery import sitemaps, urls
from newscrawl.state.base import article_key

if TYPE_CHECKING:
    from newscrawl.discovery.planner import Planner

logger = logging.getLogger(__name__)


class SitemapReader:
    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.robots_read = False  # robots.txt's Sitemap: lines taken (or being fetched)
        self.found = False  # a sitemap (index or file) was read this run
        self.read: dict[str, float] = {}  # source -> newest lastmod read
        self.failed_sources: set[str] = set()

    def _key(self, source: str) -> str:
        """A watermark per source and language: a zh-tw run takes in what a zh-cn run did not."""
        return f"{source} {self.planner.spider.language}"

    def robots_request(self) -> Request:
        self.robots_read = True
        parts = urlsplit(self.planner.spider.start_urls[0])
        robots = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        return self.planner.spider.request_for(robots, kind="robots")

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Scrapy's robots.txt middleware read the file: take its `Sitemap:` lines."""
        protego = getattr(robotparser, "rp", None)  # ROBOTSTXT_PARSER's default, Protego
        listed = getattr(protego, "sitemaps", None)
        if (self.robots_read or not self.planner.use_sitemaps or listed is None
                or not urls.on_hosts(request.url, self.planner.spider.allowed_domains)):
            return  # another parser: the spider reads robots.txt itself at the next idle
        self.robots_read = True
        parts = urlsplit(request.url)
        base = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        assert self.planner.crawler.engine is not None
        for sitemap in self._sitemaps_named([urljoin(base, url) for url in listed], base):
            self.planner.crawler.engine.crawl(sitemap)

    def on_robots(self, body: bytes | None, url: str) -> list[Request]:
        """robots.txt as the spider read it (None: it could not)."""
        return self._sitemaps_named(sitemaps.from_robots(body or b"", url), url)

    def _sitemaps_named(self, named: list[str], robots_url: str) -> list[Request]:
        """The sitemaps robots.txt names on the run's hosts; else the usual places."""
        named = [u for u in dict.fromkeys(named)
                 if urls.on_hosts(u, self.planner.spider.allowed_domains)]
        candidates = named or sitemaps.well_known(robots_url)
        # A source an earlier run took in: the site has sitemaps even if another worker of
        # a Redis round is the one reading them this time.
        self.found = self.found or any(
            self.planner.state.watermark(self._key(u)) is not None for u in candidates)
        if named:
            return [self._sitemap(u, u) for u in named]
        return [self._sitemap(candidates[0], candidates[0], fallbacks=candidates[1:])]

    def _sitemap(self, url: str, source: str, fallbacks: list[str] | None = None) -> Request:
        request = self.planner.spider.request_for(url, kind="sitemap")
        request.meta.update(sitemap_source=source, fallbacks=fallbacks or [])
        return request

    def on_sitemap(self, response: Response) -> list[Request]:
        source = response.meta["sitemap_source"]
        kind, entries = sitemaps.read(sitemaps.body_of(response.body))
        if kind not in ("sitemapindex", "urlset"):
            return self.on_sitemap_error(response.request, "not a sitemap")
        self.found = True
        # refresh=1 fetches every known article again: the whole of every sitemap.
        watermark = (None if self.planner.refresh
                     else self.planner.state.watermark(self._key(source)))
        if kind == "sitemapindex":
            return [self._sitemap(entry.loc, source)
                    for entry in sitemaps.newer(entries, watermark)
                    if sitemaps.lists_posts(entry.loc)
                    and urls.on_hosts(entry.loc, self.planner.spider.allowed_domains)]
        out = []
        for entry in sitemaps.newer(entries, watermark):
            if entry.lastmod is not None:
                self.read[source] = max(self.read.get(source, entry.lastmod), entry.lastmod)
            url = urls.canonical(urls.in_language(entry.loc, self.planner.spider.language))
            ref = urls.article_ref(url)
            if ref is None or not self.planner.spider.covers(url):
                continue
            key = article_key(ref.language, ref.article_id)
            known = self.planner.state.lookup(key)
            taken = self.planner.state.article_lastmod(key) if known is not None else None
            verdict = sitemaps.wants(known.status if known else None, entry.lastmod, taken)
            if verdict is None and self.planner.refresh and known is not None:
                verdict = "recheck"
            if verdict is not None:
                self.planner.stats.inc_value(f"newscrawl/sitemap/{verdict}")
                request = self.planner.spider.request_for(url, lastmod=entry.lastmod,
                                                          recheck=verdict == "recheck")
                request.meta["sitemap_source"] = source
                out.append(request)
        return out

    def article_failed(self, request: Request, status: int | None) -> None:
        """An edited article a sitemap sent could not be fetched (5xx, challenge, network).

        Its source's watermark stays, so the next run sees the edit again. A new article
        needs no such care (it stays pending in the state); a 404 or 410 is a deleted post.
        """
        source = request.meta.get("sitemap_source")
        if source is not None and request.meta.get("recheck") and status not in (404, 410):
            self.failed_sources.add(source)

    def on_sitemap_error(self, request: Request | None, why: str) -> list[Request]:
        """A sitemap that could not be read: try the next usual place, or give it up."""
        if request is None:
            return []
        fallbacks = request.meta.get("fallbacks") or []
        if fallbacks:
            return [self._sitemap(fallbacks[0], fallbacks[0], fallbacks=fallbacks[1:])]
        source = request.meta.get("sitemap_source")
        if source is not None and source != request.url:
            # Part of a sitemap failed: its watermark must not move past what was not read.
            self.failed_sources.add(source)
            logger.warning("sitemap %s unreadable (%s); its watermark stays", request.url, why)
        else:
            logger.info("no sitemap at %s (%s)", request.url, why)
        return []

    def commit(self) -> None:
        """The run finished: move each fully read source's watermark on."""
        state = self.planner.state
        for source, newest in self.read.items():
            if source not in self.failed_sources:
                old = state.watermark(self._key(source))
                state.set_watermark(self._key(source), max(newest, old or newest))
