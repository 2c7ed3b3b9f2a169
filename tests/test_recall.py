"""Recall without assumptions about listings (issue 17, item 1): a copy whose front page does
not page (the newest posts only, no pager), crawled without sitemaps, exports every article once.

On such a copy some articles sit only on page 2+ of listings whose page 1 shows articles the
run already found elsewhere; a walk that ends on a page with nothing new to the run misses them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sitecopy.model import build_site
from sitecopy.paths import listing_path
from sitecopy.server import serve
from tests.crawling import run_crawl


# Before walks went to their end, these copies missed 1 (of 72, faults on) and 3 (of 300).
@pytest.mark.parametrize(("articles", "seed", "faults"), [(72, 2, True), (300, 1, False)])
def test_front_page_without_pager_every_article_once(tmp_path: Path, articles: int, seed: int,
                                                     faults: bool) -> None:
    site = build_site(articles, seed, faults=faults)
    site.front_pages = False
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        paths = server.hits.paths()
    assert listing_path("", page=2) not in paths  # the copy has no pager on its front page
    counts = Counter(run.ids)
    assert max(counts.values()) == 1, "an article was written twice"
    expected = site.expected_records(server.base_url)
    original, copy = site.republished or ("", "")  # a clean copy has no republished pair
    kept = {original, copy} & set(counts)
    assert len(kept) == (1 if faults else 0), "exactly one of a republished pair is kept"
    missed = set(expected) - ({original, copy} - kept) - set(counts)
    assert not missed, f"missed {sorted(missed)}"
    assert set(counts) <= set(expected)
    for record in run.records:
        record.pop("crawled_at")
        assert record == expected[record["article_id"]]
