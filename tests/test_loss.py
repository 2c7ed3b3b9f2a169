"""No silent loss, louder: the share of entry text each rule leaves out, and the warning when a
rule leaves out much more than usual (newscrawl.reporting.loss; docs/extraction.md)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.extraction.body import visible_chars
from newscrawl.extraction.extract import Extraction, NotAnArticle, extract
from newscrawl.reporting import loss
from sitecopy.model import build_site
from sitecopy.render import render
from sitecopy.server import serve
from tests.components import article
from tests.crawling import run_crawl

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://www.bannedbook.org/bnews/sohnews/20230322/{}.html"


def _page(body_chars: int, dropped: dict[str, list[int]]) -> Extraction:
    return Extraction(article(body="字" * body_chars), dropped)


def test_shares_and_the_unusual_rule_with_its_sample():
    stats = get_crawler().stats
    stats.open_spider(None)
    for number in range(99):  # 99 pages: 90 characters of body, 10 of byline
        loss.count(stats, URL.format(number), _page(90, {"byline": [1, 10]}))
    # one page whose captions hold half its text: 1,000 of 10,900 characters in the run
    loss.count(stats, URL.format(999), _page(1000, {"caption": [3, 1000], "byline": [1, 0]}))
    summary = loss.summary(stats.get_stats())
    assert summary["entry_chars"] == 99 * 100 + 2000
    assert summary["share"] == {"byline": round(990 / 11900, 4), "caption": round(1000 / 11900, 4)}
    assert summary["unusual"] == {}  # 8% of captions: below twice the usual 6% (12%)
    for number in range(200, 230):  # 30 more pages, three quarters caption
        loss.count(stats, URL.format(number), _page(50, {"caption": [1, 150]}))
    summary = loss.summary(stats.get_stats())
    assert summary["share"]["caption"] == round(5500 / 17900, 4)
    assert summary["unusual"] == {"caption": {"share": round(5500 / 17900, 4), "usual": 0.06,
                                              "sample": URL.format(200)}}


def test_too_little_text_to_tell_raises_nothing():
    stats = get_crawler().stats
    stats.open_spider(None)
    loss.count(stats, URL.format(1), _page(100, {"caption": [1, 900]}))  # 90%, one page
    assert loss.summary(stats.get_stats())["unusual"] == {}


def _aggregate(pages) -> dict[str, float]:
    entry, dropped = 0, Counter()
    for found in pages:
        entry += visible_chars(found.article.body) + found.unclaimed_chars + sum(
            chars for _, chars in found.dropped.values())
        for rule, (_, chars) in found.dropped.items():
            dropped[rule] += chars
    return {rule: chars / entry for rule, chars in dropped.items()}


def _fixtures():
    for meta_file in sorted(PAGES.glob("*.meta.json")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        html = meta_file.with_name(meta_file.name.removesuffix(".meta.json") + ".html")
        try:
            yield extract(html.read_bytes(), meta["url"],
                          content_type=meta["headers"]["Content-Type"])
        except NotAnArticle:
            continue


def _sitecopy():
    site = build_site(200, seed=3)
    base = "http://127.0.0.1:8000"
    for item in site.articles.values():
        answer = render(site, item.path(), base)
        try:
            yield extract(answer.body, base + item.path(), content_type=dict(answer.headers).get(
                "Content-Type"))
        except NotAnArticle:
            continue


@pytest.mark.parametrize("pages", [_fixtures, _sitecopy])
def test_the_usual_shares_hold_what_the_fixtures_and_the_copy_leave_out(pages):
    """The shipped table is at least what it says it was measured from (loss.py)."""
    for rule, share in _aggregate(pages()).items():
        assert share <= loss.USUAL_SHARE[rule], (rule, share)


def test_a_run_whose_captions_swallow_text_warns_once_with_a_page(tmp_path):
    site = build_site(40, seed=7)
    with serve(site) as server:
        usual = run_crawl(server.base_url + "/bnews/", tmp_path / "usual")
        site.redesign = frozenset({"captions"})
        server.reset()
        odd = run_crawl(server.base_url + "/bnews/", tmp_path / "odd")
    assert usual.returncode == 0, usual.stderr[-2000:]
    left_out = usual.summary["left_out"]
    assert left_out["unusual"] == {} and left_out["entry_chars"] > loss.MIN_ENTRY_CHARS
    assert 0 < left_out["share"]["byline"] < 0.05 and 0 < left_out["share"]["promo"] < 0.19
    assert "much more text than usual" not in usual.stderr
    unusual = odd.summary["left_out"]["unusual"]
    assert list(unusual) == ["caption"] and unusual["caption"]["share"] > 0.12
    assert unusual["caption"]["sample"].startswith(server.base_url + "/bnews/")
    assert odd.stderr.count("much more text than usual") == 1
    assert unusual["caption"]["sample"] in odd.stderr
