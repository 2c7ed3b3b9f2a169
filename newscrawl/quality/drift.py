"""The markup-drift alarm: a run whose parser suddenly finds much less than usual.

Each run counts, among the articles its parser produced, those where each field is present and
non-empty, and among its article pages those that gave no article for a markup reason (no
title, no body). Its figures are kept in the state (State.record_run_quality). The run is
judged against its *usual* level: the median of the newest 10 earlier runs with enough pages
that did not raise the alarm themselves (so a redesign stays alarming until fixed, or accepted
with ``-s NEWSCRAWL_DRIFT_ACCEPT=True``).

The rule (``findings``): a field drifted when its coverage now is at most half its usual level
*and* 20 points below it (97% -> 45% trips it; 12% -> 5% is noise, not a redesign); failures
jumped when their share is at least twice the usual one *and* 20 points above it. Minimum
sample: the run needs NEWSCRAWL_DRIFT_MIN_PAGES (20) article pages for the failure check and as
many articles for the field checks, and NEWSCRAWL_DRIFT_MIN_RUNS (3) earlier runs of that size;
at 20 pages a 20-point move is about two standard deviations of a share's sampling noise, so an
ordinary quiet run does not trip it. Smaller runs are kept too, but neither judged nor used as
a baseline. A run that trips it fails with exit status 6 and one message naming each field,
e.g. ``markup drift: tags 0% (usually 97%), extraction failures 100% of 20 pages (usually 0%)``;
its articles' failures are not counted toward NEWSCRAWL_MAX_ATTEMPTS (discovery/incremental.py).

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


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


def _failure_share(run: RunQuality) -> float:
    return run.failures / run.pages if run.pages else 0.0


def findings(now: RunQuality, earlier: list[RunQuality],
             min_pages: int = SETTINGS["NEWSCRAWL_DRIFT_MIN_PAGES"].default,
             min_runs: int = SETTINGS["NEWSCRAWL_DRIFT_MIN_RUNS"].default) -> list[str]:
    """What drifted in ``now`` against ``earlier`` (newest first); [] when nothing or too few.

    Pure: one string per field or failure share, e.g. ``tags 0% (usually 97%)``.
    """
    found: list[str] = []
    normal = [run for run in earlier if not run.drift]
    paged = [run for run in normal if run.pages >= min_pages][:WINDOW]
    articled = [run for run in normal if run.pages - run.failures >= min_pages][:WINDOW]
    if now.pages - now.failures >= min_pages and len(articled) >= min_runs:
        for field in FIELDS:
            usual = statistics.median(run.coverage.get(field, 0.0) for run in articled)
            current = now.coverage.get(field, 0.0)
            if current <= usual * DROP and usual - current >= GAP:
                found.append(f"{field} {_pct(current)} (usually {_pct(usual)})")
    if now.pages >= min_pages and len(paged) >= min_runs:
        usual = statistics.median(_failure_share(run) for run in paged)
        current = _failure_share(now)
        if current >= usual * 2 and current - usual >= GAP:
            found.append(f"extraction failures {_pct(current)} of {now.pages} pages"
                         f" (usually {_pct(usual)})")
    return found


class DriftMonitor:
    """Extension: counts field coverage and markup failures, judges the run at its end.

    NEWSCRAWL_DRIFT_ENABLED (True), NEWSCRAWL_DRIFT_MIN_PAGES (20), NEWSCRAWL_DRIFT_MIN_RUNS
    (3), NEWSCRAWL_DRIFT_ACCEPT (False: True records this run as normal, whatever it found).
    """

    def __init__(self, crawler: Crawler, min_pages: int, min_runs: int, accept: bool) -> None:
        self.crawler = crawler
        self.min_pages = min_pages
        self.min_runs = min_runs
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
                   setting(settings, "NEWSCRAWL_DRIFT_MIN_RUNS"),
                   setting(settings, "NEWSCRAWL_DRIFT_ACCEPT"))

    def item_seen(self, item: Any) -> None:
        article = ItemAdapter(item)
        self.articles += 1
        self.covered.update(field for field in FIELDS if article.get(field))

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
                             self.min_runs)
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
