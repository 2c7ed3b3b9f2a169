"""Reading captures back: the article responses of WARC files, replayed into a Scrapy crawl.

`scrapy reparse` (newscrawl/commands/reparse.py) runs `ReparseSpider`, the bannedbook spider
fed from captures instead of the site: `ReplayMiddleware` answers every request with the
captured response (still content-encoded, so Scrapy's decompression runs as in the crawl) and
refuses any other, so nothing is ever fetched. Everything after the download is the crawl's
own: parser, item pipelines, state, feed exporters and exit status.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from newscrawl.capture.index import Capture, CaptureIndex, Location
from newscrawl.capture.members import WARC_SUFFIX
from newscrawl.discovery import urls
from newscrawl.discovery.requests import post_of
from newscrawl.run.errors import BadArgument
from newscrawl.spiders.bannedbook import BannedbookSpider
from newscrawl.state.base import article_key

logger = logging.getLogger(__name__)

CAPTURE_META = "newscrawl_capture"


def warc_files(paths: Iterable[str]) -> list[Path]:
    """The ``.warc.gz`` files named, a directory standing for those in it (sorted by name,
    which is their start time). Raises FileNotFoundError for a path that does not exist."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += sorted(path.glob("*" + WARC_SUFFIX))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such WARC file or directory: {given}")
    return found


def _records(path: Path) -> Iterator[tuple[int, ArcWarcRecord]]:
    """(offset, record) of every whole record; stops with a warning at a torn or bad tail."""
    with path.open("rb") as file:
        iterator = ArchiveIterator(file)
        try:
            for record in iterator:
                yield iterator.get_record_offset(), record
        except Exception as exc:  # warcio raises several kinds for a torn or foreign file
            logger.warning("stopped reading %s after its last whole record: %s", path, exc)


def latest_captures(files: list[Path]) -> CaptureIndex:
    """The latest capture of every article in ``files``, in capture order (an on-disk index).

    Latest by WARC-Date among its 200 responses, else among all (a page that only ever failed
    is replayed to fail the same way). One per article key (language and post id), and one
    per later page of a multi-page post (looked up when the post's first page asks for it).
    """
    index = CaptureIndex()
    for path in files:
        for offset, record in _records(path):
            if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            here = Location(str(path), offset)
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            if record.rec_type == "response":
                # Any URL's: a revisit's payload may first have come at another page (the
                # same error page served for a listing, say).
                index.payload(digest, here)
            page = urls.article_page(url)  # page N ≥ 2 of a multi-page post
            ref = urls.article_ref(page[0] if page else url)
            if ref is None:
                continue
            status = int(record.http_headers.get_statuscode() or 0)
            date = record.rec_headers.get_header("WARC-Date") or ""
            capture = Capture(url, date, status, here, index.payload_of(digest))
            key = article_key(ref.language, ref.article_id)
            if page is None:
                index.offer(key, capture)
            else:
                index.offer_page(key, page[1], capture)
    return index


def _read(location: Location) -> tuple[StatusAndHeaders, bytes]:
    """HTTP headers and raw payload (as received: still content-encoded) of one record."""
    with Path(location.path).open("rb") as file:
        file.seek(location.offset)
        record = next(iter(ArchiveIterator(file)))
        return record.http_headers, record.raw_stream.read()


def replayed_response(request: Request, capture: Capture) -> Response:
    """The captured response, as the download handler gave it to the crawl."""
    if capture.payload is None:
        raise IgnoreRequest(f"revisit of {capture.url}: its payload is in no file read")
    http_headers, body = _read(capture.record)
    if capture.payload != capture.record:  # a revisit: its payload is the earlier record's
        body = _read(capture.payload)[1]
    headers = Headers(http_headers.headers)
    cls = responsetypes.from_args(headers=headers, url=capture.url, body=body)
    return cls(url=capture.url, status=capture.status, headers=headers, body=body,
               request=request)


class ReplayMiddleware:
    """Downloader middleware of `scrapy reparse`: captured responses only, no network."""

    def process_request(self, request: Request, spider: Any = None) -> Response:
        capture = request.meta.get(CAPTURE_META)
        if capture is None:
            raise IgnoreRequest(f"reparse fetches nothing: {request.url} is not a capture")
        return replayed_response(request, capture)


