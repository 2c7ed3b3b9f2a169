"""Multi-page posts through a real crawl of sitecopy: one record per post, read whole.

Two posts of the copy are served over two pages (site.multipage: …/ID.html and …/ID.html/2,
linked by wp_link_pages); their expected records are the whole posts (sitecopy.expected).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sitecopy.model import Site, build_site
from sitecopy.server import serve
from tests.crawling import run_crawl
from tests.test_capture import _raw_lines_without_crawled_at, reparse


def _split_site() -> tuple[Site, list[str]]:
    site = build_site(40, seed=7)
    special = {site.gbk, *site.unservable, *(site.republished or ()),
               *(i for i in site.articles if site.articles[i].path() in site.transient)}
    ids = [i for i in site.articles if len(site.content(i).head) >= 2 and i not in special][:2]
    assert len(ids) == 2
    site.multipage = frozenset(ids)
    return site, ids


def _without_crawl_time(record: dict) -> dict:
    return {name: value for name, value in record.items() if name != "crawled_at"}


def test_a_multipage_post_is_one_whole_record(tmp_path: Path) -> None:
    site, ids = _split_site()
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
        hits = server.hits.paths()
    assert run.returncode == 0, run.stderr[-3000:]
    expected = site.expected_records(server.base_url)
    records = {r["article_id"]: r for r in run.records}
    assert max(Counter(run.ids).values()) == 1
    for article_id in ids:
        assert _without_crawl_time(records[article_id]) == expected[article_id]
        assert hits[site.articles[article_id].path() + "/2"] == 1  # page 2 read once
    assert all(r["url"].endswith(".html") for r in run.records), "a page became a record"
    for record in run.records:  # the others are unchanged by it
        assert _without_crawl_time(record) == expected[record["article_id"]]
    counts = run.summary["counts"]
    assert counts["newscrawl/extraction/dropped/page_links"] == 4  # two pages of two posts
    assert not [name for name in counts if "not_article" in name and "/2" in name]


def test_a_page_failing_mid_post_gives_no_record_and_the_post_stays_pending(
        tmp_path: Path) -> None:
    site, ids = _split_site()
    broken = site.articles[ids[0]].path() + "/2"
    site.transient = site.transient | {broken}  # 503 on its first request
    with serve(site) as server:
        first = run_crawl(server.base_url + "/bnews/", tmp_path, settings={"RETRY_TIMES": "0"})
        assert server.hits.paths()[broken] == 1
        assert ids[0] not in first.ids, "a post read only in part became a record"
        assert ids[1] in first.ids
        second = run_crawl(server.base_url + "/bnews/", tmp_path,
                           settings={"RETRY_TIMES": "0"})
    assert second.returncode == 0, second.stderr[-3000:]
    expected = site.expected_records(server.base_url)
    assert [r["article_id"] for r in second.records if r["article_id"] == ids[0]] == [ids[0]]
    record = next(r for r in second.records if r["article_id"] == ids[0])
    assert _without_crawl_time(record) == expected[ids[0]]


def test_reparse_of_a_multipage_post_gives_the_crawls_record(tmp_path: Path) -> None:
    """`scrapy reparse` reads page 2 from the captures too: the crawl's records, byte for byte
    apart from crawled_at (docs/warc.md), the multi-page posts included."""
    site, ids = _split_site()
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
        base = server.base_url + "/bnews/"
    assert run.returncode == 0, run.stderr[-3000:]
    assert set(ids) <= set(run.ids)
    done, reparsed = reparse(tmp_path, "fresh", tmp_path / "warc", start_url=base)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(r["article_id"] for r in reparsed) == sorted(run.ids)
    assert _raw_lines_without_crawled_at(tmp_path / "fresh.jsonl") == \
        _raw_lines_without_crawled_at(run.output_dir / "run-01.jsonl")
    assert "is not a capture" not in done.stderr
