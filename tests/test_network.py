"""The cause of a network failure, by the exception's type (newscrawl/transport/network.py),
and the resolver that answers the reserved name .invalid itself (transport/resolver.py)."""

from __future__ import annotations

import pytest
from OpenSSL.SSL import Error as OpenSSLError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from newscrawl.transport.network import cause, host_of
from newscrawl.transport.resolver import reserved


def _wrapped(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(("exc", "name"), [
    (tx.DNSLookupError("x.invalid"), "network_dns"),
    (CannotResolveHostError("x"), "network_dns"),
    (_wrapped(CannotResolveHostError("x"), tx.DNSLookupError("x")), "network_dns"),
    (tx.ConnectionRefusedError(), "network_refused"),
    (DownloadConnectionRefusedError("x"), "network_refused"),
    (tx.TCPTimedOutError(), "network_timeout"),
    (tx.TimeoutError(), "network_timeout"),
    (DownloadTimeoutError("took longer than 30 seconds"), "network_timeout"),
    (tx.SSLError(), "network_tls"),
    (ResponseFailed([Failure(OpenSSLError([("SSL routines", "", "wrong version number")]))]),
     "network_tls"),
    (_wrapped(DownloadFailedError("x"), ResponseFailed([Failure(OpenSSLError())])),
     "network_tls"),
    (tx.ConnectionLost(), "network_other"),
    (DownloadFailedError("x"), "network_other"),
])
def test_cause(exc: BaseException, name: str) -> None:
    assert cause(exc).name == name


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.bannedbook.org/bnews/", "www.bannedbook.org"),
    ("http://127.0.0.1:8765/bnews/", "127.0.0.1:8765"),
])
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(("name", "answer"), [
    ("nonexistent.invalid", True), ("INVALID.", True), ("a.b.invalid.", True),
    ("invalid.example.org", False), ("www.bannedbook.org", False), ("localhost", False),
])
def test_reserved(name: str, answer: bool) -> None:
    assert reserved(name) is answer
