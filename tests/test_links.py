"""The link path (newscrawl.discovery.links): what a page links to, what is requested once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.discovery import links
from newscrawl.discovery.incremental import IncrementalMiddleware
from newscrawl.discovery.links import (
    PAGE_LINKS_META,
    PageLinks,
    RequestedUrls,
    hrefs,
    page_links,
)
from newscrawl.extraction.selectors import LISTING_ENTRY_LINKS, PAGE_LINKS
from newscrawl.spiders.bannedbook import BannedbookSpider
from newscrawl.state.base import article_key
from newscrawl.state.memory import MemoryState
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


def test_page_links_without_the_spider_side_channel_come_from_the_requests() -> None:
    response = HtmlResponse(PAGE, body=b"<html></html>", request=Request(PAGE))
    outputs = [Request(A1, meta={"listed": True}), {"item": 1}, Request(NEXT)]
    assert page_links(response, outputs) == PageLinks((A1, NEXT), frozenset({A1}))
    response.meta["newscrawl_page_links"] = PageLinks((A2,), frozenset())
    assert page_links(response, outputs).urls == (A2,)


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


# The incremental filter judges a listing page by its links, built into requests or not.
ARCHIVE = PAGE
PAGE_2 = f"{PAGE}page/2/"
PAGE_3 = f"{PAGE}page/3/"


def _middleware() -> tuple[IncrementalMiddleware, MemoryState]:
    crawler = get_crawler(BannedbookSpider)
    middleware = IncrementalMiddleware(crawler)
    middleware._state = state = MemoryState()  # the StateKeeper extension is not running
    return middleware, state


def _listing(url: str, links: PageLinks) -> HtmlResponse:
    response = HtmlResponse(url, body=b"<html></html>", request=Request(url))
    response.meta[PAGE_LINKS_META] = links
    return response


def test_a_page_whose_later_pages_were_requested_elsewhere_is_not_the_end() -> None:
    middleware, state = _middleware()
    # Page 2 links page 3, but page 1's pager already requested it: no request is built.
    page_2 = _listing(PAGE_2, PageLinks((PAGE, PAGE_3, A1), frozenset({A1})))
    assert list(middleware.process_spider_output(page_2, [])) == []
    middleware.spider_closed("finished")
    assert not state.archive_walked(ARCHIVE)
    page_3 = _listing(PAGE_3, PageLinks((PAGE, PAGE_2, A2), frozenset({A2})))
    assert list(middleware.process_spider_output(page_3, [])) == []
    middleware.spider_closed("finished")
    assert state.archive_walked(ARCHIVE)


def test_a_page_of_known_articles_ends_the_walk_though_none_was_built_again() -> None:
    middleware, state = _middleware()
    state.mark_archive_walked(ARCHIVE)
    state.record_export(article_key("zh-Hans", "1862877"), "hash", 1, None, 0)
    page_1 = _listing(PAGE, PageLinks((A1, PAGE_2), frozenset({A1})))
    assert list(middleware.process_spider_output(page_1, [Request(PAGE_2)])) == []
    unknown = _listing(PAGE, PageLinks((A1, A2, PAGE_2), frozenset({A1, A2})))
    assert [r.url for r in middleware.process_spider_output(unknown, [Request(PAGE_2)])] == [
        PAGE_2]


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
