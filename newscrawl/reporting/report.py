"""The end of a run: did it work, one summary line, last-run.json, and the exit status."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from scrapy.statscollectors import StatsCollector

from newscrawl.discovery.requests import Scope
from newscrawl.output.feeds import EXPORTED_STAT
from newscrawl.reasons import STAT_PREFIX
from newscrawl.reporting import loss, site
from newscrawl.reporting.progress import progress_figures
from newscrawl.run.errors import EXIT_OK, NoArticles, OutputError, SiteError, exit_code_for
from newscrawl.run.places import describe_outputs, local_path, run_stamp, started
from newscrawl.run.runtime import (
    FAILURE_MESSAGE_STAT,
    FAILURE_STAT,
    FORCED_REASON,
    SUCCESS_REASONS,
)
from newscrawl.run.signals import run_ending
from newscrawl.state.keeper import StateKeeper, redis_url
from newscrawl.transport.outcomes import failed_requests, nothing_read
from newscrawl.transport.redirects import site_moved

logger = logging.getLogger(__name__)

EXIT_STAT = "newscrawl/exit_code"


def _sum(stats: dict[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


def _written(stats: dict[str, Any]) -> int:
    """Articles written by every feed and recorded exported (newscrawl.output.feeds)."""
    return stats.get(EXPORTED_STAT, 0)


def summarize(stats: dict[str, Any], seconds: float) -> dict[str, Any]:
    exported = _written(stats)
    updated = min(stats.get("newscrawl/updated", 0), exported)
    return {
        "new": exported - updated,
        "updated": updated,
        "duplicates_dropped": _sum(stats, "newscrawl/dropped/"),
        "invalid_dropped": stats.get("newscrawl/invalid", 0),
        "not_articles": _sum(stats, STAT_PREFIX),
        "errors": stats.get("log_count/ERROR", 0),  # error lines logged
        "failed_requests": failed_requests(stats),
        "requests": stats.get("downloader/request_count", 0),
        "seconds": round(seconds, 1),
        # Where the requests went, and the listing schedule (newscrawl.discovery.planner).
        "discovery": {
            **{f"{kind}_requests": stats.get(f"newscrawl/requests/{kind}", 0)
               for kind in ("robots", "sitemap", "feed", "listing", "article")},
            "listings_due": stats.get("newscrawl/listings/due", 0),
            "listings_claimed": stats.get("newscrawl/listings/claimed", 0),
            "listings_visited": stats.get("newscrawl/listings/visited", 0),
        },
        # Share of the entry text the body left out, per rule (newscrawl.reporting.loss).
        "left_out": loss.summary(stats),
        # The removal ledger (newscrawl.output.ledger, newscrawl.discovery.revisits).
        "ledger": {name: stats.get(f"newscrawl/ledger/{stat}", 0) for name, stat in (
            ("revisits", "revisits"), ("candidates", "candidates"),
            ("removals_confirmed", "removed"), ("restorations", "restored"))},
        # How far the run got: the figures its progress lines give (newscrawl.reporting.progress).
        "progress": progress_figures(stats, seconds),
        # Every newscrawl counter, for those who need the why of the numbers above.
        "counts": {k: v for k, v in sorted(stats.items()) if k.startswith("newscrawl/")},
    }


def diagnose(stats: dict[str, Any], reason: str, feeds: int,
             new_state_of: Scope | None = None) -> tuple[str | None, str]:
    """The failure reason (None on success) and a sentence for the log.

    new_state_of: the run's scope when the run began its state (a first run against a site):
    such a run that found no article page at all fails (NoArticles, reporting/site.py)."""
    if stats.get(FAILURE_STAT):
        return stats[FAILURE_STAT], stats.get(FAILURE_MESSAGE_STAT, "")
    if reason == FORCED_REASON:
        return "interrupted", ("the run was killed before it could finish (a second Ctrl-C or"
                               " SIGTERM); what it did not write is fetched by the next run")
    if reason not in SUCCESS_REASONS:
        return "interrupted", f"the run was stopped before it finished ({reason})"
    moved = site_moved(stats)
    if moved:
        return "site_moved", moved
    # A worker of a shared Redis round may be handed no page at all: the round's count then.
    if not (stats.get("newscrawl/pages_ok") or stats.get("newscrawl/redis/round_pages_ok")):
        return SiteError.reason, nothing_read(stats)
    if new_state_of is not None and (nothing := site.nothing_followed(stats, new_state_of)):
        return NoArticles.reason, nothing
    # Every article passed to the feeds must have been written by each; a feed whose
    # file could not even be opened never reaches our exporter, so count, don't trust.
    unwritten = stats.get("item_scraped_count", 0) - _written(stats)
    if _sum(stats, "feedexport/failed_count/") or (feeds and unwritten > 0):
        return OutputError.reason, f"{unwritten} article(s) could not be written to the output"
    return None, "ok"


class RunReport:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = time.monotonic()
        self.reason = "interrupted"
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # After spider_closed: the feeds have closed their files and recorded what they wrote
        # (a JSON array counts only once stored whole).
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        return cls(crawler)

    def report_unfinished(self) -> None:
        """Summary and last-run.json of a run stopped under the engine (a second Ctrl-C),
        which never got to spider_closed: what the counters hold at that moment."""
        if self.crawler.stats is not None and self.crawler.stats.get_value(EXIT_STAT) is None:
            self.reason = FORCED_REASON
            self.engine_stopped()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason
        # Judged here, not at engine_stopped: the incremental middleware's spider_closed (connected
        # after this extension's) must know whether the run raised the drift alarm.
        self.crawler.signals.send_catch_log(run_ending, reason=reason)

    def engine_stopped(self) -> None:
        stats_collector: StatsCollector | None = self.crawler.stats
        assert stats_collector is not None
        stats = stats_collector.get_stats()
        keeper = self.crawler.get_extension(StateKeeper)
        created = bool(keeper and keeper.created)
        scope = getattr(self.crawler.spider, "scope", None)
        # Not on a shared Redis frontier: there one worker's articles may be another's.
        judged = created and isinstance(scope, Scope) and not redis_url(self.crawler.settings)
        failure, message = diagnose(stats, self.reason,
                                    len(self.crawler.settings.getdict("FEEDS")),
                                    scope if judged else None)
        summary = summarize(stats, time.monotonic() - self.started)
        summary["site"] = site.section(stats)
        if created:  # the first run against this site: tell the user what it is
            for line in site.describe(summary["site"]):
                logger.info("the site: %s", line)
        loss.warn(summary["left_out"])
        summary.update(status="ok" if failure is None else "failed",
                       reason=failure or self.reason, message=message,
                       finished_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       run=run_stamp(started(self.crawler)))  # its JSONL's and WARC's name
        summary.update(self._places())
        code = EXIT_OK if failure is None else exit_code_for(failure)
        summary["exit_code"] = code
        stats_collector.set_value(EXIT_STAT, code)
        if failure is not None:
            stats_collector.set_value(FAILURE_MESSAGE_STAT, message)
        line = " ".join(f"{k}={summary[k]}" for k in (
            "new", "updated", "duplicates_dropped", "invalid_dropped", "failed_requests",
            "errors", "requests", "seconds", "status"))
        line += " " + " ".join(f"{k}={v}" for k, v in summary["ledger"].items())
        if failure is None:
            logger.info("newscrawl summary: %s", line)
        else:
            logger.error("newscrawl summary: %s: %s", line, message)
        self._write(summary)

    def _places(self) -> dict[str, Any]:
        """Where this run kept its state and wrote its output, as absolute paths."""
        keeper = self.crawler.get_extension(StateKeeper)
        return {"state_dir": str(keeper.state_dir) if keeper and keeper.state_dir else None,
                "state_created": bool(keeper and keeper.created),
                "feeds": describe_outputs(self.crawler.settings, self.crawler.spidercls.name),
                "outputs": self._written_files()}

    def _written_files(self) -> list[str]:
        """The files this run wrote articles to (none when nothing was new)."""
        feeds = self.crawler.get_extension(FeedExporter)
        slots = getattr(feeds, "slots", [])
        return [str(local_path(slot.uri) or slot.uri) for slot in slots if slot.itemcount]

    def _write(self, summary: dict[str, Any]) -> None:
        keeper = self.crawler.get_extension(StateKeeper)
        if keeper is None or keeper.state_dir is None:
            return
        target = Path(keeper.state_dir) / "last-run.json"
        temporary = target.with_suffix(".json.tmp")
        try:
            temporary.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                                 encoding="utf-8")
            temporary.replace(target)
        except OSError as exc:
            logger.error("could not write %s: %s", target, exc)
