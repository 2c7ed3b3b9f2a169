"""Ending a run on purpose: one place that logs, records the failure and closes the spider;
the close reasons of a run that ended as asked."""

from __future__ import annotations

import logging
import sys

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

from newscrawl.run.errors import RunError

logger = logging.getLogger(__name__)

FAILURE_STAT = "newscrawl/failure"
FAILURE_MESSAGE_STAT = "newscrawl/failure_message"
# The close reason of a run whose reactor was stopped under it (a second Ctrl-C).
FORCED_REASON = "shutdown_forced"
# Close reasons of a run that ended as asked (newscrawl.reporting.report judges the rest).
SUCCESS_REASONS = frozenset({"finished", "max_articles", "closespider_itemcount",
                             "closespider_pagecount", "closespider_timeout"})


def record_failure(crawler: Crawler, error: RunError) -> None:
    """Record why the run failed (read by the crawl command for the exit status); the first
    recorded failure stays the run's."""
    assert crawler.stats is not None
    if crawler.stats.get_value(FAILURE_STAT) is None:
        logger.error("%s", error)
        crawler.stats.set_value(FAILURE_STAT, error.reason)
        crawler.stats.set_value(FAILURE_MESSAGE_STAT, str(error))


def fail_run(crawler: Crawler, error: RunError) -> None:
    """Record why the run failed and stop it."""
    record_failure(crawler, error)
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=error.reason))


def announce(settings: BaseSettings, message: str) -> None:
    """Log a warning someone must see; also one line on stderr when LOG_FILE takes the log.

    Cron mails what a run prints on stderr: a typo in a crontab is then seen the first time.
    """
    logger.warning("%s", message)
    if settings.get("LOG_FILE"):
        print(f"newscrawl: {message}", file=sys.stderr, flush=True)
