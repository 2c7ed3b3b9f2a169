"""The removal ledger: each confirmed removal and restoration, once, in a JSON Lines file.

`RemovalLedger`, an extension, hears every refetch of a watched article
(``revisit_answered``, sent by newscrawl.discovery.revisits) and judges the answers at the
end of the run by newscrawl.discovery.removal's rules:

- the article back is recorded at once (its watch moves to the next revisit stage); a
  restoration is written whatever else the run met: the article answering is proof enough;
- an answer that may be a removal counts only in a run that can be trusted: one that
  finished, where most requests did not fail (removal answers left out of that count), the
  site did not look moved (transport/redirects.site_moved) and some page was read. Else it
  is dropped, and the article stays due for the next run.

Exactly once, as the article feed (output/export.py, output/recovery.py): the file is
journaled in the state before its first line; an event is claimed in the state (atomic:
two Redis workers never both write it), its line written whole and flushed
(run/files.write_through), then the watch and the file's new length are recorded together
(State.record_event). A killed run's lines past that length are recorded by the next run's
recovery (`recover_event`), a torn last line cut.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import socket
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.discovery.progress import clock
from newscrawl.discovery.removal import Answer, Event, first_watch, observe, published_at
from newscrawl.run.config import setting
from newscrawl.run.errors import OutputError, RunError
from newscrawl.run.files import write_through
from newscrawl.run.places import in_project
from newscrawl.run.runtime import fail_run
from newscrawl.run.signals import revisit_answered
from newscrawl.state.base import State, Watch, article_key
from newscrawl.state.keeper import redis_url, state_of
from newscrawl.transport.outcomes import failed_requests
from newscrawl.transport.redirects import site_moved

logger = logging.getLogger(__name__)

STATS = "newscrawl/ledger/"  # + revisits, candidates, answers_dropped, removed, restored


def iso(moment: float | None) -> str | None:
    """POSIX seconds as UTC ISO 8601 to the second (None stays None)."""
    if moment is None:
        return None
    return dt.datetime.fromtimestamp(moment, dt.timezone.utc).isoformat(timespec="seconds")


def trusted(stats: dict[str, Any], reason: str, removal_answers: int) -> str | None:
    """None when a run's removal answers may count; else why not (a sentence).

    The run's own outcome rules: it finished, read some page, the site did not move, and at
    most half of its requests failed (its removal answers, 404s among them, not counted).
    """
    if reason != "finished":
        return f"the run did not finish ({reason})"
    if not stats.get("newscrawl/pages_ok"):
        return "no page of the site was read"
    moved = site_moved(stats)
    if moved:
        return moved
    failed = failed_requests(stats) - removal_answers
    requests = stats.get("downloader/request_count", 0)
    if failed * 2 > requests:
        return f"{failed} of {requests} requests failed"
    return None


def line_of(answer: Answer, watch: Watch, event: Event, state: State) -> dict[str, Any]:
    """The ledger's object for `event` (newscrawl/schema/ledger.schema.json)."""
    language, _, article_id = answer.key.partition(":")
    known = state.lookup(answer.key)
    exported = known is not None and known.status == "exported"
    removed = event.event == "removed"
    return {
        "event": event.event, "article_id": article_id, "language": language,
        "url": watch.url, "how": answer.how if removed else None,
        "http_status": answer.http_status or 200,
        "redirect_to": answer.redirect_to if removed else None,
        "first_observed": iso(event.first_observed), "confirmed_at": iso(event.confirmed_at),
        "last_seen_ok": iso(watch.last_seen_ok),
        "last_version": known.version if exported and known else None,
        "last_content_hash": known.content_hash if exported and known else None,
        "found_by": event.found_by,
        "evidence": {"warc_file": answer.evidence[0], "warc_record_id": answer.evidence[1]}
        if answer.evidence else None}


