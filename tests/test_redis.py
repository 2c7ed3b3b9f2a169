"""The shared Redis frontier: real redis-server, real `scrapy crawl` workers, local site copy.

Without redis-server these tests skip, unless NEWSCRAWL_REQUIRE_REDIS=1 (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from scrapy.settings import Settings, default_settings
from scrapy.utils.test import get_crawler

from newscrawl.discovery import urls
from newscrawl.distribution.frontier import RedisFrontierAddon
from newscrawl.run.errors import EXIT_REDIS, FrontierError
from newscrawl.run.places import default_feed, in_project
from newscrawl.spiders.bannedbook import BannedbookSpider
from newscrawl.state.base import Known
from newscrawl.state.redis import RedisState
from newscrawl.state.redis_link import redact
from sitecopy.model import Site, build_site
from sitecopy.server import SiteServer
from tests.crawling import ROOT, all_records, crawl_command, read_jsonl
from tests.redis_server import RedisServer, free_port, redis_server_binary

IDLE = "2"  # seconds of an empty frontier before a worker leaves
RETRIES = 2  # tests.crawling.FAST sets RETRY_TIMES=2
# Slow enough that a worker can be killed, or its Redis stopped, halfway through.
SLOW = {"CONCURRENT_REQUESTS_PER_DOMAIN": "2", "DOWNLOAD_DELAY": "0.05"}
NAMESPACE = "newscrawl:bannedbook"  # the default NEWSCRAWL_REDIS_PREFIX and the spider's name
WORKER_HEADER = "X-Test-Worker"  # names the worker of each request, for the test server only
# Conditions waited for fail the test after this long; none of them is a timing bound.
PATIENCE = 60.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
    """Poll `condition` every 50 ms until true; fail loudly if it is still false after timeout s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout:.0f} s: {what}"
        time.sleep(0.05)


class Gate:
    """Holds the answers to `paths` until every worker of `workers` has asked for one of them.

    Without it a worker that reads the front page can take every article request back from
    the shared queue before an idle worker (which looks at the queue on its 0.5 s heartbeat)
    finds any: a short crawl on 2 cores then ends with one worker having done everything.
    Held, the first worker's download slots fill with articles it cannot finish, and the
    others must take theirs from the queue. `timeout` (s) only turns a stuck gate into a loud
    failure: it is below DOWNLOAD_TIMEOUT (30 s) so that the gate, not a timeout, reports it.
    """

    def __init__(self, workers: set[str], paths: set[str], timeout: float = 25.0) -> None:
        self.paths = paths
        self.timeout = timeout
        self.missing = set(workers)  # workers that have not asked for one of `paths` yet
        self.timed_out = False
        self._open = threading.Event()
        self._lock = threading.Lock()

    def pass_(self, worker: str, raw_path: str) -> None:
        """Called by the server's handler thread before it answers `raw_path` to `worker`."""
        if self._open.is_set() or urlsplit(raw_path).path not in self.paths:
            return
        with self._lock:
            self.missing.discard(worker)
            if not self.missing:
                self._open.set()
        if not self._open.wait(self.timeout):
            self.timed_out = True  # the test asserts it did not happen
            self._open.set()


class _GatedHandler(SiteServer.handler_class):  # type: ignore[misc,valid-type]
    def _respond(self, send_body: bool) -> None:
        gate = self.server.owner.gate
        if gate is not None:
            gate.pass_(self.headers.get(WORKER_HEADER, ""), self.path)
        super()._respond(send_body)


class GatedServer(SiteServer):
    """The site copy, with an optional Gate in front of its answers."""

    handler_class = _GatedHandler
    gate: Gate | None = None


@pytest.fixture(scope="module")
def site() -> Site:  # overrides conftest's: enough articles for three workers to share
    return build_site(120, seed=3)


