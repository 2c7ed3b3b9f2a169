"""End to end: a claimed listing that answers with another listing, or with a challenge page.

Either way the visit is recorded under the listing the run claimed (the identity its request
carried), so it is not due again at the next run after the lease, and a redirect's target
gets no schedule it never claimed.
"""

from __future__ import annotations

from pathlib import Path

from newscrawl.discovery import urls
from sitecopy.model import build_site
from sitecopy.paths import listing_path
from sitecopy.server import SiteServer, serve
from tests.crawling import Run, run_crawl

T0 = "2023-05-01T00:00:00+00:00"
DUE_ALL = "2023-05-04T00:00:00+00:00"  # every listing of the first run is due (1 day × ≤ 1.5)
AFTER_LEASE = "2023-05-04T02:00:00+00:00"  # a claim without a visit is due again (lease: 1 h)


def _run(server: SiteServer, tmp: Path, now: str, budget: int = 100) -> Run:
    run = run_crawl(server.base_url + "/bnews/", tmp, settings={
        "NEWSCRAWL_NOW": now, "NEWSCRAWL_LISTING_BUDGET": str(budget)})
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def _listing_pages(server: SiteServer) -> list[str]:
    """Paths of the tag and category pages the server was asked for (not the front page)."""
    return [path for path in server.hits.paths().elements()
            if (ref := urls.listing_ref("http://h" + path)) is not None
            and not ref.archive.endswith("/bnews/")]


def test_listing_redirected_to_another_records_its_visit_under_its_own_name(
        tmp_path: Path) -> None:
    site = build_site(60, seed=13, faults=False, tags=30)
    listings = len(site.by_category) + len(site.by_tag)
    moved = f"tag/{site.menu_tags[2]}"
    # The target: a tag archive no page links, so only the redirect leads there.
    site.by_tag["新话题"] = list(site.by_tag[moved[4:]])
    with serve(site) as server:
        _run(server, tmp_path, T0)
        site.moved_listings[moved] = "tag/新话题"
        server.reset()
        claimed = _run(server, tmp_path, DUE_ALL)
        assert listing_path("tag/新话题") in server.hits.paths(), "the redirect not followed"
        moved_url = urls.canonical(server.base_url + listing_path(moved))
        target_url = urls.canonical(server.base_url + listing_path("tag/新话题"))
        assert f"listing {moved_url} redirects to {target_url}" in claimed.stderr
        assert claimed.summary["counts"]["newscrawl/listings/claimed"] == listings

        server.reset()
        after = _run(server, tmp_path, AFTER_LEASE)
        assert after.summary["counts"]["newscrawl/listings/due"] == 0, "visit not recorded"
        assert _listing_pages(server) == []

        # A month on every listing is due: those of the site, not the redirect's target.
        later = _run(server, tmp_path, "2023-06-04T00:00:00+00:00", budget=0)
        assert later.summary["counts"]["newscrawl/listings/due"] == listings


def test_listing_answering_a_challenge_with_200_is_a_failed_visit(tmp_path: Path) -> None:
    site = build_site(60, seed=13, faults=False, tags=30)
    challenged = f"tag/{site.menu_tags[2]}"
    with serve(site) as server:
        _run(server, tmp_path, T0)
        site.challenged_listings.add(challenged)
        server.reset()
        claimed = _run(server, tmp_path, DUE_ALL)
        assert listing_path(challenged) in server.hits.paths()
        assert claimed.summary["counts"]["newscrawl/not_article/challenge"] == 1

        server.reset()
        after = _run(server, tmp_path, AFTER_LEASE)
        assert after.summary["counts"]["newscrawl/listings/due"] == 0, "visit not recorded"
        assert _listing_pages(server) == []
