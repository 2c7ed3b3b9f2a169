"""A stats collector that leaves the crawl's stats, peak RSS and CPU time in a JSON file.

Both spiders of the benchmark run with it (``-s STATS_CLASS=bench.statsdump.DumpingStats
-s BENCH_STATS_FILE=...``), so both are measured the same way and from the inside: the
kernel's high-water mark of the crawl process's resident set (no polling gaps) and its CPU
time, taken when the spider closes, after the feed exporter has closed its file.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import MemoryStatsCollector

SETTING = "BENCH_STATS_FILE"


class DumpingStats(MemoryStatsCollector):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._target = crawler.settings.get(SETTING)

    def _persist_stats(self, stats: dict[str, Any]) -> None:
        super()._persist_stats(stats)
        if not self._target:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        dump = {key: value for key, value in stats.items()
                if isinstance(value, (int, float, str, bool))}
        dump["bench/max_rss_bytes"] = usage.ru_maxrss * 1024  # Linux reports KiB
        dump["bench/cpu_seconds"] = usage.ru_utime + usage.ru_stime
        Path(self._target).write_text(json.dumps(dump, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
