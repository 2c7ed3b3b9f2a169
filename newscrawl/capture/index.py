"""The index of captures behind `scrapy reparse`, on disk: memory that does not grow with them.

A directory of captures of the whole archive holds millions of records. The reparse needs, per
article, its latest capture, the same for each later page of a multi-page post (…/ID.html/N),
and, per payload digest, the record holding the payload (for a revisit). Kept in Python dicts
that grows with the records (~0.5 KB each); kept here in a temporary SQLite file, whose page
cache is bounded, and read back in capture order with a cursor. The file is deleted when the
index is closed (or the process ends).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

_SCHEMA = """
CREATE TABLE payload (digest TEXT PRIMARY KEY, path TEXT NOT NULL, offset INTEGER NOT NULL);
CREATE TABLE chosen (key TEXT PRIMARY KEY, ok INTEGER NOT NULL, date TEXT NOT NULL,
    ord INTEGER NOT NULL, url TEXT NOT NULL, status INTEGER NOT NULL, path TEXT NOT NULL,
    offset INTEGER NOT NULL, payload_path TEXT, payload_offset INTEGER);
CREATE TABLE page (key TEXT PRIMARY KEY, ok INTEGER NOT NULL, date TEXT NOT NULL,
    ord INTEGER NOT NULL, url TEXT NOT NULL, status INTEGER NOT NULL, path TEXT NOT NULL,
    offset INTEGER NOT NULL, payload_path TEXT, payload_offset INTEGER);
"""
_COLUMNS = "url, date, status, path, offset, payload_path, payload_offset"


@dataclass(frozen=True)
class Location:
    path: str
    offset: int


@dataclass(frozen=True)
class Capture:
    """One captured response of an article: where its record is, and where its payload is
    (the same record, or for a revisit the earlier record with the same payload digest)."""

    url: str
    date: str  # WARC-Date
    status: int
    record: Location
    payload: Location | None  # None: a revisit whose original is not among the files read


class CaptureIndex:
    """Latest capture per article key, by (a 200 first, then the newest WARC-Date); ties: the
    later record. Fill with `payload` and `offer`, then iterate in capture order."""

    def __init__(self) -> None:
        # Closed in close() (deleting it), not in a with block: it lives as long as the index.
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="newscrawl-reparse-", suffix=".db")
        self._db = sqlite3.connect(self._file.name)
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self._order = 0

    def payload(self, digest: str, where: Location) -> None:
        """A response record's payload: the first one of each digest is kept."""
        self._db.execute("INSERT OR IGNORE INTO payload VALUES (?, ?, ?)",
                         (digest, where.path, where.offset))

    def payload_of(self, digest: str) -> Location | None:
        row = self._db.execute("SELECT path, offset FROM payload WHERE digest = ?",
                               (digest,)).fetchone()
        return Location(*row) if row else None

    def offer(self, key: str, capture: Capture) -> None:
        """A capture of the article `key`: kept if it ranks at least as high as the kept one."""
        self._keep("chosen", key, capture)

    def offer_page(self, key: str, number: int, capture: Capture) -> None:
        """A capture of page `number` ≥ 2 of the multi-page post `key`, ranked the same way;
        not iterated, looked up by `page` when the post's chain asks for it."""
        self._keep("page", f"{key}/{number}", capture)

    def page(self, key: str, number: int) -> Capture | None:
        """The kept capture of page `number` of the post `key`, None if none was read."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM page WHERE key = ?",
                               (f"{key}/{number}",)).fetchone()
        return _capture(row) if row else None

    def _keep(self, table: str, key: str, capture: Capture) -> None:
        self._order += 1
        payload = capture.payload
        self._db.execute(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO"
            " UPDATE SET ok=excluded.ok, date=excluded.date, ord=excluded.ord,"
            " url=excluded.url, status=excluded.status, path=excluded.path,"
            " offset=excluded.offset, payload_path=excluded.payload_path,"
            " payload_offset=excluded.payload_offset"
            f" WHERE (excluded.ok, excluded.date) >= ({table}.ok, {table}.date)",
            (key, int(capture.status == 200), capture.date, self._order, capture.url,
             capture.status, capture.record.path, capture.record.offset,
             payload.path if payload else None, payload.offset if payload else None))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM chosen").fetchone()[0])

    def __iter__(self) -> Iterator[Capture]:
        """The chosen captures in capture order (the order their records were offered)."""
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM chosen ORDER BY ord"):
            yield _capture(row)

    def close(self) -> None:
        self._db.close()
        self._file.close()


def _capture(row: tuple) -> Capture:
    url, date, status, path, offset, payload_path, payload_offset = row
    payload = Location(payload_path, payload_offset) if payload_path else None
    return Capture(url, date, status, Location(path, offset), payload)
