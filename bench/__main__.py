"""python -m bench [--articles 2000[,20000]] [--repeats 3] [--json out.json]

Serves a clean synthetic copy of the site per size (sitecopy, in its own process) and, per
repeat, crawls it with the real spider (fresh state) and with the null spider, alternating
which goes first, then runs the real spider again on the same state (incremental run on
the unchanged site). Then times extraction per page. Prints medians and each target met or
missed; --json writes every figure. Run from the repository root. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import crawls, extraction, report
from bench.crawls import Crawl
from bench.server import SiteProcess


def _sizes(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive article counts")
    return sizes


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    known = (*crawls.KINDS, "sitemap", "incremental")
    if not kinds or any(kind not in known for kind in kinds):
        raise argparse.ArgumentTypeError(f"a comma-separated list of {', '.join(known)}")
    return kinds if "full" in kinds else ("full", *kinds)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=_sizes, default=[2000],
                        help="site size(s), comma-separated (default 2000; 2000,20000 for"
                             " the memory growth figure)")
    parser.add_argument("--repeats", type=int, default=3, help="crawls per spider and size")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic site")
    parser.add_argument("--pages", type=int, default=30,
                        help="synthetic article pages timed for extraction CPU")
    parser.add_argument("--sitemaps", action="store_true",
                        help="serve sitemaps and feeds (a sitemap-driven first crawl) and add"
                             " Scrapy's SitemapSpider as a baseline")
    parser.add_argument("--kinds", type=_kinds, default=None,
                        help="only these crawls, comma-separated, in this order (full is always"
                             " run; e.g. full,sitemap for the sitemap ratio alone, full,plain"
                             " for the plain ratio alone); default: every kind")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--workdir", type=Path,
                        help="keep outputs and state here (default: a temporary dir)")
    return parser


def crawl_size(size: int, seed: int, repeats: int, work: Path, sitemaps: bool = False,
               only: tuple[str, ...] | None = None) -> dict[str, list[Crawl]]:
    """Every kind's crawls (`only`: those kinds, "incremental" among them or not)."""
    kinds = (*crawls.KINDS, "sitemap") if sitemaps else crawls.KINDS
    incremental = only is None or "incremental" in only
    if only is not None:
        kinds = tuple(kind for kind in only if kind != "incremental")
    runs: dict[str, list[Crawl]] = {kind: [] for kind in kinds}
    if incremental:
        runs["incremental"] = []
    with SiteProcess(size, seed, sitemaps) as site:
        for repeat in range(repeats):
            # Reverse the order every other repeat so that no spider always runs on a warmer
            # machine; the full crawl and the plain spider, the ratio that matters, are adjacent.
            order = kinds if repeat % 2 == 0 else kinds[::-1]
            here = work / f"{size}" / f"repeat-{repeat + 1}"
            state = here / "state"
            for kind in order:
                runs[kind].append(crawls.run(kind, site.front_page, here / kind, state, site.pid))
                _progress(size, repeat, runs[kind][-1])
            if not incremental:
                continue
            runs["incremental"].append(crawls.run("incremental", site.front_page,
                                                  here / "incremental", state, site.pid))
            _progress(size, repeat, runs["incremental"][-1])
    return runs


def _progress(size: int, repeat: int, crawl: Crawl) -> None:
    print(f"[bench] {size} articles, repeat {repeat + 1}: {crawl.kind:<11} "
          f"{crawl.requests} requests in {crawl.crawl_seconds:.1f}s "
          f"({crawl.pages_per_second:.0f} pages/s), peak RSS "
          f"{crawl.max_rss_bytes / 2**20:.0f} MiB; other load {crawl.other_load:.2f} cores",
          file=sys.stderr, flush=True)


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    sizes = {size: report.size_figures(crawl_size(size, args.seed, args.repeats, work,
                                                  args.sitemaps, args.kinds))
             for size in args.articles}
    print("[bench] timing extraction", file=sys.stderr, flush=True)
    pages = extraction.sample_pages(args.articles[0], args.seed, args.pages)
    timed = extraction.measure(pages)
    smallest, largest = args.articles[0], args.articles[-1]
    growth = (sizes[largest]["full"]["max_rss_bytes"] / sizes[smallest]["full"]["max_rss_bytes"]
              if largest != smallest else None)
    return {
        "command": report.command_line(),
        "machine": report.machine(),
        "repeats": args.repeats,
        "seed": args.seed,
        "settings": crawls.SETTINGS,
        "sizes": sizes,
        "extraction": timed,
        "rss_sizes": [smallest, largest],
        "rss_growth": growth,
        "targets": report.targets(sizes, timed, growth),
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = run(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as work:
            result = run(args, Path(work))
    print(report.table(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
