"""The sentence for a run that read no page: what the server did, not a generic count.

Read from the run's stats (the ``newscrawl/not_article/<reason>`` counters and the first
sentence of each refusal, refusals.DETAIL_PREFIX), so that cron mail says "robots.txt at …
forbids …" or "the site answered HTTP 403 to every request" instead of "1 failed requests".
"""

from __future__ import annotations

from typing import Any

from newscrawl.transport.refusals import DETAIL_PREFIX

FAILURE_PREFIX = "newscrawl/not_article/"
NETWORK = "newscrawl/errors/network"


def failures(stats: dict[str, Any]) -> dict[str, int]:
    """Requests that gave nothing, by reason (``http_403``, ``challenge``, ``network``, …)."""
    counted = {key[len(FAILURE_PREFIX):]: value for key, value in stats.items()
               if key.startswith(FAILURE_PREFIX) and isinstance(value, int) and value}
    if stats.get(NETWORK):
        counted["network"] = stats[NETWORK]
    return counted


# Reasons a request gave no page at all (besides HTTP errors and network failures); a page that
# was read but held no article (not_html, no_body, a challenge…) is not a failed request.
REQUEST_REASONS = frozenset({
    "incomplete", "too_large", "backoff_exceeded", "robots_forbidden", "redirect_offsite",
    "redirect_loop", "redirect_not_article", "redirect_moved"})


def failed_requests(stats: dict[str, Any]) -> int:
    """Requests that gave no page: network errors after retries, HTTP errors, refusals.

    The summary's ``failed_requests`` and the failure sentence count the same thing; the
    summary's ``errors`` counts error lines in the log (a failed request may log several).
    """
    return sum(count for reason, count in failures(stats).items()
               if reason == "network" or reason.startswith("http_") or reason in REQUEST_REASONS)


def nothing_read(stats: dict[str, Any]) -> str:
    """Why no page of the site could be read, in one sentence."""
    counted = failures(stats)
    if len(counted) == 1:
        reason, count = next(iter(counted.items()))
        if reason == "robots_forbidden":
            detail = stats.get(DETAIL_PREFIX + reason, "robots.txt forbids the start URL")
            return f"{detail}; nothing was fetched"
        if reason.startswith("http_"):
            return (f"the site answered HTTP {reason[5:]} to every request ({count} page"
                    f"{'s' if count > 1 else ''} asked, none read)")
        if DETAIL_PREFIX + reason in stats:
            return f"no page of the site could be read: {stats[DETAIL_PREFIX + reason]}"
    challenges = counted.pop("challenge", 0)
    detail = ", ".join(f"{count} {reason}" for reason, count in sorted(counted.items()))
    return (f"no page of the site could be read ({challenges} challenge pages,"
            f" failed_requests={failed_requests(stats)}{': ' + detail if detail else ''})")
