"""JSON Lines exporter that records an article as exported only once its line is on disk.

Each line is written whole and flushed before the state records the article with the
file's new length. A killed run therefore leaves at most lines the state has not
recorded yet; the next run finds them past the recorded length (see recovery.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes

from newscrawl.output.feeds import ExportLedger
from newscrawl.run.config import setting
from newscrawl.run.errors import OutputError, RunError
from newscrawl.run.files import write_through
from newscrawl.run.runtime import fail_run
from newscrawl.state.base import State
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)

LINES_STAT = "newscrawl/lines_written"  # over all JSON Lines feeds (usually one)


def file_path(file: IO[bytes]) -> str | None:
    """Absolute path of a regular local file; None for devices, pipes and compressed streams."""
    name = getattr(file, "name", None)
    if not isinstance(name, str) or not name or name.startswith("<"):
        return None
    try:
        file.tell()
    except (OSError, ValueError, AttributeError):
        return None
    path = Path(name).resolve()
    return str(path) if path.is_file() else None


def unwritable_feed(uri: str) -> str | None:
    """Why a local feed URI cannot be written, checked before the crawl spends requests.

    The part of the path before any %(param)s placeholder must lead to a writable directory
    (or to one that can be created); otherwise every article would fail to export.
    """
    if "://" in uri and not uri.startswith("file://"):
        return None
    path = uri.removeprefix("file://").split("%(", 1)[0]
    directory = Path(path) if path.endswith("/") else Path(path).parent
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    if not directory.is_dir():
        return f"output {uri} cannot be written: {directory} is not a directory"
    if not os.access(directory, os.W_OK):
        return f"output {uri} cannot be written: {directory} is not writable"
    return None


class OutputPreflight:
    """Fails the run at its start when a feed's file could not be written at all."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutputPreflight:
        return cls(crawler)

    def spider_opened(self) -> None:
        for uri in self.crawler.settings.getdict("FEEDS"):
            problem = unwritable_feed(str(uri))
            if problem:
                fail_run(self.crawler, OutputError(problem))
                return


class CommittingJsonLinesExporter(JsonLinesItemExporter):
    def __init__(self, file: IO[bytes], *, crawler: Crawler, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)
        self._crawler = crawler
        self._path = file_path(file)
        self._fsync = setting(crawler.settings, "NEWSCRAWL_FSYNC")
        self._state: State = state_of(crawler)
        self._failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: IO[bytes], **kwargs: Any
                     ) -> CommittingJsonLinesExporter:
        return cls(file, crawler=crawler, **kwargs)

    def start_exporting(self) -> None:
        super().start_exporting()
        if self._path:
            # Journaled before the first line: a kill between that line's flush and its
            # record leaves bytes past this offset, which the next run recovers.
            try:
                self._state.open_output(self._path, self.file.tell())
            except RunError as exc:
                self._fail(exc)

    def export_item(self, item: Any) -> None:
        if self._failed:  # after a write error nothing more may be counted as exported
            return
        line = self.encoder.encode(dict(self.get_serialized_fields(item))) + "\n"
        payload = to_bytes(line, self.encoding)
        start = self.file.tell() if self._path else 0
        try:
            write_through(self.file, payload, fsync=self._fsync)
        except OSError as exc:
            self._undo_partial_line(start)
            self._fail(OutputError(f"cannot write {self._path or 'the output'}: {exc};"
                                   " articles not written stay unexported for the next run"))
            return
        try:
            # Recorded exported once every feed has written it (usually this one alone).
            ExportLedger.of(self._crawler).written(item, self._path, start + len(payload))
        except RunError as exc:
            self._fail(exc)
            return
        assert self._crawler.stats is not None
        self._crawler.stats.inc_value(LINES_STAT)

    def finish_exporting(self) -> None:
        super().finish_exporting()
        if self._path and not self._failed:
            self._state.close_output(self._path)

    def _undo_partial_line(self, start: int) -> None:
        """A full disk may leave part of a line: cut it so the file stays valid JSON Lines."""
        if not self._path:
            return
        with contextlib.suppress(OSError):
            self.file.flush()
        try:
            os.truncate(self._path, start)
        except OSError as exc:
            logger.error("could not cut the partial line at byte %d of %s (%s);"
                         " the next run repairs it", start, self._path, exc)

    def _fail(self, error: RunError) -> None:
        self._failed = True
        fail_run(self._crawler, error)