class RemovalLedger:
    """Extension (NEWSCRAWL_LEDGER_DIR; empty: NotConfigured, no ledger and no revisits)."""

    def __init__(self, crawler: Crawler, directory: Path) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = directory
        self.now = clock(setting(crawler.settings, "NEWSCRAWL_NOW"))
        self.fsync = setting(crawler.settings, "NEWSCRAWL_FSYNC")
        self.shared = bool(redis_url(crawler.settings))  # several workers on one state
        self.path: Path | None = None
        self._file: IO[bytes] | None = None
        self._held: list[Answer] = []  # judged at the end of the run
        crawler.signals.connect(self.answered, signal=revisit_answered)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RemovalLedger:
        configured = setting(crawler.settings, "NEWSCRAWL_LEDGER_DIR")
        if not configured:
            raise NotConfigured("NEWSCRAWL_LEDGER_DIR is empty: no removal ledger")
        return cls(crawler, in_project(str(configured) % {"name": crawler.spidercls.name}))

    def answered(self, answer: Answer) -> None:
        state = state_of(self.crawler)
        watch = state.watched(answer.key)
        if answer.how is None and (watch is None or not watch.removed):
            try:
                self._apply(state, answer, watch)
            except RunError as exc:
                fail_run(self.crawler, exc)
            return
        if watch is not None:
            self._held.append(answer)

    def _apply(self, state: State, answer: Answer, watch: Watch | None) -> None:
        if watch is None:  # seen whole for the first time: watched from now on
            state.watch(answer.key, first_watch(answer.url, published_at(
                answer.url, answer.lastmod), self.now))
            return
        after, event = observe(watch, answer, self.now)
        if event is None or not (state.claim_event(answer.key, event.claim)
                                 or self._orphaned(watch, event)):
            state.watch(answer.key, after)
            return
        line = json.dumps(line_of(answer, watch, event, state), ensure_ascii=False) + "\n"
        offset = self._write(state, line.encode())
        state.record_event(answer.key, after, str(self.path), offset)
        self.stats.inc_value(STATS + event.event)
        logger.info("%s %s (%s): %s%s", event.event, answer.url, answer.key,
                    answer.how or "its article answered again",
                    f" to {answer.redirect_to}" if answer.redirect_to else "")

    def _orphaned(self, watch: Watch, event: Event) -> bool:
        """A claim whose event the state never recorded: a run killed between the two.

        On one machine the run lock makes it certain (no other run can be between them), so
        the event is written now rather than lost. With Redis another worker may be writing
        it at this moment: its claim is left alone (docs/ledger.md).
        """
        return not self.shared and watch.removed != (event.event == "removed")

    def _write(self, state: State, data: bytes) -> int:
        """Append one line (the file opened and journaled at the first); its end offset."""
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._file = _open_new(self.directory, self.now,
                                   self.shared)
            self.path = Path(self._file.name).resolve()
            state.open_output(str(self.path), 0)
        write_through(self._file, data, fsync=self.fsync)
        return self._file.tell()

    def spider_closed(self, reason: str) -> None:
        held, self._held = self._held, []
        removals = sum(answer.how is not None for answer in held)
        distrust = trusted(self.stats.get_stats(), reason, removals)
        if distrust and removals:
            self.stats.inc_value(STATS + "answers_dropped", removals)
            logger.warning("%d removal answer(s) not counted: %s; they are checked again by"
                           " the next run", removals, distrust)
        state = state_of(self.crawler)
        try:
            for answer in held:
                if answer.how is None or not distrust:
                    self._apply(state, answer, state.watched(answer.key))
        except (RunError, OSError) as exc:
            fail_run(self.crawler, exc if isinstance(exc, RunError) else OutputError(
                f"cannot write the removal ledger {self.path}: {exc}"))
        finally:
            if self._file is not None:
                self._file.close()
                state.close_output(str(self.path))


def _open_new(directory: Path, now: float, shared: bool) -> IO[bytes]:
    """A new ``<UTC start>.jsonl`` (the run's clock), ``-2``… when one of that second exists;
    workers of a shared crawl add host and pid. Raises OSError."""
    name = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    if shared:
        name += f"-{socket.gethostname()}-{os.getpid()}"
    for attempt in range(1, 100):
        try:
            return (directory / f"{name}{f'-{attempt}' if attempt > 1 else ''}.jsonl").open("xb")
        except FileExistsError:
            continue
    raise FileExistsError(f"{directory / name}.jsonl and 98 more exist")


def recover_event(state: State, record: dict[str, Any], path: str, offset: int) -> None:
    """A ledger line a killed run flushed but did not record: record its event now."""
    key = article_key(record["language"], record["article_id"])
    watch = state.watched(key)
    if watch is None:
        return
    if record["event"] == "removed":
        first = dt.datetime.fromisoformat(record["first_observed"]).timestamp()
        watch = dataclasses.replace(watch, removed=True, suspect=record["how"], since=first)
    else:
        watch = dataclasses.replace(watch, removed=False, suspect=None, since=None)
    state.record_event(key, watch, path, offset)
