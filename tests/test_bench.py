"""Smoke test of the benchmark (python -m bench) at a tiny size: it runs, every figure is there.

Never asserts the timing targets: those are for the report, not for a shared CI machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import profile

ROOT = Path(__file__).resolve().parent.parent
SIZES = (40, 80)  # two sizes, so the memory growth figure is computed too


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bench")
    out = work / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--articles", ",".join(map(str, SIZES)),
         "--repeats", "1", "--pages", "2", "--json", str(out), "--workdir", str(work / "runs")],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "== targets ==" in done.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def test_machine_and_command(result: dict) -> None:
    assert result["command"].startswith("python -m bench --articles")
    assert result["machine"]["nproc"] >= 1
    assert result["machine"]["scrapy"] and result["machine"]["cpu"]


@pytest.mark.parametrize("size", SIZES)
def test_crawl_figures(result: dict, size: int) -> None:
    figures = result["sizes"][str(size)]
    full, null, incremental = figures["full"], figures["null"], figures["incremental"]
    plain = figures["plain"]
    for crawl in (full, plain, null, incremental):
        assert crawl["requests"] > 0 and crawl["pages"] > 0
        assert 0 < crawl["crawl_seconds"] <= crawl["wall_seconds"]
        assert crawl["cpu_seconds"] > 0
        assert 0 <= crawl["other_load"] < 64
        assert 20 * 2**20 < crawl["max_rss_bytes"] < 2**31
        assert crawl["wall_pages_per_second"] > 0 and crawl["cpu_ms_per_page"] > 0
    # A clean site: every article exported once; the null spider reaches the same pages.
    assert full["articles"] == null["articles"] == size
    assert full["requests"] <= null["requests"]
    # The plain spider (Scrapy defaults, its own URL patterns) reaches every article page too,
    # and fetches at least the pages newscrawl does: since issue 17 a first crawl without
    # sitemaps reads every listing to its end, as the plain spider does; newscrawl also asks for
    # what the plain spider never does, robots.txt, two sitemap probes and the feed (4 on this
    # copy, which has none of them).
    probes = 4
    assert plain["articles"] == size and plain["requests"] >= full["requests"] - probes
    for baseline in ("vs_plain", "vs_null"):
        assert set(figures[baseline]) == {"wall_pages_per_second", "pages_per_second",
                                          "cpu_per_page", "articles_per_second"}
        assert all(ratio > 0 for ratio in figures[baseline].values())
    assert full["pages_per_second"] > 0 and null["articles_per_second"] > 0
    assert incremental["articles"] == 0, "the unchanged site has nothing new"
    assert incremental["requests"] < full["requests"]
    assert figures["throughput_vs_null"] > 0
    assert 0 < figures["incremental_requests_fraction"] < 1
    assert figures["incremental_seconds_fraction"] > 0
    assert len(figures["runs"]["full"]) == 1


def test_extraction_figures(result: dict) -> None:
    extraction = result["extraction"]
    assert extraction["pages"] == 2
    for row in (extraction["median"], extraction["captured"]):
        for key in ("parse_article_us", "lxml_us", "vs_lxml"):
            assert row[key] > 0, key
    assert extraction["captured"]["bytes"] > 1000


def test_trafilatura_figures(result: dict) -> None:
    extraction = result["extraction"]
    if extraction["trafilatura_missing"]:  # the bench extra is not installed
        pytest.skip(extraction["trafilatura_missing"])
    for row in (extraction["median"], extraction["captured"]):
        assert row["trafilatura_us"] > 0 and row["trafilatura_vs"] > 0


def test_memory_growth_and_targets(result: dict) -> None:
    assert result["rss_sizes"] == list(SIZES)
    assert 0.5 < result["rss_growth"] < 5
    names = [target["target"] for target in result["targets"]]
    assert len(names) == 2 * len(SIZES) + 3
    measured = [target for target in result["targets"]
                if not (target["target"].startswith("trafilatura")
                        and result["extraction"]["trafilatura_missing"])]
    assert all(isinstance(target["met"], bool) for target in measured)


@pytest.mark.parametrize(("stack", "concern"), [
    ("<module> (scrapy/__main__.py:1);_find_and_load (<frozen importlib._bootstrap>:1);"
     "stack (inspect.py:1755)", "start-up"),
    ("run (threading.py:1);get (queue.py:171);wait (threading.py:327)", "other"),
    ("work (twisted/_threads/_threadworker.py:75);Condition.wait (threading.py:327)", "idle"),
    ("run (twisted/internet/base.py:1);_links (newscrawl/spiders/bannedbook.py:9);"
     "canonicalize_url (w3lib/url.py:5)", "links"),
    ("run (twisted/internet/base.py:1);_links (newscrawl/spiders/bannedbook.py:9);"
     "css (parsel/selector.py:3)", "parse"),
    ("run (twisted/internet/base.py:1);parse (newscrawl/spiders/bannedbook.py:9);"
     "parse_article (newscrawl/extraction/extract.py:1)", "extraction"),
    ("process_item (newscrawl/pipelines/dedupe.py:1);claim (newscrawl/state/sqlite.py:2)",
     "state"),
    ("run (twisted/internet/base.py:1);dataReceived (twisted/web/_newclient.py:1)", "fetch"),
    ("run (twisted/internet/base.py:1);select (selectors.py:469)", "idle"),
    ("mystery (elsewhere.py:1)", "other"),
])
def test_profile_sorts_a_sample_by_its_innermost_concern(stack: str, concern: str) -> None:
    assert profile.concern(stack) == concern


def test_sitemap_baseline_reads_every_article_the_sitemaps_list(tmp_path: Path) -> None:
    from bench.__main__ import crawl_size

    runs = crawl_size(40, 1, 1, tmp_path, sitemaps=True)
    (baseline,) = runs["sitemap"]
    (full,) = runs["full"]
    assert baseline.articles == 40, "the SitemapSpider took every article page once"
    assert full.articles == 40


def test_kinds_runs_only_the_crawls_named(tmp_path: Path) -> None:
    import argparse

    from bench import report
    from bench.__main__ import _kinds, crawl_size

    assert _kinds("sitemap") == ("full", "sitemap")  # full is the crawl compared: always run
    assert _kinds("full,plain,plain") == ("full", "plain")
    with pytest.raises(argparse.ArgumentTypeError):
        _kinds("full,bogus")
    runs = crawl_size(40, 1, 1, tmp_path, sitemaps=True, only=("full", "sitemap"))
    assert set(runs) == {"full", "sitemap"}
    figures = report.size_figures(runs)
    assert set(figures) == {"full", "sitemap", "vs_sitemap", "runs"}
    found = report.targets({40: figures}, {"median": {"vs_lxml": 2.0, "trafilatura_vs": 9.0}},
                           None)
    assert found[0]["target"] == "crawl pages/s vs SitemapSpider (40 articles)"
    assert found[0]["value"] == figures["vs_sitemap"]["pages_per_second"]


def test_parses_gives_the_same_links_read_once_as_twice() -> None:
    from bench import extraction, parses

    pages = extraction.sample_pages(20, 1, 2)
    for page in pages:
        assert parses.once(page) == parses.twice(page)
        assert len(parses.once(page)) > 10  # the menu, tags and related links at least
    figures = parses.measure(pages, rounds=1, budget=0.001)
    assert figures["pages"] == len(pages) and figures["once_us"] > 0 and figures["twice_us"] > 0
