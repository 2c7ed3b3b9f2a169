"""End to end: a real `scrapy crawl bannedbook` against the local copy of the site."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from newscrawl.discovery import urls
from sitecopy.model import Site
from sitecopy.server import SiteServer
from tests.crawling import SCHEMA, assert_every_article_once, run_crawl

RETRIES = 2  # tests.crawling.FAST sets RETRY_TIMES=2


def _without_crawl_time(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "crawled_at"}


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_full_crawl_finds_every_article_once_exactly(
        site: Site, server: SiteServer, tmp_path: Path, validator) -> None:
    run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]

    expected = site.expected_records(server.base_url)
    original, copy = site.republished
    ids = Counter(run.ids)
    assert max(ids.values()) == 1, "an article was written twice"
    kept = {original, copy} & set(ids)
    assert len(kept) == 1, "exactly one of a republished pair is kept"
    assert set(ids) == set(expected) - ({original, copy} - kept)

    for record in run.records:
        validator.validate(record)
        assert _without_crawl_time(record) == expected[record["article_id"]]

    summary = run.summary
    assert summary["status"] == "ok"
    assert summary["new"] == len(run.records)
    counts = summary["counts"]
    assert counts["newscrawl/dropped/republished_copy"] == 1
    assert counts["newscrawl/not_article/challenge"] == 1
    assert counts["newscrawl/not_article/empty"] == 1
    assert counts["newscrawl/not_article/not_html"] == 1
    assert counts["newscrawl/not_article/http_404"] == len(site.missing)
    # What the body left out, per rule: every page has a byline and a promotion block; some
    # pages carry a NUL (sitecopy.markup) and are articles all the same (not_html is the PDF).
    parsed = counts["newscrawl/extraction/dropped/promo"]
    assert parsed >= len(run.records) and counts["newscrawl/extraction/dropped/byline"] == parsed
    assert counts["newscrawl/extraction/dropped_chars/related"] > 0
    assert counts["newscrawl/extraction/dropped/caption"] > 0
    assert "newscrawl/extraction/unclaimed_pages" not in counts


def test_full_crawl_wastes_no_request(site: Site, server: SiteServer, tmp_path: Path) -> None:
    run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]

    assert set(server.hits.hosts()) == {server.base_url.split("//")[1]}, "left the allowed host"
    paths = server.hits.paths()
    assert not [p for p in paths if p.startswith("/bnews/zh-tw/")], "fetched a Traditional copy"
    # This copy has neither sitemaps nor feed: each usual place is asked once.
    probes = {"/robots.txt", "/bnews/feed/", "/bnews/sitemap_index.xml", "/bnews/wp-sitemap.xml"}
    assert not [p for p in paths if urls.kind("http://h" + p) is urls.Kind.OTHER
                and p not in probes], "fetched something that is neither article nor listing"
    challenge = site.articles[site.cloudflare].path()
    allowed_repeats = {path: 2 for path in site.transient} | {challenge: RETRIES + 1}
    repeated = {p: n for p, n in paths.items() if n > allowed_repeats.get(p, 1)}
    assert not repeated, f"fetched twice: {repeated}"
    # Every page fetched is one a complete crawl needs: each article once, each listing page once.
    articles = [p for p in paths if urls.article_ref("http://h" + p)]
    assert len(articles) == len(site.articles) + len(site.missing)


def test_traditional_copy_crawl(site: Site, server: SiteServer, tmp_path: Path) -> None:
    run = run_crawl(server.base_url + "/bnews/zh-tw/", tmp_path, "-a", "lang=zh-tw")
    assert run.returncode == 0, run.stderr[-3000:]
    expected = site.expected_records(server.base_url, "zh-Hant")
    assert run.records, "no Traditional article"
    assert {r["language"] for r in run.records} == {"zh-Hant"}
    assert Counter(run.ids).most_common(1)[0][1] == 1
    assert_every_article_once(run.ids, site, server.base_url)
    for record in run.records:
        assert _without_crawl_time(record) == expected[record["article_id"]]
    assert not [p for p in server.hits.paths()
                if p.startswith("/bnews/") and not p.startswith("/bnews/zh-tw/")
                and urls.article_ref("http://h" + p)], "fetched a Simplified article"


def test_since_skips_older_articles_without_fetching(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    dates = sorted(a.published for a in site.articles.values())
    since = dates[len(dates) // 2]
    run = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", f"since={since}")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.records
    assert all(r["published"] >= since for r in run.records)
    # Complete but for what only skipped articles lead to: a post on no listing (hidden),
    # linked only by the related lists of posts older than `since`.
    newer = {i for i, a in site.articles.items() if a.published >= since}
    reachable = newer - set(site.hidden) | {
        i for j in newer for i in site.articles[j].related if i in newer}
    assert_every_article_once(run.ids, site, server.base_url, wanted=reachable.__contains__)
    fetched = [urls.article_ref("http://h" + p) for p in server.hits.paths()]
    assert all(ref.published >= since for ref in fetched if ref), "fetched an older article"


def test_max_articles_stops_after_n(server: SiteServer, tmp_path: Path) -> None:
    run = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", "max_articles=5")
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.records) == 5
    assert run.summary["reason"] == "max_articles"
