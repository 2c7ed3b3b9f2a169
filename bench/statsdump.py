"""A stats collector that leaves the crawl's stats, peak RSS and CPU time in a JSON file.

Both spiders of the benchmark run with it (``-s STATS_CLASS=bench.statsdump.DumpingStats
-s BENCH_STATS_FILE=...``), so both are measured the same way and from the inside: the
kernel's high-water mark of the crawl process's resident set (no polling gaps) and its CPU
time, taken when the spider closes, after the feed exporter has closed its file.

The high-water mark is the process's own (`VmHWM` in /proc/self/status), not `ru_maxrss`:
Linux keeps `ru_maxrss` across fork and exec, so a crawl started by a parent that had grown
reports the parent's peak. `python -m bench.reparse`, which builds the copy in its own
process, showed it: a reparse of 60,000 captures peaked at 106.0 MiB, its `ru_maxrss` said
128.3 (the parent's, having built a 60,000-post copy). `ru_maxrss` remains the fallback
where there is no /proc.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import MemoryStatsCollector

SETTING = "BENCH_STATS_FILE"


def vm_hwm_bytes(pid: int | str = "self") -> int | None:
    """The kernel's high-water mark of a process's resident set (Linux), or None once it is
    gone or where there is no /proc."""
    try:
        with Path(f"/proc/{pid}/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # "VmHWM:  123456 kB"
    except (OSError, ValueError):
        return None
    return None


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
        dump["bench/max_rss_bytes"] = vm_hwm_bytes() or usage.ru_maxrss * 1024  # KiB on Linux
        dump["bench/cpu_seconds"] = usage.ru_utime + usage.ru_stime
        Path(self._target).write_text(json.dumps(dump, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
