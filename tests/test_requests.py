"""Requests as data: the Scope's rule, and what the factory puts in every request."""

from __future__ import annotations

from typing import Any

import pytest

from newscrawl.discovery import urls
from newscrawl.discovery.requests import (
    LISTING_META,
    Kind,
    RequestFactory,
    Route,
    Scope,
    for_article,
    kind_of,
    listing_of,
)

SITE = "https://www.bannedbook.org"
SCOPE = Scope.of([f"{SITE}/bnews/"], urls.SIMPLIFIED, "2023-01-01")


def _parse(*args: Any) -> None:
    return None


def _fail(*args: Any) -> None:
    return None


FACTORY = RequestFactory({kind: Route(_parse, _fail) for kind in Kind})


@pytest.mark.parametrize(("url", "covered"), [
    (f"{SITE}/bnews/cnnews/20230430/123.html", True),
    (f"{SITE}/bnews/tag/x/", True),
    ("https://m.www.bannedbook.org/bnews/cnnews/20230430/123.html", True),  # a subdomain
    ("https://bannedbook.org/bnews/cnnews/20230430/123.html", False),  # a parent domain
    (f"{SITE}/bnews/zh-tw/cnnews/20230430/123.html", False),  # another language
    ("https://elsewhere.org/bnews/cnnews/20230430/123.html", False),
    (f"{SITE}/bnews/fq/", False),  # neither article nor listing
    ("mailto:x@bannedbook.org", False),
])
def test_scope_covers(url: str, covered: bool) -> None:
    assert SCOPE.covers(url) is covered


def test_scope_parts() -> None:
    scope = Scope.of([f"{SITE}/bnews/", "http://127.0.0.1:8000/bnews/tag/x/"], urls.SIMPLIFIED)
    assert scope.hosts == ("127.0.0.1", "www.bannedbook.org")
    assert scope.robots_url == f"{SITE}/robots.txt"
    assert scope.start_archives == {f"{SITE}/bnews/", "http://127.0.0.1:8000/bnews/tag/x/"}


def test_every_request_carries_its_kind_route_and_priority() -> None:
    built = {Kind.ROBOTS: FACTORY.robots(f"{SITE}/robots.txt"),
             Kind.SITEMAP: FACTORY.sitemap(f"{SITE}/bnews/sitemap_index.xml", "s"),
             Kind.FEED: FACTORY.feed(f"{SITE}/bnews/feed/"),
             Kind.LISTING: FACTORY.listing(f"{SITE}/bnews/tag/x/page/3/"),
             Kind.ARTICLE: FACTORY.article(f"{SITE}/bnews/cnnews/20230430/123.html")}
    for kind, request in built.items():
        assert kind_of(request) is kind
        assert (request.callback, request.errback) == (_parse, _fail)
    assert [built[k].priority for k in Kind] == [11, 11, 0, 0, 10]
    listing = listing_of(built[Kind.LISTING])
    assert listing == urls.ListingRef(f"{SITE}/bnews/tag/x/", 3, urls.SIMPLIFIED)
    assert built[Kind.LISTING].meta[LISTING_META] == (f"{SITE}/bnews/tag/x/", 3)
    assert all(listing_of(r) is None for k, r in built.items() if k is not Kind.LISTING)


def test_a_factory_needs_a_route_for_every_kind() -> None:
    with pytest.raises(ValueError, match="feed"):
        RequestFactory({k: Route(_parse, _fail) for k in Kind if k is not Kind.FEED})


def test_for_article_by_the_kind_carried_or_a_redirect_to_a_post() -> None:
    article = f"{SITE}/bnews/cnnews/20230430/123.html"
    assert for_article(FACTORY.article(article))
    listing = FACTORY.listing(f"{SITE}/bnews/tag/x/")
    assert not for_article(listing)
    assert not for_article(listing.replace(url=article)), "not redirected: what it asked"
    redirected = listing.replace(url=article)
    redirected.meta["redirect_urls"] = [listing.url]
    assert for_article(redirected)
