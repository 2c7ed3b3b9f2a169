"""Posts that leave the copy, come back, or answer badly for a while; the whole site down.

For the removal ledger's tests (issue 19), with the clock of sitecopy.discovery:

- ``remove(site, ids, how)``: the posts leave the sitemaps, the listings and the feed, and
  answer ``404``, ``410``, ``trash`` (301 to the front page, as WordPress does for a post
  moved to the trash by a redirect plugin) or ``soft404`` (the theme's not-found page with
  status 200);
- ``restore(site, ids)``: they are back, everywhere, as before;
- ``flaky(site, ids, how)``: the posts stay listed but answer ``503``, ``403``,
  ``challenge`` (a Cloudflare challenge with 503) or ``timeout`` (no answer for
  TIMEOUT_SECONDS, then the connection closed); ``flaky(site, ids, None)`` ends it;
- ``site.down = True``: every request answers 503.
"""

from __future__ import annotations

from sitecopy.data import DELETED, Response, SiteData

FLAKY = frozenset({"503", "403", "challenge", "timeout"})
TIMEOUT_SECONDS = 2.0  # the tests set DOWNLOAD_TIMEOUT below it
NO_ANSWER = 0  # a Response status the server answers by closing the connection


def remove(site: SiteData, ids: list[str], how: str) -> None:
    assert how in DELETED, how
    with site.lock:
        for article_id in ids:
            site.removals[article_id] = how


def restore(site: SiteData, ids: list[str]) -> None:
    with site.lock:
        for article_id in ids:
            site.removals.pop(article_id, None)


def flaky(site: SiteData, ids: list[str], how: str | None) -> None:
    assert how is None or how in FLAKY, how
    with site.lock:
        for article_id in ids:
            if how is None:
                site.removals.pop(article_id, None)
            else:
                site.removals[article_id] = how


def deleted(site: SiteData, article_id: str) -> bool:
    """Whether the post is gone from the site (not in sitemaps, listings or the feed)."""
    return site.removals.get(article_id) in DELETED


def listed(site: SiteData, ids: list[str]) -> list[str]:
    """`ids` without the deleted posts."""
    if not site.removals:
        return ids
    return [i for i in ids if not deleted(site, i)]


UNAVAILABLE = Response(503, [("Content-Type", "text/html; charset=UTF-8"), ("Retry-After", "1")],
                       b"<html><body><h1>503 Service Unavailable</h1></body></html>")
