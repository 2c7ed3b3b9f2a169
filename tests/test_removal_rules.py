"""The removal rules (newscrawl/discovery/removal.py), as tables written by hand."""

from __future__ import annotations

import pytest

from newscrawl.discovery.removal import (
    Answer,
    Event,
    first_watch,
    how_of_redirect,
    how_of_status,
    next_stage,
    observe,
    published_at,
)
from newscrawl.state.base import Watch

URL = "https://www.bannedbook.org/bnews/sohnews/20230322/1862899.html"
KEY = "zh-Hans:1862899"
MARCH_22 = 1679443200.0  # 2023-03-22T00:00:00Z
H, D = 3600.0, 86400.0


@pytest.mark.parametrize(("status", "how"), [
    (404, "http_404"), (410, "http_410"), (403, None), (500, None), (503, None), (429, None),
    (200, None), (301, None)])
def test_which_statuses_are_removals(status: int, how: str | None) -> None:
    assert how_of_status(status) == how


@pytest.mark.parametrize(("target", "how"), [
    ("https://www.bannedbook.org/", "redirect"),
    ("https://www.bannedbook.org/bnews/sohnews/", "redirect"),
    ("https://www.bannedbook.org/?s=1862899", "redirect"),
    ("https://www.bannedbook.org/bnews/sohnews/20230323/1862950.html", None),  # a move
])
def test_which_redirects_are_removals(target: str, how: str | None) -> None:
    assert how_of_redirect(URL, target) == how


def test_published_from_the_url_date_else_lastmod() -> None:
    assert published_at(URL, 5.0) == MARCH_22
    assert published_at("https://www.bannedbook.org/bnews/x/", 5.0) == 5.0


@pytest.mark.parametrize(("now", "due"), [
    (MARCH_22 + 2 * H, MARCH_22 + D), (MARCH_22 + 2 * D, MARCH_22 + 7 * D),
    (MARCH_22 + 8 * D, None)])
def test_revisits_a_day_and_a_week_after_publication(now: float, due: float | None) -> None:
    assert next_stage(MARCH_22, now) == due
    assert first_watch(URL, MARCH_22, now).due == due


def _gone(found_by: str = "revisit") -> Answer:
    return Answer(KEY, URL, "http_404", 404, found_by=found_by)


def test_a_removal_is_confirmed_by_the_same_answer_an_hour_later() -> None:
    seen = Watch(URL, MARCH_22, due=MARCH_22 + D, found_by="revisit", last_seen_ok=MARCH_22)
    first, event = observe(seen, _gone("sitemap_missing"), MARCH_22 + D)
    assert event is None
    assert (first.suspect, first.since, first.due) == ("http_404", MARCH_22 + D,
                                                       MARCH_22 + D + H)
    too_soon, event = observe(first, _gone(), MARCH_22 + D + 59 * 60)
    assert event is None and not too_soon.removed
    other, event = observe(first, Answer(KEY, URL, "http_410", 410), MARCH_22 + D + 2 * H)
    assert event is None and other.suspect == "http_410", "another answer starts over"
    removed, event = observe(first, _gone(), MARCH_22 + D + H)
    assert event == Event("removed", MARCH_22 + D, MARCH_22 + D + H, "sitemap_missing",
                          f"removed@{MARCH_22 + D}")
    assert removed.removed and removed.due == MARCH_22 + 2 * D + H  # checked daily for a while
    again, event = observe(removed, _gone(), MARCH_22 + 3 * D)
    assert event is None and again.removed, "reported once"


def test_the_article_back_clears_a_suspicion_and_restores_a_removal() -> None:
    suspect = Watch(URL, MARCH_22, suspect="soft_404", since=MARCH_22 + D)
    back, event = observe(suspect, Answer(KEY, URL, None), MARCH_22 + D + 2 * H)
    assert event is None
    assert back == Watch(URL, MARCH_22, due=MARCH_22 + 7 * D, found_by="revisit",
                         last_seen_ok=MARCH_22 + D + 2 * H)
    removed = Watch(URL, MARCH_22, suspect="http_404", since=MARCH_22 + D, removed=True)
    restored, event = observe(removed, Answer(KEY, URL, None, found_by="listing"),
                              MARCH_22 + 10 * D)
    assert event == Event("restored", MARCH_22 + 10 * D, MARCH_22 + 10 * D, "listing",
                          f"restored@{MARCH_22 + D}")
    assert not restored.removed and restored.suspect is None and restored.due is None
