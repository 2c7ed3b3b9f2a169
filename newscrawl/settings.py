"""Scrapy settings of newscrawl. Every NEWSCRAWL_* setting is listed in newscrawl/run/config.py."""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# Who we are and where to complain: site operators read this in their logs. The spider
# builds USER_AGENT from it ("newscrawl/VERSION (news archiver; +URL)") unless -s USER_AGENT=.
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl#contact"

# Politeness.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
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
NEWSCRAWL_RETRY_AFTER_MAX = 300  # seconds; a longer Retry-After gives the host up this run
NEWSCRAWL_REQUIRE_HTML_END = True  # an HTML page without </html> is cut short
NEWSCRAWL_MAX_LINKS_PER_PAGE = 2000  # links taken from one page; the busiest seen has ~160
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.transport.redirects.ArticleRedirectMiddleware": 600,
    "newscrawl.transport.completeness.WholeResponseMiddleware": 580,  # after unpacking (590)
    "newscrawl.transport.backoff.RetryAfterMiddleware": 560,  # sees 429/503 before Retry (550)
    # WARC capture (newscrawl/capture/warc.py): past Scrapy's own, closest to the wire.
    "newscrawl.capture.warc.WarcCapture": 950,
}

REQUEST_FINGERPRINTER_CLASS = "newscrawl.discovery.fingerprint.ArticleFingerprinter"
NEWSCRAWL_WARC_DIR = "output/%(name)s/warc/"  # empty: no capture
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
}
LOG_FORMATTER = "newscrawl.run.logformatter.QuietDrops"
# No listening sockets on a cron box.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Output: one new file per run (the spider adds output/bannedbook/<UTC start>.jsonl, under
# the project root, when neither -o nor -O is given), and none at all when nothing is new.
NEWSCRAWL_DEFAULT_FEED = "output/%(name)s/%(time)s.jsonl"
# Every format records what it wrote (newscrawl/output/feeds.py): exactly once in each.
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

# State between runs (see README): SQLite under .scrapy/newscrawl unless told otherwise.
NEWSCRAWL_STATE_ENABLED = True
NEWSCRAWL_STATE_DIR = None
NEWSCRAWL_FSYNC = False
NEWSCRAWL_REFRESH = False
NEWSCRAWL_MAX_ARTICLES = 0
NEWSCRAWL_MAX_ATTEMPTS = 3  # runs that may refetch an article URL that gave no article
NEWSCRAWL_REDIS_URL = None
# Puts the crawl on the shared Redis frontier when NEWSCRAWL_REDIS_URL is set; else a no-op.
ADDONS = {"newscrawl.distribution.frontier.RedisFrontierAddon": 0}
