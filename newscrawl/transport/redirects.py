"""Redirects: follow the ones to the same post, refuse (and count) the others.

Scrapy's RedirectMiddleware builds the redirected request with the fingerprint of the
original, and ours is one per post id (discovery/fingerprint.py): the dupefilter would
drop every redirect from one URL of a post to another (WordPress's 301 from a wrong
category to the canonical one, an http -> https move) and the post would be lost without
a word. This subclass keeps Scrapy's redirect handling (Location parsing, headers,
REDIRECT_MAX_TIMES) and adds the policy:

- a redirect of an article URL to the same post (same id and language) on a start host,
  in any category, scheme or port, is followed past the dupefilter; the article is then
  exported under the URL it was finally read from (its canonical URL);
- a redirect off the start hosts, back to a URL of the chain (a loop), or of an article
  URL to anything but the same post (front page, another post) is refused with its own
  reason (refusals.RedirectRefused): the spider counts it, logs both URLs once and
  treats the article like any other that gave no article (retried by later runs, given up
  after NEWSCRAWL_MAX_ATTEMPTS);
- a redirect of an article URL to the same post off the start hosts (a new host name) is
  refused too, as ``redirect_moved``, but the article stays pending: once the user points
  start_urls at the new host, the next run fetches it there.

Where a post lives now needs no state: a later run that meets the old URL again is
redirected again, and the record of the first export already carries the new URL.

For the run's last line it counts article requests that were answered
(``ARTICLE_RESPONSES``) and those redirected to another scheme/host/port (``MOVED_PREFIX``
+ ``scheme://host:port``); `site_moved` reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Response
from w3lib.url import canonicalize_url

from newscrawl.discovery import urls
from newscrawl.discovery.removal import REDIRECT_META
from newscrawl.reasons import (
    REASONS,
    REDIRECT_LOOP,
    REDIRECT_MOVED,
    REDIRECT_NOT_ARTICLE,
    REDIRECT_OFFSITE,
)
from newscrawl.state.keeper import state_of
from newscrawl.transport.refusals import RedirectRefused

ARTICLE_RESPONSES = "newscrawl/redirect/article_responses"
FOLLOWED = "newscrawl/redirect/same_post"
MOVED_PREFIX = "newscrawl/redirect/moved_to/"
FOLLOW = "follow"


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def judge(chain: list[str], target: str, hosts: Iterable[str]) -> str:
    """What to do with a redirect from ``chain[-1]`` (first asked: ``chain[0]``) to ``target``.

    Returns FOLLOW or a refusal reason: ``redirect_moved`` (an article URL redirected to
    the same post off ``hosts``: the site moved), ``redirect_offsite`` (anything else not
    http(s) or off ``hosts``), ``redirect_loop`` (``target`` is a URL of the chain, query and
    escapes normalised), ``redirect_not_article`` (an article URL redirected to anything but
    the same post in the same language). A non-article URL may go anywhere on the hosts.
    """
    if not urls.is_http(target) or not urls.on_hosts(target, hosts):
        return REDIRECT_MOVED.name if same_post(chain[0], target) else REDIRECT_OFFSITE.name
    if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
        return REDIRECT_LOOP.name
    if urls.article_ref(chain[0]) is None:
        return FOLLOW
    return FOLLOW if same_post(chain[0], target) else REDIRECT_NOT_ARTICLE.name


def same_post(first: str, target: str) -> bool:
    """Whether two article URLs name one post in one language (both must be articles)."""
    one, two = urls.article_ref(first), urls.article_ref(target)
    return (one is not None and two is not None
            and (one.article_id, one.language) == (two.article_id, two.language))


def _move(stats: dict[str, Any]) -> tuple[str, int, int] | None:
    """(origin, redirected, answered) when most answered article requests were redirected to
    one other origin."""
    answered = stats.get(ARTICLE_RESPONSES, 0)
    moves = {key[len(MOVED_PREFIX):]: count for key, count in stats.items()
             if key.startswith(MOVED_PREFIX)}
    if not answered or not moves:
        return None
    target, count = max(moves.items(), key=lambda item: item[1])
    if count * 2 <= answered:
        return None
    return target, count, answered


def moved_origin(stats: dict[str, Any]) -> str | None:
    """``scheme://host[:port]`` the site moved to (the rule of `site_moved`), or None."""
    move = _move(stats)
    return move[0] if move else None


def site_moved(stats: dict[str, Any]) -> str | None:
    """A sentence when most answered article requests were redirected to one other origin."""
    move = _move(stats)
    if move is None:
        return None
    target, count, answered = move
    return (f"the site moved: {count} of {answered} article requests were redirected to"
            f" {target}; change start_urls to it")


class ArticleRedirectMiddleware(RedirectMiddleware):
    """Scrapy's RedirectMiddleware with newscrawl's redirect policy (see the module)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self, reason: str) -> None:
        """A finished run that saw the site move hands the state to the new address, so the
        run its last line asks for (start_urls there) is accepted: one archive, one site
        (newscrawl.state.keeper refuses a run on another site)."""
        assert self.crawler.stats is not None
        target = moved_origin(self.crawler.stats.get_stats()) if reason == "finished" else None
        if target is not None:
            state_of(self.crawler).move_site(target)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        first_answer = not (request.meta.get("redirect_urls") or request.meta.get("retry_times"))
        if first_answer and urls.article_ref(request.url) is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(ARTICLE_RESPONSES)
        return super().process_response(request, response)

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        hosts = getattr(self.crawler.spider, "allowed_domains", None) or [
            urlsplit(chain[0]).hostname or ""]
        verdict = judge(chain, redirected.url, hosts)
        if verdict == FOLLOW and len(chain) > self.max_redirect_times:
            verdict = REDIRECT_LOOP.name  # a chain that never ends is a loop by another name
        if (len(chain) == 1 and verdict in (FOLLOW, REDIRECT_MOVED.name)
                and urls.article_ref(chain[0]) is not None
                and origin(redirected.url) != origin(chain[0])):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(MOVED_PREFIX + origin(redirected.url))
        if verdict != FOLLOW:
            request.meta[REDIRECT_META] = (redirected.url, reason)  # the removal ledger's proof
            via = f" via {', '.join(chain[1:])}" if len(chain) > 1 else ""
            raise RedirectRefused(
                f"{chain[0]} redirects ({reason}{via}) to {redirected.url}, which is "
                f"{REASONS[verdict].sentence}: not followed", verdict)
        followed = super()._redirect(redirected, request, reason)
        if urls.article_ref(chain[0]) is not None:
            # Same post, same fingerprint: past the dupefilter, or the article is lost.
            followed.dont_filter = True
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(FOLLOWED)
        return followed
