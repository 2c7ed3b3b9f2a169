"""WARC capture: every request and response of a run, as WARC/1.1 records written by warcio.

A downloader middleware at 950, past Scrapy's own (the highest, DownloaderStats, is 850): it
sees each request last, with every header the stack added (User-Agent, Accept-Encoding, ...),
and each response first, before HttpCompressionMiddleware (590) decompresses it and before
the retry, redirect and robots.txt logic act on it. Every attempt is kept: a 503 retried is two
response records, as the server saw two requests. What Scrapy changed before this point, and
how the records mark it (see docs/warc.md):

- the body is de-chunked by Twisted's HTTP client; a ``Transfer-Encoding`` header is then
  renamed ``X-Archive-Orig-Transfer-Encoding`` (pywb's prefix for an original header no longer
  in force) and ``Content-Length`` states the stored length, so the record is a valid message;
- header names are in Scrapy's Title-Case, repeated headers are grouped, their order is
  Scrapy's; the reason phrase is the standard one for the status (Scrapy drops the server's);
- the request record holds the headers Scrapy sent plus ``Host`` (added by Twisted below us).

Each record is its own gzip member, written whole in one write and flushed before the next, so
a killed run leaves the file readable up to its last whole record; the file is journaled in the
state like a JSONL output, and the next run cuts a torn tail (newscrawl/output/recovery.py).
warcio's writer compresses at level 9 only; records are therefore built by warcio uncompressed
and gzipped here at NEWSCRAWL_WARC_GZIP_LEVEL (standard gzip members, as warcio writes them).

A payload already captured (same WARC-Payload-Digest, looked up in the state) is written as a
``revisit`` record of the identical-payload-digest profile, which holds the HTTP headers only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import io
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from newscrawl import __version__
from newscrawl.capture.members import WARC_SUFFIX, gzip_member
from newscrawl.discovery.removal import EVIDENCE_META
from newscrawl.run.config import setting
from newscrawl.run.errors import OutputError, RunError
from newscrawl.run.files import write_through
from newscrawl.run.places import in_project, run_stamp, started
from newscrawl.run.runtime import fail_run
from newscrawl.state.base import State
from newscrawl.state.keeper import StateKeeper, redis_url
from newscrawl.state.memory import MemoryState

# Settings that shape what a run fetches, named in the warcinfo record.
INFO_SETTINGS = ("USER_AGENT", "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY",
                 "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_TIMES", "NEWSCRAWL_REFRESH",
                 "NEWSCRAWL_MAX_ATTEMPTS")
ORIGINAL_PREFIX = "X-Archive-Orig-"


def warc_date(moment: dt.datetime) -> str:
    """WARC/1.1 date: UTC, microseconds, ``Z``."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio computes for ``body`` (``sha1:`` + base32)."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


def response_headers(response: Response) -> StatusAndHeaders:
    """The response's status line and headers, marked where the stored body differs."""
    pairs, length = [], str(len(response.body))
    for name, value in _pairs(response.headers):
        if name.lower() == "transfer-encoding":
            pairs.append((ORIGINAL_PREFIX + name, value))
        elif name.lower() == "content-length":
            pairs.append((name, length))  # the stored body's, in the server's place
        else:
            pairs.append((name, value))
    if not any(name.lower() == "content-length" for name, _ in pairs):
        pairs.append(("Content-Length", length))
    reason = http.client.responses.get(response.status, "")
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {reason}".strip(), pairs, protocol=protocol)