@pytest.fixture
def server(site: Site) -> Iterator[GatedServer]:  # overrides conftest's: a gate can be set
    with GatedServer(site) as running:
        yield running


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(redis_server_binary(), tmp_path / "redis") as server:
        yield server


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    output: Path
    log: Path

    def wait(self, timeout: float = 120) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"worker did not exit by itself:\n{self.stderr[-3000:]}"
                                 ) from None

    @property
    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def records(self) -> list[dict]:
        return read_jsonl(self.output) if self.output.exists() else []

    def lines(self) -> int:
        return self.output.read_bytes().count(b"\n") if self.output.exists() else 0


def start_worker(server: SiteServer, tmp: Path, name: str, redis_url: str,
                 settings: dict[str, str] | None = None) -> Worker:
    """One `scrapy crawl` worker: its own output file and state dir, as on its own machine."""
    (tmp / "out").mkdir(exist_ok=True)
    (tmp / "logs").mkdir(exist_ok=True)
    output, log = tmp / "out" / f"{name}.jsonl", tmp / "logs" / f"{name}.log"
    headers = {**default_settings.DEFAULT_REQUEST_HEADERS, WORKER_HEADER: name}  # Scrapy's + ours
    command = crawl_command(server.base_url + "/bnews/", output, tmp / "state" / name, settings={
        "NEWSCRAWL_REDIS_URL": redis_url, "NEWSCRAWL_REDIS_IDLE_SECONDS": IDLE,
        "DEFAULT_REQUEST_HEADERS": json.dumps(headers), **(settings or {})})
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    return Worker(process, output, log)


def run_workers(server: SiteServer, tmp: Path, redis_url: str, names: list[str],
                settings: dict[str, str] | None = None) -> list[Worker]:
    workers = [start_worker(server, tmp, name, redis_url, settings) for name in names]
    for worker in workers:
        assert worker.wait() == 0, worker.stderr[-3000:]
    return workers


