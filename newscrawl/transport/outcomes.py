"""The sentence for a run that read no page: what the server did, not a generic count.

Read from the run's stats (the ``newscrawl/not_article/<reason>`` counters and the first
sentence of each refusal, refusals.DETAIL_PREFIX), so that cron mail says "robots.txt at …
forbids …" or "the site answered HTTP 403 to every request" instead of "1 failed requests".
"""

from __future__ import annotations

from typing import Any

from newscrawl.reasons import (
    CHALLENGE,
    NETWORK,
    NETWORK_CAUSE_PREFIX,
    NETWORK_CAUSES,
    NETWORK_HOST_PREFIX,
    NETWORK_STAT,
    ROBOTS_FORBIDDEN,
    STAT_PREFIX,
    http_status,
    lookup,
)
from newscrawl.transport.refusals import DETAIL_PREFIX


def failures(stats: dict[str, Any]) -> dict[str, int]:
    """Requests that gave nothing, by reason (``http_403``, ``challenge``, ``network``, …)."""
    counted = {key[len(STAT_PREFIX):]: value for key, value in stats.items()
               if key.startswith(STAT_PREFIX) and isinstance(value, int) and value}
    if stats.get(NETWORK_STAT):
        counted[NETWORK.name] = stats[NETWORK_STAT]
    return counted


def failed_requests(stats: dict[str, Any]) -> int:
    """Requests that gave no page: network errors after retries, HTTP errors, refusals.

    Which reasons those are is newscrawl/reasons.py's ``failed_request``: a page that was read
    but held no article (not_html, no_body, a challenge…) is not a failed request. The
    summary's ``failed_requests`` and the failure sentence count the same thing; the
    summary's ``errors`` counts error lines in the log (a failed request may log several).
    """
    return sum(count for reason, count in failures(stats).items()
               if (judged := lookup(reason)) is not None and judged.failed_request)


def nothing_read(stats: dict[str, Any]) -> str:
    """Why no page of the site could be read, in one sentence."""
    counted = failures(stats)
    if len(counted) == 1:
        reason, count = next(iter(counted.items()))
        if reason == ROBOTS_FORBIDDEN.name:
            detail = stats.get(DETAIL_PREFIX + reason, "robots.txt forbids the start URL")
            return f"{detail}; nothing was fetched"
        if (status := http_status(reason)) is not None:
            return (f"the site answered HTTP {status} to every request ({count} page"
                    f"{'s' if count > 1 else ''} asked, none read)")
        if DETAIL_PREFIX + reason in stats:
            return f"no page of the site could be read: {stats[DETAIL_PREFIX + reason]}"
        if reason == NETWORK.name and (causes := network_causes(stats)):
            # failed_requests as the summary counts it (tests/test_cli.py holds them alike)
            return (f"no page of the site could be read: {causes}"
                    f" (failed_requests={failed_requests(stats)}, after retries)")
    challenges = counted.pop(CHALLENGE.name, 0)
    detail = ", ".join(f"{count} {reason}" for reason, count in sorted(counted.items()))
    return (f"no page of the site could be read ({challenges} challenge pages,"
            f" failed_requests={failed_requests(stats)}{': ' + detail if detail else ''})")


def network_causes(stats: dict[str, Any]) -> str:
    """The network failures' causes, each naming its first host, most frequent first:
    ``the host name nonexistent.invalid could not be resolved (DNS)``; "" when none counted."""
    counted = sorted(((stats.get(NETWORK_CAUSE_PREFIX + cause.name, 0), cause)
                      for cause in NETWORK_CAUSES), key=lambda pair: -pair[0])
    return "; ".join(cause.sentence.format(host=stats.get(NETWORK_HOST_PREFIX + cause.name,
                                                          "the site"))
                     for count, cause in counted if count)
