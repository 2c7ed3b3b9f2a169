"""robots.txt read once per run and host, whatever ROBOTSTXT_OBEY says (issue 17).

With ROBOTSTXT_OBEY on, Scrapy's RobotsTxtMiddleware fetches robots.txt (with the retries)
before the first request to a host, and sends `robots_parsed` when it read one: the sitemap
reader takes its `Sitemap:` lines from that signal. When the fetch fails for good (connection
refused, DNS, timeout), Scrapy sends nothing, and the reader used to fetch robots.txt a second
time, retries included (8 requests to an unreachable host). This subclass says so with
newscrawl's `robots_failed` signal (newscrawl.run.signals). With ROBOTSTXT_OBEY off, it is not
built (NotConfigured) and the reader fetches robots.txt itself, once.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

from newscrawl.run.signals import robots_failed


class RobotsTxtOnce(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, which also tells the run when robots.txt was unreadable.

    Relies on Scrapy's `_robots_error(exc, netloc)` (Scrapy 2.11 to 2.19), called once per
    host when the robots.txt download raised; tests/test_robots_once.py fails if it is not.
    """

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        super()._robots_error(exc, netloc)
        self.crawler.signals.send_catch_log(signal=robots_failed, netloc=netloc)
