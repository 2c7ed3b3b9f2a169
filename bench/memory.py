"""python -m bench.memory [--articles 10000,60000] [--reparse] [--every 10] [--json out.json]

Peak memory of a first crawl against the site's size (issue 20): per size, a clean copy with
sitemaps and feeds (`python -m bench --sitemaps`'s copy), one full crawl with a fresh state and
the bench's settings (bench.crawls.SETTINGS: capture off, politeness off). Its peak RSS comes
from inside (its own VmHWM when it closes, bench.statsdump) and, as it goes, from
/proc/PID/status (VmHWM, every
`--every` seconds) beside the articles exported so far, so that what grows shows while it
grows. Prints the peak per size, the difference between the smallest and the largest size,
its slope (KiB a post) and the line extrapolated to 2,000,000 posts.

With --reparse, the crawls run with capture on and `scrapy reparse` then reads each crawl's
WARC directory (fresh state, every article exported again); the same figures are given for the
reparse. Run from the repository root, under `nice` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import crawls
from bench.server import ROOT, SiteProcess
from bench.statsdump import vm_hwm_bytes

REAL_SITE_POSTS = 2_000_000  # the live site's sitemaps (issue 20, docs/discovery.md)
DIFFERENCE_MAX_MB = 8.0  # crawl: peak RSS at 60,000 posts - at 10,000 (issue 20)
REPARSE_DIFFERENCE_MAX_MB = 10.0  # reparse: the same difference


class LineCounter:
    """Lines of a growing file, counted from where the last count stopped (cheap to repeat)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.lines = 0

    def count(self) -> int:
        try:
            with self.path.open("rb") as file:
                file.seek(self.offset)
                chunk = file.read()
        except FileNotFoundError:
            return self.lines
        self.lines += chunk.count(b"\n")
        self.offset += len(chunk)
        return self.lines


def watched(args: list[str], kind: str, work: Path, output: Path, every: float,
            timeout: float = 6 * 3600) -> dict[str, Any]:
    """Run one scrapy command to its end, sampling its VmHWM against the lines of `output`.

    Returns its stats (bench.statsdump) with the samples [(seconds, lines, VmHWM bytes)];
    raises RuntimeError if the command fails.
    """
    work.mkdir(parents=True, exist_ok=True)
    log = (work / "stderr.log").open("w", encoding="utf-8")
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=crawls.environment(kind),
                               stdout=subprocess.DEVNULL, stderr=log, text=True)
    counter = LineCounter(output)
    samples: list[tuple[float, int, int]] = []
    try:
        while process.poll() is None:
            time.sleep(every)
            hwm = vm_hwm_bytes(process.pid)
            if hwm is not None and process.poll() is None:
                samples.append((round(time.perf_counter() - started, 1), counter.count(), hwm))
                print(f"[memory] {kind}: {samples[-1][1]} articles,"
                      f" VmHWM {hwm / 2**20:.1f} MiB", file=sys.stderr, flush=True)
            if time.perf_counter() - started > timeout:
                process.kill()
        process.wait()
    finally:
        log.close()
    stats_file = work / "stats.json"
    if process.returncode != 0 or not stats_file.exists():
        tail = (work / "stderr.log").read_text(encoding="utf-8")[-3000:]
        raise RuntimeError(f"{kind} failed (exit {process.returncode}):\n{tail}")
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    return {"articles": counter.count(), "max_rss_bytes": int(stats["bench/max_rss_bytes"]),
            "seconds": round(time.perf_counter() - started, 1),
            "requests": int(stats.get("downloader/request_count", 0)), "samples": samples}


def _stats_settings(work: Path) -> list[str]:
    return ["-s", "STATS_CLASS=bench.statsdump.DumpingStats",
            "-s", f"BENCH_STATS_FILE={work / 'stats.json'}", "-s", "LOG_LEVEL=WARNING"]


