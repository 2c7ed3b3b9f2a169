"""One archive, one site (issue 17, item 7): a state begun on one copy of the site refuses a
crawl or a reparse whose start URLs name another (exit 2, one line, nothing fetched), since the
state knows articles by post id alone and would hide the other site's posts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sitecopy.model import build_site
from sitecopy.server import serve
from tests.crawling import ROOT, run_crawl
from tests.redis_server import RedisServer, redis_server_binary


def _refusals(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "belongs to" in line]


def test_a_state_begun_on_one_copy_refuses_another(tmp_path: Path) -> None:
    site = build_site(30, seed=6, faults=False)
    with serve(site) as first, serve(site) as second:
        a, b = first.base_url, second.base_url
        assert a != b  # two ports: two sites to the state, though they serve the same posts
        begun = run_crawl(a + "/bnews/", tmp_path)
        assert begun.returncode == 0, begun.stderr[-3000:]
        assert sorted(begun.ids) == sorted(site.articles)

        other = run_crawl(b + "/bnews/", tmp_path)
        assert other.returncode == 2, other.stderr[-3000:]
        assert len(second.hits) == 0, "the other copy was asked for something"
        assert other.records == []
        (line,) = _refusals(other.stderr)
        assert line == (f"newscrawl: the state at {tmp_path / 'state'} belongs to {a}, and this"
                        f" run's start URLs name {b}: to crawl {b}, use another state dir"
                        " (-s NEWSCRAWL_STATE_DIR=DIR)")

        # A reparse of the first copy's captures under the second copy's name: refused too.
        output = tmp_path / "reparsed.jsonl"
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "reparse", str(tmp_path / "warc"),
             "-O", f"{output}:jsonl", "-a", f"start_urls={b}/bnews/",
             "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}"],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 2, done.stderr[-3000:]
        assert len(_refusals(done.stderr)) == 1
        assert not output.exists() or output.read_text(encoding="utf-8") == ""

        # The state still belongs to the first copy: its next run goes on as usual.
        again = run_crawl(a + "/bnews/", tmp_path)
        assert again.returncode == 0, again.stderr[-3000:]
        assert again.records == []


def test_a_redis_state_begun_on_one_copy_refuses_another(tmp_path: Path) -> None:
    site = build_site(30, seed=6, faults=False)
    with RedisServer(redis_server_binary(), tmp_path / "redis") as redis_server, \
            serve(site) as first, serve(site) as second:
        settings = {"NEWSCRAWL_REDIS_URL": redis_server.url, "NEWSCRAWL_REDIS_IDLE_SECONDS": "2"}
        begun = run_crawl(first.base_url + "/bnews/", tmp_path, settings=settings)
        assert begun.returncode == 0, begun.stderr[-3000:]
        assert sorted(begun.ids) == sorted(site.articles)

        other = run_crawl(second.base_url + "/bnews/", tmp_path, settings=settings)
        assert other.returncode == 2, other.stderr[-3000:]
        assert len(second.hits) == 0
        (line,) = _refusals(other.stderr)
        assert f"belongs to {first.base_url}, and this run's start URLs name" \
               f" {second.base_url}" in line
        assert line.endswith("use another NEWSCRAWL_REDIS_PREFIX (-s NEWSCRAWL_REDIS_PREFIX=NAME)")
