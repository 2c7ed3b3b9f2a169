"""The extraction layer against fixture pages whose expected records were written by hand.

Each fixture page NAME.html comes with NAME.meta.json, what the page was captured with (as
web-poet's and fundus's fixtures keep it): {"url": the URL it is served under, "captured": the
capture date (the record's crawled_at), "headers": the response headers (Content-Type)}; and
NAME.json, either the full expected record or {"not_an_article": REASON}. A fixture is named
by the rule it exercises.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import pytest

from newscrawl.extraction.extract import NotAnArticle, is_challenge, parse_article

PAGES = Path(__file__).parent / "fixtures" / "pages"


def meta(name: str) -> dict:
    """The page's capture: {"url", "captured", "headers"}."""
    return json.loads((PAGES / f"{name}.meta.json").read_text(encoding="utf-8"))


NAMES = sorted(p.name.removesuffix(".meta.json") for p in PAGES.glob("*.meta.json"))
INDEX: dict[str, str] = {name: meta(name)["url"] for name in NAMES}
CAPTURED = "article-2023-03-22"
CAPTURED_URL = INDEX[CAPTURED]
CRAWLED_AT = meta(CAPTURED)["captured"]


def expected(name: str) -> dict:
    return json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))


def page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def parse(name: str):
    """The page parsed as the crawl would: with its response's Content-Type and capture date."""
    captured = meta(name)
    headers = {key.lower(): value for key, value in captured["headers"].items()}
    return parse_article(page(name), captured["url"], content_type=headers["content-type"],
                         crawled_at=captured["captured"], mitigated=headers.get("cf-mitigated"))


RECORDS = [name for name in INDEX if "not_an_article" not in expected(name)]
FAILURES = [name for name in INDEX if "not_an_article" in expected(name)]


def test_every_fixture_page_has_its_capture():
    assert sorted(p.stem for p in PAGES.glob("*.html")) == NAMES
    for name in NAMES:
        captured = meta(name)
        assert sorted(captured) in (["captured", "headers", "url"],
                                    ["captured", "headers", "origin", "url"]), name
        assert captured["headers"]["Content-Type"].startswith("text/html"), name


@pytest.mark.parametrize("name", RECORDS)
def test_record(name):
    assert dataclasses.asdict(parse(name)) == expected(name)


SCHEMA = Path(__file__).parent.parent / "newscrawl" / "schema" / "article.schema.json"


@pytest.mark.parametrize("name", RECORDS)
def test_record_matches_schema(name):
    # jsonschema is in the test extras and the schema is part of the product: never skipped.
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(dataclasses.asdict(parse(name)), schema)


@pytest.mark.parametrize("name", FAILURES)
def test_not_an_article_page(name):
    with pytest.raises(NotAnArticle) as caught:
        parse(name)
    assert caught.value.reason == expected(name)["not_an_article"]
    assert INDEX[name] in str(caught.value)


BOILERPLATE = ("文章内容并不代表本网立场", "不代表本网立场", "不代表本網立場", "大陆网友注意",
               "大陸網友注意", "备注", "備註", "🔥", "相关阅读", "相關閱讀", "AuctionX",
               "taboola", "编辑团队", "翻墙软件", "document.write", "counter(", ".video-wrap")


@pytest.mark.parametrize("name", RECORDS)
def test_no_boilerplate_in_output(name):
    text = json.dumps(dataclasses.asdict(parse(name)), ensure_ascii=False)
    for boilerplate in BOILERPLATE:
        assert boilerplate not in text, boilerplate


@pytest.mark.parametrize(("name", "encoding"), [(CAPTURED, "utf-8"), ("gbk-meta", "gbk")])
def test_bytes_and_str_agree(name, encoding):
    from_bytes = parse_article(page(name), INDEX[name], crawled_at=CRAWLED_AT)
    from_str = parse_article(page(name).decode(encoding), INDEX[name], crawled_at=CRAWLED_AT)
    assert from_bytes == from_str


