"""Scrapy settings of newscrawl. Every NEWSCRAWL_* setting is listed in newscrawl/run/config.py."""

from newscrawl.run import config as _registry

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# Politeness.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
# Scrapy starts this many asyncio tasks for every response's output (default 100). A page here
# yields one item and a few requests, and every pipeline is synchronous, so more workers only
# cost CPU: the 100 took about a fifth of a first crawl's (22%, docs/benchmarks.md).
CONCURRENT_ITEMS = 16
# Scrapy's, with .invalid names failed here, not sent to the name server (RFC 6761). The
# setting's name since Scrapy 2.14 (DNS_RESOLVER before, deprecated since).
TWISTED_DNS_RESOLVER = "newscrawl.transport.resolver.ReservedNamesResolver"
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# What servers do wrong (docs/failures.md): redirects to the same post are followed past the
# dupefilter, cut bodies retried, Retry-After honoured. Sizes: a full article page is ~100 KB
# (the captured main part alone is 9 KB); 16 MiB still takes a post with pasted-in base64
# images, and refuses a gzip bomb while unpacking, before it fills memory.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True
REDIRECT_MAX_TIMES = 5
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.transport.redirects.ArticleRedirectMiddleware": 600,
    "newscrawl.transport.completeness.WholeResponseMiddleware": 580,  # after unpacking (590)
    "newscrawl.transport.backoff.RetryAfterMiddleware": 560,  # sees 429/503 before Retry (550)
    # WARC capture (newscrawl/capture/warc.py): past Scrapy's own, closest to the wire.
    "newscrawl.capture.warc.WarcCapture": 950,
    # robots.txt once per run: says when it could not be read (newscrawl/transport/robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.transport.robots.RobotsTxtOnce": 100,
}

REQUEST_FINGERPRINTER_CLASS = "newscrawl.discovery.fingerprint.ArticleFingerprinter"
# Article requests remembered by post id in a bitmap, not as hex fingerprints (postids.py).
DUPEFILTER_CLASS = "newscrawl.discovery.postids.PostDupeFilter"
SPIDER_MIDDLEWARES = {
    "newscrawl.discovery.incremental.IncrementalMiddleware": 900,
    # Below every filter: records the requests really sent out (discovery/links.py).
    "newscrawl.discovery.links.RequestedLinksMiddleware": 40,
}
ITEM_PIPELINES = {
    "newscrawl.pipelines.clean.CleanPipeline": 100,
    "newscrawl.pipelines.validate.ValidatePipeline": 200,
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
    "newscrawl.pipelines.limit.ArticleLimitPipeline": 900,
}
EXTENSIONS = {
    # Connected first: its summary sees the state still open.
    "newscrawl.reporting.report.RunReport": 0,
    # Before the keeper: it hears the keeper's state_opened, and recovers under its lock.
    "newscrawl.output.recovery.OutputRecovery": 5,
    "newscrawl.state.keeper.StateKeeper": 10,
    "newscrawl.output.export.OutputPreflight": 20,
    "newscrawl.quality.drift.DriftMonitor": 30,  # exit 6 when the site's markup changed
    "newscrawl.output.ledger.RemovalLedger": 40,  # removals and restorations (issue 19)
    "newscrawl.reporting.progress.Progress": 45,  # progress lines, ETA, the lock's heartbeat
}
LOG_FORMATTER = "newscrawl.run.logformatter.QuietDrops"
# No listening sockets on a cron box.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Output: one new file per run (the spider adds NEWSCRAWL_DEFAULT_FEED, under the project
# root, when neither -o nor -O is given), and none at all when nothing is new. Every format
# records what it wrote (newscrawl/output/feeds.py): exactly once in each.
FEED_EXPORTERS = {
    "jsonlines": "newscrawl.output.export.CommittingJsonLinesExporter",
    "jsonl": "newscrawl.output.export.CommittingJsonLinesExporter",
    "json": "newscrawl.output.feeds.CommittingJsonExporter",
    "csv": "newscrawl.output.feeds.CommittingCsvExporter",
    "xml": "newscrawl.output.feeds.CommittingXmlExporter",
    "pickle": "newscrawl.output.feeds.CommittingPickleExporter",
    "marshal": "newscrawl.output.feeds.CommittingMarshalExporter",
}
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORE_EMPTY = False
# %(time)s: the run's one stamp, as its WARC's name and last-run.json's `run` (run/places.py).
FEED_URI_PARAMS = "newscrawl.run.places.feed_uri_params"

# Puts the crawl on the shared Redis frontier when NEWSCRAWL_REDIS_URL is set; else a no-op.
ADDONS = {"newscrawl.distribution.frontier.RedisFrontierAddon": 0}

# Every NEWSCRAWL_* setting, with its one default: the registry's (newscrawl/run/config.py).
# Among them: NEWSCRAWL_CONTACT_URL, who we are and where to complain (site operators read it
# in their logs; the spider builds USER_AGENT from it unless -s USER_AGENT=), and the state
# between runs, SQLite under .scrapy/newscrawl unless told otherwise (see README).
globals().update({name: entry.default for name, entry in _registry.SETTINGS.items()})
