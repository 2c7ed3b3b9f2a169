"""Why a run fails, and the exit status each reason gives cron."""

from __future__ import annotations

# Exit statuses: documented in the README; cron mail and wrappers key on them.
EXIT_OK = 0
EXIT_FAILED = 1  # crawl failed: site unreachable, only challenge pages, errors
EXIT_STATE = 3  # state database corrupt, unreadable or unwritable
EXIT_OUTPUT = 4  # output not writable, disk full
EXIT_REDIS = 5  # shared frontier unreachable or lost
EXIT_DRIFT = 6  # the site's markup changed: fields or extraction collapsed (quality/drift.py)
EXIT_BUSY = 75  # another run holds the state dir (EX_TEMPFAIL: try again later)


class RunError(Exception):
    """A failure that ends the run with a clear message and its own exit status."""

    exit_code = EXIT_FAILED
    reason = "failed"


class StateError(RunError):
    exit_code = EXIT_STATE
    reason = "state_error"


class AlreadyRunning(RunError):
    exit_code = EXIT_BUSY
    reason = "already_running"


class OutputError(RunError):
    exit_code = EXIT_OUTPUT
    reason = "output_error"


class FrontierError(RunError):
    exit_code = EXIT_REDIS
    reason = "frontier_error"


class SiteError(RunError):
    reason = "site_error"


class MarkupDrift(RunError):
    exit_code = EXIT_DRIFT
    reason = "markup_drift"


ALL = (StateError, AlreadyRunning, OutputError, FrontierError, SiteError, MarkupDrift,
       RunError)


def exit_code_for(reason: str | None) -> int:
    """Exit status for a close reason recorded by a component (``newscrawl/failure``)."""
    for error in ALL:
        if error.reason == reason:
            return error.exit_code
    return EXIT_FAILED if reason else EXIT_OK
