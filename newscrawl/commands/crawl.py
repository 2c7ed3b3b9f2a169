"""`scrapy crawl` that checks what it was given first and exits non-zero, per cause, on failure.

Scrapy's own crawl command exits 0 whenever the crawler started; cron users need to
hear about an unreachable site, unusable state or unwritable output. And a bad argument,
setting or output is refused before the first request (exit 2), in one line on stderr,
whatever LOG_FILE says: logging is not even set up when the check runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from twisted.python.failure import Failure

from newscrawl.commands.preflight import check_run, help_text
from newscrawl.reporting.report import EXIT_STAT, RunReport
from newscrawl.run.errors import (
    EXIT_DRIFT,
    EXIT_FAILED,
    EXIT_OK,
    AlreadyRunning,
    BadArgument,
    RunError,
)
from newscrawl.run.runtime import FAILURE_MESSAGE_STAT, announce

logger = logging.getLogger(__name__)


class _HelpFormatter(ScrapyHelpFormatter):
    """Scrapy's formatter, keeping the line breaks of the epilog's tables."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))


class Command(ScrapyCrawl):
    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = _HelpFormatter
        parser.epilog = help_text()

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            self.warnings = check_run(self.settings, args[0] if len(args) == 1 else None,
                                      opts.spargs)
        except BadArgument as exc:
            print(f"newscrawl: {exc}", file=sys.stderr)
            raise SystemExit(exc.exit_code) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name exactly one spider")
        self.exitcode = self.run_crawler(self._create_crawler(args[0]), opts.spargs)

    def run_crawler(self, crawler: Any, spargs: dict[str, Any]) -> int:
        """Run one crawler to its end; the exit status (also used by `scrapy reparse`)."""
        assert self.crawler_process is not None
        for warning in getattr(self, "warnings", []):
            announce(self.settings, warning)
        startup_errors: list[BaseException] = []
        started = self.crawler_process.crawl(crawler, **spargs)
        if hasattr(started, "addErrback"):  # a Deferred (Twisted CrawlerProcess)
            started.addErrback(lambda failure: startup_errors.append(_exception(failure)))
        self.crawler_process.start()
        if hasattr(started, "done") and started.done() and not started.cancelled():
            error = started.exception()  # an asyncio Task; reading it also silences asyncio
            if error is not None:
                startup_errors.append(error)
        return self._exit_code(crawler, startup_errors)

    @staticmethod
    def _exit_code(crawler: object, startup_errors: list[BaseException]) -> int:
        for error in startup_errors:
            if isinstance(error, AlreadyRunning) and error.quiet:
                logger.info("%s", error)  # the other run is simply still going
                return EXIT_OK
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
            if code == EXIT_DRIFT:  # the run did its work; the line names what broke
                print(f"newscrawl: {message}", file=sys.stderr)
            else:
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
