"""The challenge rule (newscrawl.extraction.page.is_challenge) as a table, and where the spider
asks it: every wording × status × cf-mitigated header, through the spider's parse (200) and
on_error (403, 429, 503), built in Scrapy's style. Wordings written here by hand, from the
site notes and Cloudflare's pages (docs/extraction.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newscrawl.article import Article
from newscrawl.extraction.page import is_challenge
from newscrawl.reasons import REASONS
from newscrawl.run.signals import article_failed
from newscrawl.spiders.bannedbook import BannedbookSpider

URL = "https://www.bannedbook.org/bnews/sohnews/20230322/1862877.html"
STATUSES = (200, 403, 429, 503)

# One title or text of each page Cloudflare serves instead of content, in the letter case named.
WORDINGS = {
    "just-a-moment": "<title>Just a moment...</title><h2>Checking if the site connection is "
                     "secure</h2>",
    "just-a-moment-ellipsis-lower": "<title>just a moment\u2026</title>",
    "please-wait": "<title>Please Wait... | Cloudflare</title><h1>One more step</h1>",
    "attention-upper": "<title>ATTENTION REQUIRED! | CLOUDFLARE</title><h1>Sorry, you have "
                       "been blocked</h1>",
    "access-denied": "<title>Access denied | www.bannedbook.org used Cloudflare to restrict "
                     "access</title>",
    "checking": "<h1>Checking your browser before accessing www.bannedbook.org.</h1>",
    "checking-we-are": "<p>We are Checking Your Browser... www.bannedbook.org</p>",
    "verifying": "<p>Verifying you are human. This may take a few seconds.</p>",
    "error-1015": "<h1>Error 1015</h1><h2>You are being rate limited</h2>",
    "error-1020-spans": '<h1><span>Error</span> <span class="cf-error-code">1020</span></h1>',
    "error-code-1020": "<p>error code: 1020</p>",
    "challenge-platform": "<script src='/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1'>"
                          "</script>",
    "cf-chl-opt": "<script>window._cf_chl_opt={cvId: '3', cType: 'managed'};</script>",
}
# A page no rule knows: a challenge by Cloudflare's header alone.
UNKNOWN = "<title>One moment, please</title><h1>Please stand by</h1>"

ARTICLE = ('<h2>标题</h2><div class="entry"><p>来源：美国之音, 文章内容并不代表本网立场。</p>'
           "<p>QUOTE</p></div>")


def html(inner: str) -> str:
    return f"<!DOCTYPE html><html><head></head><body>{inner}</body></html>"


# --- the pure rule ------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "challenge", b"challenge", "Challenge "])
@pytest.mark.parametrize("wording", sorted(WORDINGS))
def test_every_wording_is_a_challenge_with_or_without_the_header(wording, header):
    assert is_challenge(html(WORDINGS[wording]), header)


@pytest.mark.parametrize(("header", "challenge"), [
    (None, False), ("challenge", True), (b"challenge", True), ("managed", False), ("", False)])
def test_an_unknown_page_is_a_challenge_by_its_header_only(header, challenge):
    assert is_challenge(html(UNKNOWN), header) is challenge


@pytest.mark.parametrize("wording", sorted(WORDINGS))
@pytest.mark.parametrize("end", ["<!--END ENTRY-->", ""])  # with and without the comment
def test_an_article_quoting_the_words_is_the_sites_page(wording, end):
    page = html(ARTICLE.replace("<p>QUOTE</p>", f"<p>页面显示：</p>{WORDINGS[wording]}") + end)
    assert not is_challenge(page)


@pytest.mark.parametrize("structure", [
    '<div class="postlist"><h4><a href="/bnews/sohnews/20230322/1.html">Just a moment...</a>'
    "</h4></div>",  # a listing whose item title quotes the words
    "<link rel='stylesheet' href='/wp-content/themes/moban/style.css'><p>Just a moment...</p>",
    # spelled otherwise than usual (a minifier drops quotes; a theme adds classes)
    "<h2>标题</h2><div class=entry><p>Just a moment...</p></div>",
    "<h2>标题</h2><div id='post-1' class='clearfix entry'><p>Verifying you are human</p></div>",
    "<div class='postlist odd'><h4><a href='/bnews/a/20230322/1.html'>Error 1020</a></h4></div>",
])
def test_other_pages_of_the_site_quoting_the_words_are_none(structure):
    assert not is_challenge(html(structure))


def test_no_marker_no_challenge():
    assert not is_challenge(html("<h1>Error 404</h1><p>1015 readers</p>"))
    assert not is_challenge(html(ARTICLE))


# --- where the spider asks it: parse (200) and on_error (any other status) ----------------

class Spider:
    """The spider from get_crawler, the article_failed reasons it sent, the items it yielded."""

    def __init__(self) -> None:
        self.crawler: Crawler = get_crawler(BannedbookSpider, {"RETRY_TIMES": "2"})
        self.spider = self.crawler._create_spider()
        self.crawler.spider = self.spider
        self.failed: list[str] = []
        self.crawler.signals.connect(self._failed, signal=article_failed)

    def _failed(self, url: str, reason: str) -> None:
        self.failed.append(reason)

    def answer(self, status: int, page: str, header: bool) -> list[object]:
        """What the spider makes of the article page answering `status` with `page`."""
        self.failed.clear()
        request: Request = self.spider.article_request(URL)
        headers = {"Content-Type": "text/html; charset=UTF-8", "Server": "cloudflare"}
        if header:
            headers["cf-mitigated"] = "challenge"
        response = HtmlResponse(URL, status=status, headers=headers, body=page.encode(),
                                request=request)
        if status == 200:
            return list(self.spider.parse(response))
        failure = Failure(HttpError(response))
        failure.request = request  # type: ignore[attr-defined]  (as Scrapy's errback gets it)
        self.spider.on_error(failure)
        return []


@pytest.fixture(scope="module")
def spider() -> Iterator[Spider]:
    yield Spider()


@pytest.mark.parametrize("header", [True, False])
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("wording", sorted(WORDINGS))
def test_spider_counts_a_challenge_on_any_status(spider, wording, status, header):
    assert spider.answer(status, html(WORDINGS[wording]), header) == []
    assert spider.failed == ["challenge"]
    assert not REASONS["challenge"].counts_toward_give_up


@pytest.mark.parametrize("status", STATUSES)
def test_spider_reads_the_header(spider, status):
    assert spider.answer(status, html(UNKNOWN), header=True) == []
    assert spider.failed == ["challenge"]
    # The same page without the header is what it looks like: a page without an article
    # body (200, which counts toward giving up) or an HTTP error.
    spider.answer(status, html(UNKNOWN), header=False)
    assert spider.failed == (["no_body"] if status == 200 else [f"http_{status}"])


@pytest.mark.parametrize("end", ["<!--END ENTRY-->", ""])
def test_spider_keeps_an_article_quoting_just_a_moment(spider, end):
    quote = "页面显示“Just a moment...”。"
    page = html(ARTICLE.replace("QUOTE", quote) + end)
    (item, *_links) = spider.answer(200, page, header=False)
    assert isinstance(item, Article)
    assert item.body == quote
    assert spider.failed == []


@pytest.mark.parametrize("status", STATUSES)
def test_an_edited_article_challenged_keeps_its_sitemap_watermark(spider, status):
    # A recheck the sitemap sent that met a challenge, on any status: the sitemap's watermark
    # must not move past the edit (newscrawl.discovery.sitemap_reader.article_failed).
    source = "https://www.bannedbook.org/bnews/post-sitemap.xml"
    sitemaps = spider.spider.sitemaps
    sitemaps.failed_sources.clear()
    spider.failed.clear()
    request = spider.spider.requests.article(URL, lastmod=1.0, recheck=True, source=source)
    response = HtmlResponse(URL, status=status, body=html(WORDINGS["just-a-moment"]).encode(),
                            headers={"Content-Type": "text/html"}, request=request)
    if status == 200:
        assert list(spider.spider.parse(response)) == []
    else:
        failure = Failure(HttpError(response))
        failure.request = request  # type: ignore[attr-defined]
        spider.spider.on_error(failure)
    assert spider.failed == ["challenge"]
    assert sitemaps.failed_sources == {source}
