"""URL rules, table-driven: what a URL is, and its canonical form."""

from __future__ import annotations

import pytest

from newscrawl.discovery import urls
from newscrawl.discovery.requests import Scope
from newscrawl.discovery.urls import Kind

B = "https://www.bannedbook.org"


@pytest.mark.parametrize(("url", "kind"), [
    (f"{B}/bnews/sohnews/20230322/1862899.html", Kind.ARTICLE),
    (f"{B}/bnews/cnnews/hknews/20230322/1862899.html", Kind.ARTICLE),
    (f"{B}/bnews/zh-tw/sohnews/20230322/1862899.html", Kind.ARTICLE),
    (f"{B}/en/bnews/sohnews/20230322/1862899.html", Kind.ARTICLE),
    (f"{B}/bnews/sohnews/20230322/1862899.html?utm_source=x#top", Kind.ARTICLE),
    (f"{B}/bnews/sohnews/20231340/1862899.html", Kind.OTHER),  # no such date
    (f"{B}/bnews/sohnews/2023032/1862899.html", Kind.OTHER),
    (f"{B}/bnews/sohnews/20230322/1862899.htm", Kind.OTHER),
    (f"{B}/bnews/fq/20230322/1862899.html", Kind.OTHER),  # landing pages are not news
    (f"{B}/bnews/", Kind.LISTING),
    (f"{B}/bnews/page/7/", Kind.LISTING),
    (f"{B}/bnews/tag/%E4%B8%AD%E5%9B%BD/", Kind.LISTING),
    (f"{B}/bnews/tag/%e4%b8%ad%e5%9b%bd/page/2/", Kind.LISTING),
    (f"{B}/bnews/sohnews/", Kind.LISTING),
    (f"{B}/bnews/cnnews/hknews/page/3/", Kind.LISTING),
    (f"{B}/bnews/zh-tw/tag/%E4%B8%AD%E5%9C%8B/", Kind.LISTING),
    (f"{B}/bnews/fq/", Kind.OTHER),
    (f"{B}/bnews/page/", Kind.OTHER),  # pagination without a number
    (f"{B}/bnews/zh-tw/xml/latest.xml", Kind.OTHER),
    (f"{B}/forum23/topic/1.html", Kind.OTHER),
    (f"{B}/", Kind.OTHER),
    # The host is the offsite middleware's business, not the URL rule's.
    ("https://blog.bannedbook.org/bnews/sohnews/20230322/1.html", Kind.ARTICLE),
    ("mailto:editor@bannedbook.org", Kind.OTHER),
    ("javascript:void(0)", Kind.OTHER),
    ("ftp://www.bannedbook.org/bnews/sohnews/20230322/1862899.html", Kind.OTHER),
])
def test_kind(url: str, kind: Kind) -> None:
    assert urls.kind(url) is kind