def test_http_charset_wins_over_meta():
    # A browser lets the header's charset override the page's <meta>; so does the parser.
    text = page("gbk-meta").decode("gbk")
    utf8 = text.encode("utf-8")  # the <meta> still says gbk
    article = parse_article(utf8, INDEX["gbk-meta"], content_type="text/html; charset=utf-8")
    assert article.title == expected("gbk-meta")["title"]


# --- each NotAnArticle reason ------------------------------------------------------------

END = "<!--END ENTRY-->"  # the theme's end of the entry: a page without it was cut short

ARTICLE = """<h2>标题</h2><div class="entry"><p>来源：美国之音, 文章内容并不代表本网立场。</p>
<p>正文第一段。</p></div><!--END ENTRY-->"""


def reason_of(body, url=CAPTURED_URL, **kwargs) -> str:
    with pytest.raises(NotAnArticle) as caught:
        parse_article(body, url, **kwargs)
    assert url in str(caught.value)
    return caught.value.reason


def test_minimal_article_parses():
    article = parse_article(ARTICLE, CAPTURED_URL)
    assert (article.title, article.body, article.source) == ("标题", "正文第一段。", "美国之音")
    assert article.crawled_at is None


@pytest.mark.parametrize("body", [
    page("notarticle-challenge"),
    # the older interstitial, sometimes served with 200
    "<html><head><title>Just a moment...</title></head><body><h2>Checking your browser before "
    "accessing www.bannedbook.org.</h2><div class='cf-browser-verification'></div></body></html>",
    # a challenge marker and no page structure of the site (an entry is the site's: below)
    '<html><body><div id="cf-challenge-running"></div><h2>标题</h2><p>正文第一段。</p>'
    "</body></html>",
    "<title>Attention Required! | Cloudflare</title>",
])
def test_challenge(body):  # (a page with the theme's end-of-entry marker is none: below)
    assert reason_of(body) == "challenge"
    # checked before anything else: whatever the URL or the content type
    assert reason_of(body, "https://www.bannedbook.org/bnews/tag/x/") == "challenge"


def test_site_page_quoting_a_challenge_is_an_article():
    quote = "页面显示“Just a moment...”与“Checking your browser”。"
    assert parse_article(ARTICLE.replace("正文第一段。", quote), CAPTURED_URL).body == quote
    # The spider asks the same question of every page before routing it.
    assert not is_challenge(ARTICLE.replace("正文第一段。", quote))
    # Without the END ENTRY comment too (a minified page): the entry is the site's structure.
    minified = ARTICLE.replace("正文第一段。", quote).replace(END, "") + "</html>"
    assert parse_article(minified, CAPTURED_URL).body == quote
    # Cloudflare's detection script, injected into the site's own page, makes no challenge.
    injected = ('<html><body><div id="cf-challenge-running"></div>' + ARTICLE.replace(END, "")
                + "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script>"
                "</body></html>")
    assert parse_article(injected, CAPTURED_URL).body == "正文第一段。"


def test_is_challenge():
    assert is_challenge(page("notarticle-challenge").decode())
    assert not is_challenge(page(CAPTURED).decode())


def test_not_article_url():
    for url in ("https://www.bannedbook.org/bnews/tag/%E4%B8%AD%E5%9B%BD/",
                "https://www.bannedbook.org/bnews/sohnews/",
                "https://www.bannedbook.org/bnews/sohnews/20231399/1862877.html"):
        assert reason_of(page(CAPTURED), url) == "not_article_url"


def test_not_html():
    assert reason_of(b"%PDF-1.7\n...", content_type="application/pdf") == "not_html"
    assert reason_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == "not_html"
    assert parse_article(ARTICLE, CAPTURED_URL, content_type="application/xhtml+xml").title


@pytest.mark.parametrize("body", [b"", "", " \r\n\t ", "<!-- nothing -->"])
def test_empty(body):
    assert reason_of(body) == "empty"


def test_no_title():
    assert reason_of('<div class="entry"><p>正文。</p></div>') == "no_title"
    assert reason_of('<title> - 禁闻网</title><h2> </h2><div class="entry"><p>正文。</p></div>') \
        == "no_title"


