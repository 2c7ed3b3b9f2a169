"""A run's revisits of watched articles, and its watch over the sitemaps (issue 19).

The rules are newscrawl.discovery.removal (pure); the events are judged and written by the
removal ledger (newscrawl.output.ledger) from the answers sent here with the
``revisit_answered`` signal. Off when NEWSCRAWL_LEDGER_DIR is empty.

- At the start, up to NEWSCRAWL_REVISIT_BUDGET watched articles that are due (a day and a
  week after publication, a candidate, a removal to confirm or a restoration check) are
  claimed in the state, oldest due first, and refetched.
- Every run re-reads the post sitemap files of the last week (index `lastmod` within 7
  days, and the file before them), plus a share of the others so that each is read whole
  within NEWSCRAWL_SITEMAP_REREAD_DAYS; every article they list is marked listed.
- At the end of a finished run whose sitemaps were all read: a watched post of the last
  week that those files no longer list, or an older one no file listed within the re-read
  period, becomes a candidate (due now, found by ``sitemap_missing``): the next
  run refetches it. Removing a post need not change any `lastmod`: nothing here relies on it.
- A post reported removed that a sitemap file read this run or a listing page (its entries,
  `shown`) lists for the first time since its removal is refetched at once: its restoration
  is reported by this run. Listings raise no candidates (docs/ledger.md says why).
"""

from __future__ import annotations

import dataclasses
import logging
import math

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl.discovery import urls
from newscrawl.discovery.progress import clock
from newscrawl.discovery.removal import (
    DAY,
    EVIDENCE_META,
    HOUR,
    LISTING,
    REDIRECT_META,
    REVISIT,
    REVISIT_META,
    SITEMAP_MISSING,
    WEEK,
    Answer,
    how_of_redirect,
    how_of_status,
    listed_again,
)
from newscrawl.discovery.requests import LASTMOD_META, RequestFactory, Scope
from newscrawl.discovery.sitemaps import Entry, lists_posts
from newscrawl.reasons import REDIRECT_NOT_ARTICLE
from newscrawl.run.config import setting
from newscrawl.run.signals import revisit_answered
from newscrawl.state.base import State, Watch, article_key
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)

STATS = "newscrawl/ledger/"
LEASE = HOUR  # a claimed revisit a killed run did not make is due again after this
REREAD = "reread "  # + a sitemap file's URL: the watermark name of its last whole reading


