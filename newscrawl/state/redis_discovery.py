"""The discovery part of RedisState: listing schedule, sitemap watermarks, article lastmod.

Keys, beside those of newscrawl.state.redis:
    <ns>:listings:due        zset  listing URL -> POSIX time it is due
    <ns>:listings:interval   hash  listing URL -> revisit interval in seconds (0: never visited)
    <ns>:watermarks          hash  sitemap source -> newest lastmod taken in (POSIX seconds)
    <ns>:lm:<language>:<id // 100>  hash  id % 100 -> lastmod of the version held, seconds

Claiming due listings is one Lua script, so two workers of a round never get the same one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from newscrawl.state.base import Schedule

if TYPE_CHECKING:
    from newscrawl.state.redis_link import RedisLink

BUCKET = 100

# KEYS: due zset. ARGV: now, limit, lease. Most overdue first (lowest score); ties by URL.
_CLAIM_DUE = """
local urls = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, url in ipairs(urls) do
  redis.call('ZADD', KEYS[1], ARGV[1] + ARGV[3], url)
end
return urls"""
# KEYS: due zset, interval hash. ARGV: url, due, interval. Returns 1 if the listing was new.
_DISCOVER = """
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
  return 1
end
return 0"""


class RedisDiscovery:
    """Mixed into RedisState: needs its `link`."""

    link: RedisLink

    def _init_discovery(self) -> None:
        client = self.link.client
        self._due = self.link.key("listings", "due")
        self._interval = self.link.key("listings", "interval")
        self._watermarks = self.link.key("watermarks")
        self._claim_due = client.register_script(_CLAIM_DUE)
        self._discover = client.register_script(_DISCOVER)

    def _lastmod_field(self, key: str) -> tuple[str, str]:
        language, _, article_id = key.rpartition(":")
        if article_id.isdigit():
            number = int(article_id)
            return self.link.key("lm", language, str(number // BUCKET)), str(number % BUCKET)
        return self.link.key("lm", language, "s"), article_id

    def listing_schedule(self, url: str) -> Schedule | None:
        def read() -> Any:
            pipe = self.link.client.pipeline(transaction=False)
            pipe.zscore(self._due, url)
            pipe.hget(self._interval, url)
            return pipe.execute()

        due, interval = self.link.run(read)
        return None if due is None else Schedule(float(due), float(interval or 0))

    def schedule_listing(self, url: str, schedule: Schedule) -> None:
        def write() -> None:
            pipe = self.link.client.pipeline(transaction=True)
            pipe.zadd(self._due, {url: schedule.due})
            pipe.hset(self._interval, url, repr(schedule.interval))
            pipe.execute()

        self.link.run(write)

    def discover_listing(self, url: str, schedule: Schedule) -> bool:
        return bool(self.link.run(lambda: self._discover(
            keys=[self._due, self._interval],
            args=[url, repr(schedule.due), repr(schedule.interval)])))

    def count_due_listings(self, now: float) -> int:
        return int(self.link.run(lambda: self.link.client.zcount(self._due, "-inf", now)))

    def claim_due_listings(self, now: float, limit: int, lease: float) -> list[str]:
        if limit <= 0:
            return []
        claimed = self.link.run(lambda: self._claim_due(
            keys=[self._due], args=[repr(now), limit, repr(lease)]))
        return [url.decode() for url in claimed]

    def watermark(self, source: str) -> float | None:
        value = self.link.run(lambda: self.link.client.hget(self._watermarks, source))
        return None if value is None else float(value)

    def set_watermark(self, source: str, value: float) -> None:
        self.link.run(lambda: self.link.client.hset(self._watermarks, source, repr(value)))

    def article_lastmod(self, key: str) -> float | None:
        bucket, field = self._lastmod_field(key)
        value = self.link.run(lambda: self.link.client.hget(bucket, field))
        return None if value is None else float(value)

    def set_article_lastmod(self, key: str, value: float) -> None:
        bucket, field = self._lastmod_field(key)
        # Whole seconds, rounded up (a lastmod has no finer grain; short values keep listpacks
        # small): rounding down would make a fetch time look older than its own lastmod.
        self.link.run(lambda: self.link.client.hset(bucket, field, str(math.ceil(value))))
