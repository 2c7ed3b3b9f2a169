"""AMP copies (issue 17, item 5): a copy whose articles name their AMP copy and whose related
lists link posts by their AMP URLs (`…/ID.html/amp/`, `?amp=1`) is crawled as any other: every
article once, every field exact, no AMP URL fetched, no failure."""

from __future__ import annotations

import urllib.request
from collections import Counter
from pathlib import Path

from sitecopy.model import build_site
from sitecopy.server import serve
from tests.crawling import run_crawl


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_amp_links_are_the_articles_themselves(tmp_path: Path) -> None:
    site = build_site(50, seed=8, faults=False)
    site.amp = True
    with serve(site) as server:
        first = site.articles[next(iter(site.articles))]
        assert b'rel="amphtml"' in _get(server.base_url + first.path())[1]  # the switch is on
        assert _get(server.base_url + first.path() + "/amp/")[0] == 200  # its AMP copy served
        server.reset()
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert run.returncode == 0, run.stderr[-3000:]
        fetched = [path for _, path in server.hits]
    assert not [p for p in fetched if "/amp" in p or "amp=1" in p], "an AMP copy was fetched"
    counts = Counter(run.ids)
    assert sorted(counts) == sorted(site.articles) and max(counts.values()) == 1
    expected = site.expected_records(server.base_url)
    for record in run.records:
        record.pop("crawled_at")
        assert record == expected[record["article_id"]]
    summary = run.summary
    assert summary["status"] == "ok"
    assert not [k for k in summary["counts"] if k.startswith("newscrawl/not_article/")]
    assert summary["counts"].get("newscrawl/failed_requests", 0) == 0
