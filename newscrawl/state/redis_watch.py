"""The removal-ledger part of RedisState: watched articles, due revisits, claimed events.

Keys, beside those of newscrawl.state.redis:
    <ns>:watch            hash  article key -> its Watch as a short JSON list
    <ns>:watch:due        zset  article key -> when it is due (only those with a revisit)
    <ns>:watch:listed     zset  article key -> last time a sitemap listed it
    <ns>:events           hash  "<article key> <event>" -> worker id that claimed it

Claiming due revisits is one Lua script and claiming an event one HSETNX, so two workers of
a round never refetch one article at once nor report one event twice.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from newscrawl.state.base import Watch

if TYPE_CHECKING:
    from newscrawl.state.redis_link import RedisLink

# KEYS: due zset, watch hash. ARGV: now, limit, lease. Oldest due first; returns key, watch.
_CLAIM_DUE = """
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, key in ipairs(keys) do
  redis.call('ZADD', KEYS[1], ARGV[1] + ARGV[3], key)
  table.insert(out, key)
  table.insert(out, redis.call('HGET', KEYS[2], key) or '')
end
return out"""


def _encode(watch: Watch) -> str:
    return json.dumps([watch.url, watch.published, watch.due, watch.found_by,
                       watch.last_seen_ok, watch.listed, watch.suspect, watch.since,
                       int(watch.removed)], separators=(",", ":"))


def _decode(value: bytes | str) -> Watch:
    *fields, removed = json.loads(value)
    return Watch(*fields, removed=bool(removed))


class RedisWatch:
    """Mixed into RedisState: needs its `link`."""

    link: RedisLink

    def _init_watch(self) -> None:
        self._watch = self.link.key("watch")
        self._watch_due = self.link.key("watch", "due")
        self._watch_listed = self.link.key("watch", "listed")
        self._events = self.link.key("events")
        self._claim_revisits = self.link.client.register_script(_CLAIM_DUE)

    def watched(self, key: str) -> Watch | None:
        value = self.link.run(lambda: self.link.client.hget(self._watch, key))
        return None if value is None else _decode(value)

    def _put(self, pipe: Any, key: str, watch: Watch) -> None:
        pipe.hset(self._watch, key, _encode(watch))
        if watch.due is None:
            pipe.zrem(self._watch_due, key)
        else:
            pipe.zadd(self._watch_due, {key: watch.due})
        if watch.removed or watch.listed is None:
            pipe.zrem(self._watch_listed, key)  # not a candidate: left out of `unlisted`
        else:
            # GT: a later sitemap listing (mark_listed) is not undone by an older copy.
            pipe.zadd(self._watch_listed, {key: watch.listed or 0}, gt=True)

    def watch(self, key: str, watch: Watch) -> None:
        def write() -> None:
            pipe = self.link.client.pipeline(transaction=True)
            self._put(pipe, key, watch)
            pipe.execute()

        self.link.run(write)

    def claim_due_revisits(self, now: float, limit: int, lease: float
                           ) -> list[tuple[str, Watch]]:
        if limit <= 0:
            return []
        flat = self.link.run(lambda: self._claim_revisits(
            keys=[self._watch_due, self._watch], args=[repr(now), limit, repr(lease)]))
        return [(flat[i].decode(), _decode(flat[i + 1])) for i in range(0, len(flat), 2)
                if flat[i + 1]]

    def mark_listed(self, keys: list[str], at: float) -> list[tuple[str, Watch]]:
        def write() -> list[Any]:
            pipe = self.link.client.pipeline(transaction=False)
            for key in keys:
                pipe.zadd(self._watch_listed, {key: at}, xx=True)  # only keys watched there
            pipe.hmget(self._watch, keys)  # the removed ones: not in the listed zset
            return pipe.execute()[-1]

        if not keys:
            return []
        values = self.link.run(write)
        found = {key: watch for key, value in zip(keys, values, strict=True)
                 if value and (watch := _decode(value)).removed}
        return sorted(found.items())

    def unlisted(self, listed_before: float, published_after: float, limit: int
                 ) -> list[tuple[str, Watch]]:
        found: list[tuple[str, Watch]] = []
        start = 0
        while len(found) < limit:
            keys = self.link.run(lambda start=start: self.link.client.zrangebyscore(
                self._watch_listed, "-inf", f"({listed_before!r}", start=start, num=500))
            if not keys:
                break
            start += len(keys)
            values = self.link.run(lambda keys=keys: self.link.client.hmget(self._watch, keys))
            for key, value in zip(keys, values, strict=True):
                watch = _decode(value) if value else None
                if watch is not None and watch.published > published_after:
                    found.append((key.decode(), watch))
        return sorted(found)[:max(0, limit)]

    def claim_event(self, key: str, event: str) -> bool:
        return bool(self.link.run(lambda: self.link.client.hsetnx(
            self._events, f"{key} {event}", self.link.worker)))

    def record_event(self, key: str, watch: Watch, output: str | None, offset: int) -> None:
        def write() -> None:
            pipe = self.link.client.pipeline(transaction=True)
            self._put(pipe, key, watch)
            if output is not None:
                pipe.hset(self.link.key("outputs", self.link.host), output,
                          f"{offset} {self.link.worker}")
            pipe.execute()

        self.link.run(write)