@pytest.mark.parametrize(("url", "canonical"), [
    (f"{B}/bnews/sohnews/20230322/1862899.html?utm_source=tw&utm_medium=x#comments",
     f"{B}/bnews/sohnews/20230322/1862899.html"),
    (f"{B}/bnews/tag/%e7%be%8e%e5%9b%bd/", f"{B}/bnews/tag/%E7%BE%8E%E5%9B%BD/"),
    (f"{B}/bnews/tag/美国/", f"{B}/bnews/tag/%E7%BE%8E%E5%9B%BD/"),
    ("HTTPS://WWW.BannedBook.ORG/bnews/", f"{B}/bnews/"),
    ("http://127.0.0.1:8080/bnews/x/20200101/1.html?a=1", "http://127.0.0.1:8080/bnews/x/20200101/1.html"),
    (f"  {B}/bnews/  ", f"{B}/bnews/"),
    # AMP copies of a post are the post (issue 17): never a second record.
    (f"{B}/bnews/sohnews/20230322/1862899.html/amp", f"{B}/bnews/sohnews/20230322/1862899.html"),
    (f"{B}/bnews/sohnews/20230322/1862899.html/amp/",
     f"{B}/bnews/sohnews/20230322/1862899.html"),
    (f"{B}/bnews/sohnews/20230322/1862899.html?amp=1", f"{B}/bnews/sohnews/20230322/1862899.html"),
    (f"{B}/bnews/sohnews/20230322/1862899.html/amp/?utm_source=x#top",
     f"{B}/bnews/sohnews/20230322/1862899.html"),
    ("http://127.0.0.1:8080/bnews/a/b/20200101/1.html/amp/",
     "http://127.0.0.1:8080/bnews/a/b/20200101/1.html"),
    # Not an AMP copy: a listing or a path merely ending in "amp".
    (f"{B}/bnews/tag/amp/", f"{B}/bnews/tag/amp/"),
    (f"{B}/bnews/sohnews/20230322/1862899.htmlamp", f"{B}/bnews/sohnews/20230322/1862899.htmlamp"),
    # Page 2 of a multi-page post is another engineer's (issue 17 item 5): left as it is here.
    (f"{B}/bnews/sohnews/20230322/1862899.html/2", f"{B}/bnews/sohnews/20230322/1862899.html/2"),
])
def test_canonical(url: str, canonical: str) -> None:
    assert urls.canonical(url) == canonical
    assert urls.canonical(canonical) == canonical  # idempotent


@pytest.mark.parametrize(("url", "ref"), [
    (f"{B}/bnews/sohnews/20230322/1862899.html",
     urls.ArticleRef("1862899", "sohnews", "2023-03-22", "zh-Hans")),
    (f"{B}/bnews/cnnews/hknews/20200107/1250000.html",
     urls.ArticleRef("1250000", "cnnews/hknews", "2020-01-07", "zh-Hans")),
    (f"{B}/bnews/zh-tw/sohnews/20230322/1862899.html",
     urls.ArticleRef("1862899", "sohnews", "2023-03-22", "zh-Hant")),
    (f"{B}/bnews/renquan/minyun/20190115/1194998.html",  # nested categories, two deep
     urls.ArticleRef("1194998", "renquan/minyun", "2019-01-15", "zh-Hans")),
    (f"{B}/bnews/renquan/minyun/20190115/1194998.html/amp/", None),  # canonical() first
    (urls.canonical(f"{B}/bnews/renquan/minyun/20190115/1194998.html/amp/"),
     urls.ArticleRef("1194998", "renquan/minyun", "2019-01-15", "zh-Hans")),
    (f"{B}/en/bnews/sohnews/20230322/1862899.html",
     urls.ArticleRef("1862899", "sohnews", "2023-03-22", "en")),
    (f"{B}/bnews/tag/x/", None),
])
def test_article_ref(url: str, ref: urls.ArticleRef | None) -> None:
    assert urls.article_ref(url) == ref


@pytest.mark.parametrize(("url", "archive", "page"), [
    (f"{B}/bnews/", f"{B}/bnews/", 1),
    (f"{B}/bnews/page/12/", f"{B}/bnews/", 12),
    (f"{B}/bnews/tag/%e4%b8%ad/page/2/?utm_source=x", f"{B}/bnews/tag/%E4%B8%AD/", 2),
    (f"{B}/bnews/cnnews/hknews/page/3/", f"{B}/bnews/cnnews/hknews/", 3),
    (f"{B}/bnews/cnnews/hknews/", f"{B}/bnews/cnnews/hknews/", 1),
    (f"{B}/bnews/sohnews/page/2/", f"{B}/bnews/sohnews/", 2),
    (f"{B}/en/bnews/cnnews/", f"{B}/en/bnews/cnnews/", 1),
])
def test_listing_ref(url: str, archive: str, page: int) -> None:
    ref = urls.listing_ref(url)
    assert ref is not None
    assert (ref.archive, ref.page) == (archive, page)


