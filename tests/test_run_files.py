"""A run's files pair at a glance: one stamp for its JSONL, its WARC and last-run.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from sitecopy.model import build_site
from sitecopy.server import serve
from tests.crawling import FAST, ROOT, run_crawl


def test_a_run_s_jsonl_warc_and_summary_share_one_stamp(tmp_path: Path) -> None:
    site = build_site(5, seed=3, faults=False)
    with serve(site) as server:
        settings = {**FAST, "NEWSCRAWL_STATE_DIR": str(tmp_path / "state"),
                    "NEWSCRAWL_WARC_DIR": str(tmp_path / "warc"),
                    "NEWSCRAWL_DEFAULT_FEED": str(tmp_path / "out" / "%(time)s.jsonl")}
        command = [sys.executable, "-m", "scrapy", "crawl", "bannedbook",
                   "-a", f"start_urls={server.base_url}/bnews/"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180,
                              check=False)
        assert done.returncode == 0, done.stderr[-3000:]
    (jsonl,) = (tmp_path / "out").glob("*.jsonl")
    (warc,) = (tmp_path / "warc").glob("*.warc.gz")
    stamp = json.loads((tmp_path / "state" / "last-run.json").read_text())["run"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ", stamp), stamp
    assert (jsonl.name, warc.name) == (f"{stamp}.jsonl", f"{stamp}.warc.gz")


def test_a_run_that_fetched_nothing_leaves_no_warc(tmp_path: Path) -> None:
    run = run_crawl("http://127.0.0.1:9/bnews/", tmp_path)  # nothing listens on port 9
    assert run.returncode != 0
    assert (tmp_path / "warc").is_dir(), "the WARC directory is still checked at the start"
    assert list((tmp_path / "warc").iterdir()) == []
