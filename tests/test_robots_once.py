"""robots.txt is fetched once per run, retries included, whatever ROBOTSTXT_OBEY says (issue 17,
item 8): on a host that refuses connections and on a copy whose robots.txt answers 503.

FAST (tests/crawling.py) sets RETRY_TIMES=2: one fetch is 3 requests.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sitecopy.misbehave import misbehave
from sitecopy.model import build_site
from tests.crawling import run_crawl

ONE_FETCH = 3  # 1 + RETRY_TIMES


def _refused_port() -> int:
    """A port of 127.0.0.1 nothing listens on (bound, then closed): connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("obey", ["True", "False"])
def test_unreachable_host_robots_txt_tried_once(tmp_path: Path, obey: str) -> None:
    base = f"http://127.0.0.1:{_refused_port()}"
    run = run_crawl(base + "/bnews/", tmp_path, settings={"ROBOTSTXT_OBEY": obey}, timeout=120)
    assert run.returncode != 0
    counts = run.summary["counts"]
    # Every request the downloader was given, retries included (newscrawl/requests/<kind>).
    assert counts["newscrawl/requests/robots"] == ONE_FETCH, counts


@pytest.mark.parametrize("obey", ["True", "False"])
def test_robots_txt_answering_503_fetched_once(tmp_path: Path, obey: str) -> None:
    site = build_site(30, seed=2, faults=False)
    with misbehave(site, "robots-503") as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path,
                        settings={"ROBOTSTXT_OBEY": obey})
        assert run.returncode == 0, run.stderr[-3000:]
        assert server.hits.paths()["/robots.txt"] == ONE_FETCH
    assert sorted(run.ids) == sorted(site.articles)
