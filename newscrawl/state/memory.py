"""State of a single run, kept in memory: for crawls that must remember nothing."""

from __future__ import annotations

import dataclasses

from newscrawl.state.base import RUNS_KEPT, Captured, Known, RunQuality, Schedule, Watch


class MemoryState:
    def __init__(self) -> None:
        self._known: dict[str, Known] = {}
        self._owners: dict[str, str] = {}
        self._walked: set[str] = set()
        self._pending: dict[str, str] = {}
        self._captured: dict[str, Captured] = {}
        self._runs: list[RunQuality] = []
        self._listings: dict[str, Schedule] = {}
        self._watermarks: dict[str, float] = {}
        self._lastmod: dict[str, float] = {}
        self._site: str | None = None
        self._watch: dict[str, Watch] = {}
        self._events: set[str] = set()

    def claim_site(self, site: str) -> str:
        if self._site is None:
            self._site = site
        return self._site

    def move_site(self, site: str) -> None:
        self._site = site

    def lookup(self, key: str) -> Known | None:
        return self._known.get(key)

    def record_pending(self, key: str, url: str) -> None:
        if key not in self._known:
            self._known[key] = Known("pending")
            self._pending[key] = url

    def pending(self, cursor: str, limit: int) -> tuple[list[str], str]:
        keys = sorted(key for key in self._pending if key > cursor)[:limit]
        return [self._pending[key] for key in keys], keys[-1] if len(keys) == limit else ""

    def claim(self, key: str, content_hash: str) -> str:
        return self._owners.setdefault(content_hash, key)

    def record_export(self, key: str, content_hash: str, version: int,
                      output: str | None, offset: int) -> None:
        self._known[key] = Known("exported", content_hash, version)
        self._pending.pop(key, None)
        self._owners.setdefault(content_hash, key)

    def record_copy(self, key: str, content_hash: str) -> None:
        self._known[key] = Known("copy", content_hash)
        self._pending.pop(key, None)

    def record_failure(self, key: str) -> None:
        previous = self._known.get(key)
        if previous is None or previous.status in ("pending", "failed"):
            self._known[key] = Known("failed", attempts=(previous.attempts if previous else 0) + 1)
            self._pending.pop(key, None)

    def archive_walked(self, archive: str) -> bool:
        return archive in self._walked

    def mark_archive_walked(self, archive: str) -> None:
        self._walked.add(archive)

    def listing_schedule(self, url: str) -> Schedule | None:
        return self._listings.get(url)

    def schedule_listing(self, url: str, schedule: Schedule) -> None:
        self._listings[url] = schedule

    def discover_listing(self, url: str, schedule: Schedule) -> bool:
        if url in self._listings:
            return False
        self._listings[url] = schedule
        return True

    def count_due_listings(self, now: float) -> int:
        return sum(s.due <= now for s in self._listings.values())

    def claim_due_listings(self, now: float, limit: int, lease: float) -> list[str]:
        due = sorted((s.due, url) for url, s in self._listings.items() if s.due <= now)
        claimed = [url for _, url in due[:max(0, limit)]]
        for url in claimed:
            self._listings[url] = Schedule(now + lease, self._listings[url].interval)
        return claimed

    def watermark(self, source: str) -> float | None:
        return self._watermarks.get(source)

    def set_watermark(self, source: str, value: float) -> None:
        self._watermarks[source] = value

    def article_lastmod(self, key: str) -> float | None:
        return self._lastmod.get(key)

    def set_article_lastmod(self, key: str, value: float) -> None:
        self._lastmod[key] = value

    def open_output(self, output: str, offset: int) -> None:
        pass

    def open_outputs(self) -> dict[str, int]:
        return {}

    def close_output(self, output: str) -> None:
        pass

    def captured(self, digest: str) -> Captured | None:
        return self._captured.get(digest)

    def record_captured(self, digest: str, uri: str, date: str) -> None:
        self._captured.setdefault(digest, Captured(uri, date))

    def record_run_quality(self, quality: RunQuality) -> None:
        self._runs = [quality, *self._runs][:RUNS_KEPT]

    def recent_run_quality(self, limit: int) -> list[RunQuality]:
        return self._runs[:limit]

    def watched(self, key: str) -> Watch | None:
        return self._watch.get(key)

    def watch(self, key: str, watch: Watch) -> None:
        self._watch[key] = watch

    def claim_due_revisits(self, now: float, limit: int, lease: float
                           ) -> list[tuple[str, Watch]]:
        due = sorted((w.due, key) for key, w in self._watch.items()
                     if w.due is not None and w.due <= now)
        claimed = [(key, self._watch[key]) for _, key in due[:max(0, limit)]]
        for key, watch in claimed:
            self._watch[key] = dataclasses.replace(watch, due=now + lease)
        return claimed

    def mark_listed(self, keys: list[str], at: float) -> list[tuple[str, Watch]]:
        removed = sorted((key, self._watch[key]) for key in set(keys)
                         if key in self._watch and self._watch[key].removed)
        for key in keys:
            if key in self._watch:
                self._watch[key] = dataclasses.replace(self._watch[key], listed=at)
        return removed

    def unlisted(self, listed_before: float, published_after: float, limit: int
                 ) -> list[tuple[str, Watch]]:
        found = sorted((key, w) for key, w in self._watch.items()
                       if not w.removed and w.published > published_after
                       and w.listed is not None and w.listed < listed_before)
        return found[:max(0, limit)]

    def claim_event(self, key: str, event: str) -> bool:
        if f"{key} {event}" in self._events:
            return False
        self._events.add(f"{key} {event}")
        return True

    def record_event(self, key: str, watch: Watch, output: str | None, offset: int) -> None:
        self._watch[key] = watch

    def close(self) -> None:
        pass
