"""Guarantees across runs that a one-line breakage used to leave unnoticed (issue 21).

Each test runs the real crawl against the copy with sitemaps, on the copy's clock
(tests.crawling.copy_clock), several times on one state, and checks what every run together
exported: an edit is exported once, by some run, whatever stopped the runs before it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from newscrawl.discovery import urls
from newscrawl.run.errors import EXIT_DRIFT
from sitecopy import discovery
from sitecopy.model import Site, build_site
from sitecopy.paths import tag_path
from sitecopy.redesign import TAGS
from sitecopy.server import SiteServer, serve
from tests.crawling import all_records, copy_clock, run_crawl

# Spread over the four sitemap files (15 posts each, oldest first).
EDITED = (2, 11, 19, 33, 41, 58)


def _sitemap_site() -> Site:
    """60 posts, 15 a sitemap file (4 files), a feed."""
    site = build_site(60, seed=21, faults=False, tags=40)
    discovery.enable(site, per_file=15)
    return site


def _crawl(server: SiteServer, site: Site, tmp: Path, *args: str,
           settings: dict[str, str] | None = None, status: int | None = 0
           ) -> list[tuple[str, int]]:
    """One run on the copy's clock exiting with `status` (None: any); its (id, version)s."""
    server.reset()
    run = run_crawl(server.base_url + "/bnews/", tmp, *args, settings=copy_clock(site, settings))
    assert status is None or run.returncode == status, run.stderr[-3000:]
    return [(r["article_id"], r["version"]) for r in run.records]


def _edit(site: Site) -> list[str]:
    discovery.advance(site, 1)
    ids = list(site.articles)
    edited = [ids[i] for i in EDITED]
    discovery.edit(site, edited)
    return edited


def _edits_exported(tmp: Path, first_run_records: int) -> Counter[str]:
    """How often each article was exported as version 2, over every run after the first."""
    later = [r for r in all_records(tmp / "out")][first_run_records:]
    return Counter(r["article_id"] for r in later if r["version"] == 2)


@pytest.mark.parametrize("stop", [
    ("-a", "max_articles=1"),  # ArticleLimitPipeline drops what it fetched past the limit
    # Scrapy's CloseSpider once robots.txt, the index, the edits' file and the feed are read:
    # closed before any article (exit 1, nothing exported), reason not "finished".
    ("-s", "CLOSESPIDER_PAGECOUNT=4"),
], ids=["max_articles", "closespider"])
def test_edits_a_stopped_run_did_not_export_are_exported_by_the_next(
        tmp_path: Path, stop: tuple[str, str]) -> None:
    """docs/discovery.md: a lastmod is recorded only once the article's line is written, and
    a sitemap watermark moves only when a run finishes; README: "the rest are fetched by the
    next run". A run stopped early must lose no edit it saw."""
    site = _sitemap_site()
    with serve(site) as server:
        first = _crawl(server, site, tmp_path)
        assert len(first) == 60
        edited = _edit(site)
        # One request at a time: the articles still queued when it stops are not fetched.
        stopped = _crawl(server, site, tmp_path, *stop, status=None,
                         settings={"CONCURRENT_REQUESTS_PER_DOMAIN": "1"})
        assert len(stopped) < len(edited), "the run was not stopped early"
        assert server.hits.paths()["/bnews/post-sitemap4.xml"] == 1, "the edits' file not read"
        assert {version for _, version in stopped} <= {2}
        _crawl(server, site, tmp_path)
        assert _edits_exported(tmp_path, 60) == dict.fromkeys(edited, 1)
        assert _crawl(server, site, tmp_path) == [], "an edit exported twice"


def test_a_sitemap_file_that_fails_keeps_the_watermark(tmp_path: Path) -> None:
    """docs/discovery.md: a sitemap file that cannot be read keeps its source's watermark,
    so the next run reads it again and takes the edits it lists."""
    site = _sitemap_site()
    with serve(site) as server:
        assert len(_crawl(server, site, tmp_path)) == 60
        edited = _edit(site)
        # Every edit moves its post to the last file (post-sitemap4.xml); 15 posts published
        # after them fill a fifth file, newer than every edit, which this run reads.
        discovery.advance(site, 1)
        added = discovery.publish(site, 15)
        # The edits' file answers 503 once; with no retry, it stays unread this run.
        site.transient = frozenset({"/bnews/post-sitemap4.xml"})
        failed = _crawl(server, site, tmp_path, settings={"RETRY_TIMES": "0"})
        assert sorted(failed) == sorted((i, 1) for i in added)
        assert server.hits.paths()["/bnews/post-sitemap4.xml"] == 1
        site.transient = frozenset()
        again = _crawl(server, site, tmp_path)
        assert sorted(again) == sorted((i, 2) for i in edited)
        assert _crawl(server, site, tmp_path) == []


# --- the markup-drift alarm across runs (docs/failures.md, newscrawl/quality/drift.py) -------

DRIFT = {"NEWSCRAWL_DRIFT_MIN_PAGES": "10", "NEWSCRAWL_DRIFT_MIN_HISTORY": "10"}


