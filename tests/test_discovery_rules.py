"""The pure rules of discovery: schedule, listing walks, sitemaps, feeds, language copies."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

import pytest

from newscrawl.discovery import feeds, schedule, sitemaps, urls, walk
from newscrawl.discovery.schedule import DAY, HOUR, Schedule
from newscrawl.discovery.urls import ArticleRef

NOW = 1_700_000_000.0


@pytest.mark.parametrize(("previous", "changed", "interval"), [
    (None, True, DAY),  # first visit: the initial interval, whatever it showed
    (None, False, DAY),
    (Schedule(NOW, 0.0), False, DAY),  # discovered, never visited
    (Schedule(NOW, DAY), True, DAY / 2),
    (Schedule(NOW, DAY), False, 1.5 * DAY),
    (Schedule(NOW, 1.5 * HOUR), True, HOUR),  # never below an hour
    (Schedule(NOW, 25 * DAY), False, 30 * DAY),  # never above 30 days
])
def test_after_visit(previous: Schedule | None, changed: bool, interval: float) -> None:
    assert schedule.after_visit(previous, NOW, changed) == Schedule(NOW + interval, interval)


def test_first_interval_spread_by_url() -> None:
    firsts = [schedule.after_visit(None, NOW, True, f"http://h/bnews/tag/{i}/").interval
              for i in range(200)]
    assert all(DAY / 2 <= f < 1.5 * DAY for f in firsts) and len(set(firsts)) > 100
    # Half-open, as documented: 20,000 listings, none waits 1.5 days or more (a spread over
    # 1,001 steps instead of 1,000 reaches 1.5 for one URL in 1,001).
    assert all(DAY / 2 <= schedule.first_due(f"http://h/bnews/tag/{i}/", NOW,
                                             at_once=False).due - NOW < 1.5 * DAY
               for i in range(20_000))
    later = schedule.after_visit(Schedule(NOW, DAY), NOW, False, "http://h/bnews/tag/1/")
    assert later.interval == 1.5 * DAY, "only the first interval is spread"


def test_first_due_at_once_or_spread_over_a_day() -> None:
    assert schedule.first_due("http://h/bnews/tag/a/", NOW, at_once=True) == Schedule(NOW)
    spread = [schedule.first_due(f"http://h/bnews/tag/{i}/", NOW, at_once=False).due - NOW
              for i in range(200)]
    assert all(DAY / 2 <= s < 1.5 * DAY for s in spread)
    assert len(set(spread)) > 100, "spread, not all due together"
    assert schedule.first_due("http://h/x/", NOW, at_once=False) == schedule.first_due(
        "http://h/x/", NOW, at_once=False), "stable"


def _ref(n: int, published: str = "2023-03-22") -> ArticleRef:
    return ArticleRef(str(n), "sohnews", published, urls.SIMPLIFIED)


PAGE = [_ref(n) for n in range(1, 6)]


@pytest.mark.parametrize(("case", "shown", "found", "known", "walked", "has_next", "page",
                          "exhaustive", "follow", "reason", "fresh"), [
    ("all unknown", set(), set(), set(), True, True, 1, False, True, None, 5),
    ("last page", set(), set(), set(), True, False, 3, False, False, "last_page", 5),
    ("walked, all known", set(), set(), {1, 2, 3, 4, 5}, True, True, 1, False, False,
     "nothing_new", 0),
    ("walked, one unknown", set(), set(), {1, 2, 3, 4}, True, True, 1, False, True, None, 1),
    ("never walked: known does not end it", set(), set(), {1, 2, 3, 4, 5}, False, True, 1,
     False, True, None, 5),
    ("never walked, all found this run", set(), {1, 2, 3, 4, 5}, set(), False, True, 1, False,
     False, "nothing_new", 0),
    ("pager repeats page 1", {1, 2, 3, 4, 5}, set(), set(), False, True, 7, False, False,
     "repeats", 0),
    ("repeats even when exhaustive", {1, 2, 3, 4, 5}, set(), set(), False, True, 7, True,
     False, "repeats", 0),
    ("exhaustive goes on without fresh", set(), {1, 2, 3, 4, 5}, set(), False, True, 2, True,
     True, None, 0),
    ("cap", set(), set(), set(), True, True, 10, False, False, "page_cap", 5),
])
def test_judge_page(case: str, shown: set[int], found: set[int], known: set[int], walked: bool,
                    has_next: bool, page: int, exhaustive: bool, follow: bool,
                    reason: str | None, fresh: int) -> None:
    before = set(shown)
    verdict = walk.judge_page(
        PAGE, page=page, has_next=has_next, max_pages=10, shown_before=before,
        found=lambda ref: int(ref.article_id) in found,
        known=lambda ref: int(ref.article_id) in known, walked=walked, exhaustive=exhaustive)
    assert (verdict.follow, verdict.reason, len(verdict.fresh)) == (follow, reason, fresh), case
    assert before >= {int(r.article_id) for r in PAGE}, "the page's articles are remembered"


def test_judge_page_since() -> None:
    old = [_ref(1, "2023-01-01"), _ref(2, "2023-01-02")]
    verdict = walk.judge_page(old, page=1, has_next=True, max_pages=0, shown_before=set(),
                              found=lambda r: False, known=lambda r: False, walked=False,
                              since="2023-02-01")
    assert (verdict.follow, verdict.reason) == (False, "nothing_new")


@pytest.mark.parametrize(("published", "fresh"), [
    ("2023-01-31", False),
    ("2023-02-01", True),  # README: `since` skips articles dated *earlier*; its own day is kept
    ("2023-02-02", True),
])
def test_judge_page_since_keeps_its_own_day(published: str, fresh: bool) -> None:
    verdict = walk.judge_page([_ref(1, published)], page=1, has_next=True, max_pages=0,
                              shown_before=set(), found=lambda r: False, known=lambda r: False,
                              walked=False, since="2023-02-01")
    assert (len(verdict.fresh) == 1, verdict.follow) == (fresh, fresh)


@pytest.mark.parametrize(("text", "seconds"), [
    ("2023-03-22", 1679443200.0),
    ("2023-03-22T08:00:00+08:00", 1679443200.0),
    ("2023-03-22T00:00:00Z", 1679443200.0),
    ("2023-03-22T00:00:00z", 1679443200.0),  # RFC 3339 5.6: "Z" may be lower case
    ("2023-03-22T00:00:00", 1679443200.0),
    ("", None),
    (None, None),
    ("yesterday", None),
])
def test_parse_lastmod(text: str | None, seconds: float | None) -> None:
    assert sitemaps.parse_lastmod(text) == seconds


@pytest.fixture
def shanghai_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process runs in UTC+8, as a crawler in the site's own time zone would."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("shanghai_clock")
def test_a_lastmod_without_zone_is_utc_whatever_the_local_zone() -> None:
    assert time.localtime(0).tm_hour == 8, "the zone took effect"
    assert sitemaps.parse_lastmod("2023-03-22") == 1679443200.0
    assert sitemaps.parse_lastmod("2023-03-22T08:00:00") == 1679443200.0 + 8 * 3600


@pytest.mark.parametrize(("status", "lastmod", "taken", "verdict"), [
    (None, 10.0, None, "new"),
    (None, None, None, "new"),
    ("pending", 10.0, None, None),  # resumed from the state anyway
    ("exported", 10.0, 5.0, "recheck"),
    ("exported", 10.0, 10.0, None),
    ("exported", 10.0, None, None),  # exported before lastmods were kept: no baseline
    ("exported", None, 5.0, None),
    ("copy", 10.0, 5.0, None),
    ("failed", 10.0, 5.0, None),
])
def test_wants(status: str | None, lastmod: float | None, taken: float | None,
               verdict: str | None) -> None:
    assert sitemaps.wants(status, lastmod, taken) == verdict


def test_newer_than_the_watermark_or_of_unknown_age() -> None:
    entries = [sitemaps.Entry("a", 5.0), sitemaps.Entry("b", 10.0), sitemaps.Entry("c", 11.0),
               sitemaps.Entry("d", None)]
    assert [e.loc for e in sitemaps.newer(entries, 10.0)] == ["c", "d"]
    assert [e.loc for e in sitemaps.newer(entries, None)] == ["a", "b", "c", "d"]


@pytest.mark.parametrize(("loc", "posts"), [
    ("https://h/bnews/post-sitemap.xml", True),
    ("https://h/bnews/post-sitemap12.xml", True),
    ("https://h/bnews/post-sitemap3.xml.gz", True),
    ("https://h/bnews/page-sitemap.xml", False),
    ("https://h/bnews/category-sitemap.xml", False),
    ("https://h/bnews/post_tag-sitemap2.xml", False),
    ("https://h/bnews/author-sitemap.xml", False),
    ("https://h/bnews/wp-sitemap-posts-post-1.xml", True),
    ("https://h/bnews/wp-sitemap-posts-page-1.xml", False),
    ("https://h/bnews/wp-sitemap-taxonomies-post_tag-3.xml", False),
    ("https://h/bnews/wp-sitemap-users-1.xml", False),
    ("https://h/bnews/news-sitemap.xml", True),  # unknown: read, to be safe
])
def test_lists_posts(loc: str, posts: bool) -> None:
    assert sitemaps.lists_posts(loc) is posts


INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://h/bnews/post-sitemap.xml</loc><lastmod>2023-03-22T08:00:00+08:00</lastmod>
</sitemap><sitemap><loc>https://h/bnews/post-sitemap2.xml</loc></sitemap></sitemapindex>"""


