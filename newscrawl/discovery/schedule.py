"""When a listing is due again: an adaptive revisit schedule, as a pure function.

The rule is the one of Nutch's AdaptiveFetchSchedule and Heritrix's WaitEvaluator: a listing
whose page 1 showed something new comes back sooner, one that showed nothing new waits
longer, between bounds.

- first visit of a listing: the next one is ``INITIAL`` (1 day) × [0.5, 1.5) later, spread
  by a hash of its URL, so the listings a first crawl visits do not all fall due together;
- a visit whose first page showed an article the state did not know: interval ÷ 2;
- a visit that showed nothing new: interval × 1.5;
- the interval stays between ``MINIMUM`` (1 hour) and ``MAXIMUM`` (30 days).

A listing discovered on a site read through its sitemaps is not visited at once: its first
visit is spread over the next ``INITIAL`` × [0.5, 1.5) by a hash of its URL (`first_due`), so
that 10^5 tags found by one crawl do not all fall due in the same run.

Times are POSIX seconds (float, UTC); intervals are seconds.
"""

from __future__ import annotations

import zlib

# The value type is kept beside the State protocol that stores it (state/ imports no discovery).
from newscrawl.state.base import Schedule

HOUR = 3600.0
DAY = 24 * HOUR
MINIMUM = HOUR
MAXIMUM = 30 * DAY
INITIAL = DAY
SOONER = 0.5  # factor on a visit that found something new
LATER = 1.5  # factor on a visit that found nothing new
# A claimed listing is due again this long after its claim unless a visit is recorded: the
# length of a run (or of a round of Redis workers) with room to spare.
LEASE = HOUR


def _spread(url: str) -> float:
    """A stable factor in [0.5, 1.5) for a URL (crc32, not hash(): the same in every run)."""
    return 0.5 + (zlib.crc32(url.encode("utf-8")) % 1000) / 1000


def after_visit(previous: Schedule | None, visited_at: float, changed: bool,
                url: str = "") -> Schedule:
    """The schedule after a visit at `visited_at` whose first page did (not) show news.

    url: the listing's, to spread first intervals ("" gives exactly ``INITIAL``).
    """
    if previous is None or previous.interval <= 0:
        interval = INITIAL * (_spread(url) if url else 1.0)
    else:
        interval = previous.interval * (SOONER if changed else LATER)
    interval = min(MAXIMUM, max(MINIMUM, interval))
    return Schedule(visited_at + interval, interval)


def first_due(url: str, now: float, *, at_once: bool) -> Schedule:
    """The schedule of a listing just discovered: due now, or spread over the next days.

    at_once: the run has no sitemap to rely on, so the listing may hold articles nothing
    else reaches and is visited in this run.
    """
    if at_once:
        return Schedule(now)
    return Schedule(now + INITIAL * _spread(url))
