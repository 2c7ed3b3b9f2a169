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
# matters within one frame. A sample taken during an import is start-up, whatever it runs.
STARTUP = "_find_and_load"
IDLE = "idle"
CONCERNS = [
    (IDLE, ("selectors.py", "epollreactor.py:", "Condition.wait (threading.py")),
    ("extraction", ("newscrawl/extraction/",)),
    ("state", ("newscrawl/state/", "newscrawl/discovery/incremental.py")),
    ("export", ("newscrawl/output/", "scrapy/extensions/feedexport.py", "scrapy/exporters.py")),
    ("pipelines", ("newscrawl/pipelines/", "scrapy/pipelines/")),
    ("links", ("newscrawl/discovery/", "_links (", "response.follow", "TextResponse.follow",
               "scrapy/dupefilters.py", "scrapy/utils/request.py", "bench/plainspider.py")),
    ("parse", ("parsel/", "TextResponse.text", "w3lib/encoding.py", "scrapy/http/response/text")),
    ("fetch", ("scrapy/core/downloader/", "scrapy/downloadermiddlewares/", "twisted/web/",
               "twisted/internet/", "twisted/protocols/")),
    # Scrapy's engine, scraper, scheduler, spider middlewares, signals, and the event loop.
    ("engine", ("scrapy/core/", "scrapy/spidermiddlewares/", "scrapy/utils/", "scrapy/signal",
                "scrapy/extensions/", "scrapy/crawler.py", "pydispatch/", "asyncio/")),
]
UNSORTED = "other"


def concern(stack: str) -> str:
    """The concern of one sample: `stack` is py-spy's "outer;...;inner" frames."""
    if STARTUP in stack:
        return "start-up"
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


def table(counts: Counter[str], cpu_seconds: float, pages: int) -> str:
    """Each concern's share of the busy samples, and that share of the crawl's CPU per page.

    Samples are wall-clock: on a loaded machine a thread waiting for a core is sampled too.
    So the CPU per page is the measured CPU time split by shares, not samples / rate.
    """
    busy = sum(n for name, n in counts.items() if name != IDLE) or 1
    per_page = 1000 * cpu_seconds / max(pages, 1)
    out = [f"{'concern':<12}{'samples':>9}{'share':>8}{'CPU ms/page':>13}"]
    for name, samples in counts.most_common():
        if name == IDLE:
            continue
        out.append(f"{name:<12}{samples:>9}{samples / busy:>8.1%}"
                   f"{per_page * samples / busy:>13.2f}")
    out.append(f"{'total':<12}{busy:>9}{1:>8.0%}{per_page:>13.2f}   ({pages} pages; "
               f"{counts[IDLE]} idle samples left out)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=crawls.KINDS, default="full")
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--raw", type=Path, help="keep py-spy's collapsed stacks here")
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE", help="a Scrapy setting for the crawl (repeatable)")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory(prefix="newscrawl-profile-") as tmp, \
            SiteProcess(args.articles, args.seed) as site:
        work = Path(tmp)
        raw = args.raw or work / "raw.txt"
        command = crawls.command(args.kind, site.front_page, work, work / "state")
        for setting in args.settings:
            command += ["-s", setting]
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
        print(table(tally(raw), float(stats["bench/cpu_seconds"]), pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
