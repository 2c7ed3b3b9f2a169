"""How far a long run is: exported, known to go, rate, ETA; logged and kept in last-run.json.

A first crawl of the site reads ~2M articles from its sitemaps, one file at a time
(newscrawl.discovery.sitemap_reader): what is known to go is what the files read so far
want and the run has not exported yet, plus the files still unread at the mean of those read.

`Progress` logs a line at INFO every NEWSCRAWL_PROGRESS_INTERVAL seconds (0: never), says
once, when the first sitemap file is read, how many articles the sitemaps hold and how long
that takes at the configured rate, and touches the run's lock file while the run makes
progress: the heartbeat by which a run started meanwhile tells a run still going from a stuck
one (newscrawl.state.keeper.RunLock, docs/cron.md). `progress_figures` gives the same figures
to the run's summary (newscrawl.reporting.report).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from twisted.internet import task

from newscrawl.output.feeds import EXPORTED_STAT
from newscrawl.run.config import setting
from newscrawl.state.keeper import StateKeeper

logger = logging.getLogger(__name__)

# What a sitemap file read this run sends, what the run resumed (newscrawl.discovery), and
# the captures a `scrapy reparse` reads (newscrawl.capture.replay).
RESUMED = ("newscrawl/resumed", "newscrawl/reparse/captures")
WANTED_STATS = ("newscrawl/sitemap/new", "newscrawl/sitemap/recheck", *RESUMED)
FILES_READ_STAT = "newscrawl/sitemap/files_read"
FILES_LEFT_STAT = "newscrawl/sitemap/files_left"
# One article page takes about a second on the live site: AutoThrottle's target concurrency is
# then about the requests per second (2 by default: ~12 days for 2M posts, docs/discovery.md).
LIVE_LATENCY = 1.0


def progress_figures(stats: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Articles exported, known to go, the rate (articles/s over `seconds`) and the ETA (s).

    stats: the run's Scrapy stats; seconds: how long the run has been going. `to_go` and
    `eta_seconds` are None until something is known to go (no sitemap read, nothing resumed).
    """
    exported = int(stats.get(EXPORTED_STAT, 0))
    wanted = sum(int(stats.get(name, 0)) for name in WANTED_STATS)
    files_read, files_left = int(stats.get(FILES_READ_STAT, 0)), int(stats.get(FILES_LEFT_STAT, 0))
    from_sitemaps = wanted - sum(int(stats.get(name, 0)) for name in RESUMED)
    unread = round(files_left * from_sitemaps / files_read) if files_read else 0
    to_go = max(0, wanted - exported) + unread if wanted or unread else None
    rate = exported / seconds if seconds > 0 else 0.0
    eta = round(to_go / rate) if to_go is not None and rate > 0 else None
    return {"exported": exported, "to_go": to_go, "sitemap_files_left": files_left,
            "rate_per_second": round(rate, 2), "eta_seconds": eta}


def expected_rate(settings: BaseSettings) -> float | None:
    """Requests a second the settings allow one site: AutoThrottle's target concurrency at the
    live site's ~1 s latency, else one per DOWNLOAD_DELAY; None: as fast as the server answers."""
    if settings.getbool("AUTOTHROTTLE_ENABLED"):
        return settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") / LIVE_LATENCY
    delay = settings.getfloat("DOWNLOAD_DELAY")
    return 1.0 / delay if delay > 0 else None


def duration(seconds: float) -> str:
    """`seconds` for a person: 3d04h, 2h05m, 4m10s."""
    seconds = int(seconds)
    days, hours, minutes = seconds // 86400, seconds // 3600 % 24, seconds // 60 % 60
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds % 60:02d}s"


class Progress:
    """The extension: a progress line every `interval` seconds, the first estimate, heartbeats."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.announced = False
        self._responses = -1  # at the last heartbeat
        self._loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = setting(crawler.settings, "NEWSCRAWL_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def _stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_stats()

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def response_received(self) -> None:
        """Once the first sitemap file is read: what the sitemaps hold, and how long it takes."""
        stats = self._stats()
        if stats.get(FILES_READ_STAT):
            self.announced = True
            self.crawler.signals.disconnect(self.response_received,
                                            signal=signals.response_received)
            figures = progress_figures(stats, 0.0)
            rate = expected_rate(self.crawler.settings)
            pace = (f"about {duration(figures['to_go'] / rate)} at {rate:g} requests/s"
                    " (the configured politeness)" if rate and figures["to_go"] else
                    "as fast as the site answers")
            logger.info("sitemaps: about %s article(s) to fetch (%d sitemap file(s) left to"
                        " read): %s", f"{figures['to_go'] or 0:,}",
                        figures["sitemap_files_left"], pace)

    def tick(self) -> None:
        stats = self._stats()
        figures = progress_figures(stats, time.monotonic() - self.started)
        to_go = "?" if figures["to_go"] is None else f"{figures['to_go']:,}"
        eta = "?" if figures["eta_seconds"] is None else duration(figures["eta_seconds"])
        logger.info("progress: %s article(s) exported, %s known to go, %.1f/s, ETA %s",
                    f"{figures['exported']:,}", to_go, figures["rate_per_second"], eta)
        responses = int(stats.get("response_received_count", 0))
        if responses != self._responses:  # made progress: the heartbeat
            self._responses = responses
            keeper = self.crawler.get_extension(StateKeeper)
            if keeper is not None:
                keeper.heartbeat()