class Revisits:
    """The revisits of one run, and what its sitemap files still list."""

    def __init__(self, scope: Scope, requests: RequestFactory, crawler: Crawler) -> None:
        settings = crawler.settings
        self.scope = scope
        self.requests = requests
        self.crawler = crawler
        self.enabled = bool(setting(settings, "NEWSCRAWL_LEDGER_DIR"))
        self.budget = setting(settings, "NEWSCRAWL_REVISIT_BUDGET")
        self.period = setting(settings, "NEWSCRAWL_SITEMAP_REREAD_DAYS") * DAY
        self.now = clock(setting(settings, "NEWSCRAWL_NOW"))
        self._asked: set[str] = set()  # sitemap files of the last week asked
        self._read: set[str] = set()  # …and read
        self._failed = False
        self._relisted: set[str] = set()  # keys this run refetches (due, or listed again)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def state(self) -> State:
        return state_of(self.crawler)

    def _count(self, name: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STATS + name, count)

    def first_requests(self) -> list[Request]:
        """The due revisits this run makes (claimed in the state)."""
        if not self.enabled or not self.budget:
            return []
        out = []
        for key, watch in self.state.claim_due_revisits(self.now, self.budget, LEASE):
            if not self.scope.covers(watch.url):
                continue  # another language's or site's run makes it once its lease ends
            known = self.state.lookup(key)
            if known is None or known.status != "exported":
                # A copy of another post's text (never archived): not watched any more.
                self.state.watch(key, dataclasses.replace(watch, due=None))
                continue
            request = self.requests.article(watch.url, recheck=True)
            request.meta[REVISIT_META] = (key, watch.found_by or REVISIT)
            out.append(request)
            self._relisted.add(key)
        self._count("revisits", len(out))
        return out

    def answer(self, request: Request, how: str | None, status: int | None = None,
               redirect_to: str | None = None, url: str | None = None) -> None:
        """A fetch of an article URL gave its article (how None) or maybe a removal."""
        if not self.enabled:
            return
        asked = (request.meta.get("redirect_urls") or [request.url])[0]
        ref = urls.article_ref(asked)
        if ref is None:
            return
        key, found_by = request.meta.get(REVISIT_META) or (
            article_key(ref.language, ref.article_id), LISTING)
        self.crawler.signals.send_catch_log(revisit_answered, answer=Answer(
            key, url or asked, how, status, redirect_to, found_by,
            request.meta.get(EVIDENCE_META), request.meta.get(LASTMOD_META)))

    def no_article(self, request: Request, status: int, not_found: bool) -> None:
        """An article page held no article; `not_found`: it is the theme's not-found page
        (newscrawl.extraction.notfound), a soft 404 when served with 200."""
        if not_found and status == 200:
            self.answer(request, "soft_404", status)

    def failed(self, request: Request, failure: Failure) -> None:
        """An article fetch failed: a removal answer if it was one (`failed_answer`)."""
        found = failed_answer(request, failure) if self.enabled else None
        if found is not None:
            self.answer(request, found[0], found[1], found[2])

    # --- the sitemaps' watch (hooks of newscrawl.discovery.sitemap_reader) ---------------

    def files_to_read(self, entries: list[Entry]) -> list[str]:
        """Post sitemap files of an index to read though no watermark asks for them: those of
        the last week and the one before, and this run's share of the whole re-read."""
        if not self.enabled:
            return []
        files = [entry for entry in entries if lists_posts(entry.loc)]
        recent = [i for i, e in enumerate(files) if e.lastmod is None
                  or e.lastmod >= self.now - WEEK]
        chosen = {files[i].loc for i in recent}
        if recent and recent[0] > 0:
            chosen.add(files[recent[0] - 1].loc)
        self._asked |= chosen
        # Never read whole within the period: oldest first, a 1/period-in-days share a run.
        share = math.ceil(len(files) * DAY / self.period)
        stale = sorted((self.state.watermark(REREAD + e.loc) or 0.0, e.loc) for e in files
                       if e.loc not in chosen)
        chosen |= {loc for last, loc in stale[:share] if last < self.now - self.period + DAY}
        return sorted(chosen)

    def listed(self, file_url: str, article_urls: list[str]) -> None:
        """A post sitemap file was read whole: the articles it lists are on the site."""
        if not self.enabled:
            return
        keys = []
        for url in article_urls:
            ref = urls.article_ref(url)
            if ref is not None:
                keys.append(article_key(ref.language, ref.article_id))
        self._listed_again(self.state.mark_listed(keys, self.now))
        self.state.set_watermark(REREAD + file_url, self.now)
        self._read.add(file_url)

    def shown(self, article_urls: list[str]) -> None:
        """A listing page lists these articles (its entries, a few dozen: one look-up each)."""
        if not self.enabled:
            return
        found = []
        for url in article_urls:
            ref = urls.article_ref(url)
            key = article_key(ref.language, ref.article_id) if ref is not None else None
            if key is not None and key not in self._relisted:
                watch = self.state.watched(key)
                if watch is not None and watch.removed:
                    found.append((key, watch))
        self._listed_again(found)

    def _listed_again(self, removed: list[tuple[str, Watch]]) -> None:
        """Posts reported removed that a sitemap file or a listing lists: one listed for the
        first time since its removal was first seen is refetched now, so that its
        restoration is reported by this run, not by the daily or weekly check (a site that
        keeps listing a removed post costs one refetch, not one a run)."""
        assert self.crawler.engine is not None
        for key, watch in removed:
            if key in self._relisted or not listed_again(watch):
                continue  # refetched this run already, or listed since its removal
            self._relisted.add(key)
            self.state.watch(key, dataclasses.replace(watch, listed=self.now))
            if not self.scope.covers(watch.url):
                continue
            request = self.requests.article(watch.url, recheck=True)
            request.meta[REVISIT_META] = (key, LISTING)
            self.crawler.engine.crawl(request)
            self._count("revisits")
            logger.info("%s (%s), reported removed, is listed again: refetched", watch.url, key)

    def unreadable(self, file_url: str) -> None:
        """A sitemap file could not be read: no post is a candidate for missing this run."""
        self._failed = True

    def spider_closed(self, reason: str) -> None:
        if not self.enabled or reason != "finished" or self._failed or not self._read:
            return
        if self._asked - self._read:
            return  # a file of the last week was not read: its posts are not missing
        missing = self.state.unlisted(self.now, self.now - WEEK, self.budget)
        # Each file is read whole at least once a period (files_to_read re-reads it a day
        # early): a post no file listed for a period is in none.
        missing += self.state.unlisted(self.now - self.period, float("-inf"),
                                       self.budget - len(missing))
        # One refetched this run is judged by its answer (the ledger's, after this handler
        # maybe), a suspect is refetched anyway to confirm: their found_by and `listed` stay,
        # so that `listed` still tells whether a sitemap listed it since (_listed_again).
        missing = [(key, watch) for key, watch in missing
                   if watch.suspect is None and key not in self._relisted]
        for key, watch in missing[:self.budget]:
            # listed now: a candidate once a period at most, whatever its refetch shows
            self.state.watch(key, dataclasses.replace(
                watch, due=self.now, found_by=SITEMAP_MISSING, listed=self.now))
            logger.info("%s (%s) is in no sitemap any more: refetched by the next run",
                        watch.url, key)
        self._count("candidates", len(missing[:self.budget]))


def failed_answer(request: Request, failure: Failure) -> tuple[str, int, str | None] | None:
    """(how, status, redirect target) of a failed article fetch that may be a removal: a 404
    or 410, or a redirect refused as not this article (newscrawl.transport.redirects) to a
    page that is not a post; None for anything else (5xx, 429, 403, network, robots.txt)."""
    value = failure.value
    if isinstance(value, HttpError):
        status = value.response.status
        how = how_of_status(status)
        return (how, status, None) if how else None
    if getattr(value, "reason", None) == REDIRECT_NOT_ARTICLE.name:
        target, status = request.meta.get(REDIRECT_META) or (None, None)
        if target is not None and how_of_redirect(request.url, target) is not None:
            return "redirect", int(status) if isinstance(status, int) else 301, target
    return None
