"""The planner as a component: a crawler from get_crawler, a Scope, a RequestFactory, a state in
memory, requests built by the factory; no spider, no server."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newscrawl.discovery import urls
from newscrawl.discovery.planner import Planner
from newscrawl.discovery.progress import Phase
from newscrawl.discovery.requests import (
    LISTING_META,
    Kind,
    RequestFactory,
    Route,
    Scope,
    kind_of,
    listing_of,
)
from newscrawl.discovery.schedule import DAY, HOUR, Schedule
from newscrawl.state.base import article_key
from newscrawl.state.memory import MemoryState

SITE = "https://www.bannedbook.org"
FRONT = f"{SITE}/bnews/"
NOW = "2023-05-01T00:00:00+00:00"
T = 1682899200.0  # NOW in POSIX seconds
TAG = f"{SITE}/bnews/tag/%E4%B8%AD%E5%9B%BD/"
CATEGORY = f"{SITE}/bnews/cnnews/"
OTHER_TAG = f"{SITE}/bnews/tag/%E7%BE%8E%E5%9B%BD/"


def article(post: int) -> str:
    return f"{SITE}/bnews/cnnews/20230430/{post}.html"


def _route(*args: Any) -> None:
    return None


def factory() -> RequestFactory:
    return RequestFactory({kind: Route(_route, _route) for kind in Kind})


def build(state: MemoryState | None = None, **settings: Any) -> tuple[Planner, MemoryState,
                                                                        Crawler]:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_NOW": NOW, **settings})
    assert crawler.stats is not None
    crawler.stats.open_spider()
    state = state if state is not None else MemoryState()
    scope = Scope.of([FRONT], urls.SIMPLIFIED)
    return Planner(scope, factory(), crawler, state), state, crawler


def page(planner: Planner, request: Request, entries: list[str],
         links: list[str] | None = None, served: str | None = None) -> Request | None:
    """What the spider does with a listing page: judge it under the listing it was asked as."""
    listing = listing_of(request)
    assert listing is not None
    return planner.listing_page(listing, entries, [*entries, *(links or [])], served)


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(f"newscrawl/{name}")


def test_phases_feeds_then_front_page_then_due_listings_within_budget() -> None:
    state = MemoryState()
    state.schedule_listing(TAG, Schedule(T - 2 * HOUR, DAY))  # most overdue
    state.schedule_listing(CATEGORY, Schedule(T - HOUR, DAY))
    state.schedule_listing(OTHER_TAG, Schedule(T + HOUR, DAY))  # not due yet
    planner, _, crawler = build(state, NEWSCRAWL_LISTING_BUDGET=1)

    feeds = planner.first_requests()
    assert [(kind_of(r), r.url) for r in feeds] == [(Kind.FEED, f"{SITE}/bnews/feed/")]
    assert planner.phase is Phase.SOURCES

    front = planner.idle_requests()
    assert [(kind_of(r), r.url, r.meta[LISTING_META]) for r in front] == [
        (Kind.LISTING, FRONT, (FRONT, 1))]
    assert planner.phase is Phase.FRONT

    due = planner.idle_requests()
    assert [r.url for r in due] == [TAG], "the most overdue, within the budget of 1"
    assert (stat(crawler, "listings/due"), stat(crawler, "listings/claimed")) == (2, 1)
    assert state.claim_due_listings(T, 10, HOUR) == [CATEGORY], "the claim holds a lease"

    assert planner.idle_requests() == []
    assert planner.phase is Phase.DISCOVERED


def test_no_feed_when_feeds_are_off() -> None:
    planner, _, _ = build(NEWSCRAWL_FEEDS=False)
    assert planner.first_requests() == []


def test_front_page_walked_whole_on_a_site_without_sitemaps() -> None:
    planner, state, _ = build()
    front = planner.idle_requests()[0]
    planner.found_article(urls.article_ref(article(1)))  # type: ignore[arg-type]
    # Nothing fresh on it (its one article was found already), yet its next page is read.
    after = page(planner, front, [article(1)], [f"{FRONT}page/2/"])
    assert after is not None and after.url == f"{FRONT}page/2/"
    assert listing_of(after) == urls.listing_ref(f"{FRONT}page/2/")
    assert after.priority == Kind.LISTING.priority

    # Where sitemaps give every article, the same page ends the walk.
    planner2, _, crawler2 = build(state)
    planner2.sitemaps_found()
    front2 = planner2.idle_requests()[0]
    planner2.found_article(urls.article_ref(article(1)))  # type: ignore[arg-type]
    assert page(planner2, front2, [article(1)], [f"{FRONT}page/2/"]) is None
    assert stat(crawler2, "listings/walk_end/nothing_new") == 1


@pytest.mark.parametrize(("case", "walked", "reason"), [
    ("found", True, "nothing_new"), ("last", True, "last_page"), ("fresh", True, None),
    # Never walked to its end by a finished run, on a site without sitemaps: walked whole
    # (issue 17: no listing is assumed to enumerate the site).
    ("found", False, None), ("last", False, "last_page")])
def test_walk_of_a_tag_archive(case: str, walked: bool, reason: str | None) -> None:
    state = MemoryState()
    state.schedule_listing(TAG, Schedule(T - HOUR, DAY))
    if walked:
        state.mark_archive_walked(TAG)
    planner, _, crawler = build(state)
    planner.idle_requests()
    (request,) = planner.idle_requests()
    if case == "found":
        planner.found_article(urls.article_ref(article(7)))  # type: ignore[arg-type]
    next_page = [] if case == "last" else [f"{TAG}page/2/"]
    after = page(planner, request, [article(7)], next_page)
    assert (after.url if after else None) == (f"{TAG}page/2/" if reason is None else None)
    assert stat(crawler, f"listings/walk_end/{reason}") == (1 if reason else None)
    assert (TAG in planner.listings.walked) is (reason is not None)


def test_walk_ends_when_a_pager_repeats_or_at_the_page_cap() -> None:
    state = MemoryState()
    state.schedule_listing(TAG, Schedule(T - HOUR, DAY))
    planner, _, crawler = build(state, NEWSCRAWL_LISTING_MAX_PAGES=2)
    planner.idle_requests()
    (first,) = planner.idle_requests()
    second = page(planner, first, [article(7)], [f"{TAG}page/2/"])
    assert second is not None
    assert page(planner, second, [article(7)], [f"{TAG}page/3/"]) is None
    assert stat(crawler, "listings/walk_end/repeats") == 1

    planner.listings.shown.clear()
    assert page(planner, second, [article(8)], [f"{TAG}page/3/"]) is None
    assert stat(crawler, "listings/walk_end/page_cap") == 1


def test_visits_are_scheduled_when_the_run_finishes() -> None:
    state = MemoryState()
    state.schedule_listing(TAG, Schedule(T - HOUR, DAY))
    state.schedule_listing(CATEGORY, Schedule(T - HOUR, DAY))
    planner, _, _ = build(state)
    planner.idle_requests()
    claimed = {request.url: request for request in planner.idle_requests()}
    tag, category = claimed[TAG], claimed[CATEGORY]
    state.record_export(article_key(urls.SIMPLIFIED, "1"), "h1", 1, None, 0)
    page(planner, tag, [article(2)])  # unknown to the state: news
    page(planner, category, [article(1)])  # exported by an earlier run: nothing new
    planner.spider_closed("shutdown")
    assert state.listing_schedule(TAG) == Schedule(T + HOUR, DAY), "only the claim's lease"
    assert not state.archive_walked(TAG)
    planner.spider_closed("finished")
    assert state.listing_schedule(TAG) == Schedule(T + DAY / 2, DAY / 2)
    assert state.listing_schedule(CATEGORY) == Schedule(T + DAY * 1.5, DAY * 1.5)
    assert state.archive_walked(TAG) and state.archive_walked(CATEGORY)
    assert state.listing_schedule(FRONT) is None, "the front page is read every run"


def _redirect(crawler: Crawler, request: Request, to: str) -> Request:
    """What Scrapy's redirect middleware makes of a 301 answer to `request`."""
    middleware = RedirectMiddleware.from_crawler(crawler)
    answer = Response(request.url, status=301, headers={"Location": to}, request=request)
    redirected = middleware.process_response(request, answer)
    assert isinstance(redirected, Request)
    return redirected


