"""A worker's one connection to the shared Redis: key names, worker id, Redis going away.

`RedisLink` is what every Redis-backed part of a run talks through (newscrawl.state.redis,
redis_discovery, redis_capture, and the frontier of newscrawl.distribution). When Redis goes
away the run fails with exit status 5, once; later calls raise at once, so a dead server costs
one timeout, not one per article.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from newscrawl.run.config import setting
from newscrawl.run.errors import FrontierError
from newscrawl.run.runtime import fail_run

T = TypeVar("T")
LAYOUT = "1"  # the layout version of the keys, kept under <ns>:layout


class FrontierLost(FrontierError, CloseSpider):
    """What every Redis call raises once Redis is lost.

    A CloseSpider raised while a response is processed makes Scrapy close the spider (which
    fail_run already does) instead of logging a long traceback for every page in flight.
    """

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.reason = FrontierError.reason


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (
        f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisLink:
    """This worker's connection to the shared frontier."""

    def __init__(self, crawler: Crawler, client: redis.Redis, url: str, namespace: str,
                 worker_ttl: float) -> None:
        self.crawler = crawler
        self.client = client
        self.url = redact(url)
        self.namespace = namespace
        self.host = socket.gethostname()
        # Unique even for two workers of one host started in the same second.
        self.worker = f"{self.host}:{os.getpid()}:{secrets.token_hex(3)}"
        self.worker_ttl = worker_ttl
        self.lost: FrontierError | None = None
        self.created = False  # this worker found no keys under the namespace: a new state

    @classmethod
    def connect(cls, crawler: Crawler, url: str) -> RedisLink:
        settings = crawler.settings
        prefix = setting(settings, "NEWSCRAWL_REDIS_PREFIX")
        spider = crawler.spider.name if crawler.spider else crawler.spidercls.name
        if any(c in prefix for c in "% \t\n"):  # scrapy-redis %-formats its key names
            raise FrontierError(f"NEWSCRAWL_REDIS_PREFIX={prefix!r}: no '%' or spaces")
        timeout = setting(settings, "NEWSCRAWL_REDIS_TIMEOUT")
        ttl = setting(settings, "NEWSCRAWL_REDIS_WORKER_TTL")
        try:
            # Short timeouts and two quick retries: a blip is ridden out, a dead server is
            # noticed within seconds (redis-py's default retries 10 times with backoff).
            client = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout,
                retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2))
            link = cls(crawler, client, url, f"{prefix}:{spider}", ttl)
            client.ping()
            link.created = bool(client.setnx(link.key("layout"), LAYOUT))
            layout = client.get(link.key("layout"))
        except (redis.RedisError, ValueError) as exc:
            raise FrontierError(
                f"cannot reach Redis at {redact(url)} (NEWSCRAWL_REDIS_URL): {exc}") from None
        if layout != LAYOUT.encode():
            raise FrontierError(f"the Redis keys under {link.namespace} were written by a newer"
                                f" newscrawl (layout {layout!r}); use another prefix or update")
        link.touch()
        return link

    def touch(self) -> None:
        """Say this worker is alive for worker_ttl more seconds (its outputs are in use)."""
        self.run(lambda: self.client.set(self.key("alive", self.worker), "1",
                                         px=int(self.worker_ttl * 1000)))

    def key(self, *parts: str) -> str:
        return ":".join((self.namespace, *parts))

    def run(self, call: Callable[[], T]) -> T:
        """One Redis exchange; a failure fails the run (once) and raises FrontierError."""
        if self.lost is not None:
            # A fresh exception each time: re-raising one instance grows its traceback.
            raise FrontierLost(str(self.lost))
        try:
            return call()
        except redis.RedisError as exc:
            raise FrontierLost(str(self.fail(exc))) from None  # the message names the cause

    def fail(self, exc: BaseException) -> FrontierError:
        if self.lost is None:
            self.lost = FrontierError(
                f"lost the Redis frontier at {self.url} ({exc}); this worker stops, and"
                " articles it did not export stay pending for the next run")
            fail_run(self.crawler, self.lost)
        return self.lost

    def close(self) -> None:
        if self.lost is None:
            with contextlib.suppress(redis.RedisError):  # else the key expires by itself
                self.client.delete(self.key("alive", self.worker))
        self.client.close()