def reparse_command(warc: Path, start_url: str, work: Path) -> list[str]:
    """`scrapy reparse` of one crawl's WARC files into a fresh state (every article again)."""
    return [sys.executable, "-m", "scrapy", "reparse", str(warc), "-a", f"start_urls={start_url}",
            "-o", f"{work / 'articles.jsonl'}:jsonl",
            "-s", f"NEWSCRAWL_STATE_DIR={work / 'state'}", *_stats_settings(work)]


def measure_size(size: int, seed: int, work: Path, every: float, reparse: bool
                 ) -> dict[str, Any]:
    here = work / str(size)
    warc = here / "warc"
    saved = dict(crawls.SETTINGS)
    if reparse:
        crawls.SETTINGS["NEWSCRAWL_WARC_DIR"] = str(warc)
    try:
        with SiteProcess(size, seed, sitemaps=True) as site:
            crawl_dir = here / "crawl"
            crawl = watched(crawls.command("full", site.front_page, crawl_dir, here / "state"),
                            "full", crawl_dir, crawl_dir / "articles.jsonl", every)
            start_url = site.front_page
    finally:
        crawls.SETTINGS.clear()
        crawls.SETTINGS.update(saved)
    result = {"posts": size, "crawl": crawl}
    if reparse:
        reparse_dir = here / "reparse"
        result["reparse"] = watched(reparse_command(warc, start_url, reparse_dir), "reparse",
                                    reparse_dir, reparse_dir / "articles.jsonl", every)
    return result


def line(small: dict[str, Any], large: dict[str, Any], limit_mb: float) -> dict[str, Any]:
    """Peak RSS difference between two sizes, its slope and the 2M-post extrapolation."""
    posts = large["posts"] - small["posts"]
    difference = large["peak"] - small["peak"]
    slope = difference / posts  # bytes a post
    return {"difference_mb": round(difference / 1e6, 2), "bytes_per_post": round(slope, 1),
            "at_2m_posts_mib": round((large["peak"] + slope * (REAL_SITE_POSTS - large["posts"]))
                                     / 2**20, 1),
            "limit_mb": limit_mb, "met": difference / 1e6 <= limit_mb}


def summary(results: list[dict[str, Any]], what: str, limit_mb: float) -> dict[str, Any]:
    peaks = [{"posts": r["posts"], "peak": r[what]["max_rss_bytes"]} for r in results]
    out: dict[str, Any] = {"peaks_mib": {p["posts"]: round(p["peak"] / 2**20, 1) for p in peaks}}
    if len(peaks) > 1:
        out.update(line(peaks[0], peaks[-1], limit_mb))
    return out


def print_summary(what: str, fig: dict[str, Any]) -> None:
    peaks = ", ".join(f"{posts:,} posts {mib} MiB" for posts, mib in fig["peaks_mib"].items())
    print(f"{what}: peak RSS {peaks}")
    if "difference_mb" in fig:
        print(f"{what}: difference {fig['difference_mb']} MB (target <= {fig['limit_mb']} MB:"
              f" {'met' if fig['met'] else 'MISSED'}), {fig['bytes_per_post']} B a post,"
              f" {fig['at_2m_posts_mib']} MiB at 2,000,000 posts on that line")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", default="10000,60000", help="sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reparse", action="store_true",
                        help="capture on, then measure `scrapy reparse` of each crawl's WARCs")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--json", type=Path, help="write every figure and sample here")
    parser.add_argument("--workdir", type=Path, help="keep outputs here (default: temporary)")
    args = parser.parse_args(argv)
    sizes = sorted({int(part) for part in args.articles.split(",") if part.strip()})
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        work = args.workdir or Path(scratch)
        results = [measure_size(size, args.seed, work, args.every, args.reparse)
                   for size in sizes]
    figures: dict[str, Any] = {"command": " ".join(["python -m bench.memory", *sys.argv[1:]]),
                               "sizes": results,
                               "crawl": summary(results, "crawl", DIFFERENCE_MAX_MB)}
    if args.reparse:
        figures["reparse"] = summary(results, "reparse", REPARSE_DIFFERENCE_MAX_MB)
    for what in ("crawl", "reparse"):
        if what in figures:
            print_summary(what, figures[what])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
