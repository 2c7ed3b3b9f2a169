"""State of a single run, kept in memory: for crawls that must remember nothing."""

from __future__ import annotations

from newscrawl.state.base import Exported


class MemoryState:
    def __init__(self) -> None:
        self._exported: dict[str, Exported] = {}
        self._owners: dict[str, str] = {}
        self._walked: set[str] = set()

    def exported(self, key: str) -> Exported | None:
        return self._exported.get(key)

    def claim(self, key: str, content_hash: str) -> str:
        return self._owners.setdefault(content_hash, key)

    def record_export(self, key: str, content_hash: str, version: int,
                      output: str | None, offset: int) -> None:
        self._exported[key] = Exported(content_hash, version)
        self._owners.setdefault(content_hash, key)

    def archive_walked(self, archive: str) -> bool:
        return archive in self._walked

    def mark_archive_walked(self, archive: str) -> None:
        self._walked.add(archive)

    def open_outputs(self) -> dict[str, int]:
        return {}

    def close_output(self, output: str) -> None:
        pass

    def close(self) -> None:
        pass
