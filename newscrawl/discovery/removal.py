"""When a watched article is refetched, and what its answers amount to: the removal rules.

Pure functions over newscrawl.state.base.Watch; the ledger (newscrawl.output.ledger) applies
them at the end of a run that can be trusted, and writes the events they return.

Where the rules come from (issue 19): most deletions of news happen within a day of
publication and almost all within a week (GDELT; studies of Weibo censorship), so each
article is refetched about a day and about a week after it was published. A removal is
reported only when two fetches at least an hour apart (by the run's clock, NEWSCRAWL_NOW
included) gave the same answer: a removal reported on a transient fault is worse than none.

What counts (``how``): ``http_404``, ``http_410``, ``redirect`` (to a page that is not this
post: the front page, a category, a search page), ``soft_404`` (the theme's "not found"
page served with 200). A redirect to another post is a move, not a removal; every other
answer (5xx, 429, 403, a challenge, a timeout, robots.txt) says nothing and is not an Answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from newscrawl.discovery import urls
from newscrawl.reasons import GONE_STATUSES, http
from newscrawl.state.base import Watch

HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY
CONFIRM_AFTER = HOUR  # the second of two same answers comes at least this long after the first
STAGES = (DAY, WEEK)  # revisits after publication
# A removed post is looked at again for its restoration: daily for a week, then weekly.
RESTORE_CHECKS = ((WEEK, DAY), (float("inf"), WEEK))
HOWS = ("http_404", "http_410", "redirect", "soft_404")
REVISIT, SITEMAP_MISSING, LISTING = "revisit", "sitemap_missing", "listing"
# Request meta: (article key, found_by) of a revisit; the WARC record of a response, set by
# newscrawl.capture.warc (file name, WARC-Record-ID), the proof an event points to.
REVISIT_META = "revisit"
EVIDENCE_META = "warc_record"
REDIRECT_META = "redirect_refused"  # (target URL, status) of a redirect refused (transport)


@dataclass(frozen=True)
class Answer:
    """What one refetch of a watched article gave: its article (how None) or a removal."""

    key: str
    url: str
    how: str | None
    http_status: int | None = None
    redirect_to: str | None = None
    found_by: str = LISTING
    evidence: tuple[str, str] | None = None  # (WARC file name, WARC-Record-ID)
    lastmod: float | None = None  # its sitemap lastmod, when a sitemap sent it


@dataclass(frozen=True)
class Event:
    """A confirmed removal or a restoration, as the ledger writes it (with the answer)."""

    event: str  # "removed" or "restored"
    first_observed: float  # POSIX seconds
    confirmed_at: float
    found_by: str
    claim: str  # the same for every worker that sees this event (State.claim_event)


def how_of_status(status: int) -> str | None:
    """``http_404`` / ``http_410`` for a gone post; None for any other status (says nothing)."""
    # The reasons table's names (newscrawl/reasons.py): gone posts are its GONE_STATUSES.
    return http(status).name if status in GONE_STATUSES else None


def how_of_redirect(url: str, target: str) -> str | None:
    """``redirect`` when `url` (an article) is redirected to a page that is not a post; None
    when `target` is a post (the same one: followed; another: a move, not a removal)."""
    return None if urls.article_ref(target) is not None else "redirect"


def published_at(url: str, lastmod: float | None) -> float:
    """When an article was published, POSIX seconds: its URL date (midnight UTC), else its
    sitemap `lastmod`, else 0 (unknown: no revisit stage is ahead of it)."""
    ref = urls.article_ref(url)
    if ref is not None and ref.published:
        try:
            day = dt.datetime.strptime(ref.published, "%Y-%m-%d")
        except ValueError:
            day = None
        if day is not None:
            return day.replace(tzinfo=dt.timezone.utc).timestamp()
    return lastmod or 0.0


def next_stage(published: float, now: float) -> float | None:
    """The next revisit after publication still ahead of `now` (a day, a week), else None."""
    return next((published + stage for stage in STAGES if published + stage > now), None)


def first_watch(url: str, published: float, now: float) -> Watch:
    """The watch of an article seen whole for the first time at `now` (listed now, too)."""
    due = next_stage(published, now)
    return Watch(url, published, due=due, found_by=REVISIT if due else None,
                 last_seen_ok=now, listed=now)


def listed_again(watch: Watch) -> bool:
    """Whether a listing of this watched post (a sitemap file, a listing page) is the first
    since its removal was first seen: a removed post listed again is refetched at once, but a
    site that keeps listing a removed post must not cost a refetch every run."""
    return watch.removed and (watch.listed or 0.0) < (watch.since or 0.0)


def _restore_check(watch: Watch, now: float) -> float:
    since = watch.since or now
    return now + next(every for until, every in RESTORE_CHECKS if now - since < until)


def observe(watch: Watch, answer: Answer, now: float) -> tuple[Watch, Event | None]:
    """The watch after `answer` came at `now`, and the event it confirms, if any.

    The article back: restored if it was reported removed; the next revisit stage. A
    removal: first seen (suspect, refetched an hour later at the earliest), confirmed (the
    same `how` at least CONFIRM_AFTER after the first: removed), or already reported.
    """
    if answer.how is None:
        due = next_stage(watch.published, now)
        event = (Event("restored", now, now, answer.found_by, f"restored@{watch.since}")
                 if watch.removed else None)
        return Watch(answer.url if not watch.removed else watch.url, watch.published, due,
                     REVISIT if due else None, now, watch.listed), event
    if watch.removed:
        return dataclasses.replace(watch, due=_restore_check(watch, now), found_by=REVISIT
                                   ), None
    if watch.suspect == answer.how and watch.since is not None:
        if now - watch.since >= CONFIRM_AFTER:
            event = Event("removed", watch.since, now, watch.found_by or answer.found_by,
                          f"removed@{watch.since}")
            removed = dataclasses.replace(watch, removed=True, found_by=REVISIT)
            return dataclasses.replace(removed, due=_restore_check(removed, now)), event
        return dataclasses.replace(watch, due=watch.since + CONFIRM_AFTER), None
    return dataclasses.replace(watch, suspect=answer.how, since=now, due=now + CONFIRM_AFTER,
                               found_by=answer.found_by), None
