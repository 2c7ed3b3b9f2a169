"""State of a single machine in one SQLite file: no server, survives kill -9 (WAL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path

from newscrawl.run.errors import StateError
from newscrawl.state.base import RUNS_KEPT, Captured, Known, RunQuality, Schedule
from newscrawl.state.sqlite_watch import SCHEMA as WATCH_SCHEMA
from newscrawl.state.sqlite_watch import SqliteWatch

# Marks the file as ours, so a stray SQLite file in the state dir is refused, not adopted.
_APPLICATION_ID = 0x6E637277  # "ncrw"
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS article (
    key TEXT PRIMARY KEY, status TEXT NOT NULL, content_hash TEXT, version INTEGER NOT NULL,
    attempts INTEGER NOT NULL, url TEXT, updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_pending ON article (status) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS content (hash TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS archive (url TEXT PRIMARY KEY, walked_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS listing (url TEXT PRIMARY KEY, due REAL NOT NULL,
    interval REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS listing_due ON listing (due);
CREATE TABLE IF NOT EXISTS watermark (source TEXT PRIMARY KEY, value REAL NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lastmod (key TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS output (path TEXT PRIMARY KEY, committed INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS payload (digest TEXT PRIMARY KEY, uri TEXT NOT NULL,
    date TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_quality (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
""" + WATCH_SCHEMA
RESET_HINT = "to start over on purpose, move the state dir away (see README: Resetting state)"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class SqliteState(SqliteWatch):
    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
            self._check_and_migrate()
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "locked" in text or "busy" in text:
            what = "is locked by another process"
        elif "not a database" in text or "malformed" in text or "corrupt" in text:
            what = "is corrupt"
        elif "readonly" in text or "unable to open" in text or "disk I/O" in text:
            what = "cannot be written"
        else:
            what = "is unusable"
        return f"state database {self.path} {what} ({text}); {RESET_HINT}"

    def _check_and_migrate(self) -> None:
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables and app_id != _APPLICATION_ID:
            raise sqlite3.DatabaseError("file is not a newscrawl state database")
        if tables and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("quick_check failed: database disk image is malformed")
        db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL survives a killed process; only a power loss may drop the last commits.
        db.execute("PRAGMA synchronous=NORMAL")
        # BEGIN IMMEDIATE proves now, not mid-run, that the file is writable and not locked.
        db.execute("BEGIN IMMEDIATE")
        for statement in filter(str.strip, _SCHEMA.split(";")):
            db.execute(statement)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > _SCHEMA_VERSION:
            db.execute("ROLLBACK")
            raise sqlite3.DatabaseError(f"written by a newer newscrawl (schema {version})")
        db.execute(f"PRAGMA application_id={_APPLICATION_ID}")
        db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        db.execute("COMMIT")

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        try:
            self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc

    def claim_site(self, site: str) -> str:
        self._write("INSERT OR IGNORE INTO meta (name, value) VALUES ('site', ?)", (site,))
        return self._db.execute("SELECT value FROM meta WHERE name = 'site'").fetchone()[0]

    def move_site(self, site: str) -> None:
        self._write("INSERT OR REPLACE INTO meta (name, value) VALUES ('site', ?)", (site,))

    def lookup(self, key: str) -> Known | None:
        row = self._db.execute("SELECT status, content_hash, version, attempts FROM article"
                               " WHERE key = ?", (key,)).fetchone()
        return Known(*row) if row else None  # type: ignore[arg-type]

    def record_pending(self, key: str, url: str) -> None:
        self._write("INSERT OR IGNORE INTO article VALUES (?, 'pending', NULL, 0, 0, ?, ?)",
                    (key, url, _now()))

    def pending(self, cursor: str, limit: int) -> tuple[list[str], str]:
        # In key order, from the partial index article_pending (status, then the primary key).
        rows = self._db.execute("SELECT key, url FROM article WHERE status = 'pending'"
                                " AND key > ? ORDER BY key LIMIT ?", (cursor, limit)).fetchall()
        return [row[1] for row in rows], rows[-1][0] if len(rows) == limit else ""

    def claim(self, key: str, content_hash: str) -> str:
        self._write("INSERT OR IGNORE INTO content (hash, key) VALUES (?, ?)", (content_hash, key))
        row = self._db.execute("SELECT key FROM content WHERE hash = ?", (content_hash,)).fetchone()
        return row[0]

    def record_export(self, key: str, content_hash: str, version: int,
                      output: str | None, offset: int) -> None:
        try:
            with self._db:  # one transaction: the article and the file offset move together
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR REPLACE INTO article VALUES (?, 'exported', ?, ?, 0, NULL, ?)",
                    (key, content_hash, version, _now()))
                self._db.execute("INSERT OR IGNORE INTO content (hash, key) VALUES (?, ?)",
                                 (content_hash, key))
                if output is not None:
                    self._db.execute("INSERT OR REPLACE INTO output (path, committed)"
                                     " VALUES (?, ?)", (output, offset))
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc

    def record_copy(self, key: str, content_hash: str) -> None:
        self._write("INSERT OR REPLACE INTO article VALUES (?, 'copy', ?, 0, 0, NULL, ?)",
                    (key, content_hash, _now()))

    def record_failure(self, key: str) -> None:
        self._write(
            "INSERT INTO article VALUES (?, 'failed', NULL, 0, 1, NULL, ?) ON CONFLICT (key)"
            " DO UPDATE SET attempts = CASE status WHEN 'failed' THEN attempts + 1 ELSE 1 END,"
            " status = 'failed', url = NULL, updated_at = excluded.updated_at"
            " WHERE status IN ('pending', 'failed')", (key, _now()))

    def archive_walked(self, archive: str) -> bool:
        return self._db.execute(
            "SELECT 1 FROM archive WHERE url = ?", (archive,)).fetchone() is not None

    def mark_archive_walked(self, archive: str) -> None:
        self._write("INSERT OR REPLACE INTO archive (url, walked_at) VALUES (?, ?)",
                    (archive, _now()))

    def listing_schedule(self, url: str) -> Schedule | None:
        row = self._db.execute("SELECT due, interval FROM listing WHERE url = ?",
                               (url,)).fetchone()
        return Schedule(*row) if row else None

    def schedule_listing(self, url: str, schedule: Schedule) -> None:
        self._write("INSERT OR REPLACE INTO listing (url, due, interval) VALUES (?, ?, ?)",
                    (url, schedule.due, schedule.interval))

    def discover_listing(self, url: str, schedule: Schedule) -> bool:
        try:
            cursor = self._db.execute("INSERT OR IGNORE INTO listing (url, due, interval)"
                                      " VALUES (?, ?, ?)", (url, schedule.due, schedule.interval))
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc
        return cursor.rowcount == 1

    def count_due_listings(self, now: float) -> int:
        return self._db.execute("SELECT count(*) FROM listing WHERE due <= ?",
                                (now,)).fetchone()[0]

    def claim_due_listings(self, now: float, limit: int, lease: float) -> list[str]:
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                urls = [row[0] for row in self._db.execute(
                    "SELECT url FROM listing WHERE due <= ? ORDER BY due, url LIMIT ?",
                    (now, max(0, limit)))]
                self._db.executemany("UPDATE listing SET due = ? WHERE url = ?",
                                     [(now + lease, url) for url in urls])
        except sqlite3.Error as exc:
            raise StateError(self._explain(exc)) from exc
        return urls

    def watermark(self, source: str) -> float | None:
        row = self._db.execute("SELECT value FROM watermark WHERE source = ?",
                               (source,)).fetchone()
        return row[0] if row else None

    def set_watermark(self, source: str, value: float) -> None:
        self._write("INSERT OR REPLACE INTO watermark (source, value) VALUES (?, ?)",
                    (source, value))

    def article_lastmod(self, key: str) -> float | None:
        row = self._db.execute("SELECT value FROM lastmod WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_article_lastmod(self, key: str, value: float) -> None:
        self._write("INSERT OR REPLACE INTO lastmod (key, value) VALUES (?, ?)", (key, value))

    def open_output(self, output: str, offset: int) -> None:
        self._write("INSERT OR REPLACE INTO output (path, committed) VALUES (?, ?)",
                    (output, offset))

    def open_outputs(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT path, committed FROM output").fetchall())

    def close_output(self, output: str) -> None:
        self._write("DELETE FROM output WHERE path = ?", (output,))

    def captured(self, digest: str) -> Captured | None:
        row = self._db.execute("SELECT uri, date FROM payload WHERE digest = ?",
                               (digest,)).fetchone()
        return Captured(*row) if row else None

    def record_captured(self, digest: str, uri: str, date: str) -> None:
        self._write("INSERT OR IGNORE INTO payload VALUES (?, ?, ?)", (digest, uri, date))

    def record_run_quality(self, quality: RunQuality) -> None:
        self._write("INSERT INTO run_quality (data) VALUES (?)",
                    (json.dumps(dataclasses.asdict(quality)),))
        self._write("DELETE FROM run_quality WHERE id <= (SELECT max(id) FROM run_quality) - ?",
                    (RUNS_KEPT,))

    def recent_run_quality(self, limit: int) -> list[RunQuality]:
        rows = self._db.execute("SELECT data FROM run_quality ORDER BY id DESC LIMIT ?",
                                (limit,)).fetchall()
        return [RunQuality(**json.loads(row[0])) for row in rows]

    def close(self) -> None:
        self._db.close()
