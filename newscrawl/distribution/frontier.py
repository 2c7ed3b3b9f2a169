"""Distributed crawling on Redis: the switch, and what scrapy-redis does not do for us.

With NEWSCRAWL_REDIS_URL set (setting or environment variable), `RedisFrontierAddon` puts the
crawl on scrapy-redis: its Scheduler, PriorityQueue and RFPDupeFilter (made to use our request
fingerprinter: one fetch per post id). Unset, the add-on does nothing and nothing imports
redis-py or scrapy-redis: the single-machine default costs what it did. Added here:
- rounds. scrapy-redis' queue and dupefilter live forever (SCHEDULER_PERSIST) or are wiped by
  the first worker to close, so N workers of a cron round could not share them, nor the next
  round start afresh. Each round has its own keys; a worker joins the current round while a
  worker of it lives; the last one out deletes them, or the next to start if all died.
- ending: a worker closes once the round's queue has been empty and no worker has had work
  for NEWSCRAWL_REDIS_IDLE_SECONDS (default 5); scrapy-redis idles forever.
- liveness and failure: heartbeats (NEWSCRAWL_REDIS_WORKER_TTL, default 15 s: a worker
  silent that long is dead); a Redis failure fails the run with exit status 5.
Other settings: NEWSCRAWL_REDIS_PREFIX ("newscrawl"), NEWSCRAWL_REDIS_TIMEOUT (5 s a call),
NEWSCRAWL_REDIS_ROUND_TTL (86400 s: a round's keys expire that long after its last heartbeat,
whatever became of its workers).

The round scripts and the keys of a round: newscrawl.distribution.rounds.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call

from newscrawl.discovery import urls
from newscrawl.discovery.postids import post_ids
from newscrawl.distribution import rounds, serializer
from newscrawl.distribution.serializer import Refused
from newscrawl.run.config import setting
from newscrawl.run.errors import FrontierError
from newscrawl.run.places import default_feed_uri
from newscrawl.state.keeper import redis_url, state_of

if TYPE_CHECKING:
    from newscrawl.state.redis_link import RedisLink

logger = logging.getLogger(__name__)
T = TypeVar("T")
ROUND_PAGES_STAT = "newscrawl/redis/round_pages_ok"  # pages read by all workers of the round

class RedisFrontierAddon:
    """Listed in ADDONS: switches the crawl to the shared frontier when a Redis URL is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        # Key names come from NEWSCRAWL_REDIS_PREFIX, not from SCHEDULER_QUEUE_KEY and its
        # kin: the round scripts above must know them.
        settings.set("SCHEDULER", "newscrawl.distribution.frontier.RoundScheduler", "addon")
        settings.set("DUPEFILTER_CLASS",
                     "newscrawl.distribution.frontier.FingerprintDupeFilter", "addon")
        # We delete a round's keys ourselves; scrapy-redis would on every worker's close.
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("REDIS_URL", url, "addon")  # for scrapy-redis' helpers, if anyone uses them
        settings.set_in_component_priority_dict("EXTENSIONS", RedisFrontier, 20)
        default, feeds = default_feed_uri(settings), settings.getdict("FEEDS")
        if default and list(feeds) == [default]:
            # Workers of one machine start in the same second: one default file each, not one
            # file (named by the second) that they would all append to.
            stem, dot, suffix = default.rpartition(".")
            worker = f"{socket.gethostname()}-{os.getpid()}".replace("%", "%%")
            unique = f"{stem}-{worker}{dot}{suffix}" if dot else f"{default}-{worker}"
            settings.set("FEEDS", {unique: feeds[default]}, settings.getpriority("FEEDS"))


