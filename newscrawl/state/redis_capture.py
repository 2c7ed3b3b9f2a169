"""The capture and quality part of RedisState: WARC payload digests and per-run figures.

Keys, beside those of newscrawl.state.redis:
    <ns>:captured   hash  WARC payload digest -> "<WARC-Date> <URI>" (revisit records)
    <ns>:runs       list  JSON figures of the newest runs, newest first (markup drift)
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from newscrawl.state.base import RUNS_KEPT, Captured, RunQuality

if TYPE_CHECKING:
    from newscrawl.state.redis_link import RedisLink


class RedisCaptureQuality:
    """Mixed into RedisState: needs its `link`."""

    link: RedisLink

    def _init_capture_quality(self) -> None:
        self._captured = self.link.key("captured")
        self._runs = self.link.key("runs")

    def captured(self, digest: str) -> Captured | None:
        value = self.link.run(lambda: self.link.client.hget(self._captured, digest))
        if value is None:
            return None
        date, _, uri = value.decode().partition(" ")
        return Captured(uri, date)

    def record_captured(self, digest: str, uri: str, date: str) -> None:
        self.link.run(lambda: self.link.client.hsetnx(self._captured, digest, f"{date} {uri}"))

    def record_run_quality(self, quality: RunQuality) -> None:
        def write() -> None:
            pipe = self.link.client.pipeline(transaction=True)
            pipe.lpush(self._runs, json.dumps(dataclasses.asdict(quality)))
            pipe.ltrim(self._runs, 0, RUNS_KEPT - 1)
            pipe.execute()

        self.link.run(write)

    def recent_run_quality(self, limit: int) -> list[RunQuality]:
        values = self.link.run(lambda: self.link.client.lrange(self._runs, 0, limit - 1))
        return [RunQuality(**json.loads(value)) for value in values]
