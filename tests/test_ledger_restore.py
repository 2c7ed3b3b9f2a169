"""A post reported removed that a sitemap file or a listing page shows again is refetched at
once: its restoration is reported by the run that sees it listed, not by the daily or weekly
restoration check a day or a week later (issue 19). Runs every 6 simulated hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jsonschema
import pytest

from sitecopy import discovery, removals
from sitecopy.model import Site, build_site
from sitecopy.server import serve
from tests.test_ledger import SCHEMA, _events, _run, _utc

STEP = dt.timedelta(hours=6)


def _site(sitemaps: bool) -> Site:
    site = build_site(60, seed=21, faults=False, tags=40)
    discovery.enable(site, per_file=15, sitemaps=sitemaps, feed=sitemaps)
    return site


def _until_removed(site: Site, base: str, tmp: Path, article_id: str, runs: int) -> None:
    """Runs every 6 hours until the post's removal is in the ledger (at most `runs`)."""
    assert site.discovery is not None
    for _ in range(runs):
        site.discovery.now += STEP
        run = _run(site, base, tmp)
        assert run.returncode == 0, run.stderr[-3000:]
        if any(e["article_id"] == article_id for e in _events(tmp)):
            return
    raise AssertionError(f"{article_id} not reported removed within {runs} runs")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("sitemaps", [True, False], ids=["sitemap", "listing"])
def test_a_removed_post_listed_again_is_reported_restored_by_the_next_run(
        tmp_path: Path, sitemaps: bool) -> None:
    site = _site(sitemaps)
    assert site.discovery is not None
    fresh = discovery.publish(site, 3)
    with serve(site) as server:
        base = server.base_url
        assert _run(site, base, tmp_path).returncode == 0
        site.discovery.now += 2 * STEP / 6
        removals.remove(site, [fresh[1]], "404")
        # with sitemaps: missing, refetched, confirmed; without: the day-after revisit
        _until_removed(site, base, tmp_path, fresh[1], runs=8 if sitemaps else 12)
        [removed] = _events(tmp_path)
        assert removed["event"] == "removed"

        # Back everywhere (its sitemap file, the front listing), as before; the next run,
        # 6 hours later, sees it listed: far before the daily restoration check is due.
        removals.restore(site, [fresh[1]])
        site.discovery.now += STEP
        restored_at = site.discovery.now.astimezone(dt.timezone.utc)
        run = _run(site, base, tmp_path)
        assert run.returncode == 0, run.stderr[-3000:]
        events = _events(tmp_path)
        for event in events:
            jsonschema.validate(event, SCHEMA)
        assert [(e["event"], e["article_id"]) for e in events] == [
            ("removed", fresh[1]), ("restored", fresh[1])]
        restored = events[1]
        assert _utc(restored["confirmed_at"]) == restored_at
        assert restored["found_by"] == "listing"
        assert restored["http_status"] == 200 and restored["how"] is None
        assert run.summary["ledger"]["restorations"] == 1

        # Listed again by the next runs too: no second refetch, no second event.
        for _ in range(2):
            site.discovery.now += STEP
            assert _run(site, base, tmp_path).returncode == 0
        assert len(_events(tmp_path)) == 2