class ReparseSpider(BannedbookSpider):
    """The bannedbook spider reading captures: articles only, no links followed.

    Only the captures a crawl with the same arguments would cover are read: the start hosts
    (`-a start_urls`, else the live site's) and the language. A directory that also holds
    captures of a local copy or a mirror thus never puts their pages into the archive.
    """

    def __init__(self, warc_paths: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # On disk, read back with a cursor: the reparse's memory does not grow with captures.
        self.captures = latest_captures(warc_files(warc_paths or []))
        self.covered = sum(1 for c in self.captures if self.covers(c.url))
        self.not_covered = len(self.captures) - self.covered

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReparseSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.not_covered and not spider.covered:
            raise BadArgument(
                f"none of the {spider.not_covered} captured article(s) is on"
                f" {', '.join(spider.allowed_domains)} in this language: name the captured"
                " site with -a start_urls=URL")
        if spider.not_covered:
            logger.warning("%d captured article(s) left out: not on %s in this language"
                           " (-a start_urls= names the hosts a reparse takes)",
                           spider.not_covered, ", ".join(spider.allowed_domains))
        return spider

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        middlewares.update({"newscrawl.capture.warc.WarcCapture": None,
                            "newscrawl.capture.replay.ReplayMiddleware": 960})
        spider_middlewares = settings.getdict("SPIDER_MIDDLEWARES")
        # Nothing to skip and nothing fetched: the incremental layer has no part in a reparse
        # (its failures are not fetches, so they count toward no NEWSCRAWL_MAX_ATTEMPTS).
        spider_middlewares["newscrawl.discovery.incremental.IncrementalMiddleware"] = None
        for name, value in {
            "DOWNLOADER_MIDDLEWARES": middlewares, "SPIDER_MIDDLEWARES": spider_middlewares,
            "NEWSCRAWL_REFRESH": True,  # a known article whose text changed: next version
            "NEWSCRAWL_DRIFT_ENABLED": False,  # judges crawls of the site, not re-reads
            "ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False, "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0, "REDIRECT_ENABLED": False, "COOKIES_ENABLED": False,
        }.items():
            settings.set(name, value, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        total = self.covered
        # What the run's progress lines count as known to go (newscrawl.reporting.progress).
        self.crawler.stats.set_value("newscrawl/reparse/captures", total)
        for index, capture in enumerate(c for c in self.captures if self.covers(c.url)):
            request = self.requests.article(capture.url)
            request.meta[CAPTURE_META] = capture
            # Capture order, whatever the scheduler's queue order: the first of two copies
            # of one text owns it, as in the crawl.
            yield request.replace(priority=total - index, dont_filter=True)

    def idle_requests(self) -> list[Request]:
        """A reparse reads no robots.txt, sitemap or listing when it idles: it ends."""
        return []

    def parse(self, response: Response) -> Iterator[Any]:
        """The crawl's parse, its requests dropped but one: the next page of a multi-page
        post, answered from its capture (without one, the post gives no record, as in a crawl
        whose page failed)."""
        for output in super().parse(response):
            if not isinstance(output, Request):
                yield output
            elif post_of(output) is not None:
                yield self._next_page(output, response)

    def _next_page(self, request: Request, response: Response) -> Request:
        page = urls.article_page(request.url)
        ref = urls.article_ref(page[0]) if page else None
        capture = (self.captures.page(article_key(ref.language, ref.article_id), page[1])
                   if page and ref else None)
        if capture is not None:
            request.meta[CAPTURE_META] = capture
        # Right after the post's page, before the captures queued behind it: a chain waits
        # in memory (its pages read so far) only while its next page is fetched.
        asked = response.request.priority if response.request is not None else 0
        return request.replace(priority=asked + 1)

    def crawled_at(self, response: Response) -> str:
        """The capture's WARC-Date, as a crawl writes crawled_at."""
        date = response.meta[CAPTURE_META].date
        moment = dt.datetime.fromisoformat(date.replace("Z", "+00:00"))
        return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
