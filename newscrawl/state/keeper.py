"""The extension that owns the run's state: picks the store, locks it, opens and closes it.

Once the state is open and locked the keeper sends ``state_opened`` (newscrawl.run.signals):
the recovery of a killed run's outputs (newscrawl.output.recovery) happens then, under the lock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from newscrawl.run.config import setting
from newscrawl.run.errors import AlreadyRunning, BadArgument, RunError, RunStuck, StateError
from newscrawl.run.places import describe_outputs, in_project
from newscrawl.run.runtime import announce
from newscrawl.run.signals import state_opened
from newscrawl.state.base import State
from newscrawl.state.memory import MemoryState
from newscrawl.state.sqlite import SqliteState

logger = logging.getLogger(__name__)


def redis_url(settings: BaseSettings) -> str | None:
    """The shared frontier's URL: the Scrapy setting, else the environment variable."""
    return setting(settings, "NEWSCRAWL_REDIS_URL") or os.environ.get("NEWSCRAWL_REDIS_URL") or None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


class RunLock:
    """One run per state dir. flock is released by the kernel when the holder dies, even on -9.

    The file holds the holder's pid; its mtime is the holder's heartbeat (`heartbeat`, touched
    while the run makes progress: newscrawl.reporting.progress). A run that finds the lock
    taken raises AlreadyRunning (exit 75; `quiet` when NEWSCRAWL_QUIET_WHEN_BUSY) when the
    holder is running here and its heartbeat is younger than `stuck_after` seconds, else
    RunStuck (exit 7): a stuck run, or a holder on another machine sharing the directory.
    """

    def __init__(self, path: Path, stuck_after: float = 1800.0, quiet: bool = False) -> None:
        self.path = path
        self.stuck_after = stuck_after
        self.quiet = quiet
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            self._busy(holder)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def _busy(self, holder: str) -> None:
        """Raise why this run cannot take the lock: AlreadyRunning or RunStuck."""
        where = f"another newscrawl run (pid {holder}) is using {self.path.parent}"
        try:
            quiet_for = time.time() - self.path.stat().st_mtime
        except OSError:
            quiet_for = 0.0
        if not (holder.isdigit() and _running(int(holder))):
            raise RunStuck(f"{where}, but no process {holder} runs here (on another machine?);"
                           " this run exits without touching anything") from None
        if quiet_for > self.stuck_after:
            raise RunStuck(f"{where} but has made no progress for {quiet_for / 60:.0f} min"
                           f" (NEWSCRAWL_STUCK_AFTER {self.stuck_after:g} s): stuck? this run"
                           " exits without touching anything") from None
        raise AlreadyRunning(f"{where} and making progress; this run exits without touching"
                             " anything", quiet=self.quiet) from None

    def heartbeat(self) -> None:
        """The holder makes progress: the lock file's mtime says when it last did."""
        if self._file is not None:
            os.utime(self.path)

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None


