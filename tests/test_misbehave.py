"""Servers that misbehave one way at a time (sitecopy.misbehave), each met by a real crawl.

For each fault: what is exported (the post, once, under its canonical URL, or nothing
damaged), what is counted in last-run.json, the exit status and the message.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.run.errors import EXIT_FAILED
from sitecopy.misbehave import MisbehavingServer, misbehave
from sitecopy.model import Site, build_site
from sitecopy.paths import listing_path
from sitecopy.server import serve
from tests.crawling import ROOT, Run, crawl_command, read_jsonl, run_crawl

BACKOFF = {"NEWSCRAWL_RETRY_AFTER_MAX": "60"}  # tests/crawling.py FAST turns it off
MEMORY_LIMIT = 512 << 20  # address space of a crawl: ~230 MiB idle, 1.1 GiB for a bomb unpacked


@pytest.fixture(scope="module")
def small() -> Site:
    return build_site(12, seed=3, faults=False)


@pytest.fixture
def faulty(request: pytest.FixtureRequest, small: Site) -> Iterator[MisbehavingServer]:
    with misbehave(small, request.param) as server:
        yield server


def _crawl(server: MisbehavingServer, tmp_path: Path, **kwargs: object) -> Run:
    return run_crawl(server.base_url + "/bnews/", tmp_path, **kwargs)  # type: ignore[arg-type]


def _counts(run: Run) -> dict[str, int]:
    return run.summary.get("counts", {})


def _victim_hits(server: MisbehavingServer) -> int:
    return server.hits.paths()[server.victim.path()]


def _assert_all_but_victim(run: Run, site: Site, server: MisbehavingServer) -> None:
    expected = set(site.expected_records(server.base_url)) - {server.victim.id}
    assert sorted(run.ids) == sorted(expected), run.stderr[-3000:]


# --- redirects ----------------------------------------------------------------------------

@pytest.mark.parametrize("faulty", ["redirect-category", "redirect-query"], indirect=True)
def test_redirect_to_the_same_post_is_followed_and_exported_once(
        faulty: MisbehavingServer, small: Site, tmp_path: Path) -> None:
    run = _crawl(faulty, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(run.ids) == sorted(small.expected_records(faulty.base_url))
    record = next(r for r in run.records if r["article_id"] == faulty.victim.id)
    path = (faulty.other_category_path if faulty.fault == "redirect-category"
            else faulty.victim.path())
    assert record["url"] == faulty.base_url + path  # canonical: no query string
    assert record["category"] == path.split("/")[2]
    expected = small.expected_record(faulty.victim.id, faulty.base_url)
    assert (record["title"], record["body"]) == (expected["title"], expected["body"])
    assert _counts(run)["newscrawl/redirect/same_post"] == 1


@pytest.mark.parametrize("faulty", ["moved-port"], indirect=True)
def test_site_moved_to_another_port_is_followed_and_named(
        faulty: MisbehavingServer, small: Site, tmp_path: Path) -> None:
    run = _crawl(faulty, tmp_path)
    assert faulty.moved is not None
    new_home = faulty.moved.base_url
    # Nothing is lost, every article under its new URL, and the run says the site moved.
    expected = small.expected_records(new_home)
    assert sorted(run.ids) == sorted(expected)
    assert all(r["url"].startswith(new_home + "/") for r in run.records)
    assert run.returncode == EXIT_FAILED
    n = len(expected)
    assert f"the site moved: {n} of {n} article requests were redirected to {new_home}" in (
        run.stderr.splitlines()[-1])
    assert run.summary["reason"] == "site_moved"


@pytest.mark.parametrize("faulty", ["moved-host"], indirect=True)
def test_site_moved_to_another_host_is_named_and_fetched_there_next_run(
        faulty: MisbehavingServer, small: Site, tmp_path: Path) -> None:
    assert faulty.moved is not None
    new_home = faulty.moved.base_url  # http://localhost:PORT
    run = _crawl(faulty, tmp_path)
    n = len(small.expected_records(faulty.base_url))
    assert run.returncode == EXIT_FAILED
    assert run.records == []  # not off the start hosts, not even to follow a move
    assert f"the site moved: {n} of {n} article requests were redirected to {new_home};" \
        " change start_urls to it" in run.stderr.splitlines()[-1]
    assert _counts(run)["newscrawl/not_article/redirect_moved"] == n
    # The user follows the advice: every article, none given up, under its new URL.
    moved = run_crawl(faulty.moved.base_url + "/bnews/", tmp_path)
    assert moved.returncode == 0, moved.stderr[-3000:]
    assert sorted(moved.ids) == sorted(small.expected_records(faulty.moved.base_url))


@pytest.mark.parametrize(("faulty", "reason", "target"), [
    ("redirect-offsite", "redirect_offsite", "http://elsewhere.invalid/landing/"),
    ("redirect-loop", "redirect_loop", "?loop=1"),
    ("redirect-front", "redirect_not_article", "/bnews/, which"),
], indirect=["faulty"])
def test_redirect_away_is_counted_logged_and_given_up_later(
        faulty: MisbehavingServer, small: Site, tmp_path: Path, reason: str, target: str
        ) -> None:
    once = {"NEWSCRAWL_MAX_ATTEMPTS": "1"}
    run = _crawl(faulty, tmp_path, settings=once)
    assert run.returncode == 0, run.stderr[-3000:]
    _assert_all_but_victim(run, small, faulty)
    assert _counts(run)[f"newscrawl/not_article/{reason}"] == 1
    said = faulty.victim.path() + " redirects"
    lines = [line for line in run.stderr.splitlines() if said in line]
    assert len(lines) == 1 and target in lines[0]
    # A failure like a 404: with NEWSCRAWL_MAX_ATTEMPTS=1 the next run does not ask again.
    faulty.reset()
    again = _crawl(faulty, tmp_path, settings=once)
    assert again.returncode == 0 and again.records == []
    assert _victim_hits(faulty) == 0


# --- whole responses only -----------------------------------------------------------------

@pytest.mark.parametrize("faulty", ["short-length", "body-cut", "chunked-cut", "no-html-end"],
                         indirect=True)
def test_cut_response_is_retried_never_exported_and_fetched_next_run(
        faulty: MisbehavingServer, small: Site, tmp_path: Path) -> None:
    run = _crawl(faulty, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    _assert_all_but_victim(run, small, faulty)
    assert _counts(run)["newscrawl/not_article/incomplete"] == 1
    assert _victim_hits(faulty) == 3  # RETRY_TIMES=2 in tests/crawling.py
    faulty.fault = "none"
    faulty.reset()
    fixed = _crawl(faulty, tmp_path)
    assert fixed.returncode == 0
    assert fixed.ids == [faulty.victim.id]
    assert fixed.records[0] == {**small.expected_record(faulty.victim.id, faulty.base_url),
                                "crawled_at": fixed.records[0]["crawled_at"]}


# --- back-off -----------------------------------------------------------------------------

@pytest.mark.parametrize(("faulty", "status", "wait"), [
    ("retry-after-seconds", 429, 2.0),
    ("retry-after-date", 503, 2.0),  # an HTTP-date 3 s ahead, on a clock of whole seconds
], indirect=["faulty"])
def test_retry_after_holds_the_host(faulty: MisbehavingServer, small: Site, tmp_path: Path,
                                    status: int, wait: float) -> None:
    run = _crawl(faulty, tmp_path, settings=BACKOFF)
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(run.ids) == sorted(small.expected_records(faulty.base_url))
    front = [(when, code) for when, path, code in faulty.timeline if path == listing_path("")]
    assert [code for _, code in front] == [status, 0]
    asked, retried = front[0][0], front[1][0]
    assert retried - asked >= wait - 0.1  # not RetryMiddleware's immediate retry
    assert not [p for when, p, _ in faulty.timeline if asked < when < retried]
    assert _counts(run)["newscrawl/backoff/waits"] == 1


# --- runs that read nothing say why -------------------------------------------------------

@pytest.mark.parametrize(("faulty", "message", "reason"), [
    ("robots-disallow", "robots.txt at {base}/robots.txt forbids {base}/bnews/; nothing was "
     "fetched", "robots_forbidden"),
    ("status-403", "the site answered HTTP 403 to every request", "http_403"),
    ("status-503", "the site answered HTTP 503 to every request", "http_503"),
    ("retry-after-long", "answered 429 with Retry-After 3600 s, more than "
     "NEWSCRAWL_RETRY_AFTER_MAX (60 s): given up for this run", "backoff_exceeded"),
], indirect=["faulty"])
def test_site_that_refuses_everything_is_named(faulty: MisbehavingServer, tmp_path: Path,
                                               message: str, reason: str) -> None:
    run = _crawl(faulty, tmp_path, settings=BACKOFF)
    assert run.returncode == EXIT_FAILED
    assert run.records == []
    sentence = message.format(base=faulty.base_url)
    failure_line = run.stderr.splitlines()[-1]
    assert failure_line.startswith("newscrawl: run failed (exit 1): ")
    assert sentence in failure_line
    assert sentence in run.summary["message"]
    assert {k: v for k, v in _counts(run).items() if k.startswith("newscrawl/not_article/")} \
        == {f"newscrawl/not_article/{reason}": 1}
    if reason == "robots_forbidden":
        assert [path for _, path in faulty.hits] == ["/robots.txt"]


# --- sizes --------------------------------------------------------------------------------

def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("faulty", ["gzip-bomb"], indirect=True)
def test_gzip_bomb_is_refused_before_it_fills_memory(
        faulty: MisbehavingServer, small: Site, tmp_path: Path) -> None:
    run = _crawl(faulty, tmp_path, preexec_fn=_limit_memory)
    assert run.returncode == 0, run.stderr[-3000:]
    _assert_all_but_victim(run, small, faulty)
    assert _counts(run)["newscrawl/not_article/too_large"] == 1
    assert "MemoryError" not in run.stderr


@pytest.mark.parametrize("faulty", ["many-links"], indirect=True)
def test_page_of_200000_links_is_capped(faulty: MisbehavingServer, small: Site,
                                        tmp_path: Path) -> None:
    cap = 300  # the front page's own ~155 links come first
    run = _crawl(faulty, tmp_path, preexec_fn=_limit_memory,
                 settings={"NEWSCRAWL_MAX_LINKS_PER_PAGE": str(cap)})
    assert run.returncode == 0, run.stderr[-3000:]
    assert "MemoryError" not in run.stderr
    assert sorted(run.ids) == sorted(small.expected_records(faulty.base_url))
    assert _counts(run)["newscrawl/links_capped"] == 1
    junk = [p for p in faulty.hits.paths() if p.startswith("/bnews/tag/x")]
    assert 0 < len(junk) < cap


# --- Ctrl-C twice -------------------------------------------------------------------------

def test_second_ctrl_c_still_writes_the_summary(tmp_path: Path) -> None:
    with serve(build_site(40, seed=7)) as server:
        command = crawl_command(server.base_url + "/bnews/", tmp_path / "out.jsonl",
                                tmp_path / "state", settings={
                                    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
                                    "DOWNLOAD_DELAY": "0.2"})
        crawl = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        while len(server.hits) < 8 and crawl.poll() is None:
            time.sleep(0.05)
        crawl.send_signal(signal.SIGINT)
        time.sleep(0.3)
        crawl.send_signal(signal.SIGINT)
        _, stderr = crawl.communicate(timeout=60)
    assert crawl.returncode == EXIT_FAILED
    assert "Received SIGINT twice" in stderr
    assert "newscrawl summary: new=" in stderr
    assert "the run was killed before it could finish" in stderr
    summary = (tmp_path / "state" / "last-run.json").read_text(encoding="utf-8")
    assert '"reason": "interrupted"' in summary
    written = read_jsonl(tmp_path / "out.jsonl") if (tmp_path / "out.jsonl").exists() else []
    assert f'"new": {len(written)},' in summary
