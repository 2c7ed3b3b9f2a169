"""python -m bench.profile [--articles 2000] [--kind full] [--rate 250]: where a crawl's time goes.

Serves a clean copy of the site (as `python -m bench` does), runs one crawl of it under the
py-spy sampling profiler (`pip install py-spy`; it samples from outside the crawl process,
so the crawl runs unchanged) and sorts every sample into one concern by the innermost frame
that names one: fetch, parse, links, extraction, pipelines, export, state, Scrapy's engine,
start-up, idle. Prints each concern's share of the samples and its time per page received.
--raw keeps py-spy's collapsed stacks for a closer look. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench import crawls
from bench.server import ROOT, SiteProcess

# (concern, what a frame's "function (file:line)" contains). The innermost frame of a sample
# that matches decides, so a library called by newscrawl code counts for that code's concern
# (w3lib's canonicalize_url under urls.canonical is "links"), and the order below only
# matters within one frame.
CONCERNS = [
    ("idle", ("selectors.py", "epollreactor.py:")),
    ("extraction", ("newscrawl/extraction/",)),
    ("state", ("newscrawl/state/", "newscrawl/discovery/incremental.py")),
    ("export", ("newscrawl/output/", "scrapy/extensions/feedexport.py", "scrapy/exporters.py")),
    ("pipelines", ("newscrawl/pipelines/", "scrapy/pipelines/")),
    ("links", ("newscrawl/discovery/", "_links (", "response.follow", "TextResponse.follow",
               "scrapy/dupefilters.py", "scrapy/utils/request.py", "bench/plainspider.py")),
    ("parse", ("parsel/", "TextResponse.text", "w3lib/encoding.py", "scrapy/http/response/text")),
    ("fetch", ("scrapy/core/downloader/", "scrapy/downloadermiddlewares/", "twisted/web/",
               "twisted/internet/", "twisted/protocols/", "asyncio/")),
    ("engine", ("scrapy/core/", "scrapy/spidermiddlewares/", "scrapy/utils/", "scrapy/signal",
                "scrapy/extensions/", "twisted/python/", "pydispatch/")),
    ("start-up", ("<frozen importlib", "<module>")),
]
UNSORTED = "other"


def concern(stack: str) -> str:
    """The concern of one sample: `stack` is py-spy's "outer;...;inner" frames."""
    for frame in reversed(stack.split(";")):
        for name, markers in CONCERNS:
            if any(marker in frame for marker in markers):
                return name
    return UNSORTED


def tally(raw: Path) -> Counter[str]:
    """Samples per concern from py-spy's raw output ("frames count" lines)."""
    counts: Counter[str] = Counter()
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[concern(stack)] += int(count)
    return counts


def table(counts: Counter[str], rate: int, pages: int) -> str:
    total = sum(counts.values()) or 1
    out = [f"{'concern':<12}{'samples':>9}{'share':>8}{'ms/page':>9}"]
    for name, samples in counts.most_common():
        out.append(f"{name:<12}{samples:>9}{samples / total:>8.1%}"
                   f"{1000 * samples / rate / max(pages, 1):>9.2f}")
    out.append(f"{'total':<12}{total:>9}{1:>8.0%}{1000 * total / rate / max(pages, 1):>9.2f}"
               f"   ({pages} pages, {rate} samples/s)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=crawls.KINDS, default="full")
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--raw", type=Path, help="keep py-spy's collapsed stacks here")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory(prefix="newscrawl-profile-") as tmp, \
            SiteProcess(args.articles, args.seed) as site:
        work = Path(tmp)
        raw = args.raw or work / "raw.txt"
        command = crawls.command(args.kind, site.front_page, work, work / "state")
        done = subprocess.run([spy, "record", "--format", "raw", "--rate", str(args.rate),
                               "--output", str(raw), "--", *command], cwd=ROOT,
                              env=crawls.environment(args.kind), capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"profiled crawl failed (exit {done.returncode}):\n"
                             f"{done.stderr[-3000:]}")
        stats = json.loads((work / "stats.json").read_text(encoding="utf-8"))
        pages = int(stats.get("downloader/response_count", 0))
        print(f"{args.kind} crawl of {args.articles} articles: {pages} pages, "
              f"{stats['bench/cpu_seconds']:.2f} CPU s")
        print(table(tally(raw), args.rate, pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
