"""Why a request or a page gave no article: the one table every place that judges it reads.

A reason is counted under ``newscrawl/not_article/<name>`` (STAT_PREFIX; network errors under
NETWORK_STAT), sent with the ``article_failed`` signal for article URLs, and judged here once:

- ``failed_request``: the request gave no page at all (HTTP errors, network errors, refusals);
  a page that was read but held no article (not HTML, no body, a challenge…) is not one. The
  run summary's ``failed_requests`` and the failure sentence count these
  (newscrawl/transport/outcomes.py).
- ``counts_toward_give_up``: the page itself is broken (gone, not HTML, empty, no title or
  body, redirected away from the post): the article is given up after NEWSCRAWL_MAX_ATTEMPTS
  runs (newscrawl/discovery/incremental.py). A challenge, a 5xx or a dropped connection says
  nothing about the article: retried by every later run, without limit.
- ``markup``: the parser found no article in what looked like one; the markup-drift alarm
  counts these (newscrawl/quality/drift.py).
- ``transient``: the next run may well get another answer with nothing changed on our side
  (a busy or shielded server, the network, a cut body); never counts toward giving up.
- ``sentence``: what came back instead of an article, for logs (a redirect's refusal reads
  ``…, which is <sentence>: not followed``).

Sources of the flags: docs/failures.md (the transport's reasons), docs/extraction.md (the
parser's). At the bottom of the import graph: imports nothing of newscrawl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

STAT_PREFIX = "newscrawl/not_article/"  # + a reason's name: how many requests or pages gave it
NETWORK_STAT = "newscrawl/errors/network"  # requests that failed in the network after retries
# + a cause's name (network_dns, …): those of NETWORK_STAT's requests that failed so; the
# value under NETWORK_HOST_PREFIX + name is the first host that failed so.
NETWORK_CAUSE_PREFIX = "newscrawl/errors/network_cause/"
NETWORK_HOST_PREFIX = "newscrawl_detail/network_host/"
HTTP_PREFIX = "http_"  # + the status of an HTTP error answer: http_404, http_503, …


@dataclass(frozen=True)
class Reason:
    """One reason a request or page gave no article, and how each rule judges it (module)."""

    name: str
    failed_request: bool
    counts_toward_give_up: bool
    markup: bool
    transient: bool
    sentence: str


def _reason(name: str, *, failed_request: bool = False, give_up: bool = False,
            markup: bool = False, transient: bool = False, sentence: str) -> Reason:
    return Reason(name, failed_request, give_up, markup, transient, sentence)


# Pages read that held no article (newscrawl/extraction/extract.py, and the spider for pages
# that are not text or empty).
CHALLENGE = _reason("challenge", transient=True, sentence="a challenge page instead of content")
NOT_HTML = _reason("not_html", give_up=True, sentence="not an HTML page")
EMPTY = _reason("empty", give_up=True, sentence="an empty page")
NOT_ARTICLE_URL = _reason("not_article_url", sentence="not an article URL")
NO_TITLE = _reason("no_title", give_up=True, markup=True,
                   sentence="a page without a title (has the markup changed?)")
NO_BODY = _reason("no_body", give_up=True, markup=True,
                  sentence="a page without an article body (has the markup changed?)")
# Most often cut in transit (a proxy, a dropped connection), else past libxml2's limits: says
# nothing about the article (docs/extraction.md).
PARTIAL_PAGE = _reason("partial_page", transient=True,
                       sentence="an article page read only in part")

# Requests that gave no page (newscrawl/transport/refusals.py, redirects.py; the spider's
# errback for network errors).
NETWORK = _reason("network", failed_request=True, transient=True,
                  sentence="a network error after retries")
INCOMPLETE = _reason("incomplete", failed_request=True, transient=True,
                     sentence="a body cut short (shorter than promised, or HTML without its end)")
TOO_LARGE = _reason("too_large", failed_request=True, sentence="larger than DOWNLOAD_MAXSIZE")
BACKOFF_EXCEEDED = _reason("backoff_exceeded", failed_request=True, transient=True,
                           sentence="asked to wait longer than NEWSCRAWL_RETRY_AFTER_MAX")
ROBOTS_FORBIDDEN = _reason("robots_forbidden", failed_request=True,
                           sentence="forbidden by robots.txt")
# An article that moved to another host stays pending: fetched there once start_urls say so.
REDIRECT_MOVED = _reason("redirect_moved", failed_request=True,
                         sentence="the same post off the start hosts (has the site moved?)")
REDIRECT_OFFSITE = _reason("redirect_offsite", failed_request=True, give_up=True,
                           sentence="off the start hosts")
REDIRECT_LOOP = _reason("redirect_loop", failed_request=True, give_up=True,
                        sentence="a loop (a URL already in the chain, or too many redirects)")
REDIRECT_NOT_ARTICLE = _reason("redirect_not_article", failed_request=True, give_up=True,
                               sentence="not this article")

# The causes of a network error, told apart by the exception's type
# (newscrawl/transport/network.py); counted under NETWORK_CAUSE_PREFIX + name, beside
# NETWORK_STAT. Each sentence names the host ("{host}": name, and port if not the scheme's).
NETWORK_DNS = _reason("network_dns", failed_request=True, transient=True,
                      sentence="the host name {host} could not be resolved (DNS)")
NETWORK_REFUSED = _reason("network_refused", failed_request=True, transient=True,
                          sentence="{host} refused the connection")
NETWORK_TIMEOUT = _reason("network_timeout", failed_request=True, transient=True,
                          sentence="{host} did not answer in time (timeout)")
NETWORK_TLS = _reason("network_tls", failed_request=True, transient=True,
                      sentence="the TLS handshake with {host} failed")
NETWORK_OTHER = _reason("network_other", failed_request=True, transient=True,
                        sentence="the connection to {host} failed")
NETWORK_CAUSES = (NETWORK_DNS, NETWORK_REFUSED, NETWORK_TIMEOUT, NETWORK_TLS, NETWORK_OTHER)

REASONS: MappingProxyType[str, Reason] = MappingProxyType({r.name: r for r in (
    CHALLENGE, NOT_HTML, EMPTY, NOT_ARTICLE_URL, NO_TITLE, NO_BODY, PARTIAL_PAGE, NETWORK,
    INCOMPLETE, TOO_LARGE, BACKOFF_EXCEEDED, ROBOTS_FORBIDDEN, REDIRECT_MOVED,
    REDIRECT_OFFSITE, REDIRECT_LOOP, REDIRECT_NOT_ARTICLE, *NETWORK_CAUSES)})

# HTTP error answers: the page is gone (404, 410), or the server could not answer now
# (408, 429, 5xx; RETRY_HTTP_CODES are retried before they get here). Any other status (a
# plain 403, say) is a failed request, neither transient nor a reason to give up.
GONE_STATUSES = frozenset({404, 410})
_HTTP_NAME = re.compile(r"http_(\d{3})")


def http(status: int) -> Reason:
    """The reason of an HTTP error answer with ``status`` (``http_<status>``)."""
    return _reason(f"{HTTP_PREFIX}{status}", failed_request=True,
                   give_up=status in GONE_STATUSES,
                   transient=status in (408, 429) or 500 <= status <= 599,
                   sentence=f"an HTTP {status} answer")


def http_status(name: str) -> int | None:
    """The status of an ``http_<status>`` reason name, else None."""
    match = _HTTP_NAME.fullmatch(name)
    return int(match[1]) if match else None


def lookup(name: str) -> Reason | None:
    """The Reason named ``name`` (``http_<status>`` included), None for a name not in the table."""
    status = http_status(name)
    return http(status) if status is not None else REASONS.get(name)
