"""Benchmark of the Redis frontier: articles/s with 1, 2, 3 workers, Redis memory per article.

    python bench/redis_workers.py [--articles 2000] [--workers 1,2,3] [--repeats 2]
                                  [--memory 500,2000,8000] [--fill 100000]

Needs redis-server on PATH (it starts its own, on a free port, without persistence).
Throughput: a clean site copy (`python -m sitecopy serve --no-faults`) in its own process;
per repeat, Redis is emptied, N workers are started together and timed from their launch to
the last article written (Python start-up included, the idle wait at the end not); medians,
with the CPU time the workers and the site server used. Memory:
Redis' used_memory and the MEMORY USAGE of the permanent keys after a full crawl of each
size (a round's queue and dupefilter are gone by then; their peak is sampled during the
crawl), and after --fill synthetic exported articles written through RedisState.
A benchmark, not a test: nothing here is asserted. Figures: docs/redis.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from tests.redis_server import RedisServer, redis_server_binary  # noqa: E402

SETTINGS = {  # as tests/crawling.py FAST, quiet
    "AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "RETRY_TIMES": "2", "LOG_LEVEL": "WARNING", "NEWSCRAWL_REDIS_IDLE_SECONDS": "1",
}


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time of a live process (from /proc), or of all reaped children (pid None)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine used so far (to see others' load in a run)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class Site:
    def __init__(self, articles: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sitecopy", "serve", "--articles", str(articles),
             "--seed", "1", "--no-faults", "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


def crawl(site: Site, server: RedisServer, work: Path, workers: int) -> tuple[float, ...]:
    """Seconds to the last article, to the last exit, articles, CPU s of the workers, the
    site server, redis-server, and every other process of the machine (another's benchmark)."""
    url = server.url
    work.mkdir(parents=True)
    outputs = [work / f"w{i}.jsonl" for i in range(workers)]
    commands = [[sys.executable, "-m", "scrapy", "crawl", "bannedbook",
                 "-a", f"start_urls={site.base_url}/bnews/", "-o", f"{output}:jsonl",
                 "-s", f"NEWSCRAWL_REDIS_URL={url}", "-s", f"NEWSCRAWL_STATE_DIR={work}/s{i}",
                 *[arg for name, value in SETTINGS.items() for arg in ("-s", f"{name}={value}")]]
                for i, output in enumerate(outputs)]
    started, cpu, site_cpu = time.time(), cpu_seconds(), cpu_seconds(site.process.pid)
    redis_cpu, busy = cpu_seconds(server.pid), machine_busy_seconds()
    processes = [subprocess.Popen(c, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for c in commands]
    for process in processes:
        _, stderr = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"a worker failed (exit {process.returncode}):\n{stderr[-2000:]}")
    exited = time.time()
    written = [o for o in outputs if o.exists()]
    articles = sum(o.read_bytes().count(b"\n") for o in written)
    last = max(o.stat().st_mtime for o in written)
    cpu, site_cpu = cpu_seconds() - cpu, cpu_seconds(site.process.pid) - site_cpu
    redis_cpu = cpu_seconds(server.pid) - redis_cpu
    return (last - started, exited - started, articles, cpu, site_cpu, redis_cpu,
            machine_busy_seconds() - busy - cpu - site_cpu - redis_cpu)


def permanent_bytes(client: redis.Redis) -> int:
    return sum(client.memory_usage(key, samples=0) or 0
               for key in client.scan_iter("newscrawl:*", count=1000)
               if b":round" not in key and b":alive:" not in key)


def sample_peak(client: redis.Redis, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], client.info("memory")["used_memory"])
        time.sleep(0.1)


def throughput(server: RedisServer, tmp: Path, articles: int, counts: list[int],
               repeats: int) -> None:
    client = redis.Redis.from_url(server.url)
    site = Site(articles)
    try:
        print(f"\n## Throughput: {articles} articles, {site.base_url}\n")
        print(f"{os.cpu_count()} CPUs\n")
        print("| workers | articles | s to last article | articles/s | s to exit |"
              " CPU s: workers | site server | redis-server | other processes |")
        print("|---|---|---|---|---|---|---|---|---|")
        for count in counts:
            runs = []
            for repeat in range(repeats):
                client.flushall()
                runs.append(crawl(site, server, tmp / f"t{count}-{repeat}", count))
            last, exit_, done, *cpu = (statistics.median(r[i] for r in runs) for i in range(7))
            print(f"| {count} | {done:.0f} | {last:.1f} | {done / last:.0f} | {exit_:.1f} | "
                  + " | ".join(f"{seconds:.1f}" for seconds in cpu) + " |", flush=True)
    finally:
        site.stop()


def memory(server: RedisServer, tmp: Path, sizes: list[int], fill: int) -> None:
    client = redis.Redis.from_url(server.url)
    print("\n## Redis memory\n")
    print("| articles | used_memory after (MB) | peak during round (MB) |"
          " permanent keys (bytes/article) |")
    print("|---|---|---|---|")
    for size in sizes:
        client.flushall()
        base = client.info("memory")["used_memory"]
        site = Site(size)
        stop, peak = threading.Event(), [base]
        sampler = threading.Thread(target=sample_peak, args=(client, stop, peak))
        sampler.start()
        try:
            articles = crawl(site, server, tmp / f"m{size}", 2)[2]
        finally:
            stop.set()
            sampler.join()
            site.stop()
        after = client.info("memory")["used_memory"]
        print(f"| {articles} | {(after - base) / 1e6:.2f} | {(peak[0] - base) / 1e6:.2f} |"
              f" {permanent_bytes(client) / articles:.0f} |", flush=True)
    if fill:
        fill_state(client, server.url, fill)


def fill_state(client: redis.Redis, url: str, count: int) -> None:
    """Permanent state of `count` exported articles, written as a crawl would write it."""
    import hashlib

    from scrapy.utils.test import get_crawler

    from newscrawl.spiders.bannedbook import BannedbookSpider
    from newscrawl.state.redis import RedisState

    client.flushall()
    base = client.info("memory")["used_memory"]
    state = RedisState.from_crawler(get_crawler(BannedbookSpider), url)
    for number in range(count):
        key = f"zh-Hans:{1_000_000 + number}"
        text = hashlib.sha256(key.encode()).hexdigest()
        state.record_pending(key, f"https://www.bannedbook.org/bnews/x/20230101/{number}.html")
        state.claim(key, text)
        state.record_export(key, text, 1, "/out/a.jsonl", number * 3000)
    state.close_output("/out/a.jsonl")
    after = client.info("memory")["used_memory"]
    print(f"| {count} (synthetic) | {(after - base) / 1e6:.2f} | - |"
          f" {permanent_bytes(client) / count:.0f} |", flush=True)
    state.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--memory", default="500,2000,8000", help="sizes; empty: skip")
    parser.add_argument("--fill", type=int, default=100_000, help="0: skip")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            RedisServer(redis_server_binary(), Path(tmp) / "redis") as server:
        if args.workers:
            throughput(server, Path(tmp), args.articles,
                       [int(n) for n in args.workers.split(",")], args.repeats)
        if args.memory or args.fill:
            memory(server, Path(tmp), [int(n) for n in args.memory.split(",") if n], args.fill)
    return 0


if __name__ == "__main__":
    sys.exit(main())
