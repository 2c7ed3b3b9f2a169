"""The removal-ledger part of SqliteState: watched articles, due revisits, claimed events.

One row per archived article (~150 bytes with its URL and the two indexes, measured in
docs/ledger.md); a run reads only the rows it needs: ``claim_due_revisits`` and
``unlisted`` are index range scans with a LIMIT.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from newscrawl.run.errors import StateError
from newscrawl.state.base import Watch

SCHEMA = """
CREATE TABLE IF NOT EXISTS watch (key TEXT PRIMARY KEY, url TEXT NOT NULL, published REAL
    NOT NULL, due REAL, found_by TEXT, seen REAL, listed REAL, suspect TEXT, since REAL,
    removed INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS watch_due ON watch (due) WHERE due IS NOT NULL;
CREATE INDEX IF NOT EXISTS watch_listed ON watch (listed) WHERE removed = 0;
CREATE TABLE IF NOT EXISTS event (key TEXT NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (key, event)) WITHOUT ROWID;
"""
_COLUMNS = "url, published, due, found_by, seen, listed, suspect, since, removed"
_CHUNK = 500  # keys a statement binds (SQLite allows 999 in old builds)


def _watch(row: Any) -> Watch:
    *fields, removed = row
    return Watch(*fields, removed=bool(removed))


def _row(key: str, watch: Watch) -> tuple[object, ...]:
    return (key, watch.url, watch.published, watch.due, watch.found_by, watch.last_seen_ok,
            watch.listed, watch.suspect, watch.since, int(watch.removed))


class SqliteWatch:
    """Mixed into SqliteState: needs its `_db` and `_explain`."""

    _db: sqlite3.Connection
    _explain: Callable[[sqlite3.Error], str]

    def watched(self, key: str) -> Watch | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM watch WHERE key = ?", (key,)).fetchone()
        return _watch(row) if row else None

    def watch(self, key: str, watch: Watch) -> None:
        try:
            self._db.execute("INSERT OR REPLACE INTO watch VALUES (?,?,?,?,?,?,?,?,?,?)",
                             _row(key, watch))
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc

    def claim_due_revisits(self, now: float, limit: int, lease: float
                           ) -> list[tuple[str, Watch]]:
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                rows = self._db.execute(
                    f"SELECT key, {_COLUMNS} FROM watch WHERE due IS NOT NULL AND due <= ?"
                    " ORDER BY due, key LIMIT ?", (now, max(0, limit))).fetchall()
                self._db.executemany("UPDATE watch SET due = ? WHERE key = ?",
                                     [(now + lease, row[0]) for row in rows])
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc
        return [(row[0], _watch(row[1:])) for row in rows]

    def mark_listed(self, keys: list[str], at: float) -> list[tuple[str, Watch]]:
        removed: list[Any] = []
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                # Primary-key look-ups, a chunk at a time (SQLite's bound-parameter limit).
                for start in range(0, len(keys), _CHUNK):
                    chunk = keys[start:start + _CHUNK]
                    removed += self._db.execute(
                        f"SELECT key, {_COLUMNS} FROM watch WHERE removed = 1 AND key IN"
                        f" ({','.join('?' * len(chunk))})", chunk).fetchall()
                self._db.executemany("UPDATE watch SET listed = ? WHERE key = ?",
                                     [(at, key) for key in keys])
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc
        return sorted((row[0], _watch(row[1:])) for row in removed)

    def unlisted(self, listed_before: float, published_after: float, limit: int
                 ) -> list[tuple[str, Watch]]:
        rows = self._db.execute(
            f"SELECT key, {_COLUMNS} FROM watch WHERE removed = 0"
            " AND listed < ? AND published > ? ORDER BY key LIMIT ?",
            (listed_before, published_after, max(0, limit))).fetchall()
        return [(row[0], _watch(row[1:])) for row in rows]

    def claim_event(self, key: str, event: str) -> bool:
        try:
            cursor = self._db.execute("INSERT OR IGNORE INTO event VALUES (?, ?)", (key, event))
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc
        return cursor.rowcount == 1

    def record_event(self, key: str, watch: Watch, output: str | None, offset: int) -> None:
        try:
            with self._db:  # the watch and the ledger's offset move together
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("INSERT OR REPLACE INTO watch VALUES (?,?,?,?,?,?,?,?,?,?)",
                                 _row(key, watch))
                if output is not None:
                    self._db.execute("INSERT OR REPLACE INTO output (path, committed)"
                                     " VALUES (?, ?)", (output, offset))
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc
