"""The removal ledger's parts: when a run's answers may count, and exactly once across a kill."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscrawl.discovery.removal import Answer, listed_again, observe
from newscrawl.output.ledger import trusted
from newscrawl.output.recovery import recover_outputs
from newscrawl.state.base import Watch
from newscrawl.state.sqlite import SqliteState

KEY = "zh-Hans:1862899"
URL = "http://h/bnews/sohnews/20230322/1862899.html"


@pytest.mark.parametrize(("stats", "reason", "removals", "ok"), [
    ({"newscrawl/pages_ok": 20, "downloader/request_count": 30}, "finished", 0, True),
    # 404s of removed posts are failed requests, but not a sign of a site in trouble
    ({"newscrawl/pages_ok": 2, "downloader/request_count": 10,
      "newscrawl/not_article/http_404": 8}, "finished", 8, True),
    ({"newscrawl/pages_ok": 2, "downloader/request_count": 10,
      "newscrawl/not_article/http_503": 6}, "finished", 0, False),  # most requests failed
    ({"newscrawl/pages_ok": 0, "downloader/request_count": 36}, "finished", 0, False),
    ({"newscrawl/pages_ok": 20, "downloader/request_count": 30}, "shutdown", 0, False),
    ({"newscrawl/pages_ok": 20, "downloader/request_count": 30,
      "newscrawl/redirect/article_responses": 10,
      "newscrawl/redirect/moved_to/https://new.example": 8}, "finished", 0, False),
])
def test_which_runs_removal_answers_count_in(stats: dict, reason: str, removals: int,
                                             ok: bool) -> None:
    assert (trusted(stats, reason, removals) is None) is ok


def test_a_killed_runs_ledger_line_is_recorded_once_and_its_torn_tail_cut(
        tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.sqlite3")
    state.watch(KEY, Watch(URL, 1000.0, suspect="http_404", since=5000.0, due=8600.0))
    ledger = tmp_path / "ledger.jsonl"
    line = json.dumps({"event": "removed", "article_id": "1862899", "language": "zh-Hans",
                       "url": URL, "how": "http_404", "http_status": 404,
                       "redirect_to": None, "first_observed": "1970-01-01T01:23:20+00:00",
                       "confirmed_at": "1970-01-01T02:23:20+00:00"}) + "\n"
    # Killed after the line's flush, before its record, in the middle of a second line.
    state.open_output(str(ledger), 0)
    ledger.write_bytes(line.encode() + b'{"event": "rem')
    state.close()

    state = SqliteState(tmp_path / "state.sqlite3")
    assert recover_outputs(state) == 1
    assert ledger.read_bytes() == line.encode(), "the torn line is cut"
    watch = state.watched(KEY)
    assert watch is not None and watch.removed
    assert state.open_outputs() == {}
    # The next run's refetch, still 404, reports nothing again.
    _, event = observe(watch, Answer(KEY, URL, "http_404", 404), 20000.0)
    assert event is None
    state.close()


@pytest.mark.parametrize(("listed", "since", "removed", "again"), [
    (100.0, 300.0, True, True),  # last listed before its removal was first seen: back
    (None, 300.0, True, True),  # never listed by a sitemap (a site without them)
    (300.0, 300.0, True, False),  # listed by the very run that first saw it gone
    (500.0, 300.0, True, False),  # listed since (the site keeps listing it, or refetched)
    (100.0, 300.0, False, False),  # not removed: nothing to restore
])
def test_a_removed_post_is_listed_again_only_the_first_time_since_its_removal(
        listed: float | None, since: float, removed: bool, again: bool) -> None:
    watch = Watch(URL, 0.0, listed=listed, suspect="http_404", since=since, removed=removed)
    assert listed_again(watch) is again
