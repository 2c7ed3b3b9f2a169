"""python -m bench.capture [--articles 2000] [--repeats 3] [--levels 1,6,9] [--json out.json]

What WARC capture costs a crawl (issue 12): per repeat, a full crawl of the same clean copy
with capture off and with capture at each gzip level (fresh state each, order rotated), then
an incremental run with capture on. Reports pages/s and its ratio to capture off (target:
at least 0.85, capture costing at most 15%), the crawl process's CPU per page against capture
off (steadier than pages/s on a busy machine), WARC bytes per article exported, and the
incremental run's WARC bytes. Medians over repeats. Run from the repository root.

It reuses bench.crawls (the same settings and in-process measurements as `python -m bench`);
capture settings are put into that module's SETTINGS for each crawl only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench import crawls
from bench.server import SiteProcess


@contextlib.contextmanager
def _capture(directory: Path | None, level: int | None) -> Iterator[None]:
    saved = dict(crawls.SETTINGS)
    crawls.SETTINGS["NEWSCRAWL_WARC_DIR"] = str(directory) if directory else ""
    if level is not None:
        crawls.SETTINGS["NEWSCRAWL_WARC_GZIP_LEVEL"] = str(level)
    try:
        yield
    finally:
        crawls.SETTINGS.clear()
        crawls.SETTINGS.update(saved)


def _bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.glob("*.warc.gz"))


def measure(articles: int, seed: int, repeats: int, levels: list[int], work: Path) -> dict:
    variants = ["off", *[f"gzip-{level}" for level in levels]]
    rows: dict[str, list[dict]] = {variant: [] for variant in variants}
    incremental: list[dict] = []
    with SiteProcess(articles, seed) as site:
        for repeat in range(repeats):
            order = variants[repeat % len(variants):] + variants[:repeat % len(variants)]
            for variant in order:
                here = work / f"repeat-{repeat + 1}" / variant
                level = None if variant == "off" else int(variant.split("-")[1])
                warc = None if variant == "off" else here / "warc"
                with _capture(warc, level):
                    crawl = crawls.run("full", site.front_page, here / "crawl", here / "state",
                                       site.pid)
                    row = crawl.as_dict()
                    if warc is not None:
                        row["warc_bytes"] = _bytes(warc)
                        row["warc_bytes_per_article"] = round(_bytes(warc) / crawl.articles)
                        if variant == variants[-1]:
                            before = _bytes(warc)
                            again = crawls.run("incremental", site.front_page,
                                               here / "incremental", here / "state", site.pid)
                            incremental.append({**again.as_dict(), "level": level,
                                                "warc_bytes": _bytes(warc) - before})
                rows[variant].append(row)
                print(f"repeat {repeat + 1} {variant}: {row['pages_per_second']} pages/s,"
                      f" {row.get('warc_bytes_per_article', '-')} B/article,"
                      f" other load {row['other_load']:.2f}", file=sys.stderr, flush=True)
    return {"articles": articles, "repeats": repeats, "runs": rows, "incremental": incremental}


def summarize(result: dict) -> list[dict]:
    """Per variant: median pages/s, median ratio to capture off (per repeat), bytes/article."""
    off = result["runs"]["off"]
    table = []
    for variant, runs in result["runs"].items():
        ratios = [run["pages_per_second"] / base["pages_per_second"]
                  for run, base in zip(runs, off, strict=True) if base["pages_per_second"]]
        # CPU per page: what capture adds to the crawl process, less swayed by other load.
        cpu = [(run["cpu_seconds"] / run["pages"]) / (base["cpu_seconds"] / base["pages"])
               for run, base in zip(runs, off, strict=True) if base["cpu_seconds"]]
        table.append({
            "capture": variant,
            "pages_per_second": statistics.median(r["pages_per_second"] for r in runs),
            "ratio_to_off": round(statistics.median(ratios), 3),
            "cpu_per_page_ratio_to_off": round(statistics.median(cpu), 3),
            "warc_bytes_per_article": statistics.median(
                r.get("warc_bytes_per_article", 0) for r in runs),
            "max_other_load": round(max(r["other_load"] for r in runs), 2),
            "target_met": variant == "off" or statistics.median(ratios) >= 0.85,
        })
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--levels", default="1,6,9", help="gzip levels to try, comma-separated")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",") if level.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as work:
        result = measure(args.articles, args.seed, args.repeats, levels, Path(work))
    result["summary"] = summarize(result)
    print("| capture | pages/s | ÷ off | CPU/page ÷ off | WARC bytes/article | other load |"
          " ≤ 15% cost |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in result["summary"]:
        print(f"| {row['capture']} | {row['pages_per_second']} | {row['ratio_to_off']} |"
              f" {row['cpu_per_page_ratio_to_off']} |"
              f" {row['warc_bytes_per_article'] or ''} | {row['max_other_load']} |"
              f" {'met' if row['target_met'] else 'missed'} |")
    for run in result["incremental"]:
        print(f"incremental run (gzip-{run['level']}): {run['requests']} requests,"
              f" {run['warc_bytes']} WARC bytes")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