@pytest.mark.parametrize(("url", "language"), [
    (f"{B}/bnews/sohnews/20230322/1.html", "zh-Hans"),
    (f"{B}/bnews/zh-tw/sohnews/20230322/1.html", "zh-Hant"),
    (f"{B}/en/bnews/sohnews/20230322/1.html", "en"),
    (f"{B}/forum23/", None),
])
def test_language_of(url: str, language: str | None) -> None:
    assert urls.language_of(url) == language


def test_section_url_follows_language() -> None:
    assert urls.section_url("http://127.0.0.1:8000/x", "zh-Hant") == "http://127.0.0.1:8000/bnews/zh-tw/"


@pytest.mark.parametrize(("url", "hosts", "expected"), [
    (f"{B}/bnews/", ["www.bannedbook.org"], True),
    ("http://127.0.0.1:8000/bnews/", ["127.0.0.1"], True),
    ("http://localhost:8000/bnews/", ["127.0.0.1"], False),
    ("https://blog.bannedbook.org/", ["www.bannedbook.org"], False),
    ("https://www.bannedbook.org/", ["bannedbook.org"], True),
    ("https://evilbannedbook.org/", ["bannedbook.org"], False),
])
def test_on_hosts(url: str, hosts: list[str], expected: bool) -> None:
    assert urls.on_hosts(url, hosts) is expected


@pytest.mark.parametrize("url", [
    f"{B}/bnews/sohnews/20230322/1862877.html",
    "http://127.0.0.1:8000/bnews/cnnews/hknews/20230101/1860000.html",
    f"{B}/bnews/tag/abc_d-e~f/",
    f"{B}/a/./b/../c",  # dot segments: resolved by the full path
    f"{B}/bnews/tag/%e4%b8%ad/",  # escapes: upper-cased by the full path
    "HTTPS://WWW.BANNEDBOOK.ORG/bnews/",  # case
    f"{B}:0443/bnews/",
    f"{B}/bnews/?utm_source=x#c",
])
def test_canonical_short_cut_agrees_with_the_full_path(url: str) -> None:
    # A leading space keeps a URL off the short cut for plain URLs (and is stripped).
    assert urls.canonical(url) == urls.canonical(" " + url)


@pytest.mark.parametrize(("url", "language", "covered"), [
    (f"{B}/bnews/renquan/minyun/20190115/1194998.html", "zh-Hans", True),
    (f"{B}/bnews/cnnews/hknews/", "zh-Hans", True),
    (f"{B}/bnews/sohnews/page/2/", "zh-Hans", True),
    # The English copy is left out on purpose, whatever the run's language (issue 17).
    (f"{B}/en/bnews/", "zh-Hans", False),
    (f"{B}/en/bnews/sohnews/20230322/1862899.html", "zh-Hans", False),
    (f"{B}/en/bnews/sohnews/20230322/1862899.html", "zh-Hant", False),
])
def test_scope_covers_nested_categories_not_the_english_copy(url: str, language: str,
                                                             covered: bool) -> None:
    assert Scope.of([f"{B}/bnews/"], language).covers(url) is covered


ARTICLE = f"{B}/bnews/sohnews/20230322/1862899.html"


@pytest.mark.parametrize(("url", "page"), [
    # urls.article_page: page N >= 2 of a multi-page post is `…/ID.html/N` (wp_link_pages)
    (f"{ARTICLE}/2", (ARTICLE, 2)),
    (f"{ARTICLE}/12/?utm_source=x", (ARTICLE, 12)),
    ("HTTPS://WWW.BannedBook.ORG/bnews/sohnews/20230322/1862899.html/3", (ARTICLE, 3)),
    (f"{ARTICLE}/1", None),  # page 1 is the article itself
    (ARTICLE, None),
    (f"{ARTICLE}/amp", None),
    (f"{B}/bnews/fq/20230322/1.html/2", None),  # not a news article
])
def test_article_page(url: str, page: tuple[str, int] | None) -> None:
    assert urls.article_page(url) == page


def test_a_landing_page_subsection_is_no_listing() -> None:
    assert urls.kind(f"{B}/bnews/fq/sub/") is Kind.OTHER