def request_headers(request: Request) -> StatusAndHeaders:
    """The request line and headers as sent (``Host`` added: Twisted sends it)."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = _pairs(request.headers)
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.insert(0, ("Host", parts.netloc))
    if request.body:
        pairs.append(("Content-Length", str(len(request.body))))
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", pairs, protocol="",
                            is_http_request=True)


def open_new_warc(directory: Path, started: dt.datetime, shared: bool) -> io.BufferedWriter:
    """A new ``<UTC start>.warc.gz``, ``-2``, ``-3``... added when a run of the same second
    has one; workers of a shared crawl add host and pid, as for the JSONL. Raises OSError."""
    name = run_stamp(started)
    if shared:
        name += f"-{socket.gethostname()}-{os.getpid()}"
    for attempt in range(1, 100):
        suffix = f"-{attempt}" if attempt > 1 else ""
        try:
            return (directory / f"{name}{suffix}{WARC_SUFFIX}").open("xb")
        except FileExistsError:
            continue
    raise FileExistsError(f"{directory / name}{WARC_SUFFIX} and 98 more exist")


class WarcCapture:
    """Downloader middleware writing request, response and revisit records of every fetch.

    NEWSCRAWL_WARC_DIR (default ``output/%(name)s/warc/``; empty: capture off, NotConfigured),
    NEWSCRAWL_WARC_GZIP_LEVEL (0-9). A write error (disk full) fails the run with the output
    status (4).
    """

    def __init__(self, crawler: Crawler, directory: Path, level: int) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = directory
        self.level = level
        self.fsync = setting(crawler.settings, "NEWSCRAWL_FSYNC")
        self.path: Path | None = None
        self._file: io.BufferedWriter | None = None
        self._failed = False
        self._started = dt.datetime.now(dt.timezone.utc)  # the run's, set at spider_opened
        self._state: State | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        configured = setting(crawler.settings, "NEWSCRAWL_WARC_DIR")
        if not configured:
            raise NotConfigured("NEWSCRAWL_WARC_DIR is empty: no WARC capture")
        level = setting(crawler.settings, "NEWSCRAWL_WARC_GZIP_LEVEL")
        if not 0 <= level <= 9:
            raise ValueError(f"NEWSCRAWL_WARC_GZIP_LEVEL={level}: use 0 to 9")
        directory = in_project(str(configured) % {"name": crawler.spidercls.name})
        return cls(crawler, directory, level)

    @property
    def state(self) -> State:
        """The run's state; without newscrawl's StateKeeper (a bare spider), one of its own:
        revisits within the run only, and no journal to repair a killed run's file by."""
        if self._state is None:
            keeper = self.crawler.get_extension(StateKeeper)
            self._state = keeper.state if keeper is not None else MemoryState()
        return self._state

    def spider_opened(self, spider: Spider) -> None:
        # The file is named by the run's start, but created at the first fetch: a run that
        # fetched nothing leaves no WARC of a lone warcinfo record.
        self._started = started(self.crawler)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._fail(OutputError(f"cannot create the WARC directory {self.directory}: {exc}"))

    def _open(self, spider: Spider) -> None:
        """The run's WARC file, journaled, with its warcinfo record first."""
        try:
            self._file = open_new_warc(self.directory, self._started,
                                       bool(redis_url(self.crawler.settings)))
            self.path = Path(self._file.name).resolve()
        except OSError as exc:
            self._fail(OutputError(f"cannot create a WARC file in {self.directory}: {exc}"))
            return
        try:
            # Journaled before the first record: a killed run's torn tail is cut next run.
            self.state.open_output(str(self.path), 0)
        except RunError as exc:
            self._fail(exc)
            return
        writer = WARCWriter(None, gzip=False, warc_version="1.1")
        info = {"software": f"newscrawl/{__version__} (Scrapy, warcio)",
                "format": "WARC File Format 1.1",
                "isPartOf": spider.name,
                "http-header-note": "header names and order as Scrapy keeps them;"
                                    " bodies de-chunked; see docs/warc.md",
                **{name: self.crawler.settings.get(name) for name in INFO_SETTINGS}}
        self._write([writer.create_warcinfo_record(self.path.name, info)])

    def process_response(self, request: Request, response: Response, spider: Spider | None = None
                         ) -> Response:
        if self._file is None and not self._failed:
            self._open(spider if spider is not None else self.crawler.spider)
        if self._file is not None and not self._failed:
            self._capture(request, response)
        return response

    def _capture(self, request: Request, response: Response) -> None:
        state = self.state
        writer = WARCWriter(None, gzip=False, warc_version="1.1")
        date = warc_date(dt.datetime.now(dt.timezone.utc))
        digest = payload_digest(response.body)
        headers: dict[str, str] = {"WARC-Date": date}
        if response.ip_address is not None:
            headers["WARC-IP-Address"] = str(response.ip_address)
        if "dataloss" in response.flags:  # Scrapy kept a body cut short by the server
            headers["WARC-Truncated"] = "disconnect"
        try:
            earlier = state.captured(digest) if response.body else None
        except RunError as exc:
            self._fail(exc)
            return
        if earlier is not None:
            record = writer.create_revisit_record(
                response.url, digest, earlier.uri, earlier.date,
                http_headers=response_headers(response), warc_headers_dict=headers)
        else:
            record = writer.create_warc_record(  # the digest given: warcio skips its own pass
                response.url, "response", payload=io.BytesIO(response.body),
                length=len(response.body), http_headers=response_headers(response),
                warc_headers_dict={**headers, "WARC-Payload-Digest": digest})
        body = io.BytesIO(request.body or b"")
        sent = writer.create_warc_record(
            request.url, "request", payload=body, length=len(request.body or b""),
            http_headers=request_headers(request),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To":
                               record.rec_headers.get_header("WARC-Record-ID")})
        if not self._write([record, sent]):
            return
        assert self.path is not None  # the removal ledger's evidence (issue 19)
        request.meta[EVIDENCE_META] = (self.path.name, record.rec_headers.get_header(
            "WARC-Record-ID"))
        self.stats.inc_value("newscrawl/warc/records", 2)
        if earlier is not None:
            self.stats.inc_value("newscrawl/warc/revisits")
            return
        try:
            state.record_captured(digest, response.url, date)
        except RunError as exc:
            self._fail(exc)

    def _write(self, records: list[ArcWarcRecord]) -> bool:
        """Append the records, each a gzip member, in one write; False (run failed) on error."""
        assert self._file is not None and self.path is not None
        data = b"".join(gzip_member(self._serialize(record), self.level) for record in records)
        start = self._file.tell()
        try:
            write_through(self._file, data, fsync=self.fsync)
        except OSError as exc:
            self._undo(start)
            self._fail(OutputError(f"cannot write the WARC file {self.path}: {exc}"))
            return False
        self.stats.inc_value("newscrawl/warc/bytes", len(data))
        return True

    @staticmethod
    def _serialize(record: ArcWarcRecord) -> bytes:
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=False, warc_version="1.1").write_record(record)
        return buffer.getvalue()

    def _undo(self, start: int) -> None:
        """A full disk may leave part of a record: cut it (else the next run does)."""
        assert self._file is not None and self.path is not None
        with contextlib.suppress(OSError):
            self._file.close()
        self._file = None
        with contextlib.suppress(OSError):
            os.truncate(self.path, start)

    def _fail(self, error: RunError) -> None:
        self._failed = True
        fail_run(self.crawler, error)

    def spider_closed(self) -> None:
        if self._file is None or self.path is None:
            return
        try:
            self._file.close()
        except OSError as exc:
            self._fail(OutputError(f"cannot write the WARC file {self.path}: {exc}"))
            return
        if not self._failed:
            self.state.close_output(str(self.path))
