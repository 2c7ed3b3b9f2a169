"""End to end: a bounded frontier. Articles found on pages while NEWSCRAWL_FRONTIER_MAX
requests wait stay pending in the state and come back as it drains (discovery/backlog.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sitecopy import discovery
from sitecopy.model import build_site
from sitecopy.server import serve
from tests.crawling import all_records, run_crawl

# Small sitemap files and a small low water, so that what the related-post links add shows:
# a first crawl of this copy follows them depth-first, and without a bound 168 requests were
# seen waiting at once (302 on a 3,000-post copy: it grows with the site), where the sitemap
# reader alone keeps at most the low water plus one file's 50 articles, 60.
LOW_WATER, PER_FILE, BOUND = 10, 50, 20


def test_a_first_crawl_keeps_the_frontier_bounded_and_misses_nothing(tmp_path: Path) -> None:
    site = build_site(1500, seed=5, faults=False, tags=20)
    discovery.enable(site, per_file=PER_FILE)
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path, timeout=300, settings={
            "NEWSCRAWL_SITEMAP_LOW_WATER": str(LOW_WATER),
            "NEWSCRAWL_FRONTIER_MAX": str(BOUND)})
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(run.ids) == sorted(site.articles), "every article once"
    counts = run.summary["counts"]
    # The bound, a sitemap file read at the low water and a page's few links (53 was seen).
    assert counts["newscrawl/frontier/peak_waiting"] <= 100
    assert counts["newscrawl/frontier/deferred"] > 0
    assert counts["newscrawl/frontier/backlog"] > 0


def test_articles_left_pending_by_a_run_closed_early_come_back_next_run(tmp_path: Path) -> None:
    site = build_site(600, seed=7, faults=False, tags=20)
    discovery.enable(site, per_file=PER_FILE)
    settings = {"NEWSCRAWL_SITEMAP_LOW_WATER": str(LOW_WATER),
                "NEWSCRAWL_FRONTIER_MAX": str(BOUND)}
    with serve(site) as server:
        first = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", "max_articles=200",
                          settings=settings, timeout=300)
        assert first.returncode == 0, first.stderr[-3000:]
        assert first.summary["counts"]["newscrawl/frontier/deferred"] > 0
        second = run_crawl(server.base_url + "/bnews/", tmp_path, settings=settings,
                           timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.summary["counts"]["newscrawl/resumed"] > 0, "the first run's pending articles"
    ids = Counter(record["article_id"] for record in all_records(tmp_path / "out"))
    assert set(ids) == set(site.articles)
    assert max(ids.values()) == 1, "none exported twice"
