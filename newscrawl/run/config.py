"""The one list of newscrawl's settings: name, default, what is accepted, what it means.

The crawl command validates every ``NEWSCRAWL_*`` setting against this registry before the
first request (a bad value: exit status 2 and one line on stderr), warns about unknown
``NEWSCRAWL_*`` names with the closest known one, renders ``scrapy crawl -h`` from it, and
docs/settings.md is generated from it (``python -m newscrawl.run.config``; a test checks it).

Adding a setting is one ``Setting(...)`` line in SETTINGS below: its default is the only one.
settings.py sets every default from here, and components read ``setting(settings, NAME)``,
which falls back to the same default outside the project's settings (a crawler from Scrapy's
``get_crawler``, a bench's own settings); no ``settings.get(NAME, default)`` anywhere.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from newscrawl.run.errors import BadArgument


class Accepts:
    """A validator: parses a value given as text (``-s``) or typed (settings.py).

    ``parse`` raises ValueError when the value is not accepted; ``text`` says what is, for
    the one-line error and the docs.
    """

    def __init__(self, text: str, parse: Callable[[Any], Any]) -> None:
        self.text = text
        self.parse = parse


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError


def whole(minimum: int) -> Accepts:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError
        number = int(str(value).strip())
        if number < minimum:
            raise ValueError
        return number
    return Accepts(f"a whole number ≥ {minimum}", parse)


def between(minimum: int, maximum: int) -> Accepts:
    def parse(value: Any) -> int:
        number = whole(minimum).parse(value)
        if number > maximum:
            raise ValueError
        return number
    return Accepts(f"a whole number from {minimum} to {maximum}", parse)


def seconds(minimum: float = 0.0) -> Accepts:
    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError
        number = float(str(value).strip())
        if not number > minimum:
            raise ValueError
        return number
    return Accepts(f"a number of seconds > {minimum:g}", parse)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError
    return value


def url(*schemes: str) -> Accepts:
    def parse(value: Any) -> str:
        if urlsplit(_text(value)).scheme not in schemes:
            raise ValueError
        return value
    return Accepts(f"a URL ({', '.join(schemes)})", parse)


def _iso_time(value: Any) -> str:
    dt.datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    return value


ISO_TIME = Accepts("an ISO 8601 time, e.g. 2026-11-29T12:00:00+00:00", _iso_time)
BOOLEAN = Accepts("1/0, true/false, yes/no", _boolean)
TEXT = Accepts("a non-empty text", _text)
PATH = Accepts("a directory path (relative: to the project root)", _text)
OPTIONAL_PATH = Accepts("a directory path (relative: to the project root), or empty", str)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any  # None: unset (the meaning says what that does)
    accepts: Accepts
    meaning: str
    environment: bool = False  # also read from the environment variable of that name


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("NEWSCRAWL_STATE_DIR", None, PATH,
            "where everything kept between runs lives; unset: .scrapy/newscrawl in the project"
            " root"),
    Setting("NEWSCRAWL_STATE_ENABLED", True, BOOLEAN,
            "false: remember nothing between runs (every run exports everything it finds)"),
    Setting("NEWSCRAWL_CONTACT_URL", "https://github.com/newscrawl/newscrawl#contact",
            url("http", "https", "mailto"),
            "put in the User-Agent `newscrawl/0.1 (news archiver; +URL)`; set your own"),
    Setting("NEWSCRAWL_MAX_ATTEMPTS", 3, whole(1),
            "runs that refetch an article URL that gave no article before giving up"),
    Setting("NEWSCRAWL_FSYNC", False, BOOLEAN,
            "fsync each JSON Lines line (survives power loss, not only a killed process)"),
    Setting("NEWSCRAWL_DEFAULT_FEED", "output/%(name)s/%(time)s.jsonl", TEXT,
            "the output when neither -o nor -O is given (relative: to the project root)"),
    Setting("NEWSCRAWL_REFRESH", False, BOOLEAN, "what `-a refresh=1` sets"),
    Setting("NEWSCRAWL_MAX_ARTICLES", 0, whole(0),
            "what `-a max_articles=N` sets; 0: no limit"),
    Setting("NEWSCRAWL_REDIS_URL", None, url("redis", "rediss", "unix"),
            "share the crawl through this Redis (docs/redis.md); also read from the"
            " environment", environment=True),
    Setting("NEWSCRAWL_REDIS_PREFIX", "newscrawl", TEXT,
            "first part of every Redis key: `newscrawl:bannedbook:…`"),
    Setting("NEWSCRAWL_REDIS_IDLE_SECONDS", 5.0, seconds(),
            "how long the round's queue must stay empty, every worker idle, before a worker"
            " exits"),
    Setting("NEWSCRAWL_REDIS_WORKER_TTL", 15.0, seconds(),
            "a worker whose heartbeat (every second) is this old is dead"),
    Setting("NEWSCRAWL_REDIS_TIMEOUT", 5.0, seconds(),
            "seconds a Redis call may go unanswered; tried three times, then Redis is lost"),
    Setting("NEWSCRAWL_REDIS_ROUND_TTL", 86400, whole(1),
            "seconds after its last heartbeat a round's keys expire, whatever happened"),
    Setting("NEWSCRAWL_SITEMAPS", True, BOOLEAN,
            "read the site's sitemaps (robots.txt, Yoast, WordPress core) for new and edited"
            " articles (docs/discovery.md)"),
    Setting("NEWSCRAWL_SITEMAP_LOW_WATER", 200, whole(0),
            "requests waiting in the scheduler below which the next sitemap file is read (one"
            " file at a time, so memory does not grow with the site: docs/discovery.md), and"
            " the next page of pending articles kept in the state (discovery/backlog.py)"),
    Setting("NEWSCRAWL_FRONTIER_MAX", 1000, whole(0),
            "requests waiting in the scheduler from which articles found on pages are not"
            " queued but left pending in the state, read back as the scheduler drains (memory"
            " then does not grow with the site's links: discovery/backlog.py); 0: no bound"),
    Setting("NEWSCRAWL_PROGRESS_INTERVAL", 60.0, seconds(),
            "seconds between a run's progress lines at INFO (exported, known to go, rate, ETA)"
            " and heartbeats on its lock file; 0: none (docs/cron.md)"),
    Setting("NEWSCRAWL_STUCK_AFTER", 1800.0, seconds(),
            "a run that holds the lock and made no progress (no heartbeat) for this long is"
            " stuck: a run started meanwhile exits 7 and says so (docs/cron.md)"),
    Setting("NEWSCRAWL_QUIET_WHEN_BUSY", False, BOOLEAN,
            "a run that finds another making progress on its state exits 0 and prints nothing"
            " (else 75 and a line on stderr): the cron line of a long first crawl"),
    Setting("NEWSCRAWL_FEEDS", True, BOOLEAN, "read the RSS feed of the crawled language"),
    Setting("NEWSCRAWL_LISTING_BUDGET", 25, whole(0),
            "categories and tag archives revisited per run, most overdue first"),
    Setting("NEWSCRAWL_LISTING_MAX_PAGES", 10000, whole(1),
            "hard cap on the pages of one listing a run reads (stops a pager that invents"
            " pages)"),
    Setting("NEWSCRAWL_NOW", None, ISO_TIME,
            "the time a run takes as now for the listing schedule (tests and benchmarks);"
            " unset: the clock"),
    Setting("NEWSCRAWL_RETRY_AFTER_MAX", 300, whole(0),
            "longest Retry-After (seconds) honoured on a 429/503; a longer one gives the host up"
            " for the run; 0: Retry-After ignored (docs/failures.md)"),
    Setting("NEWSCRAWL_REQUIRE_HTML_END", True, BOOLEAN,
            "an HTML page without `</html>` is taken as cut short, never exported"),
    Setting("NEWSCRAWL_MAX_LINKS_PER_PAGE", 2000, whole(0),
            "links taken from one page (the busiest page of the site seen has ~160); 0: all"),
    Setting("NEWSCRAWL_LINK_MEMORY", 5000, whole(0),
            "URLs a run remembers as requested, per generation (two are kept), so that a link"
            " met again builds no request (an older one is built and dropped by the"
            " dupefilter; 100,000 cost ~14 MB at 60,000 posts: docs/benchmarks.md); 0: off"),
    Setting("NEWSCRAWL_WARC_DIR", "output/%(name)s/warc/", OPTIONAL_PATH,
            "where each run's WARC capture `<UTC start>.warc.gz` goes (docs/warc.md); empty:"
            " no capture"),
    Setting("NEWSCRAWL_WARC_GZIP_LEVEL", 6, between(0, 9),
            "gzip level of the WARC records (6: measured by bench/capture.py, docs/warc.md)"),
    Setting("NEWSCRAWL_LEDGER_DIR", "output/%(name)s/ledger/", OPTIONAL_PATH,
            "where each run with removals or restorations writes `<UTC start>.jsonl`"
            " (docs/ledger.md); empty: no ledger and no revisits"),
    Setting("NEWSCRAWL_REVISIT_BUDGET", 500, whole(0),
            "watched articles refetched per run (a day and a week after publication, absent"
            " from the sitemaps, removal checks), oldest due first"),
    Setting("NEWSCRAWL_SITEMAP_REREAD_DAYS", 7, whole(1),
            "every sitemap file is read whole again within this many days (spread over runs),"
            " so that an older post no sitemap lists any more is refetched"),
    Setting("NEWSCRAWL_DRIFT_ENABLED", True, BOOLEAN,
            "false: no markup-drift alarm and no per-run figures recorded"),
    Setting("NEWSCRAWL_DRIFT_MIN_PAGES", 20, whole(1),
            "article pages (and articles) a run needs to be judged for drift or to serve as a"
            " baseline"),
    Setting("NEWSCRAWL_DRIFT_MIN_HISTORY", 100, whole(1),
            "article pages the earlier runs (each of NEWSCRAWL_DRIFT_MIN_PAGES) must hold"
            " together before they, not the parser's shipped expectations, judge a run"),
    Setting("NEWSCRAWL_DRIFT_ACCEPT", False, BOOLEAN,
            "record this run as normal even if it drifted (after a deliberate site change)"),
)}


def setting(settings: BaseSettings, name: str) -> Any:
    """The value of the registered setting ``name``: as set, else (unset or None) its default.

    Read with Scrapy's getter for the default's type (getbool, getint, getfloat; get for text
    and for settings unset by default), so ``-s NAME=text`` is converted as Scrapy converts it.
    Raises KeyError for a name not in SETTINGS, ValueError for a value that does not convert.
    """
    default = SETTINGS[name].default
    if isinstance(default, bool):
        return settings.getbool(name, default)
    if isinstance(default, int):
        return settings.getint(name, default)
    if isinstance(default, float):
        return settings.getfloat(name, default)
    return settings.get(name, default)


def check_settings(settings: BaseSettings) -> list[str]:
    """Validate every registered setting that has a value; return warnings for unknown names.

    Raises BadArgument naming the first setting whose value is not accepted.
    """
    for setting in SETTINGS.values():
        value = settings.get(setting.name)
        if value == "" and setting.default is None:
            value = None  # `-s NAME=` leaves an optional setting unset, as its component reads it
        if value is None and setting.environment:
            value = os.environ.get(setting.name)
        if value is None:
            continue
        try:
            setting.accepts.parse(value)
        except (ValueError, TypeError):
            raise BadArgument(f"bad setting {setting.name}={value!r}: expected"
                              f" {setting.accepts.text}") from None
    return [unknown_setting(name) for name in sorted(settings_names(settings))
            if name.startswith("NEWSCRAWL_") and name not in SETTINGS]


def settings_names(settings: BaseSettings) -> Iterable[str]:
    return [str(name) for name in settings]


def unknown_setting(name: str) -> str:
    """The warning for a NEWSCRAWL_* name no component reads."""
    close = difflib.get_close_matches(name, SETTINGS, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown setting {name}{hint}: it is ignored"


def settings_markdown() -> str:
    """The table of docs/settings.md."""
    lines = ["| setting | default | accepted | meaning |", "|---|---|---|---|"]
    for s in SETTINGS.values():
        default = "unset" if s.default is None else f"`{s.default}`"
        lines.append(f"| `{s.name}` | {default} | {s.accepts.text} | {s.meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_markdown(), end="")