def test_listing_redirected_to_another_is_visited_under_its_own_name(
        caplog: pytest.LogCaptureFixture) -> None:
    state = MemoryState()
    state.schedule_listing(TAG, Schedule(T - HOUR, DAY))
    planner, _, crawler = build(state)
    planner.idle_requests()
    (claimed,) = planner.idle_requests()
    redirected = _redirect(crawler, claimed, OTHER_TAG)
    assert listing_of(redirected) == urls.listing_ref(TAG), "the identity travels with it"
    with caplog.at_level("INFO"):
        after = page(planner, redirected, [article(2)], [f"{OTHER_TAG}page/2/"],
                     served=redirected.url)
    assert after is None, "the target's pages are not walked under the claimed listing"
    assert f"listing {TAG} redirects to {OTHER_TAG}" in caplog.text
    planner.spider_closed("finished")
    assert state.listing_schedule(TAG) == Schedule(T + DAY / 2, DAY / 2)  # showed news
    assert state.listing_schedule(OTHER_TAG) is None, "a schedule it never claimed"
    assert stat(crawler, "listings/redirected") == 1


def test_listing_whose_redirect_the_dupefilter_dropped_is_a_visit_that_showed_nothing() -> None:
    state = MemoryState()
    state.schedule_listing(TAG, Schedule(T - HOUR, DAY))
    planner, _, crawler = build(state)
    planner.idle_requests()
    (claimed,) = planner.idle_requests()
    redirected = _redirect(crawler, claimed, OTHER_TAG)
    # A listing request dropped without a redirect (another worker of a round read it): no
    # visit of this run's.
    crawler.signals.send_catch_log(signals.request_dropped, request=claimed, spider=None)
    planner.spider_closed("finished")
    assert state.listing_schedule(TAG) == Schedule(T + HOUR, DAY), "only the claim's lease"
    crawler.signals.send_catch_log(signals.request_dropped, request=redirected, spider=None)
    planner.spider_closed("finished")
    assert state.listing_schedule(TAG) == Schedule(T + DAY * 1.5, DAY * 1.5)
    assert state.listing_schedule(OTHER_TAG) is None


