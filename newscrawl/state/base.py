"""What is kept between runs, behind one small interface.

Implementations: `MemoryState` (one run, nothing kept), `SqliteState` (one machine)
and `RedisState` (several machines sharing one Redis). Keys name an article in one
language: ``zh-Hans:1862899``; the same post in Traditional characters is another record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Status = Literal["pending", "exported", "copy", "failed"]


@dataclass(frozen=True)
class Known:
    """What earlier runs learnt of an article.

    pending: found, not yet exported (a killed run's in-flight articles stay here);
    exported: written with ``content_hash`` as ``version``; copy: its text is another
    post's (never exported); failed: fetched ``attempts`` times without yielding an article.
    """

    status: Status
    content_hash: str | None = None
    version: int = 0
    attempts: int = 0


@dataclass(frozen=True)
class Schedule:
    """A listing's place in its revisit schedule: when it is due and its current interval.

    POSIX seconds (UTC). ``interval`` is 0 for a listing never visited (discovered only).
    The rule that moves it lives in newscrawl.discovery.schedule.
    """

    due: float
    interval: float = 0.0


# --- Capture and markup drift (issue 12) ------------------------------------------------


RUNS_KEPT = 100  # run figures each state keeps for the drift baseline


@dataclass(frozen=True)
class Captured:
    """A payload already written to a WARC file: what a revisit record refers to."""

    uri: str  # WARC-Target-URI of the record holding the payload
    date: str  # its WARC-Date (ISO 8601, UTC)


@dataclass(frozen=True)
class RunQuality:
    """What one run's parser found, kept to tell a redesign of the site from a normal run.

    pages: article pages parsed (articles + extraction failures); failures: those that gave
    no article for a markup reason (no title, no body); coverage: field -> share (0..1) of
    the run's articles where it is present and non-empty; drift: the run raised the alarm
    (such runs are left out of later baselines).
    """

    finished_at: str
    pages: int
    failures: int
    coverage: dict[str, float]
    drift: bool = False


# --- Removal ledger (issue 19) ---------------------------------------------------------


@dataclass(frozen=True)
class Watch:
    """An archived article watched for removal (newscrawl.discovery.removal moves it).

    Times are POSIX seconds (UTC). published: its URL date or sitemap ``lastmod``; due: when
    it is refetched next (None: no revisit planned); found_by: why it is due
    (``revisit``, ``sitemap_missing``); last_seen_ok: the last fetch that returned the
    article; listed: the last time a sitemap listed it; suspect/since: how an unconfirmed
    removal answered (``http_404``, ``http_410``, ``redirect``, ``soft_404``) and when it was
    first seen; removed: reported removed and not restored since.
    """

    url: str
    published: float
    due: float | None = None
    found_by: str | None = None
    last_seen_ok: float | None = None
    listed: float | None = None
    suspect: str | None = None
    since: float | None = None
    removed: bool = False


def article_key(language: str, article_id: str) -> str:
    return f"{language}:{article_id}"


class State(Protocol):
    def lookup(self, key: str) -> Known | None:
        """What is known of an article, or None if no run has seen it."""

    def record_pending(self, key: str, url: str) -> None:
        """An article this run will fetch; a no-op if anything is known of it already."""

    def pending(self, cursor: str, limit: int) -> tuple[list[str], str]:
        """URLs of pending articles (found, never exported, copied or failed), a page at a time.

        ``cursor`` is "" to begin a pass, else what the previous page returned; returns about
        ``limit`` URLs and the cursor after them, "" once the pass has given every article
        pending throughout it (one recorded during a pass may wait for the next pass, and a
        pass may give one twice). Memory stays a page's, whatever the number pending.
        """

    def claim(self, key: str, content_hash: str) -> str:
        """Claim a text for an article; returns the key that owns it (``key`` if free).

        Atomic across processes sharing the state, so two copies of one text
        fetched at once by two workers are not both exported.
        """

    def record_export(self, key: str, content_hash: str, version: int,
                      output: str | None, offset: int) -> None:
        """Mark an article exported once its line is flushed to ``output`` up to ``offset``."""

    def record_copy(self, key: str, content_hash: str) -> None:
        """The article repeats a text another key owns: known, never to be exported."""

    def record_failure(self, key: str) -> None:
        """One more fetch of the article gave no article (404, empty, not HTML, no body)."""

    def claim_site(self, site: str) -> str:
        """The site the state belongs to (scheme and host of its first run's start URLs).

        Records `site` if the state holds none yet (atomic across processes sharing it) and
        returns it; else returns the site recorded, which the caller compares (issue 17: one
        archive, one site; newscrawl.state.keeper refuses a run on another site).
        """

    def move_site(self, site: str) -> None:
        """The site moved to `site` (its articles redirect there): the state belongs to it."""

    def archive_walked(self, archive: str) -> bool:
        """Whether a listing was once paged to its end, so known pages may end a walk."""

    def mark_archive_walked(self, archive: str) -> None: ...

    # --- Discovery (newscrawl.discovery): listing schedule, sitemap watermarks, lastmod ----
    # Times are POSIX seconds. Listings are named by the canonical URL of their first page.

    def listing_schedule(self, url: str) -> Schedule | None:
        """When a listing is due and its revisit interval; None if never discovered."""

    def schedule_listing(self, url: str, schedule: Schedule) -> None:
        """Set a listing's schedule (after a visit)."""

    def discover_listing(self, url: str, schedule: Schedule) -> bool:
        """Add a listing with `schedule` unless known; True if it was new."""

    def count_due_listings(self, now: float) -> int:
        """How many listings are due at `now` (claimed or not, a run visits at most a budget)."""

    def claim_due_listings(self, now: float, limit: int, lease: float) -> list[str]:
        """Up to `limit` listings due at `now`, most overdue first, claimed for one visit.

        Atomic across processes: each claimed listing is made due at ``now + lease``, so
        another worker of the round does not get it, and a run killed before recording
        its visit (schedule_listing) finds it due again once the lease is over.
        """

    def watermark(self, source: str) -> float | None:
        """The newest sitemap `lastmod` a finished run took in from `source`; None if none."""

    def set_watermark(self, source: str, value: float) -> None: ...

    def article_lastmod(self, key: str) -> float | None:
        """The `lastmod` (or fetch time) of the version of an article the archive holds."""

    def set_article_lastmod(self, key: str, value: float) -> None: ...

    # --- Output files ---------------------------------------------------------------------

    def open_output(self, output: str, offset: int) -> None:
        """A run starts writing ``output`` at ``offset``: journal it before its first line."""

    def open_outputs(self) -> dict[str, int]:
        """Output files of runs that did not close them, with the bytes recorded as exported."""

    def close_output(self, output: str) -> None:
        """The run closed ``output`` cleanly: nothing past its recorded offset to recover."""

    # --- Capture (issue 12): payload digests already captured, for WARC revisit records ---
    def captured(self, digest: str) -> Captured | None:
        """Where a payload with this WARC-Payload-Digest was first written, if ever."""

    def record_captured(self, digest: str, uri: str, date: str) -> None:
        """A record holding this payload is on disk; the first one stays the reference."""

    # --- Markup drift (issue 12): per-run extraction figures --------------------------
    def record_run_quality(self, quality: RunQuality) -> None:
        """Keep one finished run's figures (the newest 100 are kept)."""

    def recent_run_quality(self, limit: int) -> list[RunQuality]:
        """The newest ``limit`` runs' figures, newest first."""

    # --- Removal ledger (issue 19): watched articles, their revisits, events ---------------
    def watched(self, key: str) -> Watch | None:
        """What is known of an article's presence on the site; None if never watched."""

    def watch(self, key: str, watch: Watch) -> None:
        """Set an article's watch (after a fetch, or to make it due)."""

    def claim_due_revisits(self, now: float, limit: int, lease: float
                           ) -> list[tuple[str, Watch]]:
        """Up to `limit` watched articles due at `now`, oldest due first, claimed.

        Atomic across processes, as claim_due_listings: each is made due at ``now + lease``
        (the watch returned is as it was before), so no other worker gets it and a killed
        run finds it due again. Loads only what it returns (an index on ``due``).
        """

    def mark_listed(self, keys: list[str], at: float) -> list[tuple[str, Watch]]:
        """A sitemap listed these articles at `at`; keys not watched are ignored. Returns the
        removed ones among them, by key, as they were (one read of the keys listed)."""

    def unlisted(self, listed_before: float, published_after: float, limit: int
                 ) -> list[tuple[str, Watch]]:
        """Watched articles not removed that no sitemap listed since `listed_before` (one never
        listed is not), published after `published_after`, by key: candidates (<= `limit`)."""

    def claim_event(self, key: str, event: str) -> bool:
        """True for the first caller only (atomic across processes): `event` of `key` (e.g.
        ``removed@<first observed>``) is this worker's to write to the ledger."""

    def record_event(self, key: str, watch: Watch, output: str | None, offset: int) -> None:
        """An event's line is flushed to `output` up to `offset`: the watch and the offset
        move together (as record_export), so a killed run's recovery sees what is new."""

    def close(self) -> None: ...