def test_read_index_and_gzip() -> None:
    expected = ("sitemapindex", [sitemaps.Entry("https://h/bnews/post-sitemap.xml", 1679443200.0),
                                 sitemaps.Entry("https://h/bnews/post-sitemap2.xml", None)])
    assert sitemaps.read(sitemaps.body_of(INDEX)) == expected
    assert sitemaps.read(sitemaps.body_of(gzip.compress(INDEX))) == expected
    assert sitemaps.read(b"<html><body>not found</body></html>")[1] == []
    assert sitemaps.read(b"")[0] == ""


def test_a_gzip_bomb_is_refused_past_50_mb() -> None:
    """sitemaps.org: a sitemap is at most 50 MB (52,428,800 bytes) unpacked."""
    bomb = gzip.compress(b" " * (52_428_800 + 1), compresslevel=1)
    with pytest.raises(ValueError, match="52428800"):
        sitemaps.body_of(bomb)


def test_sitemaps_from_robots_and_well_known() -> None:
    robots = (b"User-agent: *\nDisallow: /wp-admin/\nSitemap: https://h/bnews/sitemap_index.xml\n"
              b"sitemap: /news-sitemap.xml\nSitemap: https://h/bnews/sitemap_index.xml\n")
    assert sitemaps.from_robots(robots, "https://h/robots.txt") == [
        "https://h/bnews/sitemap_index.xml", "https://h/news-sitemap.xml"]
    assert sitemaps.from_robots(b"User-agent: *\n", "https://h/robots.txt") == []
    assert sitemaps.well_known("https://h:8080/robots.txt") == [
        "https://h:8080/bnews/sitemap_index.xml", "https://h:8080/bnews/wp-sitemap.xml"]


@pytest.mark.parametrize(("url", "language", "expected"), [
    ("http://h/bnews/a/20230322/1.html", urls.TRADITIONAL, "http://h/bnews/zh-tw/a/20230322/1.html"),
    ("http://h/bnews/zh-tw/a/20230322/1.html", urls.SIMPLIFIED, "http://h/bnews/a/20230322/1.html"),
    ("http://h/bnews/a/20230322/1.html", urls.SIMPLIFIED, "http://h/bnews/a/20230322/1.html"),
    ("http://h/other/1.html", urls.TRADITIONAL, "http://h/other/1.html"),
])
def test_in_language(url: str, language: str, expected: str) -> None:
    assert urls.in_language(url, language) == expected


def test_feed_urls() -> None:
    assert feeds.feed_urls("https://h/bnews/", urls.SIMPLIFIED) == ["https://h/bnews/feed/"]
    assert feeds.feed_urls("https://h/bnews/zh-tw/", urls.TRADITIONAL) == [
        "https://h/bnews/zh-tw/xml/latest.xml"]
    assert feeds.feed_urls("https://h/en/bnews/", urls.ENGLISH) == []
