"""Figures → medians, targets met or missed, the printed table, the machine they came from."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.crawls import Crawl

# The issues' targets (5 and 13): (name, what is compared, limit, True if higher is better).
# Issue 5's "full crawl >= 0.85x the null spider" is gone: the null spider shares the
# project's link path, so since issue 13 it costs less than Scrapy itself and no longer
# stands for it; the plain spider does. The full / null ratio is still reported.
VS_PLAIN_MIN = 0.9  # full crawl pages/s ÷ plain spider pages/s (whole run, start-up included)
VS_LXML_MAX = 3.0  # parse_article CPU ÷ bare lxml parse CPU
TRAFILATURA_MIN = 4.0  # trafilatura CPU ÷ parse_article CPU
INCREMENTAL_REQUESTS_MAX = 0.02  # incremental requests ÷ full crawl requests
RSS_GROWTH_MAX = 1.3  # peak RSS at the largest size ÷ at the smallest
# Issue 20: full crawl pages/s ÷ Scrapy's SitemapSpider's (python -m bench --sitemaps).
VS_SITEMAP_MIN = 0.7

_FIELDS = ("wall_seconds", "crawl_seconds", "requests", "pages", "articles", "cpu_seconds",
           "max_rss_bytes", "pages_per_second", "wall_pages_per_second", "cpu_ms_per_page",
           "articles_per_second", "other_load")
# Above this (in cores, during any crawl) the table warns that the machine was not quiet.
BUSY_LOAD = 0.15


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), model)
    except OSError:
        pass
    packages = {}
    for name in ("scrapy", "twisted", "lxml", "trafilatura"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(),
            # Other work on the machine skews every figure: say how busy it was.
            "load_average_at_start": list(os.getloadavg()), **packages}


def medians(crawls: list[Crawl]) -> dict[str, float]:
    rows = [crawl.as_dict() for crawl in crawls]
    return {name: statistics.median(float(row[name]) for row in rows) for name in _FIELDS}


def ratios(full: list[Crawl], baseline: list[Crawl]) -> dict[str, float]:
    """Full crawl ÷ baseline, per repeat (runs of one repeat are adjacent), then the median.

    Throughput ratios are above 1 when the full crawl is faster; the CPU ratio is above 1
    when the full crawl spends more CPU per page.
    """
    pairs = list(zip(full, baseline, strict=True))
    return {
        "wall_pages_per_second": statistics.median(
            f.wall_pages_per_second / b.wall_pages_per_second for f, b in pairs),
        "pages_per_second": statistics.median(
            f.pages_per_second / b.pages_per_second for f, b in pairs),
        "cpu_per_page": statistics.median(f.cpu_ms_per_page / b.cpu_ms_per_page for f, b in pairs),
        "articles_per_second": statistics.median(
            f.articles_per_second / b.articles_per_second if b.articles_per_second else 0.0
            for f, b in pairs),
    }


def size_figures(runs: dict[str, list[Crawl]]) -> dict[str, Any]:
    """Medians of one site size; ratios are taken per repeat (adjacent runs), then medians.
    Only the kinds crawled are there (`python -m bench --kinds`); "full" always is."""
    full = runs["full"]
    figures: dict[str, Any] = {"full": medians(full)}
    for kind in ("plain", "null", "sitemap"):
        if runs.get(kind):
            figures[kind] = medians(runs[kind])
            figures[f"vs_{kind}"] = ratios(full, runs[kind])
    if runs.get("null"):
        pairs = list(zip(full, runs["null"], strict=True))
        figures["throughput_vs_null"] = statistics.median(
            f.pages_per_second / n.pages_per_second for f, n in pairs)
        figures["articles_per_second_vs_null"] = statistics.median(
            f.articles_per_second / n.articles_per_second for f, n in pairs)
    if runs.get("incremental"):
        after = list(zip(full, runs["incremental"], strict=True))
        figures["incremental"] = medians(runs["incremental"])
        figures["incremental_requests_fraction"] = statistics.median(
            i.requests / f.requests for f, i in after)
        figures["incremental_seconds_fraction"] = statistics.median(
            i.crawl_seconds / f.crawl_seconds for f, i in after)
        figures["incremental_wall_fraction"] = statistics.median(
            i.wall_seconds / f.wall_seconds for f, i in after)
    figures["runs"] = {kind: [crawl.as_dict() for crawl in crawls]
                       for kind, crawls in runs.items()}
    return figures


def _target(name: str, value: float | None, limit: float, higher_is_better: bool
            ) -> dict[str, Any]:
    met = None if value is None else (value >= limit if higher_is_better else value <= limit)
    return {"target": name, "value": value, "limit": f"{'>=' if higher_is_better else '<='}"
            f" {limit}", "met": met}


def targets(sizes: dict[int, dict[str, Any]], extraction: dict[str, Any],
            rss_growth: float | None) -> list[dict[str, Any]]:
    found = []
    for size, figures in sizes.items():
        if "vs_plain" in figures:
            found.append(_target(f"whole-run pages/s vs plain spider ({size} articles)",
                                 figures["vs_plain"]["wall_pages_per_second"], VS_PLAIN_MIN,
                                 True))
        if "vs_sitemap" in figures:
            found.append(_target(f"crawl pages/s vs SitemapSpider ({size} articles)",
                                 figures["vs_sitemap"]["pages_per_second"], VS_SITEMAP_MIN,
                                 True))
    found.append(_target("parse_article CPU / lxml parse", extraction["median"]["vs_lxml"],
                         VS_LXML_MAX, False))
    found.append(_target("trafilatura CPU / parse_article", extraction["median"]["trafilatura_vs"],
                         TRAFILATURA_MIN, True))
    for size, figures in sizes.items():
        if "incremental_requests_fraction" not in figures:
            continue
        found.append(_target(f"incremental requests / full ({size} articles)",
                             figures["incremental_requests_fraction"],
                             INCREMENTAL_REQUESTS_MAX, False))
    found.append(_target("peak RSS growth, largest / smallest size", rss_growth,
                         RSS_GROWTH_MAX, False))
    return found


def _mb(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def table(result: dict[str, Any]) -> str:
    """The human-readable report (all medians)."""
    out = []
    m = result["machine"]
    out.append(f"machine: {m['nproc']} CPU ({m['cpu']}), Python {m['python']}, "
               f"Scrapy {m['scrapy']}, lxml {m['lxml']}, trafilatura {m['trafilatura']}")
    out.append(f"repeats: {result['repeats']} (medians); seed {result['seed']}")
    for size, fig in result["sizes"].items():
        out.append("")
        out.append(f"== {size} articles ==")
        out.append(f"{'crawl':<12}{'requests':>9}{'crawl s':>9}{'wall s':>8}{'CPU s':>8}"
                   f"{'pages/s':>9}{'whole':>7}{'CPU ms/pg':>10}{'arts/s':>8}{'peak RSS':>10}"
                   f"{'other':>7}")
        for kind in ("full", "plain", "null", "sitemap", "incremental"):
            if kind not in fig:
                continue
            r = fig[kind]
            out.append(f"{kind:<12}{r['requests']:>9.0f}{r['crawl_seconds']:>9.2f}"
                       f"{r['wall_seconds']:>8.2f}{r['cpu_seconds']:>8.2f}"
                       f"{r['pages_per_second']:>9.1f}{r['wall_pages_per_second']:>7.1f}"
                       f"{r['cpu_ms_per_page']:>10.2f}{r['articles_per_second']:>8.1f}"
                       f"{_mb(r['max_rss_bytes']):>10}{r['other_load']:>7.2f}")
        out.append("(pages/s over the crawl, whole: over the whole process, start-up included)")
        for baseline in ("plain", "null", "sitemap"):
            if f"vs_{baseline}" not in fig:
                continue
            ratio = fig[f"vs_{baseline}"]
            out.append(f"full / {baseline:<5}: whole-run pages/s "
                       f"{ratio['wall_pages_per_second']:.3f}, crawl pages/s "
                       f"{ratio['pages_per_second']:.3f}, articles/s "
                       f"{ratio['articles_per_second']:.3f}, CPU per page "
                       f"{ratio['cpu_per_page']:.3f}")
        if "incremental_requests_fraction" not in fig:
            continue
        out.append(f"incremental / full: requests {fig['incremental_requests_fraction']:.2%}, "
                   f"crawl seconds {fig['incremental_seconds_fraction']:.2%}, "
                   f"wall seconds {fig['incremental_wall_fraction']:.2%}")
    ex = result["extraction"]
    out.append("")
    out.append(f"== extraction CPU per article page (median of {ex['pages']} synthetic pages;"
               " captured real page) ==")
    for label, row in (("synthetic", ex["median"]), ("captured", ex["captured"])):
        traf = ("-" if row["trafilatura_us"] is None
                else f"{row['trafilatura_us']:7.0f} µs | trafilatura/parse_article "
                     f"{row['trafilatura_vs']:.1f}x")
        out.append(f"{label:<10} parse_article {row['parse_article_us']:7.0f} µs | lxml "
                   f"{row['lxml_us']:6.0f} µs | parse_article/lxml {row['vs_lxml']:.2f}x | "
                   f"trafilatura {traf}")
    if ex["trafilatura_missing"]:
        out.append(f"(not measured: {ex['trafilatura_missing']})")
    if result["rss_growth"] is not None:
        out.append("")
        out.append(f"peak RSS growth {result['rss_sizes'][0]} → {result['rss_sizes'][1]} "
                   f"articles: {result['rss_growth']:.3f}x")
    busiest = max(crawl["other_load"] for fig in result["sizes"].values()
                  for crawls in fig["runs"].values() for crawl in crawls)
    if busiest > BUSY_LOAD:
        out.append("")
        out.append(f"WARNING: other processes used up to {busiest:.2f} cores during a crawl;"
                   " timings are skewed. Rerun on a quiet machine.")
    out.append("")
    out.append("== targets ==")
    for t in result["targets"]:
        state = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        value = "-" if t["value"] is None else f"{t['value']:.3f}"
        out.append(f"{state:<13}{t['target']:<52}{value:>8}  (target {t['limit']})")
    return "\n".join(out)


def command_line() -> str:
    return " ".join(["python -m bench", *sys.argv[1:]])
