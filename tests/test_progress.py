"""A long run's progress figures, and how a run tells another still going from a stuck one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl.reporting.progress import duration, progress_figures
from newscrawl.run.errors import EXIT_BUSY, EXIT_STUCK, AlreadyRunning, RunStuck
from newscrawl.state.keeper import RunLock
from sitecopy import discovery
from sitecopy.model import build_site
from sitecopy.server import serve
from tests.crawling import run_crawl


@pytest.mark.parametrize(("stats", "seconds", "expected"), [
    ({}, 10.0, {"exported": 0, "to_go": None, "sitemap_files_left": 0,
                "rate_per_second": 0.0, "eta_seconds": None}),
    # 2 files read wanting 300 articles, 8 left (~1,200 more), 100 exported in 50 s: 2/s,
    # 200 + 1,200 to go: 700 s.
    ({"newscrawl/exported": 100, "newscrawl/sitemap/new": 280,
      "newscrawl/sitemap/recheck": 20, "newscrawl/sitemap/files_read": 2,
      "newscrawl/sitemap/files_left": 8}, 50.0,
     {"exported": 100, "to_go": 1400, "sitemap_files_left": 8, "rate_per_second": 2.0,
      "eta_seconds": 700}),
    # Resumed articles count as known to go, not as what a sitemap file holds.
    ({"newscrawl/exported": 10, "newscrawl/resumed": 30}, 5.0,
     {"exported": 10, "to_go": 20, "sitemap_files_left": 0, "rate_per_second": 2.0,
      "eta_seconds": 10}),
])
def test_progress_figures(stats: dict, seconds: float, expected: dict) -> None:
    assert progress_figures(stats, seconds) == expected


@pytest.mark.parametrize(("seconds", "text"), [
    (59, "0m59s"), (250, "4m10s"), (7500, "2h05m"), (12 * 86400 + 3 * 3600, "12d03h")])
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_a_run_still_going_is_told_from_a_stuck_or_gone_one(tmp_path: Path) -> None:
    holder = RunLock(tmp_path / "run.lock")
    holder.acquire()  # this process: running, its heartbeat fresh
    try:
        with pytest.raises(AlreadyRunning) as going:
            RunLock(tmp_path / "run.lock", stuck_after=60, quiet=True).acquire()
        assert going.value.quiet and going.value.exit_code == EXIT_BUSY
        with pytest.raises(AlreadyRunning) as loud:
            RunLock(tmp_path / "run.lock", stuck_after=60).acquire()
        assert not loud.value.quiet
        old = time.time() - 120
        os.utime(tmp_path / "run.lock", (old, old))
        with pytest.raises(RunStuck, match="no progress for 2 min") as stuck:
            RunLock(tmp_path / "run.lock", stuck_after=60, quiet=True).acquire()
        assert stuck.value.exit_code == EXIT_STUCK
        holder.heartbeat()
        with pytest.raises(AlreadyRunning):
            RunLock(tmp_path / "run.lock", stuck_after=60).acquire()
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout.strip()
        (tmp_path / "run.lock").write_text(gone)  # the pid of a process that has exited
        with pytest.raises(RunStuck, match=f"no process {gone} runs here"):
            RunLock(tmp_path / "run.lock", stuck_after=60, quiet=True).acquire()
    finally:
        holder.release()


def test_a_cron_run_while_another_goes_on_is_silent_under_quiet_when_busy(
        tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    holder = RunLock(state / "run.lock")
    holder.acquire()
    try:
        cron = {"LOG_FILE": str(tmp_path / "crawl.log")}
        loud = run_crawl("http://127.0.0.1:9/bnews/", tmp_path, settings=cron)
        assert loud.returncode == EXIT_BUSY and "making progress" in loud.stderr
        quiet = run_crawl("http://127.0.0.1:9/bnews/", tmp_path,
                          settings={**cron, "NEWSCRAWL_QUIET_WHEN_BUSY": "1"})
        assert (quiet.returncode, quiet.stderr) == (0, "")
        assert "making progress" in (tmp_path / "crawl.log").read_text(encoding="utf-8")
    finally:
        holder.release()


def test_a_long_run_says_what_the_sitemaps_hold_and_how_far_it_is(tmp_path: Path) -> None:
    site = build_site(60, seed=21, faults=False, tags=20)
    discovery.enable(site, per_file=15)  # 4 files of 15
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path, settings={
            "NEWSCRAWL_FEEDS": "0", "NEWSCRAWL_PROGRESS_INTERVAL": "0.5",
            "DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"})
        assert run.returncode == 0, run.stderr[-3000:]
        assert "sitemaps: about 60 article(s) to fetch (3 sitemap file(s) left" in run.stderr
        assert "as fast as the site answers" not in run.stderr  # DOWNLOAD_DELAY: 20/s
        assert "progress: " in run.stderr and " known to go, " in run.stderr
        figures = run.summary["progress"]
        assert (figures["exported"], figures["to_go"], figures["sitemap_files_left"]) == (
            60, 0, 0)
