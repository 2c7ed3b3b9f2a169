"""The frontier's backlog: pending articles wait in the state, not in the scheduler.

Scrapy's memory scheduler keeps every request it is given until it is sent. Sitemap files are
read one at a time as it drains (sitemap_reader.py), but the links pages give are not metered:
a first crawl follows related-post links depth-first (Scrapy's LIFO queue), and the requests
they leave behind grow with the site (a 40,000-post copy had 2,629 waiting at the peak, with
the articles of one sitemap file, 1,000, the most the reader adds at once; issue 20). So:

- an article that is new or pending in the state, found while NEWSCRAWL_FRONTIER_MAX requests
  already wait, is not queued: it stays pending in the state (the incremental middleware
  records every article pending before its fetch, so nothing more is written);
- the state's pending articles come back a page (``PAGE``) at a time, in passes over the state
  (``Passes``), whenever fewer than NEWSCRAWL_SITEMAP_LOW_WATER requests wait or the run is
  idle; the first page at the start resumes what earlier runs left pending (killed, closed
  early, site errors). A pass may give articles already requested this run: the dupefilter
  (post ids, postids.py) drops them, so a page costs a state read, not a fetch.

A scheduler that cannot tell its length is never full, and its runs read the backlog at idle
moments only: so with the Redis frontier (distribution/frontier.py's RoundScheduler tells none;
the queue is in Redis, not in a worker's memory) nothing is deferred, which matters, as an
article deferred there would come back only to the worker that deferred it.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.crawler import Crawler

PAGE = 500  # pending URLs read from the state at most at once (~70 KB of strings)
PEAK_STAT = "newscrawl/frontier/peak_waiting"


def waiting(crawler: Crawler) -> int | None:
    """Requests waiting in the scheduler (the run's peak kept as a stat); None when it cannot
    say (no engine yet, as in a component test, or scrapy-redis' scheduler)."""
    try:
        scheduler = crawler.engine.scheduler  # type: ignore[union-attr]
    except (AttributeError, RuntimeError):
        return None
    try:
        count = len(scheduler)  # type: ignore[arg-type]
    except TypeError:
        return None
    assert crawler.stats is not None
    crawler.stats.max_value(PEAK_STAT, count)
    return count


def full(count: int | None, limit: int) -> bool:
    """Whether a frontier of `count` waiting requests takes no more found articles (limit 0:
    no limit; an unknown count is never full)."""
    return limit > 0 and count is not None and count >= limit


def low(count: int | None, low_water: int, idle: bool) -> bool:
    """Whether the frontier wants more from the backlog: at an idle moment, or when fewer than
    `low_water` requests wait (an unknown count waits for the idle moment)."""
    return idle or (count is not None and count < low_water)


def page_size(count: int | None, limit: int) -> int:
    """Pending URLs to read now: up to PAGE, no more than the frontier's room below `limit`
    (at least one; PAGE when there is no limit or the count is unknown)."""
    if limit <= 0 or count is None:
        return PAGE
    return max(1, min(PAGE, limit - count))


@dataclass
class Passes:
    """Where the reading of the state's pending articles is: a pure rule, no I/O.

    A pass reads pages until the state's cursor comes back "". Another pass begins only if an
    article was deferred since the last one began (``owed``): the first pass is owed at the
    start (earlier runs' pending articles), so a run with nothing deferred reads its state's
    pending articles once.
    """

    cursor: str = ""
    owed: bool = True
    first: bool = True  # the pass in course, or the next, is the first: earlier runs' pending

    def next_cursor(self) -> str | None:
        """The cursor to read the next page from, or None when no page is due."""
        if self.cursor:
            return self.cursor
        if not self.owed:
            return None
        self.owed = False  # a new pass begins: it sees whatever is pending now
        return ""

    def read(self, cursor: str) -> None:
        """The state returned `cursor` after the page read ("" at the end of a pass)."""
        self.cursor = cursor
        if not cursor:
            self.first = False

    def deferred(self) -> None:
        """An article was left pending in the state for want of room: a pass is owed."""
        self.owed = True
