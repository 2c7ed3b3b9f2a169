"""The State contract, one test for every implementation: memory, SQLite and Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.output.recovery import recover_outputs
from newscrawl.spiders.bannedbook import BannedbookSpider
from newscrawl.state.base import Captured, Known, RunQuality, Schedule, State, Watch
from newscrawl.state.memory import MemoryState
from newscrawl.state.sqlite import SqliteState
from tests.redis_server import RedisServer, redis_server_binary

A, B = "zh-Hans:1862899", "zh-Hans:1862900"
URL_A = "http://h/bnews/sohnews/20230322/1862899.html"
TEXT = "ab" * 32


@pytest.fixture(params=["memory", "sqlite", "redis"])
def open_state(request: pytest.FixtureRequest, tmp_path: Path
               ) -> Iterator[Callable[[], State]]:
    """Opens the state anew each call, as successive runs do."""
    opened: list[State] = []
    if request.param == "memory":
        memory = MemoryState()
        yield lambda: memory
        return
    if request.param == "sqlite":
        def factory() -> State:
            opened.append(SqliteState(tmp_path / "state.sqlite3"))
            return opened[-1]
        yield factory
    else:
        with RedisServer(redis_server_binary(), tmp_path / "redis") as server:
            crawler = get_crawler(BannedbookSpider)

            def factory() -> State:
                from newscrawl.state.redis import RedisState

                opened.append(RedisState.from_crawler(crawler, server.url))
                return opened[-1]
            yield factory
    for state in opened:
        state.close()


def test_article_lifecycle(open_state: Callable[[], State]) -> None:
    state = open_state()
    assert state.lookup(A) is None
    state.record_pending(A, URL_A)
    state.record_pending(A, "http://elsewhere/")  # known already: unchanged
    assert state.lookup(A) == Known("pending")
    assert state.pending("", 10) == ([URL_A], "")
    assert state.claim(A, TEXT) == A
    assert state.claim(B, TEXT) == A, "a second post with the same text is a copy"
    state.record_copy(B, TEXT)
    state.record_export(A, TEXT, 1, None, 0)
    state.record_failure(A)  # an exported article is never demoted
    later = open_state()
    assert later.lookup(A) == Known("exported", TEXT, 1)
    assert later.lookup(B) == Known("copy", TEXT)
    assert later.pending("", 10) == ([], "")


def test_pending_articles_read_a_page_at_a_time(open_state: Callable[[], State]) -> None:
    """A pass over the pending articles gives each once, a page at a time, whatever the
    store; exported and failed articles are not pending (the backlog reads it: backlog.py)."""
    state = open_state()
    # More than Redis keeps in one listpack (512 entries by default), which HSCAN gives whole.
    keys = [f"zh-Hans:{n}" for n in range(1000, 1600)]
    for key in keys:
        state.record_pending(key, f"http://h/bnews/a/20230322/{key[8:]}.html")
    state.record_export(keys[0], TEXT, 1, None, 0)
    state.record_failure(keys[1])
    expected = {f"http://h/bnews/a/20230322/{key[8:]}.html" for key in keys[2:]}
    later = open_state()
    given: list[str] = []
    cursor, pages = "", 0
    while True:
        page, cursor = later.pending(cursor, 40)
        given += page
        pages += 1
        assert len(page) <= 80, "about a page (Redis' COUNT is a hint)"
        if not cursor:
            break
        assert pages < 300, "the pass ends"
    assert set(given) == expected
    assert pages >= 8, "read in pages, not at once"
    # Pending articles recorded after a pass are seen by the next one.
    later.record_pending("zh-Hans:99", "http://h/bnews/a/20230322/99.html")
    again: list[str] = []
    cursor = ""
    while True:
        page, cursor = later.pending(cursor, 100)
        again += page
        if not cursor:
            break
    assert set(again) == expected | {"http://h/bnews/a/20230322/99.html"}


def test_the_state_belongs_to_the_site_it_was_begun_on(open_state: Callable[[], State]) -> None:
    state = open_state()
    assert state.claim_site("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert state.claim_site("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    later = open_state()
    assert later.claim_site("https://www.bannedbook.org") == "http://127.0.0.1:8765", \
        "a later run on another site is told the state's site; it is not replaced"
    later.move_site("https://www.bannedbook.org")  # a run saw the site move there
    assert open_state().claim_site("https://www.bannedbook.org") == "https://www.bannedbook.org"


def test_failures_count_until_given_up(open_state: Callable[[], State]) -> None:
    state = open_state()
    state.record_pending("zh-Hant:7", "http://h/bnews/zh-tw/a/20230101/7.html")
    state.record_failure("zh-Hant:7")
    state.record_failure("zh-Hant:7")
    assert open_state().lookup("zh-Hant:7") == Known("failed", attempts=2)
    assert open_state().pending("", 10) == ([], "")


def test_archives_walked(open_state: Callable[[], State]) -> None:
    state = open_state()
    assert not state.archive_walked("http://h/bnews/tag/%E4%B8%AD/")
    state.mark_archive_walked("http://h/bnews/tag/%E4%B8%AD/")
    assert open_state().archive_walked("http://h/bnews/tag/%E4%B8%AD/")


T1 = "http://h/bnews/tag/%E4%B8%AD/"
T2 = "http://h/bnews/tag/%E7%BE%8E/"
T3 = "http://h/bnews/cnnews/"


def test_listing_schedule(open_state: Callable[[], State]) -> None:
    state = open_state()
    assert state.listing_schedule(T1) is None
    assert state.discover_listing(T1, Schedule(100.0))
    assert not state.discover_listing(T1, Schedule(5.0)), "a known listing keeps its schedule"
    state.discover_listing(T2, Schedule(50.0))
    state.schedule_listing(T3, Schedule(500.0, 3600.0))
    later = open_state()
    assert later.listing_schedule(T1) == Schedule(100.0, 0.0)
    assert later.listing_schedule(T3) == Schedule(500.0, 3600.0)
    assert later.claim_due_listings(now=10.0, limit=5, lease=60.0) == []
    assert (later.count_due_listings(10.0), later.count_due_listings(100.0),
            later.count_due_listings(1000.0)) == (0, 2, 3)
    assert later.claim_due_listings(now=1000.0, limit=2, lease=60.0) == [T2, T1], \
        "most overdue first, within the limit"
    assert later.listing_schedule(T2) == Schedule(1060.0, 0.0), "claimed: leased"
    assert open_state().claim_due_listings(now=1000.0, limit=5, lease=60.0) == [T3], \
        "another claim (another worker) does not get a claimed listing"
    assert open_state().claim_due_listings(now=1061.0, limit=5, lease=60.0) == [T3, T1, T2], \
        "a claim never followed by a visit is due again after the lease"


def test_watermarks_and_lastmod(open_state: Callable[[], State]) -> None:
    state = open_state()
    assert state.watermark("http://h/bnews/sitemap_index.xml") is None
    state.set_watermark("http://h/bnews/sitemap_index.xml", 1679443200.0)
    assert state.article_lastmod(A) is None
    state.set_article_lastmod(A, 1679443200.0)
    state.set_article_lastmod(B, 1679443200.25)
    later = open_state()
    assert later.watermark("http://h/bnews/sitemap_index.xml") == 1679443200.0
    assert later.article_lastmod(A) == 1679443200.0
    assert later.article_lastmod(B) >= 1679443200.25, "never older than what was recorded"
    assert later.article_lastmod("zh-Hant:1862899") is None


# The in-memory state keeps no journal: nothing of it outlives its run.
@pytest.mark.parametrize("open_state", ["sqlite", "redis"], indirect=True)
def test_recovery_of_a_killed_writer(open_state: Callable[[], State], tmp_path: Path
                                     ) -> None:
    """Lines flushed past the journaled offset were exported; a torn tail is cut."""
    state = open_state()
    output = tmp_path / "out.jsonl"
    output.write_bytes(b'{"old": "line from an earlier run"}\n')
    state.open_output(str(output), output.stat().st_size)
    line = (b'{"article_id": "1862899", "language": "zh-Hans", "content_hash": "'
            + TEXT.encode() + b'", "version": 1}\n')
    with output.open("ab") as file:  # flushed, then killed before record_export
        file.write(line + b'{"article_id": "18629')  # and a torn line, as a full disk leaves
    state.close()

    after = open_state()
    assert recover_outputs(after) == 1
    assert after.lookup(A) == Known("exported", TEXT, 1)
    assert output.read_bytes().endswith(line), "the torn line is cut, the whole one kept"
    assert after.open_outputs() == {}


def test_captured_payloads(open_state: Callable[[], State]) -> None:
    """The first record of a payload stays the one later revisit records refer to."""
    state = open_state()
    assert state.captured("sha1:AAAA") is None
    state.record_captured("sha1:AAAA", "http://h/bnews/", "2026-01-01T00:00:00Z")
    state.record_captured("sha1:AAAA", "http://h/other/", "2026-01-02T00:00:00Z")
    assert open_state().captured("sha1:AAAA") == Captured("http://h/bnews/",
                                                          "2026-01-01T00:00:00Z")


def test_run_quality_newest_first(open_state: Callable[[], State]) -> None:
    state = open_state()
    assert state.recent_run_quality(5) == []
    for number in range(3):
        state.record_run_quality(RunQuality(f"2026-01-0{number + 1}T00:00:00Z", 20 + number,
                                            number, {"tags": 0.5 + number / 10}, number == 2))
    recent = open_state().recent_run_quality(2)
    assert [run.pages for run in recent] == [22, 21]
    assert recent[0] == RunQuality("2026-01-03T00:00:00Z", 22, 2, {"tags": 0.7}, True)


def test_watched_articles_and_due_revisits(open_state: Callable[[], State]) -> None:
    state = open_state()
    assert state.watched(A) is None
    state.watch(A, Watch(URL_A, 1000.0, due=5000.0, found_by="revisit", last_seen_ok=900.0))
    state.watch(B, Watch("http://h/b", 2000.0, due=3000.0, found_by="revisit"))
    state.watch("zh-Hans:9", Watch("http://h/9", 2000.0))  # no revisit planned
    later = open_state()
    assert later.watched(A) == Watch(URL_A, 1000.0, due=5000.0, found_by="revisit",
                                     last_seen_ok=900.0)
    assert later.claim_due_revisits(2999.0, 10, 600.0) == []
    # Oldest due first, at most the limit; the watch as it was, and claimed for the lease.
    assert later.claim_due_revisits(6000.0, 1, 600.0) == [
        (B, Watch("http://h/b", 2000.0, due=3000.0, found_by="revisit"))]
    assert later.claim_due_revisits(6000.0, 5, 600.0) == [
        (A, Watch(URL_A, 1000.0, due=5000.0, found_by="revisit", last_seen_ok=900.0))]
    assert later.claim_due_revisits(6500.0, 5, 600.0) == [], "claimed until the lease ends"
    # Both due at 6600 now: ties by key.
    assert [key for key, _ in open_state().claim_due_revisits(6600.0, 5, 600.0)] == [A, B]


def test_unlisted_watched_articles(open_state: Callable[[], State]) -> None:
    state = open_state()
    state.watch(A, Watch(URL_A, 1000.0, listed=100.0))
    state.watch(B, Watch("http://h/b", 5000.0, listed=100.0))
    state.watch("zh-Hans:7", Watch("http://h/7", 5000.0, listed=100.0, removed=True))
    state.watch("zh-Hans:8", Watch("http://h/8", 5000.0, listed=100.0, due=9000.0))
    # a key never watched is ignored; none of them removed
    assert state.mark_listed([A, "zh-Hans:404"], 700.0) == []
    assert open_state().unlisted(500.0, 0.0, 10) == [
        (B, Watch("http://h/b", 5000.0, listed=100.0)),
        ("zh-Hans:8", Watch("http://h/8", 5000.0, listed=100.0, due=9000.0))]
    assert [k for k, _ in open_state().unlisted(800.0, 0.0, 10)] == [A, B, "zh-Hans:8"]
    assert [k for k, _ in open_state().unlisted(800.0, 2000.0, 10)] == [B, "zh-Hans:8"]
    assert [k for k, _ in open_state().unlisted(800.0, 0.0, 1)] == [A]


def test_mark_listed_returns_the_removed_posts_it_lists_as_they_were(
        open_state: Callable[[], State]) -> None:
    state = open_state()
    gone = Watch("http://h/7", 5000.0, listed=100.0, suspect="http_404", since=300.0,
                 removed=True, due=9000.0)
    state.watch("zh-Hans:7", gone)
    state.watch(A, Watch(URL_A, 1000.0, listed=100.0))
    later = open_state()
    assert later.mark_listed(["zh-Hans:7", A, "zh-Hans:404", "zh-Hans:7"], 700.0) == [
        ("zh-Hans:7", gone)]
    assert open_state().mark_listed([A], 800.0) == []
    assert [k for k, _ in open_state().unlisted(750.0, 0.0, 10)] == [], "A listed at 800"


def test_events_claimed_once_and_recorded_with_their_offset(
        open_state: Callable[[], State], tmp_path: Path) -> None:
    state = open_state()
    assert state.claim_event(A, "removed@1000")
    assert not open_state().claim_event(A, "removed@1000"), "a second worker gets no claim"
    assert open_state().claim_event(A, "restored@2000")
    ledger = str(tmp_path / "ledger.jsonl")
    state.open_output(ledger, 0)
    state.record_event(A, Watch(URL_A, 1000.0, removed=True), ledger, 120)
    assert open_state().watched(A) == Watch(URL_A, 1000.0, removed=True)
    if isinstance(state, SqliteState):  # memory keeps none; Redis hides a live worker's
        assert open_state().open_outputs() == {ledger: 120}
