"""The frontier's backlog rules (newscrawl.discovery.backlog): when the frontier is full, when
it wants more, how much to read, and the passes over the state's pending articles."""

from __future__ import annotations

import pytest

from newscrawl.discovery.backlog import PAGE, Passes, full, low, page_size


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