@functools.cache
def _dupefilter_class() -> type:
    from scrapy_redis.dupefilter import RFPDupeFilter

    class FingerprintDupeFilter(RFPDupeFilter):
        """scrapy-redis' SADD dupefilter, keyed by crawler.request_fingerprinter.

        RFPDupeFilter hashes method, canonical URL and body itself, so a post reached under
        two categories would be fetched twice; our fingerprinter names it by post id.
        """

        def __init__(self, server: Any, key: str, fingerprinter: Any, debug: bool) -> None:
            super().__init__(server, key, debug)
            self.fingerprinter = fingerprinter
            # What this worker already knows is in the set: each page links ~25 known pages,
            # and asking Redis for each cost more than all the rest of the dupefilter. Posts
            # by id in bitmaps (a few bytes each, not ~70 a fingerprint: 2M posts a round).
            self.known: set[bytes] = set()
            self.known_posts: dict[str, Any] = {}  # language -> post ids (postids.post_ids)

        def request_fingerprint(self, request: Request) -> bytes:
            return self.fingerprinter.fingerprint(request)  # 20 raw bytes: half of hex

        def request_seen(self, request: Request) -> bool:
            ref = urls.article_ref(request.url)
            posts = None if ref is None else self.known_posts.setdefault(ref.language, post_ids())
            fingerprint = self.request_fingerprint(request)
            if (fingerprint in self.known if posts is None
                    else int(ref.article_id) in posts):  # type: ignore[union-attr]
                return True
            seen = self.server.sadd(self.key, fingerprint) == 0
            if posts is None:
                self.known.add(fingerprint)
            else:
                posts.add(int(ref.article_id))  # type: ignore[union-attr]
            return seen

        def close(self, reason: str = "") -> None:
            pass  # the round's last worker deletes the key, not each worker

    return FingerprintDupeFilter


def __getattr__(name: str) -> Any:
    # DUPEFILTER_CLASS names it; built on first use, so scrapy-redis loads only when used.
    if name == "FingerprintDupeFilter":
        return _dupefilter_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class RoundScheduler:
    """scrapy-redis' Scheduler on this round's keys; a failing Redis fails the run."""

    def __init__(self, frontier: RedisFrontier, inner: Any, stats: StatsCollector) -> None:
        self.frontier = frontier
        self.inner = inner
        self.link = frontier.link
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RoundScheduler:
        from scrapy_redis.scheduler import Scheduler

        frontier = crawler.get_extension(RedisFrontier)
        if frontier is None:
            raise RuntimeError("RoundScheduler needs the RedisFrontier extension")
        link, round_id = frontier.link, frontier.join()
        dupefilter = _dupefilter_class()(
            link.client, link.key("round", round_id, "dupefilter"),
            crawler.request_fingerprinter, crawler.settings.getbool("DUPEFILTER_DEBUG"))
        # Always a priority queue (a zset): the round scripts count it with ZCARD. Its stats
        # stay None: scrapy-redis passes them spider=, which Scrapy 2.19 warns about.
        inner = Scheduler(link.client, persist=True,
                          queue_key=link.key("round", round_id, "requests"),
                          queue_cls="scrapy_redis.queue.PriorityQueue", dupefilter=dupefilter,
                          serializer=serializer)  # JSON: a pickle in the queue runs nothing
        return cls(frontier, inner, crawler.stats)

    def _guard(self, call: Callable[[], T], default: T) -> T:
        try:
            return self.link.run(call)
        except FrontierError:
            return default  # the run is failing already; unexported articles stay pending

    def open(self, spider: Any) -> None:
        self.link.run(lambda: self.inner.open(spider))

    def close(self, reason: str) -> None:
        pass  # persisted: RedisFrontier leaves the round, the last worker deletes its keys

    def enqueue_request(self, request: Request) -> bool:
        queued = self._guard(lambda: self.inner.enqueue_request(request), False)
        if queued:
            self.stats.inc_value("scheduler/enqueued/redis")
        return queued

    def next_request(self) -> Request | None:
        request = self._guard(self._pop, None)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _pop(self) -> Request | None:
        try:
            request = self.inner.next_request()
        except Refused as exc:  # already taken off the queue: dropped, never run
            self.stats.inc_value("newscrawl/redis/refused")
            logger.error("refused a queue entry of %s: %s", self.inner.queue.key, exc)
            return None
        if request is not None:
            # Busy from the moment the queue may be empty: else another worker could see an
            # empty queue and nobody busy, and end the round under our feet.
            self.frontier.script(rounds.BUSY, self.frontier.round, self.link.worker)
        return request

    def has_pending_requests(self) -> bool:
        return self._guard(self.inner.has_pending_requests, False)