@pytest.mark.parametrize("body", [
    "<h2>标题</h2><p>页面上没有 div.entry。</p>",
    '<h2>标题</h2><div class="entry"><p>来源：美国之音, 文章内容并不代表本网立场。</p></div>' + END,
    '<h2>标题</h2><div class="entry"><figure><figcaption>图说</figcaption></figure></div>' + END,
])
def test_no_body(body):
    assert reason_of(body) == "no_body"


def test_not_an_article_pickles():
    error = pickle.loads(pickle.dumps(NotAnArticle("no_body", CAPTURED_URL)))
    assert (error.reason, error.url, str(error)) == (
        "no_body", CAPTURED_URL, f"not an article (no_body): {CAPTURED_URL}")


# --- single rules the fixtures do not pin down ----------------------------------------------

def test_h2_wins_over_title():
    body = "<title>别的标题 - 禁闻网</title>" + ARTICLE
    assert parse_article(body, CAPTURED_URL).title == "标题"


def test_first_paragraph_without_byline_is_body():
    # ... and the list after it is not an author list but a list in the text
    article = parse_article('<h2>标题</h2><div class="entry"><p>第一段。</p><ul><li>不是作者</li>'
                            "</ul><p>第二段。</p></div><!--END ENTRY-->", CAPTURED_URL)
    assert (article.body, article.source, article.authors) == (
        "第一段。\n\n不是作者\n\n第二段。", None, [])


@pytest.mark.parametrize(("byline", "source", "authors"), [
    ("来源：美国之音, 文章内容并不代表本网立场。", "美国之音", []),
    ("来源：美国之音。文章内容并不代表本网立场。", "美国之音", []),
    ("作者：张三 来源：法广，文章内容并不代表本网立场。", "法广", ["张三"]),
    ("来源: RFA 作者: Li Wei, 文章内容并不代表本网立场。", "RFA", ["Li Wei"]),
    ("來源：大紀元, 文章內容並不代表本網立場和觀點。", "大紀元", []),
    ("文章转自网络，旨在为读者提供多元信息，内容并不代表本网立场和观点。", None, []),
    # seen on the site (issue 18): a channel named as 作者 is the outlet
    ("作者: 希望之聲TV , 文章內容謹代表作者個人觀點。", "希望之聲TV", []),
    ("作者：大纪元新闻网，文章内容并不代表本网立场。", "大纪元新闻网", []),
    ("作者：王丹, 文章内容并不代表本网立场。", None, ["王丹"]),  # a person stays an author
    ("作者：Daily, 来源：RFA, 文章内容并不代表本网立场。", "RFA", ["Daily"]),  # a source is named
    # a WeChat repost: WeChat's "Original" label, the author, the account (the outlet)
    ("Original 明日知潮者 AI前哨 ，文章內容不知真假，也不代表本網立場和觀點。", "AI前哨",
     ["明日知潮者"]),
    ("原创 李四 观察者札记，文章内容并不代表本网立场。", "观察者札记", ["李四"]),
    ("來源: 年代向錢看 , 文章內容並不代表本網立場和觀點。", "年代向錢看", []),  # half-width colon
    ("作者：古莉來源：RFI法廣，文章謹供參考，內容並不代表本網立場和觀點。", "RFI法廣", ["古莉"]),
])
def test_byline_forms(byline, source, authors):
    article = parse_article(f'<h2>标题</h2><div class="entry"><p>{byline}</p><p>正文。</p></div>'
                            + END, CAPTURED_URL)
    assert (article.source, article.authors, article.body) == (source, authors, "正文。")


def test_base_href_resolves_images():
    body = ('<head><base href="https://img.example.org/a/"></head><h2>标题</h2>'
            '<div class="entry"><p>正文。</p><figure><img src="b.jpg"></figure></div>' + END)
    assert parse_article(body, CAPTURED_URL).images == [
        {"url": "https://img.example.org/a/b.jpg", "caption": None}]