class StateKeeper:
    """Opens the state before anything else of the run runs; other components ask it for it."""

    def __init__(self, crawler: Crawler, state: State, state_dir: Path | None,
                 lock: RunLock | None, created: bool = False) -> None:
        self.crawler = crawler
        self.state = state
        self.state_dir = state_dir
        self.created = created  # no state existed at state_dir: this run began one
        self._lock = lock
        # engine_stopped comes after the feed exporter has closed its files (spider_closed).
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateKeeper:
        settings = crawler.settings
        url = redis_url(settings)
        state_dir = cls._state_dir(setting(settings, "NEWSCRAWL_STATE_DIR"))
        if url:
            from newscrawl.state.redis import RedisState

            redis_state = RedisState.from_crawler(crawler, url)
            where = f"{redis_state.link.url} keys {redis_state.link.namespace}:*"
            _check_site(crawler, redis_state, None, f"the Redis state {where}",
                        "another NEWSCRAWL_REDIS_PREFIX (-s NEWSCRAWL_REDIS_PREFIX=NAME)")
            _opened(crawler, redis_state, None)
            _log_places(crawler, f"{where} (last-run.json in {state_dir})")
            if redis_state.link.created:
                _announce_new(settings, where)
            return cls(crawler, redis_state, state_dir, None, redis_state.link.created)
        if not setting(settings, "NEWSCRAWL_STATE_ENABLED"):
            _log_places(crawler, "none (NEWSCRAWL_STATE_ENABLED is off)")
            return cls(crawler, MemoryState(), None, None)
        lock = RunLock(state_dir / "run.lock", setting(settings, "NEWSCRAWL_STUCK_AFTER"),
                       setting(settings, "NEWSCRAWL_QUIET_WHEN_BUSY"))
        lock.acquire()
        database = state_dir / "state.sqlite3"
        created = not database.exists()
        try:
            state = SqliteState(database)
        except StateError:
            lock.release()
            raise
        _check_site(crawler, state, lock, f"the state at {state_dir}",
                    "another state dir (-s NEWSCRAWL_STATE_DIR=DIR)")
        _opened(crawler, state, lock)
        _log_places(crawler, f"{state_dir} ({'new' if created else 'continued'})")
        if created:
            _announce_new(settings, str(state_dir))
        return cls(crawler, state, state_dir, lock, created)

    @staticmethod
    def _state_dir(configured: str | None) -> Path:
        # Relative to the project root, as the default output (newscrawl.run.config.project_root).
        path = in_project(configured or ".scrapy/newscrawl")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"state dir {path} cannot be created ({exc})") from exc
        if not os.access(path, os.W_OK):
            raise StateError(f"state dir {path} is not writable")
        return path

    def heartbeat(self) -> None:
        """The run makes progress (newscrawl.reporting.progress): touch the lock's heartbeat."""
        if self._lock is not None:
            self._lock.heartbeat()

    def engine_stopped(self) -> None:
        self.state.close()
        if self._lock is not None:
            self._lock.release()


def run_site(crawler: Crawler) -> str | None:
    """The site a run crawls: scheme and host[:port] of its first start URL (None: no spider
    or no start URL, as in a component test)."""
    start_urls = getattr(crawler.spider, "start_urls", None) or []
    if not start_urls:
        return None
    parts = urlsplit(start_urls[0])
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _check_site(crawler: Crawler, state: State, lock: RunLock | None, where: str,
                other: str) -> None:
    """One archive, one site (issue 17): a state belongs to the site its first run crawled; a
    run on another site is refused before its first request (BadArgument, exit 2), so that no
    post id of one site hides a post of another (the state knows articles by post id alone)."""
    site = run_site(crawler)
    if site is None:
        return
    held = state.claim_site(site)
    if held == site:
        return
    state.close()
    if lock is not None:
        lock.release()
    raise BadArgument(f"{where} belongs to {held}, and this run's start URLs name {site}:"
                      f" to crawl {site}, use {other}")


def _opened(crawler: Crawler, state: State, lock: RunLock | None) -> None:
    """Send state_opened; if a handler failed (a killed run's file cannot be repaired, the
    state cannot be read), close the state, release the lock and raise its error."""
    responses = crawler.signals.send_catch_log(state_opened, state=state, dont_log=RunError)
    for _, result in responses:
        if isinstance(result, Failure):
            state.close()
            if lock is not None:
                lock.release()
            result.raiseException()


def _announce_new(settings: BaseSettings, where: str) -> None:
    announce(settings, f"new state at {where}: no earlier run's state was there, so this run"
             " exports every article it finds (the whole archive); if an archive was meant to"
             " continue, check NEWSCRAWL_STATE_DIR (NEWSCRAWL_REDIS_URL, _PREFIX) and the"
             " directory the run started in")


def _log_places(crawler: Crawler, state: str) -> None:
    """The run's first newscrawl log line: where its state and its output are (absolute)."""
    outputs = describe_outputs(crawler.settings, crawler.spidercls.name)
    logger.info("newscrawl: state %s, output %s", state, ", ".join(outputs) or "none")


def state_of(crawler: Crawler) -> State:
    keeper = crawler.get_extension(StateKeeper)
    if keeper is None:
        raise RuntimeError("newscrawl.state.keeper.StateKeeper is not enabled in EXTENSIONS")
    return keeper.state
