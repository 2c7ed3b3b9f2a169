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
    (_run(tags=0.0), [_run()] * 2, []),  # too few earlier runs
    (_run(pages=19, tags=0.0), [_run()] * 3, []),  # too small a run
    (_run(tags=0.0), [_run(pages=10)] * 3, []),  # earlier runs too small to be a baseline
    (_run(tags=0.0), [_run(tags=0.0, drift=True)] * 5 + [_run()] * 3,
     ["tags 0% (usually 90%)"]),  # alarmed runs are not "usual": the alarm goes on
    (_run(pages=20, failures=20), [_run()] * 3,
     ["extraction failures 100% of 20 pages (usually 0%)"]),  # no articles: no field judged
    (_run(failures=12), [_run(failures=4)] * 3, []),  # 30% vs 10%: twice, but 20 points
    (_run(failures=14), [_run(failures=4)] * 3,
     ["extraction failures 35% of 40 pages (usually 10%)"]),
])
def test_rule(now: RunQuality, earlier: list[RunQuality], expected: list[str]) -> None:
    assert findings(now, earlier) == expected


DRIFT = {"NEWSCRAWL_DRIFT_MIN_PAGES": "10", "NEWSCRAWL_DRIFT_MIN_RUNS": "1",
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
