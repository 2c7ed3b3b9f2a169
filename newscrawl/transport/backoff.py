"""Honour ``Retry-After`` on 429 and 503: no request to that host until the time is up.

Scrapy has no support for it: RetryMiddleware retries a 429 at once, which is what gets a
crawler banned. This downloader middleware, placed just after RetryMiddleware's response
hook (so it sees a 429/503 first), reads ``Retry-After`` (delay-seconds or an HTTP-date,
RFC 9110 10.2.3) and

- when the wait is at most NEWSCRAWL_RETRY_AFTER_MAX seconds: holds every request to that
  host (in its process_request) until the time is up, and retries the answered one then,
  within RETRY_TIMES like any retry;
- when it is longer: gives the request up (refusals.BackoffExceeded, counted as
  ``backoff_exceeded``) and every later request to that host for the rest of the run;
  the next run tries again.

A 429/503 without ``Retry-After`` is left to RetryMiddleware. AutoThrottle keeps adjusting
the delay from latencies; this only adds the waits the server asks for. Written here rather
than taken from a package: no maintained Scrapy middleware for it was found.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from newscrawl.run.config import setting
from newscrawl.transport.refusals import BackoffExceeded

logger = logging.getLogger(__name__)

BACKOFF_STATUSES = (429, 503)


def retry_after_seconds(value: bytes | str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value at time ``now`` (aware); None if unusable.

    ``120`` -> 120.0; ``Wed, 21 Oct 2026 07:28:00 GMT`` -> seconds from ``now`` (0 if past).
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _server_now(response: Response) -> dt.datetime:
    """The server's clock (its Date header) when it has one: an HTTP-date is on that clock."""
    date = response.headers.get("Date")
    if date:
        try:
            when = parsedate_to_datetime(date.decode("latin-1"))
            return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
        except (TypeError, ValueError, IndexError):
            pass
    return dt.datetime.now(dt.timezone.utc)


async def _sleep(seconds: float) -> None:
    waiting: Deferred[None] = Deferred()
    call_later(seconds, waiting.callback, None)
    await maybe_deferred_to_future(waiting)


class RetryAfterMiddleware:
    """Per-host waits asked for by ``Retry-After`` (see the module)."""

    def __init__(self, crawler: Crawler, max_wait: float) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_wait = max_wait
        self._until: dict[str, float] = {}  # host -> time.monotonic() when it may be asked
        self._closed: dict[str, str] = {}  # host -> why it is not asked again this run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        # 300 s by default: a cron run every 30 min can afford a few such waits.
        max_wait = float(setting(crawler.settings, "NEWSCRAWL_RETRY_AFTER_MAX"))
        if max_wait <= 0:
            raise NotConfigured("NEWSCRAWL_RETRY_AFTER_MAX is 0: Retry-After is not honoured")
        return cls(crawler, max_wait)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlparse_cached(request).hostname or ""
        if host in self._closed:
            raise BackoffExceeded(f"{request.url}: not asked, {self._closed[host]}")
        wait = self._until.get(host, 0.0) - time.monotonic()
        if wait > 0:
            await _sleep(wait)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        if response.status not in BACKOFF_STATUSES:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"), _server_now(response))
        if wait is None:
            return response
        host = urlparse_cached(request).hostname or ""
        if wait > self.max_wait:
            why = (f"{host} answered {response.status} with Retry-After {wait:.0f} s, more than"
                   f" NEWSCRAWL_RETRY_AFTER_MAX ({self.max_wait:.0f} s): given up for this run")
            self._closed.setdefault(host, why)  # logged with the URL by the spider's errback
            raise BackoffExceeded(f"{request.url}: {why}")
        retry = get_retry_request(request, spider=self.crawler.spider,
                                  reason=f"retry_after_{response.status}")
        if retry is None:
            return response  # retries used up: counted as http_429/http_503 by the spider
        self._until[host] = max(self._until.get(host, 0.0), time.monotonic() + wait)
        self.stats.inc_value("newscrawl/backoff/waits")
        self.stats.inc_value("newscrawl/backoff/seconds", round(wait))
        logger.info("%s answered %s with Retry-After %s: no request to %s for %.1f s",
                    request.url, response.status,
                    response.headers.get("Retry-After", b"").decode("latin-1"), host, wait)
        return retry
