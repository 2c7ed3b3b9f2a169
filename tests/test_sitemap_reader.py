"""The sitemap reader as a component: a crawler from get_crawler, a Scope, a RequestFactory, a
state in memory, sitemap responses built in the test; no spider, no server."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.discovery import urls
from newscrawl.discovery.requests import (
    FALLBACKS_META,
    LASTMOD_META,
    RECHECK_META,
    SOURCE_META,
    Kind,
    RequestFactory,
    Route,
    Scope,
    kind_of,
)
from newscrawl.discovery.sitemap_reader import SitemapReader
from newscrawl.state.base import article_key
from newscrawl.state.memory import MemoryState

SITE = "https://www.bannedbook.org"
INDEX = f"{SITE}/bnews/sitemap_index.xml"
KEY = f"{INDEX} {urls.SIMPLIFIED}"  # the source's watermark, per language
DAY1, DAY2, DAY3 = 1682899200.0, 1682985600.0, 1683072000.0  # 2023-05-01, 02, 03 UTC
ISO = {DAY1: "2023-05-01T00:00:00+00:00", DAY2: "2023-05-02T00:00:00+00:00",
       DAY3: "2023-05-03T00:00:00+00:00"}
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def article(post: int) -> str:
    return f"{SITE}/bnews/cnnews/20230430/{post}.html"


def _route(*args: Any) -> None:
    return None


def build(state: MemoryState, found: list[bool] | None = None,
          **settings: Any) -> tuple[SitemapReader, Crawler]:
    crawler = get_crawler(settings_dict=settings)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    requests = RequestFactory({kind: Route(_route, _route) for kind in Kind})
    scope = Scope.of([f"{SITE}/bnews/"], urls.SIMPLIFIED)
    tell = (lambda: found.append(True)) if found is not None else None
    return SitemapReader(scope, requests, crawler, state, found=tell), crawler


def index(*files: tuple[str, float]) -> str:
    entries = "".join(f"<sitemap><loc>{loc}</loc><lastmod>{ISO[lastmod]}</lastmod></sitemap>"
                      for loc, lastmod in files)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{entries}</sitemapindex>'


def urlset(*posts: tuple[int, float]) -> str:
    entries = "".join(f"<url><loc>{article(post)}</loc><lastmod>{ISO[lastmod]}</lastmod></url>"
                      for post, lastmod in posts)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{entries}</urlset>'


def answer(request: Request, body: str) -> XmlResponse:
    return XmlResponse(request.url, body=body.encode(), request=request)


def post_sitemap(n: int) -> str:
    return f"{SITE}/bnews/post-sitemap{n}.xml"


def test_robots_first_unless_the_middleware_reads_it() -> None:
    reader, _ = build(MemoryState(), ROBOTSTXT_OBEY=False)
    (robots,) = reader.first_requests()
    assert (kind_of(robots), robots.url) == (Kind.ROBOTS, f"{SITE}/robots.txt")
    assert robots.priority > Kind.ARTICLE.priority
    assert reader.idle_requests() == []

    reader, _ = build(MemoryState(), ROBOTSTXT_OBEY=True)
    assert reader.first_requests() == []
    assert [r.url for r in reader.idle_requests()] == [f"{SITE}/robots.txt"]
    assert reader.idle_requests() == [], "robots.txt asked once"

    reader, _ = build(MemoryState(), ROBOTSTXT_OBEY=False, NEWSCRAWL_SITEMAPS=False)
    assert reader.first_requests() == [] and reader.idle_requests() == []


def test_robots_without_sitemap_lines_tries_the_usual_places_in_turn() -> None:
    found: list[bool] = []
    reader, _ = build(MemoryState(), found)
    (first,) = reader.on_robots(b"User-agent: *\n", f"{SITE}/robots.txt")
    assert first.url == INDEX and first.meta[FALLBACKS_META] == [f"{SITE}/bnews/wp-sitemap.xml"]
    (second,) = reader.on_sitemap_error(first, "HttpError")
    assert second.url == f"{SITE}/bnews/wp-sitemap.xml"
    assert reader.on_sitemap_error(second, "HttpError") == []
    assert found == [], "no sitemap: the planner is not told the site has some"


def test_index_then_files_newer_than_the_watermark() -> None:
    state = MemoryState()
    state.set_watermark(KEY, DAY1)
    found: list[bool] = []
    reader, _ = build(state, found)
    (request,) = reader.on_robots(f"Sitemap: {INDEX}\n".encode(), f"{SITE}/robots.txt")
    assert found == [True], "a watermark kept: the site has sitemaps"
    files = reader.on_sitemap(answer(request, index(
        (post_sitemap(1), DAY1), (post_sitemap(2), DAY2),
        (f"{SITE}/bnews/post_tag-sitemap.xml", DAY3))))
    assert [(kind_of(r), r.url, r.meta[SOURCE_META]) for r in files] == [
        (Kind.SITEMAP, post_sitemap(2), INDEX)], "older files and taxonomies are not read"


def test_new_and_edited_articles_of_a_file() -> None:
    state = MemoryState()
    edited, unchanged = (article_key(urls.SIMPLIFIED, str(p)) for p in (1, 2))
    for key in (edited, unchanged):
        state.record_export(key, f"hash {key}", 1, None, 0)
        state.set_article_lastmod(key, DAY1)
    reader, crawler = build(state)
    request = reader.requests.sitemap(post_sitemap(1), INDEX)
    sent = reader.on_sitemap(answer(request, urlset((1, DAY2), (2, DAY1), (3, DAY2))))
    assert [(r.url, r.meta.get(RECHECK_META), r.meta[LASTMOD_META], r.meta[SOURCE_META])
            for r in sent] == [(article(1), True, DAY2, INDEX), (article(3), None, DAY2, INDEX)]
    assert all(kind_of(r) is Kind.ARTICLE for r in sent)
    assert crawler.stats.get_value("newscrawl/sitemap/recheck") == 1  # type: ignore[union-attr]
    assert crawler.stats.get_value("newscrawl/sitemap/new") == 1  # type: ignore[union-attr]


def _read_two_files(state: MemoryState) -> tuple[SitemapReader, list[Request]]:
    """The index, its first file read; its second file asked (at the idle moment), unread."""
    reader, _ = build(state)
    reader.first_requests()  # robots.txt
    (request,) = reader.on_robots(f"Sitemap: {INDEX}\n".encode(), f"{SITE}/robots.txt")
    (first,) = reader.on_sitemap(answer(request, index((post_sitemap(1), DAY2),
                                                       (post_sitemap(2), DAY3))))
    reader.on_sitemap(answer(first, urlset((1, DAY2))))
    (second,) = reader.idle_requests()
    return reader, [first, second]


def test_an_index_s_files_are_asked_one_at_a_time() -> None:
    reader, _ = build(MemoryState())
    reader.first_requests()  # robots.txt
    (request,) = reader.on_robots(f"Sitemap: {INDEX}\n".encode(), f"{SITE}/robots.txt")
    files = reader.on_sitemap(answer(request, index(
        (post_sitemap(1), DAY1), (post_sitemap(2), DAY2), (post_sitemap(3), DAY3))))
    assert [r.url for r in files] == [post_sitemap(1)], "the whole index asked at once"
    # No engine here (no scheduler to say it runs low): the next file comes at idle moments.
    assert [r.url for r in reader.on_sitemap(answer(files[0], urlset((1, DAY1))))] == [
        article(1)]
    assert [r.url for r in reader.idle_requests()] == [post_sitemap(2)]
    assert [r.url for r in reader.idle_requests()] == [post_sitemap(3)]
    assert reader.idle_requests() == []


def test_watermark_stays_while_files_are_left_unread() -> None:
    state = MemoryState()
    reader, _ = build(state)
    reader.first_requests()  # robots.txt
    (request,) = reader.on_robots(f"Sitemap: {INDEX}\n".encode(), f"{SITE}/robots.txt")
    (first,) = reader.on_sitemap(answer(request, index((post_sitemap(1), DAY2),
                                                       (post_sitemap(2), DAY3))))
    reader.on_sitemap(answer(first, urlset((1, DAY2))))
    reader.spider_closed("finished")
    assert state.watermark(KEY) is None, "the second file was never read"


def test_watermark_moves_only_when_the_run_finished_having_read_every_file() -> None:
    state = MemoryState()
    reader, files = _read_two_files(state)
    reader.on_sitemap(answer(files[1], urlset((2, DAY3))))
    reader.spider_closed("shutdown")
    assert state.watermark(KEY) is None, "a run that did not finish moves no watermark"
    reader.spider_closed("finished")
    assert state.watermark(KEY) == DAY3


def test_watermark_stays_before_a_file_that_failed() -> None:
    state = MemoryState()
    reader, files = _read_two_files(state)
    assert reader.on_sitemap_error(files[1], "HttpError") == []
    reader.spider_closed("finished")
    assert state.watermark(KEY) is None

    reader, files = _read_two_files(state)
    reader.on_sitemap(answer(files[1], b"<html>not a sitemap</html>".decode()))
    reader.spider_closed("finished")
    assert state.watermark(KEY) is None, "a file that was no sitemap is a failed file"


def test_watermark_stays_when_an_edited_article_could_not_be_fetched() -> None:
    state = MemoryState()
    key = article_key(urls.SIMPLIFIED, "2")
    state.record_export(key, "hash", 1, None, 0)
    state.set_article_lastmod(key, DAY1)
    reader, files = _read_two_files(state)
    (recheck,) = reader.on_sitemap(answer(files[1], urlset((2, DAY3))))
    reader.article_failed(recheck, 503)
    reader.spider_closed("finished")
    assert state.watermark(KEY) is None

    reader, files = _read_two_files(state)
    (recheck,) = reader.on_sitemap(answer(files[1], urlset((2, DAY3))))
    reader.article_failed(recheck, 404)  # a deleted post: nothing to see again
    reader.spider_closed("finished")
    assert state.watermark(KEY) == DAY3
