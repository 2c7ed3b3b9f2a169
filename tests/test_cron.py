"""Cron-ready runs: incremental, exactly-once across runs and kills, one run at a time."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.discovery import urls
from newscrawl.run.errors import EXIT_BUSY
from sitecopy.model import Site, build_site
from sitecopy.paths import listing_path
from sitecopy.server import SiteServer, serve
from tests.crawling import ROOT, all_records, crawl_command, crawl_twice, read_jsonl, run_crawl

# Slow enough that a kill lands mid-run, fast enough for CI.
SLOW = {"CONCURRENT_REQUESTS_PER_DOMAIN": "2", "DOWNLOAD_DELAY": "0.02"}


def _articles_fetched(server: SiteServer) -> list[str]:
    return [p for p in server.hits.paths() if urls.article_ref("http://h" + p)]


def _expected_ids(site: Site, base_url: str) -> set[str]:
    """Every article a complete crawl keeps: one of the republished pair is dropped."""
    return set(site.expected_records(base_url)) - {site.republished[1]}


def _assert_each_once(site: Site, server: SiteServer, output_dir: Path) -> None:
    ids = Counter(r["article_id"] for r in all_records(output_dir))
    assert [i for i, n in ids.items() if n > 1] == [], "exported twice"
    original, copy = site.republished
    assert len({original, copy} & set(ids)) == 1
    assert set(ids) | {original, copy} == set(site.expected_records(server.base_url)) | {
        original, copy}


def test_second_run_exports_nothing_and_fetches_only_listings(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    first, second = crawl_twice(server, tmp_path)
    assert second.records == []
    assert not (tmp_path / "out" / "run-02.jsonl").exists(), "an empty file for an empty run"
    # Articles fetched again: only those that never gave an article (retried a few runs).
    failing = {site.articles[i].path() for i in site.unservable} | {
        m.path() for m in site.missing.values()}
    assert set(_articles_fetched(server)) <= failing
    assert second.summary["requests"] < first.summary["requests"] / 2
    assert second.summary["new"] == 0


def test_new_articles_between_runs_are_exported_next_run(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    assert run_crawl(server.base_url + "/bnews/", tmp_path).returncode == 0
    added = site.add_articles(3)
    server.reset()
    second = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert sorted(second.ids) == sorted(added)
    for record in second.records:
        expected = site.expected_record(record["article_id"], server.base_url)
        assert {k: v for k, v in record.items() if k != "crawled_at"} == expected


def test_refresh_reexports_only_changed_articles_with_next_version(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    first = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert first.returncode == 0
    changed = first.records[5]
    site.change_article(changed["article_id"])
    second = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", "refresh=1")
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.ids == [changed["article_id"]]
    record = second.records[0]
    assert record["version"] == 2
    assert record["content_hash"] != changed["content_hash"]
    assert record["body"] != changed["body"]
    assert second.summary["updated"] == 1 and second.summary["new"] == 0
    third = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", "refresh=1")
    assert third.returncode == 0
    assert third.records == []


def _start(server: SiteServer, tmp_path: Path, name: str,
           settings: dict[str, str] | None = None) -> subprocess.Popen:
    output = tmp_path / "out" / f"{name}.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    command = crawl_command(server.base_url + "/bnews/", output, tmp_path / "state",
                            settings={**SLOW, **(settings or {})})
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_lines(path: Path, lines: int, process: subprocess.Popen, timeout: float = 60
                    ) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if lines == 0 or (path.exists() and path.read_bytes().count(b"\n") >= lines):
            return
        time.sleep(0.01)
    raise AssertionError(f"{path} did not reach {lines} lines (exit {process.poll()})")


@pytest.mark.parametrize("kill_after_lines", [0, 1, 15, 40])
def test_kill_9_then_rerun_exports_every_article_exactly_once(
        tmp_path: Path, kill_after_lines: int) -> None:
    site = build_site(60, seed=11)
    with serve(site) as server:
        first = tmp_path / "out" / "killed.jsonl"
        process = _start(server, tmp_path, "killed")
        _wait_for_lines(first, kill_after_lines, process)
        if kill_after_lines == 0:  # killed once it fetched an article: mid-run, not before it
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None and not any(
                    urls.article_ref("http://h" + path) for path in server.hits.paths()):
                time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, "the run ended before it was killed"
        if first.exists():
            read_jsonl(first)  # valid JSON Lines, no torn line
        rerun = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        _assert_each_once(site, server, tmp_path / "out")


def test_line_written_but_not_recorded_is_recovered_and_torn_line_cut(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    """The two windows of a kill: after the flush but before the state commit; mid-line."""
    process = _start(server, tmp_path, "killed")
    output = tmp_path / "out" / "killed.jsonl"
    _wait_for_lines(output, 5, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    lines = output.read_bytes().splitlines(keepends=True)
    last = json.loads(lines[-1])
    db = sqlite3.connect(tmp_path / "state" / "state.sqlite3")
    with db:  # as if killed between the flush of the last line and its commit
        db.execute("UPDATE output SET committed = ? WHERE path = ?",
                   (sum(map(len, lines[:-1])), str(output)))
        db.execute("DELETE FROM article WHERE key = ?", (f"zh-Hans:{last['article_id']}",))
    db.close()
    with output.open("ab") as file:  # as if killed in the middle of a write
        file.write(b'{"url": "http://127.0.0.1/torn", "article_id": "1')
    rerun = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "cut a torn line" in rerun.stderr
    assert "recovered 1 article(s)" in rerun.stderr
    assert read_jsonl(output)[-1] == last  # repaired: valid JSON Lines again
    assert last["article_id"] not in rerun.ids
    _assert_each_once(site, server, tmp_path / "out")


def test_second_run_while_one_is_active_exits_at_once_touching_nothing(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    first = _start(server, tmp_path, "first", settings={"DOWNLOAD_DELAY": "0.2"})
    try:
        _wait_for_lines(tmp_path / "out" / "first.jsonl", 1, first)
        second = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert second.returncode == EXIT_BUSY
        # At once: it fetched nothing (no timing: a loaded machine is slow, not wrong).
        assert "Crawled (" not in second.stderr, second.stderr[-2000:]
        assert "another newscrawl run" in second.stderr
        assert not (tmp_path / "out" / "run-01.jsonl").exists()
        assert not (tmp_path / "state" / "last-run.json").exists()
        assert first.poll() is None, "the first run was disturbed"
    finally:
        first.kill()
        first.wait(timeout=30)


def test_first_run_without_sitemaps_pages_the_front_page_to_its_end(tmp_path: Path) -> None:
    """Pagers link the last page from the first: reaching it early must not cut the middle.

    No listing is assumed to enumerate the site (issue 17): until a finished run has walked a
    listing to its end, a first run without sitemaps pages every listing to its end, the front
    page, each category and each tag archive alike.
    """
    site = build_site(300, seed=5)
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]
        fetched = set(server.hits.paths())
    for page in range(1, site.page("", 1)[1] + 1):
        assert listing_path("", page=page) in fetched, f"page {page} of the front page not read"
    for section in [*site.by_category, *(f"tag/{tag}" for tag in site.by_tag)]:
        path = urls.canonical("http://h" + listing_path(section))[len("http://h"):]
        assert path in fetched, f"page 1 of {section} not read"
        for page in range(2, site.page(section, 1)[1] + 1):
            assert f"{path}page/{page}/" in fetched, f"page {page} of {section} not read"
    counts = run.summary["counts"]
    assert counts["newscrawl/listings/walk_end/last_page"] >= 1
    assert "newscrawl/listings/walk_end/page_cap" not in counts
