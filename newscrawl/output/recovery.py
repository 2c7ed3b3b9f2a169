"""Reconcile output files of a killed run with the state before a new run starts.

`OutputRecovery`, an extension, runs `recover_outputs` when the state keeper has opened (and
locked) the state, before any component of the run opens a file of its own.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy.crawler import Crawler

from newscrawl.capture.members import WARC_SUFFIX, cut_torn_tail
from newscrawl.output.ledger import recover_event
from newscrawl.run.errors import OutputError
from newscrawl.run.signals import state_opened
from newscrawl.state.base import State, article_key

logger = logging.getLogger(__name__)


class OutputRecovery:
    """Extension: recovers what a killed run left in its outputs as soon as the state is open.

    Listens to ``state_opened``, which newscrawl.state.keeper.StateKeeper sends from its own
    construction with the state locked: so it must come before the keeper in EXTENSIONS (it
    is connected by then). A file it cannot repair (OutputError) or a state it cannot read
    (StateError) fails the run's start, with the keeper's lock released.
    """

    def __init__(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.state_opened, signal=state_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutputRecovery:
        return cls(crawler)

    def state_opened(self, state: State) -> None:
        recover_outputs(state)


def recover_outputs(state: State) -> int:
    """Record lines a killed run wrote but did not record; cut a torn last line.

    Returns the number of articles recorded. A complete, parseable line past the
    recorded offset was flushed before the kill, so its article *was* exported.
    """
    recovered = 0
    for path, committed in state.open_outputs().items():
        if path.endswith(WARC_SUFFIX):  # a WARC capture: no articles in it, only a torn tail
            _recover_warc(Path(path), committed)
        else:
            recovered += _recover_file(state, Path(path), committed)
        state.close_output(path)
    return recovered


def _recover_file(state: State, path: Path, committed: int) -> int:
    if not path.exists():
        logger.warning("output %s of an unfinished run is gone; cannot check it", path)
        return 0
    recovered = 0
    with path.open("r+b") as file:
        if file.seek(0, 2) < committed:
            logger.warning("output %s is shorter than recorded; it was changed by hand", path)
            return 0
        file.seek(committed)
        position = committed
        for line in file.read().splitlines(keepends=True):
            record = _parse(line)
            if record is None:
                file.truncate(position)
                logger.warning("repaired %s: cut a torn line at byte %d left by a killed run",
                               path, position)
                break
            position += len(line)
            if "event" in record:  # a removal ledger's line (newscrawl/output/ledger.py)
                recover_event(state, record, str(path), position)
                recovered += 1
                continue
            state.record_export(article_key(record["language"], record["article_id"]),
                                record["content_hash"], record.get("version", 1),
                                str(path), position)
            recovered += 1
    if recovered:
        logger.info("recovered %d article(s) written to %s by a killed run", recovered, path)
    return recovered


def _recover_warc(path: Path, committed: int) -> None:
    if not path.exists():
        logger.warning("WARC file %s of an unfinished run is gone; cannot check it", path)
        return
    try:
        cut_torn_tail(path, committed)
    except OSError as exc:
        raise OutputError(f"cannot repair the WARC file {path} of a killed run: {exc}") from exc


def _parse(line: bytes) -> dict | None:
    if not line.endswith(b"\n"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    needed = ("language", "article_id") + (("event",) if "event" in record
                                           else ("content_hash",))
    if any(key not in record for key in needed):
        return None
    return record
