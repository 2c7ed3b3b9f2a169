"""Why a run fails, and the exit status each reason gives cron."""

from __future__ import annotations

from scrapy.exceptions import DropItem

# Exit statuses: documented in the README; cron mail and wrappers key on them.
EXIT_OK = 0
EXIT_FAILED = 1  # crawl failed: site unreachable, only challenge pages, no article found, errors
EXIT_USAGE = 2  # a bad argument or setting, refused before the first request
EXIT_STATE = 3  # state database corrupt, unreadable or unwritable
EXIT_OUTPUT = 4  # output not writable, disk full
EXIT_REDIS = 5  # shared frontier unreachable or lost
EXIT_DRIFT = 6  # the site's markup changed: fields or extraction collapsed (quality/drift.py)
EXIT_STUCK = 7  # another run holds the state dir but made no progress for long, or is gone
EXIT_BUSY = 75  # another run holds the state dir (EX_TEMPFAIL: try again later)

# What each status means, for `scrapy crawl -h` and docs/cron.md (one line per status).
EXIT_MEANINGS = {
    EXIT_OK: "the run finished (possibly with nothing new)",
    EXIT_FAILED: "the crawl failed: site unreachable, only challenge pages, no article found on"
                 " a new state, interrupted",
    EXIT_USAGE: "a bad argument or setting; refused before the first request",
    EXIT_STATE: "the state is corrupt, locked, unwritable or not ours",
    EXIT_OUTPUT: "the output cannot be written; nothing unwritten is marked exported",
    EXIT_REDIS: "the shared Redis frontier is unreachable or was lost",
    EXIT_DRIFT: "the site's markup changed: a field's coverage or extraction collapsed",
    EXIT_STUCK: "another run holds the state dir but made no progress for"
                " NEWSCRAWL_STUCK_AFTER seconds (stuck), or its process is not running here",
    EXIT_BUSY: "another run is using the state dir and making progress (try again later;"
               " silent with exit 0 under NEWSCRAWL_QUIET_WHEN_BUSY)",
}


class RunError(Exception):
    """A failure that ends the run with a clear message and its own exit status."""

    exit_code = EXIT_FAILED
    reason = "failed"


class BadArgument(RunError):
    """A spider argument, setting or output the run cannot honour; names it and what is accepted."""

    exit_code = EXIT_USAGE
    reason = "bad_argument"


class StateError(RunError):
    exit_code = EXIT_STATE
    reason = "state_error"


class AlreadyRunning(RunError):
    """Another run holds the state dir and is making progress; `quiet`: exit 0, print nothing
    (NEWSCRAWL_QUIET_WHEN_BUSY, for the cron line of a long first crawl)."""

    exit_code = EXIT_BUSY
    reason = "already_running"

    def __init__(self, message: str, quiet: bool = False) -> None:
        super().__init__(message)
        self.quiet = quiet


class RunStuck(RunError):
    """Another run holds the state dir but its heartbeat is old, or its pid is not running."""

    exit_code = EXIT_STUCK
    reason = "other_run_stuck"


class OutputError(RunError):
    exit_code = EXIT_OUTPUT
    reason = "output_error"


class FrontierError(RunError):
    exit_code = EXIT_REDIS
    reason = "frontier_error"


class SiteError(RunError):
    reason = "site_error"


class NoArticles(SiteError):
    """A run that began its state read pages of the site but found no article page at all."""

    reason = "no_articles"


class MarkupDrift(RunError):
    exit_code = EXIT_DRIFT
    reason = "markup_drift"


class NotTaken(DropItem):
    """An article dropped before its line was written, for a later run to fetch again (e.g.
    past max_articles): unlike a drop as unchanged, no lastmod is recorded for it
    (newscrawl.discovery.planner; docs/discovery.md)."""


ALL = (BadArgument, StateError, AlreadyRunning, RunStuck, OutputError, FrontierError, SiteError,
       NoArticles, MarkupDrift, RunError)


def exit_code_for(reason: str | None) -> int:
    """Exit status for a close reason recorded by a component (``newscrawl/failure``)."""
    for error in ALL:
        if error.reason == reason:
            return error.exit_code
    return EXIT_FAILED if reason else EXIT_OK
