"""Why a request was given up, as one reason slug and one sentence with the URL(s) involved.

Every refusal is counted under ``newscrawl/not_article/<reason>`` by the spider's errback
(like a 404 or a challenge page) and logged once with its sentence. Reasons of our own (how
each is judged: newscrawl/reasons.py):

- ``redirect_offsite``, ``redirect_loop``, ``redirect_not_article``: see redirects.py;
- ``incomplete``: the body is shorter than the server promised or its HTML has no end;
- ``too_large``: the body, or what it unpacks to, exceeds DOWNLOAD_MAXSIZE;
- ``backoff_exceeded``: the host asked (Retry-After) for a longer wait than we allow;
- ``robots_forbidden``: robots.txt forbids the URL.

The first sentence of each reason is kept in the stats under ``DETAIL_PREFIX + reason`` so
that the run's last line can name what happened (see outcomes.py).
"""

from __future__ import annotations

import re

from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector
from scrapy.utils.misc import load_object
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed
from twisted.web.http import _DataLoss

from newscrawl.reasons import BACKOFF_EXCEEDED, INCOMPLETE, ROBOTS_FORBIDDEN, TOO_LARGE

DETAIL_PREFIX = "newscrawl_detail/"


class Refused(IgnoreRequest):
    """A request given up for a reason of its own; ``str()`` is the sentence to log."""

    reason = "refused"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    def __reduce__(self) -> tuple[type[Refused], tuple[str, str]]:
        return type(self), (str(self), self.reason)


class Incomplete(Refused):
    reason = INCOMPLETE.name


class TooLarge(Refused):
    reason = TOO_LARGE.name


class BackoffExceeded(Refused):
    reason = BACKOFF_EXCEEDED.name


class RedirectRefused(Refused):
    """reason: redirect_offsite, redirect_loop or redirect_not_article."""


class RobotsForbidden(Refused):
    reason = ROBOTS_FORBIDDEN.name


def _optional(path: str) -> tuple[type[BaseException], ...]:
    """Scrapy >= 2.14 names download failures by type; older ones raise Twisted's errors."""
    try:
        return (load_object(path),)
    except (ImportError, NameError, AttributeError):
        return ()


_DATALOSS = _optional("scrapy.exceptions.ResponseDataLossError")
_CANCELLED = _optional("scrapy.exceptions.DownloadCancelledError")
_MAXSIZE = re.compile(r"max ?size", re.IGNORECASE)


def refusal(failure: Failure, url: str, robots_url: str) -> Refused | None:
    """The Refused a request's failure amounts to, or None for a plain network error.

    Maps Scrapy's own give-ups to our reasons: data loss (DOWNLOAD_FAIL_ON_DATALOSS) to
    ``incomplete``; a download cancelled at DOWNLOAD_MAXSIZE, or a body refused while
    unpacking, to ``too_large``; RobotsTxtMiddleware's IgnoreRequest to ``robots_forbidden``.
    """
    error = failure.value
    if isinstance(error, Refused):
        return error
    if (_DATALOSS and isinstance(error, _DATALOSS)) or (
            isinstance(error, ResponseFailed)
            and any(reason.check(_DataLoss) for reason in error.reasons)):
        return Incomplete(f"{url}: the connection ended before the whole body arrived"
                          " (shorter than its Content-Length, or chunks cut short)")
    text = str(error)
    # Scrapy's messages are the only mark of these; tests/test_misbehave.py pins them. A body
    # that outgrows the limit while arriving ends in a bare CancelledError (after Scrapy's
    # warning with the sizes); timeouts and shutdowns reach the errback as other errors.
    if (_MAXSIZE.search(text) and isinstance(error, (IgnoreRequest, *_CANCELLED))) or (
            isinstance(error, CancelledError)):
        return TooLarge(f"{url}: refused, larger than DOWNLOAD_MAXSIZE"
                        + (f" ({text})" if text else ""))
    if isinstance(error, IgnoreRequest) and "robots.txt" in text:
        return RobotsForbidden(f"robots.txt at {robots_url} forbids {url}")
    return None


def remember(stats: StatsCollector, refused: Refused) -> None:
    """Keep the first sentence of each reason, for the run's last line (outcomes.py)."""
    key = DETAIL_PREFIX + refused.reason
    if stats.get_value(key) is None:
        stats.set_value(key, str(refused))
