"""`scrapy crawl` that exits non-zero when the run failed, with a status per cause.

Scrapy's own crawl command exits 0 whenever the crawler started; cron users need to
hear about an unreachable site, unusable state or unwritable output.
"""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from twisted.python.failure import Failure

from newscrawl.errors import EXIT_FAILED, RunError
from newscrawl.report import EXIT_STAT, RunReport
from newscrawl.runtime import FAILURE_MESSAGE_STAT

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name exactly one spider")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        startup_errors: list[BaseException] = []
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if hasattr(started, "addErrback"):  # a Deferred (Twisted CrawlerProcess)
            started.addErrback(lambda failure: startup_errors.append(_exception(failure)))
        self.crawler_process.start()
        if hasattr(started, "done") and started.done() and not started.cancelled():
            error = started.exception()  # an asyncio Task; reading it also silences asyncio
            if error is not None:
                startup_errors.append(error)
        self.exitcode = self._exit_code(crawler, startup_errors)

    @staticmethod
    def _exit_code(crawler: object, startup_errors: list[BaseException]) -> int:
        for error in startup_errors:
            if isinstance(error, RunError):
                print(f"newscrawl: {error}", file=sys.stderr)
                return error.exit_code
            logger.error("the crawl could not start: %r", error)
            return EXIT_FAILED
        stats = getattr(crawler, "stats", None)
        code = stats.get_value(EXIT_STAT) if stats is not None else None
        report = _report_of(crawler) if code is None and stats is not None else None
        if report is not None:  # the reactor was stopped under the run: report it now
            report.report_unfinished()
            code = stats.get_value(EXIT_STAT)
        code = EXIT_FAILED if code is None else int(code)
        if code != 0:
            # On stderr even when LOG_FILE takes the log: cron mails what a failed run prints.
            message = stats.get_value(FAILURE_MESSAGE_STAT) if stats is not None else None
            print(f"newscrawl: run failed (exit {code}): {message or 'see the log'}",
                  file=sys.stderr)
        return code


def _report_of(crawler: object) -> RunReport | None:
    try:
        return crawler.get_extension(RunReport)  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # the crawler never got its extensions
        return None


def _exception(failure: Failure) -> BaseException:
    return failure.value
