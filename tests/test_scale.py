"""End to end: a first crawl whose frontier stays small, and that resumes after SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench.resume import article_hits
from sitecopy import discovery
from sitecopy.model import build_site
from sitecopy.server import serve
from tests.crawling import ROOT, all_records, crawl_command, read_jsonl, run_crawl


def test_a_first_crawl_reads_the_sitemap_files_as_the_frontier_drains(tmp_path: Path) -> None:
    site = build_site(400, seed=5, faults=False, tags=20)
    discovery.enable(site, per_file=40)  # 10 files of 40 articles
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path,
                        settings={"NEWSCRAWL_SITEMAP_LOW_WATER": "30"})
        assert run.returncode == 0, run.stderr[-3000:]
        assert sorted(run.ids) == sorted(site.articles)
        counts = run.summary["counts"]
        # The reader asks for the next file only below the low water, so about the low water
        # plus one file's 40 articles wait, and a few more that related links and the tag
        # listings found meanwhile (how many depends on timing: 73 was seen); all 400 when
        # the index's files were asked at once.
        assert 0 < counts["newscrawl/frontier/peak_waiting"] <= 2 * (30 + 40)
        assert counts["newscrawl/requests/sitemap"] == 11


def test_a_first_crawl_killed_goes_on_where_it_was(tmp_path: Path) -> None:
    site = build_site(1000, seed=8, faults=False, tags=20)
    discovery.enable(site, per_file=100)
    with serve(site) as server:
        output = tmp_path / "out" / "killed.jsonl"
        output.parent.mkdir(parents=True)
        # What a kill makes fetched twice is what was in flight (fetched, not yet exported):
        # bounded by the concurrency, not the site.
        process = subprocess.Popen(
            crawl_command(server.base_url + "/bnews/", output, tmp_path / "state",
                          settings={"CONCURRENT_REQUESTS_PER_DOMAIN": "4"}),
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None and not (
                output.exists() and output.read_bytes().count(b"\n") >= 300):
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, "the run ended before it was killed"
        killed = len(read_jsonl(output))
        assert 300 <= killed < len(site.articles)
        rerun = run_crawl(server.base_url + "/bnews/", tmp_path, timeout=300)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        ids = Counter(r["article_id"] for r in all_records(tmp_path / "out"))
        assert set(ids) == set(site.articles) and max(ids.values()) == 1
        hits = article_hits(server.hits.paths())
        twice = [path for path, n in hits.items() if n > 1]
        # What was in flight at the kill (downloads, responses waiting for the parser, items
        # waiting for the exporter): 11-13 pages measured here at this concurrency, whatever the
        # site's size; a resume that refetched what was exported would show 300 or more.
        assert len(twice) <= 20, f"fetched twice: {twice}"
