"""A run's reading of sitemaps: robots.txt, the indexes, the files, the watermarks.

The rules are newscrawl.discovery.sitemaps (pure); this applies them for a run. It knows the
run's Scope, its RequestFactory and the crawler (and the state), not the spider nor the
planner: it returns the requests it wants sent (the spider sends them), and says when the site
has sitemaps through the `found` callback given (the planner's `sitemaps_found`).

Each sitemap robots.txt names (or a usual WordPress place) is a *source* with a watermark in
the state, moved on only when the run finishes having read every file of it that it needed.

An index's files are read one at a time as the frontier drains (the next one when fewer than
NEWSCRAWL_SITEMAP_LOW_WATER requests wait in the scheduler, or at an idle moment): the
scheduler holds one file's articles (1,000 on the real site), not the site's 2M.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from newscrawl.discovery import sitemaps, urls
from newscrawl.discovery.backlog import waiting as frontier_waiting
from newscrawl.discovery.requests import (
    FALLBACKS_META,
    RECHECK_META,
    SOURCE_META,
    RequestFactory,
    Scope,
)
from newscrawl.discovery.revisits import Revisits
from newscrawl.run import signals as newscrawl_signals
from newscrawl.run import sitestats
from newscrawl.run.config import setting
from newscrawl.state.base import State, article_key
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)

QUEUED_META = "newscrawl_sitemap_queued"  # a file of an index, read in its turn (_next_file)


class SitemapReader:
    """The sitemaps of one run (NEWSCRAWL_SITEMAPS; NEWSCRAWL_REFRESH reads them whole).

    found: called (no arguments) once the site is known to have sitemaps."""

    def __init__(self, scope: Scope, requests: RequestFactory, crawler: Crawler,
                 state: State | None = None, found: Callable[[], None] | None = None,
                 watch: Revisits | None = None) -> None:
        self.scope = scope
        self.requests = requests
        self.crawler = crawler
        self._state = state
        self._found = found
        self.watch = watch  # the removal ledger's watch over post sitemap files (issue 19)
        settings = crawler.settings
        self.enabled = setting(settings, "NEWSCRAWL_SITEMAPS")
        self.refresh = setting(settings, "NEWSCRAWL_REFRESH")
        self.robots_read = False  # robots.txt's Sitemap: lines taken (or being fetched)
        self.found = False  # the site has sitemaps (one read this run, or a watermark kept)
        self.read: dict[str, float] = {}  # source -> newest lastmod read
        self.failed_sources: set[str] = set()
        self.low_water = setting(settings, "NEWSCRAWL_SITEMAP_LOW_WATER")
        self.backlog: deque[tuple[str, str]] = deque()  # (file URL, source) not read yet
        self.reading = 0  # sitemap files requested and not answered yet
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.robots_failed, signal=newscrawl_signals.robots_failed)
        crawler.signals.connect(self.request_reached_downloader,
                                signal=signals.request_reached_downloader)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = state_of(self.crawler)
        return self._state

    def _has_sitemaps(self) -> None:
        if not self.found:
            self.found = True
            if self._found is not None:
                self._found()

    def _key(self, source: str) -> str:
        """A watermark per source and language: a zh-tw run takes in what a zh-cn run did not."""
        return f"{source} {self.scope.language}"

    def first_requests(self) -> list[Request]:
        """robots.txt, unless Scrapy's robots.txt middleware reads it (ROBOTSTXT_OBEY): its
        `Sitemap:` lines then arrive with the robots_parsed signal, and it is not fetched twice."""
        if self.enabled and not self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            return [self.robots_request()]
        return []

    def idle_requests(self) -> list[Request]:
        """At an idle moment: robots.txt, if the middleware did not read it; else the next
        sitemap file not read yet ([] when every one is read)."""
        if self.enabled and not self.robots_read:
            return [self.robots_request()]
        return self._next_file(idle=True)

    def _next_file(self, idle: bool = False, coming: int = 0) -> list[Request]:
        """The next sitemap file's request when the frontier runs low (`coming` requests are
        about to join it); at an idle moment, whatever waits."""
        if not self.backlog or (self.reading and not idle):
            return []
        if not idle:
            waiting = frontier_waiting(self.crawler)
            if waiting is None or waiting + coming >= self.low_water:
                return []
        loc, source = self.backlog.popleft()
        self.reading += 1
        self._count_files()
        request = self.requests.sitemap(loc, source)
        request.meta[QUEUED_META] = True
        return [request]

    def _count_files(self) -> None:
        """Sitemap files still to read (queued or asked), for the run's progress."""
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("newscrawl/sitemap/files_left",
                                     len(self.backlog) + self.reading)

    def request_reached_downloader(self, request: Request, spider: Any = None) -> None:
        """As the frontier drains, the next sitemap file is read."""
        if self.backlog and not self.reading:
            assert self.crawler.engine is not None
            for sitemap in self._next_file():
                self.crawler.engine.crawl(sitemap)

    def robots_request(self) -> Request:
        self.robots_read = True
        return self.requests.robots(self.scope.robots_url)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Scrapy's robots.txt middleware read the file: take its `Sitemap:` lines."""
        protego = getattr(robotparser, "rp", None)  # ROBOTSTXT_PARSER's default, Protego
        listed = getattr(protego, "sitemaps", None)
        if (self.robots_read or not self.enabled or listed is None
                or not urls.on_hosts(request.url, self.scope.hosts)):
            return  # another parser: the spider reads robots.txt itself at the next idle
        self.robots_read = True
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value(sitestats.ROBOTS, "read")
        stats.set_value(sitestats.ROBOTS_SITEMAPS, list(listed))
        parts = urlsplit(request.url)
        base = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        assert self.crawler.engine is not None
        for sitemap in self._sitemaps_named([urljoin(base, url) for url in listed], base):
            self.crawler.engine.crawl(sitemap)

    def robots_failed(self, netloc: str) -> None:
        """The robots.txt middleware could not read robots.txt (retries spent): not fetched
        again this run (issue 17); the sitemaps are looked for at their usual places."""
        if self.robots_read or not self.enabled:
            return
        robots_url = f"http://{netloc}/robots.txt"  # only its host is read
        if not urls.on_hosts(robots_url, self.scope.hosts):
            return
        self.robots_read = True
        assert self.crawler.engine is not None
        for sitemap in self.on_robots(None, self.scope.robots_url):
            self.crawler.engine.crawl(sitemap)

    def on_robots(self, body: bytes | None, url: str) -> list[Request]:
        """robots.txt as the spider read it (None: it could not)."""
        named = sitemaps.from_robots(body or b"", url)
        stats = self.crawler.stats
        assert stats is not None
        if body is not None or stats.get_value(sitestats.ROBOTS) != "read":  # read once: kept
            stats.set_value(sitestats.ROBOTS, "unreadable" if body is None else "read")
            stats.set_value(sitestats.ROBOTS_SITEMAPS, list(named))
        return self._sitemaps_named(named, url)

    def _sitemaps_named(self, named: list[str], robots_url: str) -> list[Request]:
        """The sitemaps robots.txt names on the run's hosts; else the usual places."""
        named = [u for u in dict.fromkeys(named) if urls.on_hosts(u, self.scope.hosts)]
        candidates = named or sitemaps.well_known(robots_url)
        # A source an earlier run took in: the site has sitemaps even if another worker of
        # a Redis round is the one reading them this time.
        if not self.found and any(self.state.watermark(self._key(u)) is not None
                                  for u in candidates):
            self._has_sitemaps()
        if named:
            return [self.requests.sitemap(u, u) for u in named]
        return [self.requests.sitemap(candidates[0], candidates[0], candidates[1:])]

    def on_sitemap(self, response: Response) -> list[Request]:
        """The sub-sitemaps and the articles a sitemap sends (new, or edited since taken)."""
        source = response.meta[SOURCE_META]
        if response.meta.get(QUEUED_META):
            self.reading = max(0, self.reading - 1)  # a file of an index: the next may come
            self._count_files()
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/sitemap/files_read")
        kind, entries = sitemaps.read(sitemaps.body_of(response.body))
        if kind not in ("sitemapindex", "urlset"):
            return self.on_sitemap_error(response.request, "not a sitemap")
        self._has_sitemaps()
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(sitestats.SITEMAP_FILES)
        dated = [entry.lastmod for entry in entries if entry.lastmod is not None]
        if dated:
            stats.max_value(sitestats.SITEMAP_NEWEST, max(dated))
        # refresh=1 fetches every known article again: the whole of every sitemap.
        watermark = None if self.refresh else self.state.watermark(self._key(source))
        if kind == "sitemapindex":
            wanted = [entry.loc for entry in sitemaps.newer(entries, watermark)]
            if self.watch is not None:  # the last week's files, and a share of the others
                wanted += self.watch.files_to_read(entries)
            # Queued, not requested: each is read when the frontier runs low (_next_file).
            self.backlog.extend((loc, source) for loc in dict.fromkeys(wanted)
                                if sitemaps.lists_posts(loc)
                                and urls.on_hosts(loc, self.scope.hosts))
            self._count_files()
            return self._next_file(idle=not self.reading)
        if self.watch is not None:
            self.watch.listed(response.url, [urls.in_language(entry.loc, self.scope.language)
                                             for entry in entries])
        out = []
        for entry in sitemaps.newer(entries, watermark):
            if entry.lastmod is not None:
                self.read[source] = max(self.read.get(source, entry.lastmod), entry.lastmod)
            url = urls.canonical(urls.in_language(entry.loc, self.scope.language))
            ref = urls.article_ref(url)
            if ref is None or not self.scope.covers(url):
                continue
            key = article_key(ref.language, ref.article_id)
            known = self.state.lookup(key)
            taken = self.state.article_lastmod(key) if known is not None else None
            verdict = sitemaps.wants(known.status if known else None, entry.lastmod, taken)
            if verdict is None and self.refresh and known is not None:
                verdict = "recheck"
            if verdict is not None:
                stats.inc_value(f"newscrawl/sitemap/{verdict}")
                out.append(self.requests.article(url, lastmod=entry.lastmod,
                                                 recheck=verdict == "recheck", source=source))
        return out + self._next_file(coming=len(out))

    def article_failed(self, request: Request, status: int | None) -> None:
        """An edited article a sitemap sent could not be fetched (5xx, challenge, network).

        Its source's watermark stays, so the next run sees the edit again. A new article
        needs no such care (it stays pending in the state); a 404 or 410 is a deleted post.
        """
        source = request.meta.get(SOURCE_META)
        if source is not None and request.meta.get(RECHECK_META) and status not in (404, 410):
            self.failed_sources.add(source)

    def on_sitemap_error(self, request: Request | None, why: str) -> list[Request]:
        """A sitemap that could not be read: try the next usual place, or give it up."""
        if request is None:
            return []
        if request.meta.get(QUEUED_META):
            self.reading = max(0, self.reading - 1)
            self._count_files()
        fallbacks = request.meta.get(FALLBACKS_META) or []
        if fallbacks:
            return [self.requests.sitemap(fallbacks[0], fallbacks[0], fallbacks[1:])]
        source = request.meta.get(SOURCE_META)
        if self.watch is not None:
            self.watch.unreadable(request.url)
        if source is not None and source != request.url:
            # Part of a sitemap failed: its watermark must not move past what was not read.
            self.failed_sources.add(source)
            logger.warning("sitemap %s unreadable (%s); its watermark stays", request.url, why)
        else:
            logger.info("no sitemap at %s (%s)", request.url, why)
        return []

    def spider_closed(self, reason: str) -> None:
        """A finished run moves each fully read source's watermark on; another, none."""
        if reason != "finished" or self.backlog:
            return
        for source, newest in self.read.items():
            if source not in self.failed_sources:
                old = self.state.watermark(self._key(source))
                self.state.set_watermark(self._key(source), max(newest, old or newest))
