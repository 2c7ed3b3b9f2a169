"""State of a single run, kept in memory: for crawls that must remember nothing."""

from __future__ import annotations

from newscrawl.state.base import RUNS_KEPT, Captured, Known, RunQuality


class MemoryState:
    def __init__(self) -> None:
        self._known: dict[str, Known] = {}
        self._owners: dict[str, str] = {}
        self._walked: set[str] = set()
        self._pending: dict[str, str] = {}
        self._captured: dict[str, Captured] = {}
        self._runs: list[RunQuality] = []

    def lookup(self, key: str) -> Known | None:
        return self._known.get(key)

    def record_pending(self, key: str, url: str) -> None:
        if key not in self._known:
            self._known[key] = Known("pending")
            self._pending[key] = url

    def pending_urls(self) -> list[str]:
        return list(self._pending.values())

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

    def close(self) -> None:
        pass
