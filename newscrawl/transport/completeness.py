"""Whole responses only: a page cut short is retried, and never reaches the parser.

What Scrapy and Twisted already report comes first: with DOWNLOAD_FAIL_ON_DATALOSS (on in
settings.py) a body shorter than its Content-Length, or chunked and cut before its last
chunk, fails the download with a data-loss error that RetryMiddleware retries and the spider
counts as ``incomplete`` (refusals.refusal). With the setting off, Scrapy flags such a
response ``dataloss``; this middleware treats the flag the same way.

What no transport can see is a server that promises too little: a ``Content-Length``
shorter than the page, or a connection closed early without any length. The body is then
"complete" and cut. The site always ends its pages with ``</html>`` (WordPress templates
close the document; a cache plugin may add a comment after it), so an HTML 200 response
without ``</html>`` in its last bytes is incomplete too (NEWSCRAWL_REQUIRE_HTML_END, on
by default; turn it off for a site that does not close its documents).

Incomplete responses are retried (RETRY_TIMES, reason ``incomplete``); when the retries are
used up the request is given up with refusals.Incomplete. The article stays pending and is
fetched again by the next run.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl.reasons import INCOMPLETE
from newscrawl.run.config import setting
from newscrawl.transport.refusals import Incomplete

logger = logging.getLogger(__name__)

# How far from the end `</html>` may be: room for the comments page caches append.
TAIL_BYTES = 4096


def missing_part(response: Response, require_html_end: bool) -> str | None:
    """Why the response is not whole, or None. Only 200 HTML responses with a body are judged."""
    if "dataloss" in response.flags:
        return "the connection ended before the whole body arrived"
    if not require_html_end or response.status != 200 or not response.body:
        return None
    content_type = response.headers.get("Content-Type", b"").lower()
    if b"html" not in content_type:
        return None
    if b"</html>" not in response.body[-TAIL_BYTES:].lower():
        return f"its HTML has no </html> ({len(response.body)} bytes read)"
    return None


class WholeResponseMiddleware:
    """Retries, then refuses, responses that are not whole (see the module)."""

    def __init__(self, crawler: Crawler, require_html_end: bool) -> None:
        self.crawler = crawler
        self.require_html_end = require_html_end

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WholeResponseMiddleware:
        require_html_end = setting(crawler.settings, "NEWSCRAWL_REQUIRE_HTML_END")
        if not require_html_end and crawler.settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS"):
            raise NotConfigured("Scrapy fails data loss itself; no </html> check asked for")
        return cls(crawler, require_html_end)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        why = missing_part(response, self.require_html_end)
        if why is None:
            return response
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newscrawl/incomplete_responses")
        retry = get_retry_request(request, spider=self.crawler.spider, reason=INCOMPLETE.name)
        if retry is not None:
            logger.info("incomplete response from %s (%s): retrying", request.url, why)
            return retry
        raise Incomplete(f"{request.url}: incomplete, {why}; not exported")