class RedisFrontier:
    """Joins a round, heartbeats, keeps the spider open while the round has work, leaves."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.idle = setting(crawler.settings, "NEWSCRAWL_REDIS_IDLE_SECONDS")
        self.round_ttl = setting(crawler.settings, "NEWSCRAWL_REDIS_ROUND_TTL")
        self.round: str | None = None
        self.done = False
        self._link: RedisLink | None = None
        self._scripts: dict[str, Any] = {}
        self._loop: Any = None
        self._pages_sent = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisFrontier:
        return cls(crawler)

    @property
    def link(self) -> RedisLink:
        if self._link is None:  # the StateKeeper opened it: one connection per worker
            self._link = getattr(state_of(self.crawler), "link", None)
            if self._link is None:
                raise RuntimeError("the Redis frontier needs the Redis state")
        return self._link

    def script(self, source: str, round_id: str | None, *args: object) -> Any:
        if source not in self._scripts:
            self._scripts[source] = self.link.client.register_script(source)
        return self._scripts[source](args=[self.link.namespace, round_id or "", *args])

    def join(self) -> str:
        """This worker's round: the current one, or a new one if no worker of it lives."""
        if self.round is not None:
            return self.round
        import redis

        link = self.link
        fresh = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)
        # A finished round empties within about IDLE seconds (plus TTL if a worker died).
        deadline = time.monotonic() + 3 * self.idle + 2 * link.worker_ttl
        while True:
            try:
                status, current = self.script(rounds.JOIN, fresh, link.worker, link.worker_ttl,
                                              self.round_ttl, int(time.monotonic() > deadline))
            except redis.RedisError as exc:
                raise FrontierError(f"cannot join a round on Redis at {link.url}: {exc}"
                                    ) from None
            if status == b"joined":
                break
            logger.info("round %s is ending; waiting to start the next one", current.decode())
            time.sleep(0.2)  # at start-up: nothing else runs in this worker yet
        self.round = current.decode()
        logger.info("worker %s in round %s of %s", link.worker, self.round, link.namespace)
        return self.round

    def spider_opened(self) -> None:
        self._loop = create_looping_call(self._beat)
        self._loop.start(min(1.0, self.idle / 4, self.link.worker_ttl / 3), now=True)

    def _busy(self) -> bool:
        engine = self.crawler.engine
        try:
            return engine is not None and not engine.spider_is_idle()
        except RuntimeError:  # no slot: the spider is closing
            return False

    def _beat(self) -> None:
        link, stats = self.link, self.crawler.stats
        if link.lost is not None or self.round is None or stats is None:
            return
        pages = stats.get_value("newscrawl/pages_ok", 0)
        try:
            dropped, queued, quiet, done, round_pages = link.run(lambda: self.script(
                rounds.HEARTBEAT, self.round, link.worker, int(self._busy()), self.idle,
                link.worker_ttl, self.round_ttl, pages - self._pages_sent))
        except FrontierError:
            return
        except Exception as exc:  # a bug here must fail the run, not keep it open forever
            logger.exception("heartbeat failed")
            link.fail(exc)
            return
        self._pages_sent = pages
        # Read by the run report: a worker handed no page is not "a site it could not read".
        stats.set_value(ROUND_PAGES_STAT, round_pages)
        if dropped:
            link.fail(RuntimeError(
                "this worker missed its heartbeats for longer than NEWSCRAWL_REDIS_WORKER_TTL"
                " and its round was ended without it"))
        elif done and not self.done:
            self.done = True
            logger.info("round %s: no request queued and no worker busy for %.1fs; closing",
                        self.round, float(quiet))
        if queued or self.done:
            # The engine polls an idle scheduler only every 5 s, and Scrapy has no public way
            # to wake it: without this an idle worker would take queued work up to 5 s late.
            nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
            if nextcall is not None:
                nextcall.schedule()

    def spider_idle(self) -> None:
        if self.done or (self._link is not None and self._link.lost is not None):
            return  # let the engine close the spider
        raise DontCloseSpider  # another worker may still add requests to the round

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        link = self._link
        if self.round is None or link is None or link.lost is not None:
            return
        try:
            leave = (rounds.LEAVE, self.round, link.worker, link.worker_ttl)
            if link.run(lambda: self.script(*leave)):
                logger.info("last worker out of round %s: deleted its queue and dupefilter",
                            self.round)
        except FrontierError:
            pass  # already reported; the round's keys expire by themselves