def test_listing_failed_is_a_visit_that_showed_nothing() -> None:
    state = MemoryState()
    state.schedule_listing(TAG, Schedule(T - HOUR, DAY))
    planner, _, _ = build(state)
    planner.idle_requests()
    (claimed,) = planner.idle_requests()
    listing = listing_of(claimed)
    assert listing is not None
    planner.listing_failed(listing)
    planner.spider_closed("finished")
    assert state.listing_schedule(TAG) == Schedule(T + DAY * 1.5, DAY * 1.5)


def test_listings_discovered_without_sitemaps_are_visited_this_run() -> None:
    planner, state, crawler = build()
    planner.discover(TAG)  # while sources are read: decided at the end of the phase
    assert state.listing_schedule(TAG) is None
    front = planner.idle_requests()
    assert [r.url for r in front] == [FRONT, TAG]
    planner.discover(f"{CATEGORY}page/3/")
    assert [r.url for r in planner.idle_requests()] == [CATEGORY]
    assert stat(crawler, "listings/discovered") == 2


def test_listings_discovered_with_sitemaps_are_only_scheduled() -> None:
    planner, state, _ = build()
    planner.sitemaps_found()
    planner.discover(TAG)
    assert [r.url for r in planner.idle_requests()] == [FRONT]
    assert planner.idle_requests() == []
    scheduled = state.listing_schedule(TAG)
    assert scheduled is not None and T + DAY / 2 <= scheduled.due < T + DAY * 1.5


def test_item_done_records_the_sitemap_lastmod_of_articles_only() -> None:
    planner, state, _ = build()
    item = {"language": urls.SIMPLIFIED, "article_id": "5"}
    request = factory().article(article(5), lastmod=T - DAY)
    planner.item_done(item, Response(request.url, request=request))
    assert state.article_lastmod(article_key(urls.SIMPLIFIED, "5")) == T - DAY
    listing = factory().listing(TAG)
    planner.item_done({**item, "article_id": "6"}, Response(TAG, request=listing))
    assert state.article_lastmod(article_key(urls.SIMPLIFIED, "6")) is None
    assert 5 in planner.posts.exported


def test_requests_counted_by_the_kind_they_carry() -> None:
    planner, _, crawler = build()
    requests = factory()
    for request in (requests.article(article(1)), requests.listing(article(2)),
                    Request(f"{SITE}/robots.txt", meta={"dont_obey_robotstxt": True}),
                    requests.sitemap(f"{SITE}/bnews/sitemap_index.xml", "s")):
        planner.request_reached_downloader(request)
    assert [stat(crawler, f"requests/{name}") for name in
            ("article", "listing", "robots", "sitemap")] == [1, 1, 1, 1]