def _statuses(site: Site, server: SiteServer, tmp: Path, runs: list[dict[str, str]],
              redesign: frozenset[str]) -> list[tuple[int, str]]:
    """One run per settings in `runs`, each with 15 new posts, the copy redesigned as given;
    (exit status, stderr) of each."""
    site.redesign = redesign
    done = []
    for settings in runs:
        site.add_articles(15)
        run = run_crawl(server.base_url + "/bnews/", tmp, settings={**DRIFT, **settings})
        done.append((run.returncode, run.stderr))
    return done


def _baseline(site: Site, server: SiteServer, tmp: Path) -> None:
    assert [s for s, _ in _statuses(site, server, tmp, [{}], frozenset())] == [0]


def test_the_drift_alarm_repeats_on_every_run_until_the_markup_is_fixed(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    _baseline(site, server, tmp_path)
    alarmed = _statuses(site, server, tmp_path, [{}] * 3, frozenset({TAGS}))
    assert [status for status, _ in alarmed] == [EXIT_DRIFT] * 3, alarmed[-1][1][-2000:]
    assert all("markup drift: tags 0% (usually 100%)" in err for _, err in alarmed)
    fixed = _statuses(site, server, tmp_path, [{}], frozenset())
    assert [status for status, _ in fixed] == [0], fixed[0][1][-2000:]


def test_drift_accept_makes_the_redesign_the_new_normal(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    _baseline(site, server, tmp_path)
    accept = {"NEWSCRAWL_DRIFT_ACCEPT": "True"}
    done = _statuses(site, server, tmp_path, [accept, accept, {}], frozenset({TAGS}))
    assert [status for status, _ in done] == [0, 0, 0], done[-1][1][-2000:]
    assert "markup drift accepted as the new normal: tags 0% (usually 100%)" in done[0][1]
    assert "markup drift" not in done[2][1], "the accepted level is the usual one now"


def test_drift_disabled_neither_alarms_nor_records(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    _baseline(site, server, tmp_path)
    off = {"NEWSCRAWL_DRIFT_ENABLED": "False"}
    done = _statuses(site, server, tmp_path, [off, off, {}], frozenset({TAGS}))
    # Had the two silent runs been recorded, their 0% would be the usual level (the median).
    assert [status for status, _ in done] == [0, 0, EXIT_DRIFT], done[-1][1][-2000:]
    assert not any("markup drift" in err for _, err in done[:2])


# --- listings in a real crawl (docs/discovery.md) --------------------------------------------

T0 = "2023-05-01T00:00:00+00:00"
DUE_ALL = "2023-05-04T00:00:00+00:00"  # every listing of the first run is due (1 day × ≤ 1.5)
AFTER_LEASE = "2023-05-04T02:00:00+00:00"  # a claim without a visit is due again (lease: 1 h)


def test_the_page_cap_stops_every_walk_in_a_real_crawl(tmp_path: Path) -> None:
    """NEWSCRAWL_LISTING_MAX_PAGES: no listing is read past that page, the front page's
    exhaustive walk included."""
    site = build_site(60, seed=13, faults=False, tags=30)
    assert site.page("", 1)[1] >= 3, "the front page must have pages past the cap"
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path,
                        settings={"NEWSCRAWL_LISTING_MAX_PAGES": "2"})
        assert run.returncode == 0, run.stderr[-3000:]
        pages = [ref for path in server.hits.paths()
                 if (ref := urls.listing_ref("http://h" + path)) is not None]
        assert max(ref.page for ref in pages) == 2
        front = sorted(ref.page for ref in pages if ref.archive.endswith("/bnews/"))
        assert front == [1, 2]
        assert run.summary["counts"]["newscrawl/listings/walk_end/page_cap"] >= 1


def test_a_listing_answering_404_is_a_visit_that_showed_nothing(tmp_path: Path) -> None:
    """docs/discovery.md: a claimed listing answering no listing (404) was visited: it is
    not due again after the lease, and its next visit is scheduled as for a quiet one."""
    site = build_site(60, seed=13, faults=False, tags=30)
    gone = site.menu_tags[2]
    with serve(site) as server:
        settings = {"NEWSCRAWL_LISTING_BUDGET": "100"}
        assert run_crawl(server.base_url + "/bnews/", tmp_path,
                         settings={**settings, "NEWSCRAWL_NOW": T0}).returncode == 0
        del site.by_tag[gone]  # the tag archive now answers 404
        server.reset()
        claimed = run_crawl(server.base_url + "/bnews/", tmp_path,
                            settings={**settings, "NEWSCRAWL_NOW": DUE_ALL})
        assert claimed.returncode == 0, claimed.stderr[-3000:]
        assert server.hits.paths()[tag_path(gone)] == 1, "the gone listing not claimed"
        server.reset()
        after = run_crawl(server.base_url + "/bnews/", tmp_path,
                          settings={**settings, "NEWSCRAWL_NOW": AFTER_LEASE})
        assert after.returncode == 0, after.stderr[-3000:]
        assert after.summary["counts"]["newscrawl/listings/due"] == 0, "visit not recorded"
        assert tag_path(gone) not in server.hits.paths()
