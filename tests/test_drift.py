"""The markup-drift alarm: the rule (a table) and a redesign of the copy between real runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.quality.drift import FIELDS, findings
from newscrawl.run.errors import EXIT_DRIFT
from newscrawl.state.base import RunQuality
from sitecopy.model import Site
from sitecopy.redesign import ENTRY, TAGS
from sitecopy.server import SiteServer
from tests.crawling import run_crawl

USUAL = {field: 0.9 for field in FIELDS} | {"source": 0.6, "images": 0.1}


def _run(pages: int = 40, failures: int = 0, drift: bool = False, **coverage: float
         ) -> RunQuality:
    return RunQuality("2026-01-01T00:00:00+00:00", pages, failures, USUAL | coverage, drift)


@pytest.mark.parametrize(("now", "earlier", "expected"), [
    (_run(tags=0.0), [_run()] * 3, ["tags 0% (usually 90%)"]),
    (_run(tags=0.5), [_run()] * 3, []),  # down 40 points, but not to half
    (_run(images=0.0), [_run()] * 3, []),  # 10% -> 0%: not 20 points
    (_run(source=0.2, tags=0.1), [_run()] * 3,
     ["source 20% (usually 60%)", "tags 10% (usually 90%)"]),
    # 80 pages of history (< 100): the parser's shipped expectations judge (tags 75%)
    (_run(tags=0.0), [_run()] * 2, ["tags 0% (the parser expects 75%)"]),
    (_run(pages=19, tags=0.0), [_run()] * 3, []),  # too small a run
    # earlier runs too small to be a baseline: the shipped expectations judge
    (_run(tags=0.0), [_run(pages=10)] * 3, ["tags 0% (the parser expects 75%)"]),
    (_run(tags=0.0), [_run(pages=50)] * 2, ["tags 0% (usually 90%)"]),  # 100 pages: history
    # the first run: judged by the shipped expectations alone
    (_run(), [], []),
    (_run(source=0.0, images=0.0, related=0.0, authors=0.0), [], []),  # not expected of all
    (_run(title=0.5, body=0.4), [],
     ["title 50% (the parser expects 100%)", "body 40% (the parser expects 100%)"]),
    (_run(title=0.55), [], []),  # more than half
    (_run(tags=0.4), [], []),  # more than half of 75%
    (_run(tags=0.35), [], ["tags 35% (the parser expects 75%)"]),
    (_run(pages=20, failures=20), [],
     ["extraction failures 100% of 20 pages (the parser expects 0%)"]),
    (_run(pages=19, failures=19), [], []),  # too small a run, even the first
    (_run(failures=8), [], ["extraction failures 20% of 40 pages (the parser expects 0%)"]),
    (_run(failures=7), [], []),  # 17.5%: below 20 points
    # a history without tags (accepted): history, not the shipped 75%, judges
    (_run(tags=0.0), [_run(tags=0.0)] * 3, []),
    (_run(tags=0.0), [_run(tags=0.0, drift=True)] * 5 + [_run()] * 3,
     ["tags 0% (usually 90%)"]),  # alarmed runs are not "usual": the alarm goes on
    (_run(pages=20, failures=20), [_run()] * 3,
     ["extraction failures 100% of 20 pages (usually 0%)"]),  # no articles: no field judged
    (_run(failures=12), [_run(failures=4)] * 3,  # 30% vs 10%: twice, and 20 points
     ["extraction failures 30% of 40 pages (usually 10%)"]),
    (_run(failures=11), [_run(failures=4)] * 3, []),  # 27.5% vs 10%: twice, 17.5 points
    (_run(failures=14), [_run(failures=4)] * 3,
     ["extraction failures 35% of 40 pages (usually 10%)"]),
    # Boundaries of the rule as documented: "at most half", "20 points below", "at least
    # twice", runs "with at least" NEWSCRAWL_DRIFT_MIN_PAGES, history of "at least" 100 pages.
    (_run(tags=0.2), [_run(tags=0.4)] * 3, ["tags 20% (usually 40%)"]),  # half, 20 points
    (_run(related=0.12), [_run(related=0.3)] * 3, []),  # under half, but 18 points
    (_run(related=0.1), [_run(related=0.3)] * 3,  # 0.3 - 0.1 in floats: still 20 points
     ["related 10% (usually 30%)"]),
    (_run(failures=16), [_run(failures=8)] * 3,
     ["extraction failures 40% of 40 pages (usually 20%)"]),  # twice, 20 points
    (_run(failures=22), [_run(failures=12)] * 3, []),  # 25 points, but not twice 30%
    (_run(failures=9), [_run(pages=20, failures=2)] * 5, []),  # 5 runs of 20 pages: history
    (_run(failures=9), [_run(pages=50, failures=5)] * 2, []),  # 100 pages: history (10%)
    (_run(failures=9), [_run(pages=50, failures=5)], [  # 50 pages: the shipped 0%
        "extraction failures 22% of 40 pages (the parser expects 0%)"]),
    # 20 pages, one failing: 19 articles, too few to judge the fields by (20 needed).
    (_run(pages=20, failures=1, tags=0.0), [], []),
])
def test_rule(now: RunQuality, earlier: list[RunQuality], expected: list[str]) -> None:
    assert findings(now, earlier) == expected


DRIFT = {"NEWSCRAWL_DRIFT_MIN_PAGES": "10", "NEWSCRAWL_DRIFT_MIN_HISTORY": "10",
         "NEWSCRAWL_MAX_ATTEMPTS": "1"}


def test_redesign_raises_the_alarm_and_gives_nothing_up(site: Site, server: SiteServer,
                                                        tmp_path: Path) -> None:
    start = server.base_url + "/bnews/"
    first = run_crawl(start, tmp_path, settings=DRIFT)
    assert first.returncode == 0, first.stderr[-2000:]

    site.add_articles(15)
    site.redesign = frozenset({TAGS})
    tags_gone = run_crawl(start, tmp_path, settings=DRIFT)
    assert tags_gone.returncode == EXIT_DRIFT, tags_gone.stderr[-2000:]
    alarm = [line for line in tags_gone.stderr.splitlines() if line.startswith("newscrawl: ")]
    assert len(alarm) == 1 and alarm[0].startswith("newscrawl: markup drift: tags 0% (usually "), \
        alarm
    assert "body" not in alarm[0] and "failures" not in alarm[0]
    assert len(tags_gone.records) == 15 and all(r["tags"] == [] for r in tags_gone.records)

    added = set(site.add_articles(15))
    site.redesign = frozenset({ENTRY, TAGS})
    broken = run_crawl(start, tmp_path, settings=DRIFT)
    assert broken.returncode == EXIT_DRIFT, broken.stderr[-2000:]
    assert "markup drift: extraction failures 100% of 15 pages (usually 0%)" in broken.stderr
    assert broken.records == []
    assert "markup drift: 15 failed article(s) not counted toward" in broken.stderr

    site.redesign = frozenset()
    back = run_crawl(start, tmp_path, settings=DRIFT)
    assert back.returncode == 0, back.stderr[-2000:]
    assert set(back.ids) == added, "the failed articles are exported once the markup is back"


GIVE_UP_FAST = {"NEWSCRAWL_MAX_ATTEMPTS": "1"}  # one counted failure would give an article up


def _alarm(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("newscrawl: ")]


def test_redesign_before_the_first_run_is_flagged_and_nothing_given_up(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    site.redesign = frozenset({ENTRY})  # in force from the first request
    start = server.base_url + "/bnews/"
    first = run_crawl(start, tmp_path, settings=GIVE_UP_FAST)
    assert first.returncode == EXIT_DRIFT, first.stderr[-2000:]
    assert first.records == []
    alarm = _alarm(first.stderr)
    assert len(alarm) == 1 and alarm[0].startswith(
        "newscrawl: markup drift: extraction failures 100% of "), alarm
    assert alarm[0].endswith(" pages (the parser expects 0%)"), alarm
    assert first.summary["reason"] == "markup_drift"
    assert first.summary["counts"]["newscrawl/failures_not_counted"] >= 20

    site.redesign = frozenset()
    back = run_crawl(start, tmp_path, settings=GIVE_UP_FAST)
    assert back.returncode == 0, back.stderr[-2000:]
    expected = site.expected_records(server.base_url)
    original, copy = site.republished  # one of the pair is kept (tests/test_crawl.py)
    kept = {original, copy} & set(back.ids)
    assert len(kept) == 1 and len(back.ids) == len(set(back.ids))
    assert set(back.ids) == set(expected) - ({original, copy} - kept), \
        "every article, none given up"
    assert not any(k.startswith("newscrawl/skipped/failed") for k in back.summary["counts"])


def test_tags_gone_from_the_first_run_are_flagged(site: Site, server: SiteServer,
                                                  tmp_path: Path) -> None:
    site.redesign = frozenset({TAGS})
    run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == EXIT_DRIFT, run.stderr[-2000:]
    assert _alarm(run.stderr) == ["newscrawl: markup drift: tags 0% (the parser expects 75%)"]
    assert run.records and all(r["tags"] == [] for r in run.records)


def test_redesign_at_the_second_run_is_judged_by_the_first(site: Site, server: SiteServer,
                                                           tmp_path: Path) -> None:
    start = server.base_url + "/bnews/"
    # 40 articles of history are enough here: the very next run is judged by them.
    settings = {**GIVE_UP_FAST, "NEWSCRAWL_DRIFT_MIN_HISTORY": "35"}
    first = run_crawl(start, tmp_path, settings=settings)
    assert first.returncode == 0, first.stderr[-2000:]
    added = set(site.add_articles(20))
    site.redesign = frozenset({ENTRY})
    second = run_crawl(start, tmp_path, settings=settings)
    assert second.returncode == EXIT_DRIFT, second.stderr[-2000:]
    assert _alarm(second.stderr) == [
        "newscrawl: markup drift: extraction failures 100% of 20 pages (usually 0%)"]
    site.redesign = frozenset()
    third = run_crawl(start, tmp_path, settings=settings)
    assert third.returncode == 0, third.stderr[-2000:]
    assert set(third.ids) == added, "the redesign's articles are exported, none given up"
