"""An article page is parsed once: its links come from the parser's tree (extract(links=...)),
and the spider follows the same links as when it read them through parsel (issue 20).

Component tests in Scrapy's style: the spider from get_crawler, an article request it built,
an HtmlResponse built here. Every expected URL is written by hand from the page below.
"""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.article import Article
from newscrawl.extraction.extract import extract
from newscrawl.spiders.bannedbook import BannedbookSpider

SITE = "https://www.bannedbook.org"
URL = f"{SITE}/bnews/sohnews/20230322/1862877.html"
HEADERS = {"Content-Type": "text/html; charset=UTF-8"}

# A small article page: a <base href> that relative links resolve against (not the page's
# own directory), a <link rel=next>, relative, root-relative, scheme-relative and absolute
# hrefs, links the run does not crawl, and a Cloudflare-obfuscated address (the parser
# rewrites its href; the links are read before that).
ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>标题 - 中国禁闻网</title>
<base href="https://www.bannedbook.org/bnews/cnnews/">
<link rel="stylesheet" href="/wp-content/style.css">
<link rel="next" href="../tag/%E9%A6%99%E6%B8%AF/page/2/">
</head><body>
<div id="menu"><a href="/bnews/">首页</a> <a href="../tag/%E4%B8%AD%E5%9B%BD/">中国</a>
<a href="https://www.bannedbook.org/forum23/">论坛</a></div>
<h2>标题</h2>
<div class="entry">
<p>正文第一段，足够长的一句话。</p>
<p>联系 <a href="/cdn-cgi/l/email-protection#1c7d5c79">[email&#160;protected]</a></p>
<p>相关：<a href="hknews/20230321/1862001.html?utm_source=x#top">一</a>
<a href="20230320/1861000.html">二</a>
<a href="//www.bannedbook.org/bnews/sohnews/20230319/1860000.html">三</a>
<a href="https://www.bannedbook.org/bnews/zh-tw/sohnews/20230322/1862877.html">繁</a>
<a href="mailto:x@example.org">信</a></p>
</div>
<a href="https://www.bannedbook.org/bnews/cnnews/hknews/20230321/1862001.html">一，再次</a>
</body></html>"""

# The hrefs of PAGE_LINKS (a[href], link[rel~=next]) as written, in document order.
HREFS = [
    "../tag/%E9%A6%99%E6%B8%AF/page/2/",
    "/bnews/",
    "../tag/%E4%B8%AD%E5%9B%BD/",
    "https://www.bannedbook.org/forum23/",
    "/cdn-cgi/l/email-protection#1c7d5c79",
    "hknews/20230321/1862001.html?utm_source=x#top",
    "20230320/1861000.html",
    "//www.bannedbook.org/bnews/sohnews/20230319/1860000.html",
    "https://www.bannedbook.org/bnews/zh-tw/sohnews/20230322/1862877.html",
    "mailto:x@example.org",
    "https://www.bannedbook.org/bnews/cnnews/hknews/20230321/1862001.html",
]
# The articles the spider requests: joined against <base href>, canonical, once each.
ARTICLES = [
    f"{SITE}/bnews/cnnews/hknews/20230321/1862001.html",
    f"{SITE}/bnews/cnnews/20230320/1861000.html",
    f"{SITE}/bnews/sohnews/20230319/1860000.html",
]
# The listings handed to the planner (each archive's first page); /bnews/ is the run's own
# start listing, read anyway, so it is not one of them.
LISTINGS = {
    f"{SITE}/bnews/tag/%E9%A6%99%E6%B8%AF/",
    f"{SITE}/bnews/tag/%E4%B8%AD%E5%9B%BD/",
}


def _spider(**settings: str) -> tuple[Crawler, BannedbookSpider]:
    crawler = get_crawler(BannedbookSpider, settings)
    spider = crawler._create_spider()
    crawler.spider = spider
    return crawler, spider


def _answer(spider: BannedbookSpider, page: str) -> tuple[HtmlResponse, list[object]]:
    """The article request the spider builds for URL, answered with `page`; its outputs."""
    request = spider.article_request(URL)
    response = HtmlResponse(URL, status=200, headers=HEADERS, body=page.encode(),
                            request=request)
    return response, list(spider.parse(response))


def _requested(outputs: list[object]) -> list[str]:
    return [output.url for output in outputs if isinstance(output, Request)]


def test_extract_reads_the_page_links_as_written_before_the_tree_changes() -> None:
    assert extract(ARTICLE, URL, links=0).links == HREFS
    assert extract(ARTICLE, URL, links=4).links == HREFS[:4]
    assert extract(ARTICLE, URL, links=len(HREFS) + 5).links == HREFS
    assert extract(ARTICLE, URL).links == []  # not asked: not read


def test_an_article_page_gives_its_record_and_the_same_links_parsed_once() -> None:
    _, spider = _spider()
    response, outputs = _answer(spider, ARTICLE)
    assert [o.title for o in outputs if isinstance(o, Article)] == ["标题"]
    assert _requested(outputs) == ARTICLES
    assert spider.planner.listings.seen == LISTINGS
    # parsel's selector (the second parse of the page) was never built.
    assert response._cached_selector is None


@pytest.mark.parametrize(("cap", "requested", "capped"), [
    # The first `cap` links of the page, in its order: 6 hrefs reach two of the articles.
    (6, ARTICLES[:1], 1),
    (7, ARTICLES[:2], 1),
    (len(HREFS), ARTICLES, None),  # exactly at the cap: every link, nothing counted
    (0, ARTICLES, None),  # 0: no cap
])
def test_the_link_cap_takes_the_first_links_of_an_article_page(
        cap: int, requested: list[str], capped: int | None) -> None:
    crawler, spider = _spider(NEWSCRAWL_MAX_LINKS_PER_PAGE=str(cap))
    _, outputs = _answer(spider, ARTICLE)
    assert _requested(outputs) == requested
    assert crawler.stats.get_value("newscrawl/links_capped") == capped


def test_a_page_that_is_no_article_still_has_its_links_followed() -> None:
    crawler, spider = _spider()
    no_title = ARTICLE.replace("<h2>标题</h2>", "").replace("<title>标题 - 中国禁闻网</title>", "")
    _, outputs = _answer(spider, no_title)
    assert not [o for o in outputs if isinstance(o, Article)]
    assert crawler.stats.get_value("newscrawl/not_article/no_title") == 1
    assert _requested(outputs) == ARTICLES
    assert spider.planner.listings.seen == LISTINGS
