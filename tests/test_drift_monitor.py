"""The drift alarm's extension as a Scrapy component: items and failures fed by hand, the run's
end signalled, what it records in the state and the failure it leaves for the exit status.

The rule itself (findings) is tabled in test_drift.py; its crawls are there too. Expected
values come from newscrawl/quality/drift.py's docstring and docs/record.md's fields.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.quality.drift import DriftMonitor
from newscrawl.run import sitestats
from newscrawl.run.runtime import FAILURE_MESSAGE_STAT, FAILURE_STAT
from newscrawl.state.base import RunQuality
from newscrawl.state.keeper import state_of
from tests.components import article, crawler_with_state

SMALL = {"NEWSCRAWL_DRIFT_MIN_PAGES": 4, "NEWSCRAWL_DRIFT_MIN_HISTORY": 8}


def monitor(tmp_path: Path, **settings: object) -> tuple[DriftMonitor, Crawler]:
    crawler = crawler_with_state(tmp_path, **{**SMALL, **settings})
    return DriftMonitor.from_crawler(crawler), crawler


def full(article_id: str) -> object:
    """An article with every field the drift check reads present."""
    return article(article_id, title="标题", source="美国之音", authors=["金谷"], tags=["中国"],
                   body="正文。", images=[{"url": "https://h/i.jpg", "caption": ""}],
                   related=["https://h/bnews/a/20230322/2.html"])


def test_settings_build_it_and_disabled_it_is_not_built(tmp_path: Path) -> None:
    drift, _ = monitor(tmp_path, NEWSCRAWL_DRIFT_ACCEPT=True)
    assert (drift.min_pages, drift.min_history, drift.accept) == (4, 8, True)
    with pytest.raises(NotConfigured):
        monitor(tmp_path, NEWSCRAWL_DRIFT_ENABLED=False)


def test_a_run_is_recorded_with_its_coverage_and_markup_failures(tmp_path: Path) -> None:
    drift, crawler = monitor(tmp_path)
    for n in range(3):
        drift.item_seen(full(str(n)))
    drift.item_seen(article("9", tags=[], images=[], related=[]))  # title, body only
    drift.article_failed("https://h/bnews/a/20230322/8.html", "no_title")  # markup
    drift.article_failed("https://h/bnews/a/20230322/7.html", "http_404")  # not markup
    drift.article_failed("https://h/bnews/a/20230322/6.html", "no_body")  # markup
    drift.run_ending("finished")
    [run] = state_of(crawler).recent_run_quality(10)
    # 4 articles + 2 markup failures = 6 pages; 2 of 6 failing is 33%, past 20 points.
    assert (run.pages, run.failures, run.drift) == (6, 2, True)
    assert dt.datetime.fromisoformat(run.finished_at).utcoffset() == dt.timedelta(0)
    assert run.coverage == {"title": 1.0, "source": 0.75, "authors": 0.75, "tags": 0.75,
                            "body": 1.0, "images": 0.75, "related": 0.75}
    assert crawler.stats.get_value(FAILURE_MESSAGE_STAT) == (
        "markup drift: extraction failures 33% of 6 pages (the parser expects 0%)")
    # last-run.json's site section counts the same articles and fields.
    assert crawler.stats.get_value(sitestats.ARTICLES) == 4
    assert crawler.stats.get_value(sitestats.COVERED + "tags") == 3
    assert crawler.stats.get_value(sitestats.COVERED + "title") == 4


def test_coverage_is_a_share_rounded_to_four_places(tmp_path: Path) -> None:
    drift, crawler = monitor(tmp_path, NEWSCRAWL_DRIFT_MIN_PAGES=20)
    drift.item_seen(full("1"))
    for n in range(2, 4):
        drift.item_seen(article(str(n)))
    drift.run_ending("finished")
    [run] = state_of(crawler).recent_run_quality(10)
    assert (run.pages, run.failures, run.coverage["tags"], run.coverage["title"]) == (
        3, 0, 0.3333, 1.0)
    assert crawler.stats.get_value(FAILURE_STAT) is None, "3 pages: too few to judge"


def test_a_run_without_articles_has_no_coverage(tmp_path: Path) -> None:
    drift, crawler = monitor(tmp_path, NEWSCRAWL_DRIFT_MIN_PAGES=20)
    drift.run_ending("finished")
    [run] = state_of(crawler).recent_run_quality(10)
    assert (run.pages, run.coverage["title"]) == (0, 0.0)


def test_tags_gone_raise_the_alarm_and_the_run_is_recorded_as_alarmed(tmp_path: Path) -> None:
    drift, crawler = monitor(tmp_path)
    for n in range(4):
        drift.item_seen(article(str(n), tags=[]))
    drift.article_failed("https://h/bnews/a/20230322/8.html", "no_body")
    drift.run_ending("max_articles")  # a run stopped as asked is judged too
    assert crawler.stats.get_value(FAILURE_STAT) == "markup_drift"
    assert crawler.stats.get_value(FAILURE_MESSAGE_STAT) == (  # one message naming each
        "markup drift: tags 0% (the parser expects 75%),"
        " extraction failures 20% of 5 pages (the parser expects 0%)")
    [run] = state_of(crawler).recent_run_quality(10)
    assert run.drift is True


def test_accepted_drift_is_recorded_as_normal_and_fails_nothing(tmp_path: Path) -> None:
    drift, crawler = monitor(tmp_path, NEWSCRAWL_DRIFT_ACCEPT=True)
    for n in range(4):
        drift.item_seen(article(str(n), tags=[]))
    drift.run_ending("finished")
    assert crawler.stats.get_value(FAILURE_STAT) is None
    [run] = state_of(crawler).recent_run_quality(10)
    assert (run.drift, run.coverage["tags"]) == (False, 0.0)


def test_history_judges_once_it_holds_enough_pages(tmp_path: Path) -> None:
    drift, crawler = monitor(tmp_path)
    usual = {"title": 1.0, "body": 1.0, "tags": 0.1}
    for _ in range(2):  # 2 × 4 pages = NEWSCRAWL_DRIFT_MIN_HISTORY: history, not SHIPPED
        state_of(crawler).record_run_quality(RunQuality("2026-01-01", 4, 0, usual))
    for n in range(4):
        drift.item_seen(article(str(n), tags=[]))  # tags 0%: usual for this site
    drift.run_ending("finished")
    assert crawler.stats.get_value(FAILURE_STAT) is None


@pytest.mark.parametrize("reason", ["shutdown", "site_error"])
def test_a_run_cut_short_says_nothing_of_the_markup(tmp_path: Path, reason: str) -> None:
    drift, crawler = monitor(tmp_path)
    for n in range(4):
        drift.item_seen(article(str(n), tags=[]))
    drift.run_ending(reason)
    assert state_of(crawler).recent_run_quality(10) == []
    assert crawler.stats.get_value(FAILURE_STAT) is None


def test_a_run_failed_otherwise_says_nothing_of_the_markup(tmp_path: Path) -> None:
    drift, crawler = monitor(tmp_path)
    crawler.stats.set_value(FAILURE_STAT, "output_error")
    for n in range(4):
        drift.item_seen(article(str(n), tags=[]))
    drift.run_ending("finished")
    assert state_of(crawler).recent_run_quality(10) == []
    assert crawler.stats.get_value(FAILURE_STAT) == "output_error"