def wait_for_lines(worker: Worker, lines: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while worker.lines() < lines:
        assert worker.process.poll() is None, f"worker ended early:\n{worker.stderr[-3000:]}"
        assert time.monotonic() < deadline, "worker wrote too little"
        time.sleep(0.05)


def assert_every_article_once(site: Site, server: SiteServer, records: list[dict]) -> None:
    ids = Counter(record["article_id"] for record in records)
    assert ids and max(ids.values()) == 1, "an article was written twice"
    original, copy = site.republished
    kept = {original, copy} & set(ids)
    assert len(kept) == 1, "exactly one of a republished pair is kept"
    assert set(ids) == set(site.expected_records(server.base_url)) - ({original, copy} - kept)


def heartbeats_expired(redis_url: str, ttl: float) -> bool:
    """No worker is alive: no `alive` key, no round heartbeat younger than ttl s (Redis' clock).

    Key names: newscrawl/state/redis.py and newscrawl/distribution/rounds.py.
    """
    client = redis.Redis.from_url(redis_url)
    try:
        if next(client.scan_iter(f"{NAMESPACE}:alive:*"), None) is not None:
            return False
        current = client.get(f"{NAMESPACE}:round")
        if current is None:
            return True
        seconds, micros = client.time()
        workers = f"{NAMESPACE}:round:{current.decode()}:workers"
        return client.zcount(workers, seconds + micros / 1e6 - ttl, "+inf") == 0
    finally:
        client.close()


def article_fetches(server: SiteServer) -> Counter[str]:
    return Counter({path: n for path, n in server.hits.paths().items()
                    if urls.article_ref("http://h" + path)})


def exported_paths(site: Site, server: SiteServer) -> set[str]:
    """Paths of articles any worker that fetches them exports at once: no fault, no copy."""
    ids = set(site.expected_records(server.base_url)) - set(site.republished or ())
    paths = {site.articles[i].path() for i in ids}
    return paths - site.transient


@pytest.mark.parametrize("count", [2, 3])
def test_workers_share_one_crawl(count: int, site: Site, server: GatedServer,
                                 redis_server: RedisServer, tmp_path: Path) -> None:
    names = [f"w{i}" for i in range(count)]
    # Every worker gets an article it will export before any article is answered: the split
    # is decided by the gate, not by which worker's heartbeat came first.
    server.gate = gate = Gate(set(names), exported_paths(site, server))
    workers = run_workers(server, tmp_path, redis_server.url, names)
    assert not gate.missing and not gate.timed_out, \
        f"{sorted(gate.missing)} never asked for an article"
    server.gate = None

    assert_every_article_once(site, server, all_records(tmp_path / "out"))
    # One fetch per article across all workers: the dupefilter is shared and fingerprints by
    # post id. Only the deliberate faults are fetched again (retries of 503s and challenges).
    challenge = site.articles[site.cloudflare].path()
    allowed = {path: 2 for path in site.transient} | {challenge: RETRIES + 1}
    fetched = article_fetches(server)
    assert not {p: n for p, n in fetched.items() if n > allowed.get(p, 1)}, "fetched twice"
    assert len(fetched) == len(site.articles) + len(site.missing)
    assert sum(bool(worker.records) for worker in workers) >= 2, "one worker did everything"
    assert "last worker out of round" in "".join(w.stderr for w in workers)

    # The next round starts afresh (a new dupefilter) and finds nothing new to export.
    first_round = len(server.hits)
    server.reset()
    again = run_workers(server, tmp_path, redis_server.url, [f"r{i}" for i in range(count)])
    assert not [record for worker in again for record in worker.records]
    dead = {site.articles[i].path() for i in (site.cloudflare, site.empty, site.not_html)}
    dead |= {missing.path() for missing in site.missing.values()}
    assert set(article_fetches(server)) <= dead, "refetched an exported article"
    assert len(server.hits) < first_round / 4


def test_killed_worker_loses_nothing(site: Site, server: SiteServer,
                                     redis_server: RedisServer, tmp_path: Path) -> None:
    settings = {**SLOW, "NEWSCRAWL_REDIS_WORKER_TTL": "3"}
    victim = start_worker(server, tmp_path, "victim", redis_server.url, settings)
    survivor = start_worker(server, tmp_path, "survivor", redis_server.url, settings)
    wait_for_lines(victim, 5)
    victim.process.send_signal(signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL
    assert survivor.wait() == 0, survivor.stderr[-3000:]  # it does not wait for the dead one
    assert len(all_records(tmp_path / "out")) < len(site.articles) - 1, "killed too late"

    # Once the victim's heartbeat has expired, the next worker on this machine takes over
    # its output file (records what it wrote) and fetches what it had taken but not exported.
    wait_until(lambda: heartbeats_expired(redis_server.url, ttl=3.0), "the victim's heartbeat"
               " to expire (NEWSCRAWL_REDIS_WORKER_TTL=3)")
    run_workers(server, tmp_path, redis_server.url, ["next"])
    assert_every_article_once(site, server, all_records(tmp_path / "out"))


def test_redis_lost_mid_run_fails_the_run(server: SiteServer, redis_server: RedisServer,
                                          tmp_path: Path) -> None:
    worker = start_worker(server, tmp_path, "w", redis_server.url, SLOW)
    wait_for_lines(worker, 3)
    redis_server.stop()
    # Counted once Redis is down (not before: the worker goes on fetching in between).
    before = len(server.hits)
    assert worker.wait(timeout=60) == EXIT_REDIS, worker.stderr[-3000:]
    # It stops at once (docs/redis.md): nothing more is taken from the frontier, so the site
    # sees at most the requests the worker already held (Scrapy's CONCURRENT_REQUESTS, 16).
    assert len(server.hits) - before <= 16
    assert "lost the Redis frontier at redis://127.0.0.1" in worker.stderr
    assert "status=failed" in worker.stderr
    ids = Counter(record["article_id"] for record in worker.records)  # no torn line either
    assert max(ids.values()) == 1


def test_redis_unreachable_at_start(server: SiteServer, tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    worker = start_worker(server, tmp_path, "w", url)
    assert worker.wait(timeout=60) == EXIT_REDIS
    assert f"newscrawl: cannot reach Redis at {url}" in worker.stderr
    assert "Traceback" not in worker.stderr
    assert not worker.output.exists()
    assert len(server.hits) == 0


def test_state_contract_and_atomic_claim(redis_server: RedisServer) -> None:
    crawler = get_crawler(BannedbookSpider, {"NEWSCRAWL_REDIS_PREFIX": "t"})
    first = RedisState.from_crawler(crawler, redis_server.url)
    second = RedisState.from_crawler(crawler, redis_server.url)  # another worker
    key, url, text = "zh-Hans:1862899", "http://h/bnews/a/20230101/1862899.html", "ab" * 32

    assert first.lookup(key) is None
    first.record_pending(key, url)
    second.record_pending(key, "http://elsewhere")  # a no-op: already known
    assert second.lookup(key) == Known("pending") and second.pending("", 10) == ([url], "")
    # Two workers fetched two copies of one text at once: exactly one owns it.
    assert {first.claim(key, text), second.claim("zh-Hans:1862900", text)} == {key}
    second.record_copy("zh-Hans:1862900", text)
    assert first.lookup("zh-Hans:1862900") == Known("copy", text)
    first.record_export(key, text, 2, "/out/a.jsonl", 120)
    assert second.lookup(key) == Known("exported", text, 2)
    assert second.pending("", 10) == ([], "")
    first.record_failure(key)  # an exported article is never demoted
    assert first.lookup(key) == Known("exported", text, 2)
    for _ in range(2):
        first.record_failure("zh-Hant:77")
    assert first.lookup("zh-Hant:77") == Known("failed", attempts=2)
    assert first.lookup("zh-Hans:article-x") is None  # a non-numeric id has a bucket too
    first.record_export("zh-Hans:article-x", "not-hex", 1, None, 0)
    assert second.lookup("zh-Hans:article-x") == Known("exported", "not-hex", 1)

    # Outputs are per machine and never recovered while their writer is alive.
    assert second.open_outputs() == {}
    first.close()  # the writer ends (as if killed once its heartbeat expired)
    assert second.open_outputs() == {"/out/a.jsonl": 120}
    second.close_output("/out/a.jsonl")
    assert second.open_outputs() == {}

    assert not second.archive_walked("http://h/bnews/")
    second.mark_archive_walked("http://h/bnews/")
    assert second.archive_walked("http://h/bnews/")
    second.close()


def test_state_unreachable_raises_frontier_error() -> None:
    crawler = get_crawler(BannedbookSpider)
    with pytest.raises(FrontierError, match=r"cannot reach Redis at redis://u:\*\*\*@127"):
        RedisState.from_crawler(crawler, f"redis://u:secret@127.0.0.1:{free_port()}/0")
    assert redact("redis://:pw@host:1/0") == "redis://:***@host:1/0"


def test_addon_is_a_no_op_without_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    settings = Settings()  # Scrapy's defaults
    RedisFrontierAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0")
    RedisFrontierAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "newscrawl.distribution.frontier.RoundScheduler"
    assert settings.getbool("SCHEDULER_PERSIST")


def test_workers_of_one_machine_get_a_default_output_each() -> None:
    settings = Settings({"NEWSCRAWL_REDIS_URL": "redis://127.0.0.1:1/0",
                         "NEWSCRAWL_DEFAULT_FEED": "output/%(name)s/%(time)s.jsonl"})
    default_feed(settings)  # as the spider does: under the project root
    RedisFrontierAddon().update_settings(settings)
    stem = in_project("output/%(name)s/%(time)s")
    assert list(settings.getdict("FEEDS")) == [
        f"{stem}-{socket.gethostname()}-{os.getpid()}.jsonl"]
    given = Settings({"NEWSCRAWL_REDIS_URL": "redis://127.0.0.1:1/0"})
    given.set("FEEDS", {"mine.jsonl": {"format": "jsonlines"}}, "cmdline")  # -o is left alone
    RedisFrontierAddon().update_settings(given)
    assert list(given.getdict("FEEDS")) == ["mine.jsonl"]


def test_single_machine_default_does_not_load_redis() -> None:
    code = ("import sys, newscrawl.distribution.frontier, newscrawl.state.keeper,"
            " newscrawl.settings;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in"
            " ('redis', 'scrapy_redis')))")
    env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWL_REDIS_URL"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


def test_workers_of_a_round_split_the_due_listings(site: Site, server: SiteServer,
                                                    redis_server: RedisServer,
                                                    tmp_path: Path) -> None:
    """Each due listing is claimed by one worker only: the budget is shared, not doubled."""
    run_workers(server, tmp_path, redis_server.url, ["a0", "a1"],
                settings={"NEWSCRAWL_NOW": "2023-05-01T00:00:00+00:00"})
    server.reset()
    later = {"NEWSCRAWL_NOW": "2023-05-04T00:00:00+00:00", "NEWSCRAWL_LISTING_BUDGET": "5"}
    run_workers(server, tmp_path, redis_server.url, ["b0", "b1"], settings=later)
    claimed = [json.loads((tmp_path / "state" / name / "last-run.json").read_text())[
        "discovery"]["listings_claimed"] for name in ("b0", "b1")]
    first_pages = [p for p, n in server.hits.paths().items()
                   if (ref := urls.listing_ref("http://h" + p)) and ref.page == 1
                   and not ref.archive.endswith("/bnews/")]
    assert sum(claimed) == len(first_pages) == 10, (claimed, first_pages)
    assert max(server.hits.paths()[p] for p in first_pages) == 1


class _Planted:
    """A pickle that, once loaded, creates the file `path` (what an attacker's would run)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))


def test_a_pickle_planted_in_the_queue_runs_nothing(site: Site, server: SiteServer,
                                                    redis_server: RedisServer,
                                                    tmp_path: Path) -> None:
    marker = tmp_path / "planted-ran"
    worker = start_worker(server, tmp_path, "w", redis_server.url, SLOW)
    wait_for_lines(worker, 3)
    client = redis.Redis.from_url(redis_server.url)
    queues = [key for key in client.scan_iter("*:requests") if client.type(key) == b"zset"]
    assert len(queues) == 1, queues
    # The lowest score is popped first: before every request the worker queued.
    client.zadd(queues[0], {pickle.dumps(_Planted(str(marker))): -10**9})
    assert worker.wait() == 0, worker.stderr[-3000:]
    assert not marker.exists(), "the planted pickle ran"
    assert "refused a queue entry" in worker.stderr
    assert_every_article_once(site, server, all_records(tmp_path / "out"))


def test_workers_defer_nothing_the_queue_is_in_redis(site: Site, server: GatedServer,
                                                    redis_server: RedisServer,
                                                    tmp_path: Path) -> None:
    """The frontier's bound is for a worker's own memory: the shared queue lives in Redis, so
    however small the bound, nothing waits in the pending hash for want of room (an article
    deferred there would come back only to the worker that deferred it: discovery/backlog.py)."""
    names = ["b0", "b1"]
    run_workers(server, tmp_path, redis_server.url, names,
                {"NEWSCRAWL_FRONTIER_MAX": "2", "NEWSCRAWL_SITEMAP_LOW_WATER": "1"})
    assert_every_article_once(site, server, all_records(tmp_path / "out"))
    logs = "".join((tmp_path / "logs" / f"{name}.log").read_text("utf-8") for name in names)
    assert "'newscrawl/requests/article'" in logs, "the stats are dumped"
    assert "newscrawl/frontier/deferred" not in logs
