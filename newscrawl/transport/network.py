"""Why a request failed in the network: the cause, told apart by the exception's type.

A request that failed after its retries with no HTTP answer (the spider's errback) has one
cause of newscrawl/reasons.py's NETWORK_CAUSES. Scrapy >= 2.14 wraps Twisted's errors in its
own (scrapy/utils/_download_handlers.py ``wrap_twisted_exceptions``); older Scrapy and other
download handlers raise Twisted's. Both are read, and the chain of causes (``__cause__``,
``ResponseFailed.reasons``) too, since a TLS failure arrives wrapped in a ResponseFailed.

``count`` keeps the stats the run's last line reads; ``host_of`` is what the sentence
names: the URL's host, and its port when it has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from scrapy.statscollectors import StatsCollector
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from newscrawl.reasons import (
    NETWORK_CAUSE_PREFIX,
    NETWORK_DNS,
    NETWORK_HOST_PREFIX,
    NETWORK_OTHER,
    NETWORK_REFUSED,
    NETWORK_STAT,
    NETWORK_TIMEOUT,
    NETWORK_TLS,
    Reason,
)
from newscrawl.transport.refusals import _optional

try:  # pyOpenSSL comes with Scrapy (its TLS context factory)
    from OpenSSL.SSL import Error as _OpenSSLError
    _TLS: tuple[type[BaseException], ...] = (_OpenSSLError,)
except ImportError:  # pragma: no cover
    _TLS = ()

# In the order they are tried: a DNS error is never taken for a timeout.
_CAUSES: tuple[tuple[Reason, tuple[type[BaseException], ...]], ...] = (
    (NETWORK_DNS, (tx.DNSLookupError, *_optional("scrapy.exceptions.CannotResolveHostError"))),
    (NETWORK_REFUSED, (tx.ConnectionRefusedError,
                       *_optional("scrapy.exceptions.DownloadConnectionRefusedError"))),
    (NETWORK_TIMEOUT, (tx.TimeoutError, tx.TCPTimedOutError, TimeoutError,
                       *_optional("scrapy.exceptions.DownloadTimeoutError"))),
    (NETWORK_TLS, (*_TLS, tx.SSLError)),
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the exceptions it was raised from, and those a ResponseFailed carries."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if current.__cause__ is not None:
            todo.append(current.__cause__)
        if isinstance(current, ResponseFailed):
            todo.extend(reason.value for reason in current.reasons
                        if isinstance(reason, Failure) and reason.value is not None)


def cause(exc: BaseException) -> Reason:
    """The cause of a network failure (a reason of NETWORK_CAUSES); NETWORK_OTHER if unknown."""
    chain = list(_chain(exc))
    for reason, types in _CAUSES:
        if any(isinstance(link, types) for link in chain):
            return reason
    return NETWORK_OTHER


def host_of(url: str) -> str:
    """The host a sentence names: ``www.bannedbook.org``, ``127.0.0.1:8765``."""
    return urlsplit(url).netloc or url


def count(stats: StatsCollector | None, exc: BaseException, url: str) -> str:
    """Count a request to ``url`` that failed in the network with ``exc``: under NETWORK_STAT,
    and under its cause (NETWORK_CAUSE_PREFIX), keeping the first host that failed so
    (NETWORK_HOST_PREFIX) for the run's last line (outcomes.nothing_read). Returns the
    cause's sentence, e.g. ``127.0.0.1:8765 refused the connection``."""
    assert stats is not None
    found, host = cause(exc), host_of(url)
    stats.inc_value(NETWORK_STAT)
    stats.inc_value(NETWORK_CAUSE_PREFIX + found.name)
    if stats.get_value(NETWORK_HOST_PREFIX + found.name) is None:
        stats.set_value(NETWORK_HOST_PREFIX + found.name, host)
    return found.sentence.format(host=host)
