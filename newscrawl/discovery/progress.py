"""What one run of the planner keeps while it runs: its clock, phase, posts and listings.

Plain records, one job per field, read and written by newscrawl.discovery.planner only. None
of this outlives the run: what does is written to the state when the run finishes.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from enum import IntEnum

from pyroaring import BitMap64

from newscrawl.discovery.postids import post_ids


class Phase(IntEnum):
    """Where a run is in its order (docs/discovery.md); each idle moment moves it on."""

    SOURCES = 0  # robots.txt, sitemaps and feeds are being read
    FRONT = 1  # the front page (the start URLs) is being read
    DUE = 2  # the listings due in the schedule are being read
    DISCOVERED = 3  # listings discovered since, until none is left


@dataclass
class Posts:
    """Post ids of the run's language (URL digits) in Roaring bitmaps: a few bytes an id, where
    a Python set of ints costs ~60 (newscrawl.discovery.postids)."""

    found: BitMap64 = field(default_factory=post_ids)  # an article request was sent out
    exported: BitMap64 = field(default_factory=post_ids)  # taken in by the pipelines this run


@dataclass
class Listings:
    """The listings of one run, by archive (the canonical URL of the listing's page 1)."""

    seen: set[str] = field(default_factory=set)  # discovered, claimed or visited: not again
    claimed: set[str] = field(default_factory=set)  # page 1 requested by this run
    undecided: list[str] = field(default_factory=list)  # met before it was known whether
    # the site has sitemaps (put into the schedule once phase SOURCES ends)
    waiting: dict[str, None] = field(default_factory=dict)  # to request at the next idle
    visited: dict[str, bool] = field(default_factory=dict)  # page 1 answered: showed news?
    walked: set[str] = field(default_factory=set)  # their walk ended by itself
    shown: dict[str, set[int]] = field(default_factory=dict)  # post ids each one's pages showed


def clock(setting: str | None) -> float:
    """NEWSCRAWL_NOW (ISO 8601, for tests and benchmarks that simulate days), else now."""
    if not setting:
        return time.time()
    try:
        moment = dt.datetime.fromisoformat(setting)
    except ValueError:
        raise ValueError(f"NEWSCRAWL_NOW={setting!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()
