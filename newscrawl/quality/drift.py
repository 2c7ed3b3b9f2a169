"""The markup-drift alarm: a run whose parser finds much less than it should, from the first run.

Each run counts, among the articles its parser produced, those where each field is present and
non-empty, and among its article pages those that gave no article for a markup reason (no
title, no body). Its figures are kept in the state (State.record_run_quality). The run is
judged against a *baseline*, on its very first run too:

- the archive's own history once it holds enough: the median of the newest 10 earlier runs
  with at least NEWSCRAWL_DRIFT_MIN_PAGES pages that did not raise the alarm themselves (so a
  redesign stays alarming until fixed, or accepted with ``-s NEWSCRAWL_DRIFT_ACCEPT=True``),
  once those runs hold NEWSCRAWL_DRIFT_MIN_HISTORY (100) pages together — a minimum of pages,
  not of runs: after a first full crawl the very next run is judged by it;
- until then, what the parser expects of the site (``SHIPPED``): every post has a title and a
  body, nearly all have tags, and no article page fails for its markup. The figures come from
  the extraction fixtures (tests/fixtures/pages: 20 article pages, their records written by
  hand): title 20/20, body 20/20, tags 15/20. Other fields vary too much from post to post
  (images 6/20, related 11/20) to be expected of every site's copy; the history judges them.

The rule (``findings``): a field drifted when its coverage now is at most half its baseline
*and* 20 points below it (97% -> 45% trips it; 12% -> 5% is noise, not a redesign); failures
jumped when their share is at least twice the baseline's *and* 20 points above it. Against the
shipped baseline that is: title or body in at most 50% of the articles, tags in at most 37%,
or at least 20% of the article pages failing for their markup. Minimum sample: the run needs
NEWSCRAWL_DRIFT_MIN_PAGES (20) article pages for the failure check and as many articles for
the field checks; at 20 pages a 20-point move is about two standard deviations of a share's
sampling noise, so an ordinary quiet run does not trip it. Smaller runs are kept too, but
neither judged nor used as a baseline. A run that trips it fails with exit status 6 and one
message naming each field, e.g. ``markup drift: tags 0% (usually 97%), extraction failures
100% of 20 pages (usually 0%)`` against history, ``… (the parser expects 100%)`` against the
shipped baseline; its articles' failures are not counted toward NEWSCRAWL_MAX_ATTEMPTS
(discovery/incremental.py), whichever baseline judged it.

Why not spidermon: its FieldCoverageMonitor compares each run with fixed thresholds
(SPIDERMON_FIELD_COVERAGE_RULES), keeps no history to compare with, and counts a field as
covered when the item has the key; every Article has every key (an empty list or string
included), so every field would read 100%. The counting here is a few lines; the history is the
state's, and the exit status and the message are ours in any case.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import Counter
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.reasons import lookup
from newscrawl.run import sitestats
from newscrawl.run.config import SETTINGS, setting
from newscrawl.run.errors import MarkupDrift, RunError
from newscrawl.run.runtime import FAILURE_STAT, SUCCESS_REASONS, record_failure
from newscrawl.run.signals import article_failed, run_ending
from newscrawl.state.base import RunQuality
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)

FIELDS = ("title", "source", "authors", "tags", "body", "images", "related")
WINDOW = 10  # earlier runs whose median is "usual"
DROP = 0.5  # coverage at most half its usual level ...
GAP = 0.2  # ... and this far below it; failures: twice and this far above
# Shares are ratios of counts in binary floats: 30% - 10% is 0.19999999999999998, which must
# count as the 20 points the rule (docs/failures.md) says "at least".
_ROUNDING = 1e-9

# What the parser expects of the site's article pages before the archive has a history of its
# own: the extraction fixtures (tests/fixtures/pages, 20 article pages with hand-written
# records). Every one has a title and a body; 15 of 20 have tags. The five not_an_article
# fixtures (a challenge, an empty page, two cut pages, one page stripped of its body) are
# written to fail: no page of the site's own markup fails for it, so the expected share is 0.
EXPECTED_TITLE = 20 / 20
EXPECTED_BODY = 20 / 20
EXPECTED_TAGS = 15 / 20
EXPECTED_FAILURES = 0.0
SHIPPED = RunQuality("shipped", 0, 0, {"title": EXPECTED_TITLE, "body": EXPECTED_BODY,
                                       "tags": EXPECTED_TAGS})


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


def _failure_share(run: RunQuality) -> float:
    return run.failures / run.pages if run.pages else 0.0


def _articles(run: RunQuality) -> int:
    return run.pages - run.failures


def findings(now: RunQuality, earlier: list[RunQuality],
             min_pages: int = SETTINGS["NEWSCRAWL_DRIFT_MIN_PAGES"].default,
             min_history: int = SETTINGS["NEWSCRAWL_DRIFT_MIN_HISTORY"].default) -> list[str]:
    """What drifted in ``now`` against ``earlier`` (newest first), or against SHIPPED while
    the earlier runs of ``min_pages`` hold fewer than ``min_history`` pages; [] when nothing
    drifted or ``now`` is too small to judge.

    Pure: one string per field or failure share, e.g. ``tags 0% (usually 97%)``.
    """
    found: list[str] = []
    normal = [run for run in earlier if not run.drift]
    paged = [run for run in normal if run.pages >= min_pages][:WINDOW]
    articled = [run for run in normal if _articles(run) >= min_pages][:WINDOW]
    if _articles(now) >= min_pages:
        if sum(_articles(run) for run in articled) >= min_history:
            usual = {field: statistics.median(run.coverage.get(field, 0.0) for run in articled)
                     for field in FIELDS}
            word = "usually"
        else:
            usual, word = dict(SHIPPED.coverage), "the parser expects"
        for field in FIELDS:
            if field not in usual:
                continue
            current = now.coverage.get(field, 0.0)
            if (current <= usual[field] * DROP + _ROUNDING
                    and usual[field] - current >= GAP - _ROUNDING):
                found.append(f"{field} {_pct(current)} ({word} {_pct(usual[field])})")
    if now.pages >= min_pages:
        if sum(run.pages for run in paged) >= min_history:
            share, word = statistics.median(_failure_share(run) for run in paged), "usually"
        else:
            share, word = EXPECTED_FAILURES, "the parser expects"
        current = _failure_share(now)
        if current >= share * 2 - _ROUNDING and current - share >= GAP - _ROUNDING:
            found.append(f"extraction failures {_pct(current)} of {now.pages} pages"
                         f" ({word} {_pct(share)})")
    return found


class DriftMonitor:
    """Extension: counts field coverage and markup failures, judges the run at its end.

    NEWSCRAWL_DRIFT_ENABLED (True), NEWSCRAWL_DRIFT_MIN_PAGES (20),
    NEWSCRAWL_DRIFT_MIN_HISTORY (100 pages), NEWSCRAWL_DRIFT_ACCEPT (False: True records this
    run as normal, whatever it found).
    """

    def __init__(self, crawler: Crawler, min_pages: int, min_history: int,
                 accept: bool) -> None:
        self.crawler = crawler
        self.min_pages = min_pages
        self.min_history = min_history
        self.accept = accept
        self.articles = 0
        self.failures = 0
        self.covered: Counter[str] = Counter()
        crawler.signals.connect(self.item_seen, signal=signals.item_scraped)
        crawler.signals.connect(self.item_seen, signal=signals.item_dropped)
        crawler.signals.connect(self.article_failed, signal=article_failed)
        crawler.signals.connect(self.run_ending, signal=run_ending)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DriftMonitor:
        settings = crawler.settings
        if not setting(settings, "NEWSCRAWL_DRIFT_ENABLED"):
            raise NotConfigured
        return cls(crawler, setting(settings, "NEWSCRAWL_DRIFT_MIN_PAGES"),
                   setting(settings, "NEWSCRAWL_DRIFT_MIN_HISTORY"),
                   setting(settings, "NEWSCRAWL_DRIFT_ACCEPT"))

    def item_seen(self, item: Any) -> None:
        article = ItemAdapter(item)
        self.articles += 1
        present = [field for field in FIELDS if article.get(field)]
        self.covered.update(present)
        # The same counts as stats, for last-run.json's site section (reporting/site.py).
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(sitestats.ARTICLES)
        for field in present:
            stats.inc_value(sitestats.COVERED + field)

    def article_failed(self, url: str, reason: str) -> None:
        judged = lookup(reason)
        if judged is not None and judged.markup:  # no title, no body (newscrawl/reasons.py)
            self.failures += 1

    def quality(self) -> RunQuality:
        coverage = {field: round(self.covered[field] / self.articles, 4) if self.articles
                    else 0.0 for field in FIELDS}
        return RunQuality(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                          self.articles + self.failures, self.failures, coverage)

    def run_ending(self, reason: str) -> None:
        assert self.crawler.stats is not None
        if reason not in SUCCESS_REASONS or self.crawler.stats.get_value(FAILURE_STAT):
            return  # a run cut short or failed otherwise says nothing of the markup
        state = state_of(self.crawler)
        now = self.quality()
        try:
            found = findings(now, state.recent_run_quality(WINDOW * 3), self.min_pages,
                             self.min_history)
            if found and self.accept:
                logger.warning("markup drift accepted as the new normal: %s", ", ".join(found))
                found = []
            if found:
                now = RunQuality(now.finished_at, now.pages, now.failures, now.coverage, True)
            state.record_run_quality(now)
        except RunError as exc:
            record_failure(self.crawler, exc)
            return
        if found:
            record_failure(self.crawler, MarkupDrift("markup drift: " + ", ".join(found)))
