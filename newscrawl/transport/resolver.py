"""Scrapy's DNS resolver, with the reserved name ``.invalid`` answered here (RFC 6761 §6.4).

RFC 6761 §6.4: "Name resolution APIs and libraries SHOULD recognize 'invalid' names as special
and SHOULD always return immediately with an NXDOMAIN"; glibc does not, and sends the query to
the configured name server. This resolver fails such a name at once with Twisted's
DNSLookupError, as any name that does not resolve fails; every other name goes to Scrapy's
CachingThreadedResolver (settings.py: TWISTED_DNS_RESOLVER, Scrapy >= 2.14; older Scrapy
keeps its own resolver). So a crawl of ``http://x.invalid/`` (the
failure tests, a mistyped setting) sends no packet off the machine.
"""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

RESERVED = "invalid"  # RFC 6761 §6.4: never resolves


def reserved(name: str) -> bool:
    """Whether ``name`` lies under the reserved top-level name ``invalid``."""
    return name.rstrip(".").lower().rsplit(".", 1)[-1] == RESERVED


class ReservedNamesResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        if reserved(name):
            return defer.fail(DNSLookupError(f"{name}: a reserved name that never resolves"
                                             " (RFC 6761)"))
        return super().getHostByName(name, timeout)
