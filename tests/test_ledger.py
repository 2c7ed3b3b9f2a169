"""End to end: a site copy deletes, trashes, soft-404s and restores posts while other posts
fail in every transient way and the whole site is down for one run; runs every 6 simulated
hours (NEWSCRAWL_NOW) must report each removal once, within its window, with its proof, and
nothing for a transient fault (issue 19)."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from sitecopy import discovery, removals
from sitecopy.model import Site, build_site
from sitecopy.server import serve
from tests.crawling import ROOT, Run, all_records, crawl_command, read_lines, run_crawl

SCHEMA = json.loads((ROOT / "newscrawl" / "schema" / "ledger.schema.json").read_text("utf-8"))
HOUR = dt.timedelta(hours=1)
SETTINGS = {"NEWSCRAWL_SITEMAP_REREAD_DAYS": "1", "DOWNLOAD_TIMEOUT": "1",
            "NEWSCRAWL_LISTING_BUDGET": "3"}


def _site() -> Site:
    site = build_site(60, seed=21, faults=False, tags=40)
    discovery.enable(site, per_file=15)
    return site


def _run(site: Site, base: str, tmp: Path, **settings: str) -> Run:
    assert site.discovery is not None
    now = site.discovery.now.astimezone(dt.timezone.utc).isoformat()
    run = run_crawl(base + "/bnews/", tmp, settings={**SETTINGS, "NEWSCRAWL_NOW": now,
                                                     **settings})
    return run


def _events(tmp: Path) -> list[dict]:
    return [e for path in sorted((tmp / "ledger").glob("*.jsonl")) for e in read_lines(path)]


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.timeout(600)  # 13 crawls, ~5-10 s each
def test_removals_reported_once_within_their_window_and_never_for_faults(
        tmp_path: Path) -> None:
    site = _site()
    assert site.discovery is not None
    fresh = discovery.publish(site, 8)
    old = sorted(site.articles, key=int)[5]  # a post of January: older than any week
    with serve(site) as server:
        base = server.base_url
        first = _run(site, base, tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        assert set(first.ids) == set(site.articles)
        exported = {r["article_id"]: r for r in first.records}

        site.discovery.now += 2 * HOUR
        removed_at = site.discovery.now
        gone = {fresh[0]: "404", fresh[1]: "410", fresh[2]: "trash", fresh[3]: "soft404",
                old: "404"}
        for article_id, how in gone.items():
            removals.remove(site, [article_id], how)
        removals.flaky(site, [fresh[4]], "503")
        removals.flaky(site, [fresh[5]], "challenge")
        removals.flaky(site, [fresh[6]], "timeout")
        removals.flaky(site, [fresh[7]], "403")
        runs: list[tuple[dt.datetime, Run]] = []
        outage_at = None
        for step in range(8):  # every 6 h for 2 days, the third run while the site is down
            site.discovery.now += 6 * HOUR
            site.down = step == 2
            if site.down:
                outage_at = site.discovery.now
            run = _run(site, base, tmp_path)
            assert run.returncode == (1 if site.down else 0), run.stderr[-3000:]
            runs.append((site.discovery.now, run))
        site.down = False
        events = _events(tmp_path)
        for event in events:
            jsonschema.validate(event, SCHEMA)
        removed = {e["article_id"]: e for e in events if e["event"] == "removed"}
        assert sorted(e["article_id"] for e in events) == sorted(gone), "each once, none else"
        start = removed_at.astimezone(dt.timezone.utc)
        for article_id, how in gone.items():
            event = removed[article_id]
            expected_how = {"404": "http_404", "410": "http_410", "trash": "redirect",
                            "soft404": "soft_404"}[how]
            assert event["how"] == expected_how
            assert event["http_status"] == {"404": 404, "410": 410, "trash": 301,
                                            "soft404": 200}[how]
            assert event["redirect_to"] == (base + "/bnews/" if how == "trash" else None)
            assert event["url"] == exported[article_id]["url"]
            assert event["last_version"] == 1
            assert event["last_content_hash"] == exported[article_id]["content_hash"]
            confirmed = _utc(event["confirmed_at"])
            assert _utc(event["confirmed_at"]) - _utc(event["first_observed"]) >= HOUR
            window = dt.timedelta(hours=26) if article_id != old else dt.timedelta(days=2)
            assert confirmed - start <= window, (article_id, confirmed - start)
            assert event["evidence"]["warc_file"].endswith(".warc.gz")
            assert (tmp_path / "warc" / event["evidence"]["warc_file"]).exists()
        assert removed[old]["found_by"] == "sitemap_missing"
        assert outage_at is not None
        assert all(_utc(e["confirmed_at"]) != outage_at for e in events)
        summaries = [run.summary for _, run in runs]
        assert sum(s["ledger"]["removals_confirmed"] for s in summaries) == len(gone)
        assert sum(s["ledger"]["revisits"] for s in summaries) > 0

        # Restored: the trashed post answers with its article again, unchanged.
        removals.restore(site, [fresh[2]])
        for flaky_id in fresh[4:]:
            removals.flaky(site, [flaky_id], None)
        for _ in range(4):  # a removed post is looked at daily: restored within a day
            site.discovery.now += 6 * HOUR
            run = _run(site, base, tmp_path)
            assert run.returncode == 0, run.stderr[-3000:]
        restored = [e for e in _events(tmp_path) if e["event"] == "restored"]
        assert [e["article_id"] for e in restored] == [fresh[2]]
        assert restored[0]["how"] is None and restored[0]["http_status"] == 200
        assert len([e for e in _events(tmp_path) if e["event"] == "removed"]) == len(gone)

    # The article feeds carry articles only, each once: nothing changed, nothing re-exported.
    records = all_records(tmp_path / "out")
    assert all("event" not in r for r in records)
    assert sorted(r["article_id"] for r in records) == sorted(site.articles)


@pytest.mark.timeout(600)
def test_ledger_exactly_once_across_kill_9(tmp_path: Path) -> None:
    """A run killed while (or after) it writes its ledger: the next runs report each event
    once, the killed run's file recovered (no torn line) whatever the moment of the kill."""
    site = _site()
    assert site.discovery is not None
    fresh = discovery.publish(site, 6)
    with serve(site) as server:
        base = server.base_url
        assert _run(site, base, tmp_path).returncode == 0
        site.discovery.now += 2 * HOUR
        removals.remove(site, fresh, "404")
        site.discovery.now += 6 * HOUR
        assert _run(site, base, tmp_path).returncode == 0  # first seen (suspects)
        assert _events(tmp_path) == []
        site.discovery.now += 6 * HOUR
        now = site.discovery.now.astimezone(dt.timezone.utc).isoformat()
        command = crawl_command(base + "/bnews/", tmp_path / "out" / "killed.jsonl",
                                tmp_path / "state",
                                settings={**SETTINGS, "NEWSCRAWL_NOW": now})
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        ledger = tmp_path / "ledger"
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if any(p.stat().st_size for p in ledger.glob("*.jsonl")):
                break
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for _ in range(3):
            site.discovery.now += 6 * HOUR
            run = _run(site, base, tmp_path)
            assert run.returncode == 0, run.stderr[-3000:]
    events = _events(tmp_path)  # read_lines refuses a torn last line
    assert sorted(e["article_id"] for e in events) == sorted(fresh)
    assert {e["event"] for e in events} == {"removed"}
