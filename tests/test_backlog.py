"""The frontier's backlog rules (newscrawl.discovery.backlog): when the frontier is full, when
it wants more, how much to read, and the passes over the state's pending articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.crawler import Crawler

from newscrawl.discovery.backlog import PAGE, Passes, full, low, page_size
from newscrawl.discovery.incremental import DEFERRED_STAT, IncrementalMiddleware
from newscrawl.discovery.requests import PAGES_META
from newscrawl.state.base import Known
from newscrawl.state.keeper import state_of
from tests.components import crawler_with_state


@pytest.mark.parametrize(("count", "limit", "expected"), [
    (999, 1000, False),
    (1000, 1000, True),  # "from which": the limit itself is full
    (5000, 1000, True),
    (5000, 0, False),  # 0: no bound
    (None, 1000, False),  # scrapy-redis: its queue is not in this worker's memory
])
def test_full(count: int | None, limit: int, expected: bool) -> None:
    assert full(count, limit) is expected


@pytest.mark.parametrize(("count", "low_water", "idle", "expected"), [
    (199, 200, False, True),
    (200, 200, False, False),  # "fewer than": the low water itself is not low
    (0, 0, False, False),
    (5000, 200, True, True),  # an idle moment always reads
    (None, 200, False, False),  # an unknown count waits for the idle moment
    (None, 200, True, True),
])
def test_low(count: int | None, low_water: int, idle: bool, expected: bool) -> None:
    assert low(count, low_water, idle) is expected


@pytest.mark.parametrize(("count", "limit", "expected"), [
    (0, 1000, PAGE),  # an idle frontier reads a whole page
    (700, 1000, 300),  # no more than the room below the bound
    (999, 1000, 1),
    (1000, 1000, 1),  # always at least one, so that a pass moves on
    (1500, 1000, 1),
    (0, 10, 10),
    (0, 0, PAGE),  # no bound
    (None, 1000, PAGE),
])
def test_page_size(count: int | None, limit: int, expected: int) -> None:
    assert page_size(count, limit) == expected


def test_a_run_reads_its_pending_articles_once_when_nothing_is_deferred() -> None:
    passes = Passes()
    assert passes.next_cursor() == ""  # the first pass, owed at the start
    passes.read("zh-Hans:5")
    assert passes.first, "still the first pass: its pages are what earlier runs left"
    assert passes.next_cursor() == "zh-Hans:5"  # the pass goes on
    passes.read("")
    assert not passes.first
    assert passes.next_cursor() is None  # done: nothing was deferred
    assert passes.next_cursor() is None


def test_a_deferred_article_owes_another_pass() -> None:
    passes = Passes()
    assert passes.next_cursor() == ""
    passes.deferred()  # during the first pass, perhaps behind its cursor
    passes.read("k")
    assert passes.next_cursor() == "k", "the pass in course ends first"
    passes.read("")
    assert passes.next_cursor() == "", "then a new pass begins"
    passes.read("")
    assert passes.next_cursor() is None
    passes.deferred()
    assert passes.next_cursor() == ""


# --- the incremental middleware's side (a component, Scrapy's get_crawler) ----------------

ARTICLE = "https://www.bannedbook.org/bnews/sohnews/20230322/{}.html"


def _middleware(tmp_path: Path) -> tuple[IncrementalMiddleware, Crawler]:
    crawler = crawler_with_state(tmp_path)
    return IncrementalMiddleware.from_crawler(crawler), crawler


def test_a_full_frontier_leaves_a_found_article_pending(tmp_path: Path) -> None:
    middleware, crawler = _middleware(tmp_path)
    middleware.passes.read(middleware.passes.next_cursor() or "")  # the first pass, done
    assert not middleware.passes.owed
    assert middleware._skip(Request(ARTICLE.format(1)), None, room=False)
    assert state_of(crawler).lookup("zh-Hans:1") == Known("pending"), "recorded, not lost"
    assert crawler.stats.get_value(DEFERRED_STAT) == 1
    assert middleware.passes.owed, "a pass over the state is owed"
    assert not middleware._skip(Request(ARTICLE.format(2)), None, room=True)
    assert state_of(crawler).lookup("zh-Hans:2") == Known("pending")
    assert crawler.stats.get_value(DEFERRED_STAT) == 1


def test_a_posts_next_page_is_never_deferred(tmp_path: Path) -> None:
    """It carries the pages read so far: left pending, the post would lose them. (Its URL,
    …/ID.html/2, is no article URL, so the middleware lets it through untouched.)"""
    middleware, crawler = _middleware(tmp_path)
    page = Request(ARTICLE.format(3) + "/2", meta={PAGES_META: ("page 1",)})
    state_of(crawler).record_pending("zh-Hans:3", ARTICLE.format(3))
    assert not middleware._skip(page, None, room=False)
    assert crawler.stats.get_value(DEFERRED_STAT) is None
