"""One crawl of the benchmark: a `scrapy` subprocess, measured from outside and inside.

Outside: wall time of the whole process (start-up included). Inside (bench.statsdump):
Scrapy's own stats, the crawl time from spider open to close (`elapsed_time_seconds`,
the figure throughput is computed from), CPU time and peak RSS of the crawl process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.plainspider import ARTICLE_PAGES_STAT
from bench.server import ROOT

NULL_SPIDER = ROOT / "bench" / "nullspider.py"
PLAIN_SPIDER = ROOT / "bench" / "plainspider.py"
SITEMAP_SPIDER = ROOT / "bench" / "sitemapspider.py"  # the baseline with --sitemaps
# The kinds of crawl, in the order a repeat runs them (reversed every other repeat).
KINDS = ("full", "plain", "null")

# Politeness off, the same for every spider; everything else as the project sets it
# (CONCURRENT_REQUESTS 16), or as Scrapy does for the plain spider. Concurrency and retries
# as the end-to-end tests run them (tests/crawling.py FAST), quiet logs. robots.txt is
# fetched by all (it is one request, and the project obeys it).
SETTINGS = {
    "ROBOTSTXT_OBEY": "1",
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "RETRY_TIMES": "2",
    "LOG_LEVEL": "WARNING",
    "STATS_CLASS": "bench.statsdump.DumpingStats",
    "NEWSCRAWL_WARC_DIR": "",  # capture off here; bench/capture.py measures its cost
}


@dataclass
class Crawl:
    kind: str  # "full", "plain", "null" or "incremental"
    wall_seconds: float
    crawl_seconds: float
    requests: int
    pages: int  # responses received, robots.txt included
    articles: int  # articles exported (null spider: article pages fetched)
    cpu_seconds: float
    max_rss_bytes: int
    # CPU that other processes (not the crawl, the server or the benchmark) used meanwhile, in
    # cores: on a shared machine, the sign that a figure was taken while others were busy.
    other_load: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.crawl_seconds if self.crawl_seconds else 0.0

    @property
    def wall_pages_per_second(self) -> float:
        """Pages per second of the whole process, Python and Scrapy start-up included."""
        return self.pages / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        """CPU of the crawl process per page received, start-up included, in milliseconds."""
        return 1000 * self.cpu_seconds / self.pages if self.pages else 0.0

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.crawl_seconds if self.crawl_seconds else 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        return {**asdict(self), "pages_per_second": round(self.pages_per_second, 1),
                "wall_pages_per_second": round(self.wall_pages_per_second, 1),
                "cpu_ms_per_page": round(self.cpu_ms_per_page, 3),
                "articles_per_second": round(self.articles_per_second, 1)}


def command(kind: str, start_url: str, work: Path, state_dir: Path | None) -> list[str]:
    """The command line of one crawl; `work` receives its output and stats files."""
    settings = {**SETTINGS, "BENCH_STATS_FILE": str(work / "stats.json")}
    if kind == "null":
        args = [sys.executable, "-m", "scrapy", "runspider", str(NULL_SPIDER)]
    elif kind == "plain":
        args = [sys.executable, "-m", "scrapy", "runspider", str(PLAIN_SPIDER)]
    elif kind == "sitemap":
        settings["LOG_LEVEL"] = "INFO"  # as a user runs it (the measurement)
        args = [sys.executable, "-m", "scrapy", "runspider", str(SITEMAP_SPIDER)]
    else:
        assert state_dir is not None
        settings["NEWSCRAWL_STATE_DIR"] = str(state_dir)
        args = [sys.executable, "-m", "scrapy", "crawl", "bannedbook",
                "-o", f"{work / 'articles.jsonl'}:jsonl"]
    args += ["-a", f"start_urls={start_url}"]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return args


def environment(kind: str) -> dict[str, str]:
    """The plain and sitemap spiders get Scrapy's defaults, not the project's (scrapy.cfg)."""
    env = dict(os.environ)
    if kind in ("plain", "sitemap"):
        env["SCRAPY_SETTINGS_MODULE"] = "scrapy.settings.default_settings"
    else:
        env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


# Read from /proc (Linux, like VmHWM in bench.statsdump): psutil is not a test dependency.
_TICK = os.sysconf("SC_CLK_TCK")


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores)."""
    with Path("/proc/stat").open(encoding="ascii") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:9]]
    # user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK


def _own_seconds(server_pid: int | None) -> float:
    """CPU of this process, of its waited-for children (the crawls) and of the server."""
    times = os.times()
    seconds = times.user + times.system + times.children_user + times.children_system
    if server_pid is not None:
        with Path(f"/proc/{server_pid}/stat").open(encoding="utf-8") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after "pid (comm)"
        seconds += (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
    return seconds


def run(kind: str, start_url: str, work: Path, state_dir: Path | None = None,
        server_pid: int | None = None, timeout: float = 3600) -> Crawl:
    """Run one crawl to its end; raises if it fails (a benchmark of a broken crawl is moot)."""
    work.mkdir(parents=True, exist_ok=True)
    ours_before, busy_before = _own_seconds(server_pid), _busy_seconds()
    started = time.perf_counter()
    done = subprocess.run(command(kind, start_url, work, state_dir), cwd=ROOT,
                          env=environment(kind), capture_output=True, text=True,
                          timeout=timeout, check=False)
    wall = time.perf_counter() - started
    other = (_busy_seconds() - busy_before) - (_own_seconds(server_pid) - ours_before)
    stats_file = work / "stats.json"
    if done.returncode != 0 or not stats_file.exists():
        raise RuntimeError(f"{kind} crawl failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    articles_key = ("item_scraped_count" if kind in ("full", "incremental")
                    else ARTICLE_PAGES_STAT)
    return Crawl(
        kind=kind,
        wall_seconds=wall,
        crawl_seconds=float(stats.get("elapsed_time_seconds", 0.0)),
        requests=int(stats.get("downloader/request_count", 0)),
        pages=int(stats.get("downloader/response_count", 0)),
        articles=int(stats.get(articles_key, 0)),
        cpu_seconds=float(stats["bench/cpu_seconds"]),
        max_rss_bytes=int(stats["bench/max_rss_bytes"]),
        other_load=max(0.0, other / wall),
    )
