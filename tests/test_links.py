"""The link path (newscrawl.discovery.links): what a page links to, what is requested once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import html
from scrapy import Request
from scrapy.http import HtmlResponse

from newscrawl.discovery import links
from newscrawl.discovery.limits import capped_query
from newscrawl.discovery.links import (
    PageLinks,
    RequestedUrls,
    hrefs,
)
from newscrawl.extraction.selectors import LISTING_ENTRY_LINKS, PAGE_LINKS
from newscrawl.spiders.bannedbook import BannedbookSpider
from sitecopy import render
from sitecopy.model import build_site
from sitecopy.server import serve
from tests.crawling import run_crawl

HOST = "http://news.example"
PAGE = f"{HOST}/bnews/tag/%E4%B8%AD%E5%9B%BD/"
A1 = f"{HOST}/bnews/sohnews/20230322/1862877.html"
A2 = f"{HOST}/bnews/cnnews/hknews/20230321/1862001.html"
NEXT = f"{HOST}/bnews/tag/%E4%B8%AD%E5%9B%BD/page/2/"

# (href as the page writes it, the canonical URL it names if the run crawls it, else None)
HREFS = [
    (A1, A1),
    ("/bnews/cnnews/hknews/20230321/1862001.html?utm_source=x#top", A2),
    (A1 + "#comments", A1),  # the same page again
    ("page/2/", NEXT),  # relative to the page
    (f"{HOST}/bnews/tag/%e4%b8%ad%e5%9b%bd/page/2/", NEXT),  # escape case: the same page
    (f"{HOST}/bnews/zh-tw/sohnews/20230322/1862877.html", None),  # the other language copy
    (f"{HOST}/bnews/fq/", None),  # not news
    ("https://blog.example.org/", None),  # another host
    ("mailto:contact@example.org", None),
    ("javascript:void(0)", None),
    (f"{HOST}/forum23/", None),
]


def _spider() -> BannedbookSpider:
    return BannedbookSpider(start_urls=f"{HOST}/bnews/")


def _response(listed: list[str]) -> HtmlResponse:
    anchors = "".join(f'<a href="{href}">x</a>' for href, _ in HREFS)
    entries = "".join(f'<div class="postlist"><h4><a href="{href}">t</a></h4></div>'
                      for href in listed)
    body = f"<html><body>{entries}{anchors}</body></html>".encode()
    return HtmlResponse(PAGE, body=body, encoding="utf-8", request=Request(PAGE))


def test_page_links_are_the_covered_canonical_urls_once_in_page_order() -> None:
    spider = _spider()
    response = _response(listed=[A1, "https://blog.example.org/"])
    hrefs = response.css("a::attr(href)").getall()
    page = spider.links.page(response, hrefs, response.css("div.postlist h4 a::attr(href)")
                             .getall())
    assert page.urls == (A1, A2, NEXT), "distinct, in page order"
    assert page.listed == {A1}, "listed: covered links of the listing entries only"
    written = [href for href, _ in HREFS]
    assert list(spider.links.resolve(response, written)) == [url for _, url in HREFS]
    # Asked again (from the memo), the answers are the same.
    assert list(spider.links.resolve(response, written)) == [url for _, url in HREFS]
    assert spider.links.page(response, hrefs, []) == PageLinks(page.urls, frozenset())


def test_unrequested_skips_what_this_run_sent_out() -> None:
    links = _spider().links
    page = PageLinks((A1, A2, NEXT), frozenset({A1}))
    assert list(links.unrequested(page)) == [A1, A2, NEXT], "no memory installed: everything"
    links.requested = RequestedUrls(10)
    links.requested.add(A2)
    assert list(links.unrequested(page)) == [A1, NEXT]


def test_requested_urls_are_bounded_and_keep_the_newest() -> None:
    requested = RequestedUrls(3)
    for n in range(10):
        requested.add(f"u{n}")
    assert all(f"u{n}" in requested for n in (7, 8, 9))
    assert not any(f"u{n}" in requested for n in range(6))


def test_remembering_requested_links_changes_no_fetch_and_no_record(tmp_path: Path) -> None:
    """The same site crawled twice (full, then incremental) without and with the memory."""
    site = build_site(80, seed=5)
    fetched: dict[str, list[Counter]] = {}
    exported: dict[str, list[list[str]]] = {}
    for memory in ("0", "100000"):
        fetched[memory], exported[memory] = [], []
        with serve(site) as server:
            for _ in range(2):
                before = Counter(server.hits.paths())
                run = run_crawl(server.base_url + "/bnews/", tmp_path / memory,
                                settings={"NEWSCRAWL_LINK_MEMORY": memory})
                assert run.returncode == 0, run.stderr[-2000:]
                fetched[memory].append(Counter(server.hits.paths()) - before)
                exported[memory].append(sorted(run.ids))
    assert exported["0"] == exported["100000"]
    assert exported["0"][0] and not exported["0"][1]
    assert fetched["0"] == fetched["100000"]


@pytest.mark.parametrize("kind", ["listing", "article"])
def test_hrefs_are_what_response_css_getall_gives(kind: str) -> None:
    site = build_site(40, seed=7)
    path = "/bnews/" if kind == "listing" else site.articles[next(iter(site.articles))].path()
    served = render(site, path, HOST)  # the bytes the served copy sends
    response = HtmlResponse(HOST + path, body=served.body, encoding="utf-8")
    for css in (PAGE_LINKS, LISTING_ENTRY_LINKS):
        assert hrefs(response, css) == response.css(css).getall()
    assert len(hrefs(response, PAGE_LINKS)) > 20


@pytest.mark.parametrize(("href", "absolute"), [
    ("http://h/bnews/", True), ("https://h/x", True), ("mailto:a@b.org", True),
    ("javascript:void(0)", True), ("/bnews/", False), ("page/2/", False), ("#top", False),
    ("http:page/2/", False), ("HTTPS:x", False), ("//other.host/bnews/", False), ("", False),
])
def test_a_link_means_the_same_on_every_page_only_when_absolute(href: str, absolute: bool
                                                                ) -> None:
    assert links._absolute(href) is absolute


def test_capped_query_keeps_document_order_and_stops_at_the_limit() -> None:
    page = html.fromstring("<html><head><link rel='next' href='/n'></head><body>"
                           + "".join(f"<a href='/{i}'>{i}</a>" for i in range(10))
                           + "</body></html>")
    query = "a[href]::attr(href), link[rel~=next]::attr(href)"
    assert page.xpath(capped_query(query, 3)) == ["/n", "/0", "/1"]
    assert len(page.xpath(capped_query(query, 0))) == 11
