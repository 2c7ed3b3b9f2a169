"""When a run cannot do its job it says why and exits non-zero; state is never reset."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newscrawl.run.errors import EXIT_FAILED, EXIT_OUTPUT, EXIT_STATE
from sitecopy.model import Site
from sitecopy.server import SiteServer
from tests.crawling import ROOT, crawl_command, run_crawl, serve_handler


def _state_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite3"


def _crawl_once(server: SiteServer, tmp_path: Path) -> None:
    assert run_crawl(server.base_url + "/bnews/", tmp_path).returncode == 0


def test_corrupt_state_is_reported_and_kept(server: SiteServer, tmp_path: Path) -> None:
    _crawl_once(server, tmp_path)
    state = _state_file(tmp_path)
    for leftover in state.parent.glob("state.sqlite3-*"):
        leftover.unlink()
    damaged = b"garbage, not a database " * 100
    state.write_bytes(damaged)
    run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == EXIT_STATE
    assert "is corrupt" in run.stderr and str(state) in run.stderr
    assert "Traceback" not in run.stderr
    assert state.read_bytes() == damaged, "a corrupt state must never be reset"
    assert run.records == []


def test_foreign_sqlite_file_is_refused(server: SiteServer, tmp_path: Path) -> None:
    state = _state_file(tmp_path)
    state.parent.mkdir(parents=True)
    db = sqlite3.connect(state)
    db.execute("CREATE TABLE notes (text)")
    db.commit()
    db.close()
    run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == EXIT_STATE
    assert "not a newscrawl state database" in run.stderr


def test_locked_state_is_reported(server: SiteServer, tmp_path: Path) -> None:
    _crawl_once(server, tmp_path)
    holder = sqlite3.connect(_state_file(tmp_path), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holding the database
    try:
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.returncode == EXIT_STATE
    assert "is locked" in run.stderr


def test_unwritable_state_dir_is_reported(server: SiteServer, tmp_path: Path) -> None:
    (tmp_path / "state").write_text("a file where the state dir should be")
    run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == EXIT_STATE
    assert "cannot be created" in run.stderr


def test_full_disk_fails_the_run_and_marks_nothing_exported(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    # /dev/full answers every write with ENOSPC, as a full disk does.
    command = crawl_command(server.base_url + "/bnews/", Path("/dev/full"), tmp_path / "state")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == EXIT_OUTPUT, done.stderr[-2000:]
    assert "No space left on device" in done.stderr
    rerun = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert len(rerun.records) == len(site.expected_records(server.base_url)) - 1


def test_output_that_cannot_be_created_fails_the_run(server: SiteServer, tmp_path: Path
                                                     ) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    command = crawl_command(server.base_url + "/bnews/", blocker / "out.jsonl",
                            tmp_path / "state")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == EXIT_OUTPUT, done.stderr[-2000:]
    assert "is not a directory" in done.stderr
    assert "requests=0" in done.stderr, "the run should fail before spending requests"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_site_fails_the_run(tmp_path: Path) -> None:
    run = run_crawl(f"http://127.0.0.1:{_free_port()}/bnews/", tmp_path,
                    settings={"RETRY_TIMES": "0"})
    assert run.returncode == EXIT_FAILED
    assert "no page of the site could be read" in run.stderr
    assert run.summary["status"] == "failed"


def _last_line(run_stderr: str) -> str:
    return run_stderr.rstrip("\n").splitlines()[-1]


def test_refused_connection_is_named(tmp_path: Path) -> None:
    port = _free_port()
    run = run_crawl(f"http://127.0.0.1:{port}/bnews/", tmp_path, settings={"RETRY_TIMES": "1"})
    assert run.returncode == EXIT_FAILED
    assert _last_line(run.stderr) == (
        f"newscrawl: run failed (exit 1): no page of the site could be read: 127.0.0.1:{port}"
        " refused the connection (failed_requests=1, after retries)")
    assert run.summary["counts"]["newscrawl/errors/network_cause/network_refused"] == 1


def test_unresolved_name_is_named(tmp_path: Path) -> None:
    # .invalid never resolves (RFC 6761); newscrawl's resolver answers it without a query.
    run = run_crawl("http://nonexistent.invalid/bnews/", tmp_path, settings={"RETRY_TIMES": "1"})
    assert run.returncode == EXIT_FAILED
    assert _last_line(run.stderr) == (
        "newscrawl: run failed (exit 1): no page of the site could be read: the host name"
        " nonexistent.invalid could not be resolved (DNS) (failed_requests=1, after retries)")
    assert run.summary["counts"]["newscrawl/errors/network_cause/network_dns"] == 1


class _Challenge(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (b"<html><head><title>Just a moment...</title></head><body>"
                b"Checking your browser before accessing www.bannedbook.org.</body></html>")
        status = 200 if self.path == "/robots.txt" else 403
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def challenge_server() -> Iterator[str]:
    with serve_handler(_Challenge) as base:
        yield base


def test_only_challenge_pages_fail_the_run(challenge_server: str, tmp_path: Path) -> None:
    run = run_crawl(challenge_server + "/bnews/", tmp_path)
    assert run.returncode == EXIT_FAILED
    assert "1 challenge pages" in run.stderr
    assert run.summary["counts"]["newscrawl/not_article/challenge"] == 1
