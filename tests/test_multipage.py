"""Multi-page posts (<!--nextpage-->): what a later page's URL is, which pages a page links,
and the one record of the whole post (extraction level; the crawl: test_multipage_crawl.py).

Each tests/fixtures/multipage/NAME.json holds {"pages": {URL: file}, "later_pages": {file:
[URLs it links]}, "record": the whole post's record written by hand (crawled_at null)}.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from newscrawl.discovery import urls
from newscrawl.extraction.extract import extract
from newscrawl.extraction.pages import combine

FIXTURES = Path(__file__).parent / "fixtures" / "multipage"
POST = "https://www.bannedbook.org/bnews/sohnews/20230322/1862933.html"


@pytest.mark.parametrize(("url", "page"), [
    (POST + "/2", (POST, 2)),
    (POST + "/3/", (POST, 3)),  # the trailing slash WordPress may add
    (POST + "/12?utm_source=x#more", (POST, 12)),
    ("https://www.bannedbook.org/bnews/cnnews/hknews/20230322/1862933.html/2",
     ("https://www.bannedbook.org/bnews/cnnews/hknews/20230322/1862933.html", 2)),
    (POST, None),  # the post itself
    (POST + "/1", None),  # page 1 is the post's own URL
    (POST + "/0", None),
    (POST + "/2/3", None),
    (POST + "/x", None),
    ("https://www.bannedbook.org/bnews/tag/x/2", None),
    ("https://www.bannedbook.org/bnews/fq/20230322/1.html/2", None),  # not news
])
def test_article_page(url, page):
    assert urls.article_page(url) == page


@pytest.mark.parametrize("url", [POST + "/2", POST + "/3/"])
def test_a_later_page_is_no_article_and_no_listing(url):
    assert urls.kind(url) is urls.Kind.OTHER


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_the_pages_make_one_record(name):
    fixture = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    read = []
    for url, file in fixture["pages"].items():
        found = extract((FIXTURES / file).read_bytes(), url,
                        content_type="text/html; charset=UTF-8")
        assert found.pages == fixture["later_pages"][file], file
        assert found.article.url == fixture["record"]["url"]  # every page names its post
        assert "页面" not in found.article.body and found.dropped["page_links"][0] == 1
        read.append(found.article)
    assert dataclasses.asdict(combine(read)) == fixture["record"]
