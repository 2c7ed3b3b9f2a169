"""WarcCapture as a Scrapy component: records written from built responses, read back with warcio.

The rules checked are docs/warc.md's ("What the records hold, exactly"); every expected value
is written here from that page, or from the WARC/1.1 definitions (SHA-1 digests in base 32).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from newscrawl import settings
from newscrawl.capture.warc import WarcCapture
from newscrawl.spiders.bannedbook import BannedbookSpider

PAGE = "http://127.0.0.1:8000/bnews/sohnews/20230322/1862877.html"
HTML = b"<html><body>\xe6\xad\xa3\xe6\x96\x87</body></html>"  # 12 + 6 + 14 = 32 bytes


def sha1_b32(data: bytes) -> str:
    """WARC-Payload-Digest / WARC-Block-Digest as WARC/1.1 and docs/warc.md define them."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


class Capture:
    """A WarcCapture of a crawler from get_crawler, writing into a tmp dir."""

    def __init__(self, tmp_path: Path) -> None:
        self.directory = tmp_path / "warc"
        self.crawler: Crawler = get_crawler(BannedbookSpider, {
            "NEWSCRAWL_WARC_DIR": str(self.directory), "RETRY_TIMES": "5"})
        self.spider = self.crawler._create_spider()
        self.capture = WarcCapture.from_crawler(self.crawler)
        self.capture.spider_opened(self.spider)

    def fetch(self, response: Response) -> Response:
        assert response.request is not None
        return self.capture.process_response(response.request, response, self.spider)

    def records(self) -> list[ArcWarcRecord]:
        """Close the file (as at spider_closed) and read every record back, payloads kept."""
        self.capture.spider_closed()
        (path,) = self.directory.glob("*.warc.gz")
        with path.open("rb") as stream:
            return list(_read(stream))


def _read(stream: object) -> Iterator[ArcWarcRecord]:
    for record in ArchiveIterator(stream):
        record.raw = record.raw_stream.read()  # the payload as stored (not decoded)
        yield record


def response(body: bytes = HTML, status: int = 200, url: str = PAGE,
             headers: dict[str, str] | None = None, flags: list[str] | None = None) -> Response:
    request = Request(url, headers={"Accept-Encoding": "gzip, deflate"})
    return HtmlResponse(url, status=status, body=body, request=request, flags=flags,
                        headers=headers or {"Content-Type": "text/html; charset=UTF-8"},
                        ip_address=ipaddress.ip_address("127.0.0.1"), protocol="HTTP/1.1")


@pytest.fixture
def capture(tmp_path: Path) -> Capture:
    return Capture(tmp_path)


def test_a_run_begins_with_its_warcinfo(capture: Capture) -> None:
    # The file is begun at the first fetch (a run that fetched nothing leaves none).
    assert list(capture.directory.glob("*.warc.gz")) == []
    capture.fetch(response())
    info = capture.records()[0]
    assert info.rec_type == "warcinfo"
    fields = info.raw.decode("utf-8")
    assert "isPartOf: bannedbook\r\n" in fields
    assert "format: WARC File Format 1.1\r\n" in fields
    assert "RETRY_TIMES: 5\r\n" in fields


def test_a_response_and_its_request(capture: Capture) -> None:
    fetched = response()
    assert capture.fetch(fetched) is fetched  # the capture only watches
    _, answer, asked = capture.records()
    assert answer.rec_type == "response" and asked.rec_type == "request"
    assert answer.rec_headers.get_header("WARC-Target-URI") == PAGE
    assert answer.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert answer.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(HTML)
    assert answer.rec_headers.get_header("WARC-Truncated") is None
    assert answer.http_headers.protocol == "HTTP/1.1"
    assert answer.http_headers.get_statuscode() == "200"
    assert answer.http_headers.statusline == "200 OK"
    assert answer.http_headers.get_header("Content-Length") == "32"
    assert answer.raw == HTML
    # The request record: the headers Scrapy sent plus Host, linked to its response.
    assert asked.rec_headers.get_header("WARC-Concurrent-To") == \
        answer.rec_headers.get_header("WARC-Record-ID")
    assert asked.http_headers.protocol == "GET"
    assert asked.http_headers.statusline == "/bnews/sohnews/20230322/1862877.html HTTP/1.1"
    assert asked.http_headers.get_header("Host") == "127.0.0.1:8000"
    assert asked.http_headers.get_header("Accept-Encoding") == "gzip, deflate"


def test_the_status_line_has_the_standard_phrase(capture: Capture) -> None:
    capture.fetch(response(b"<html>gone</html>", status=404))
    capture.fetch(response(b"<html>busy</html>", status=503))
    _, gone, _, busy, _ = capture.records()
    assert gone.http_headers.statusline == "404 Not Found"
    assert busy.http_headers.statusline == "503 Service Unavailable"


def test_a_dechunked_body_keeps_its_transfer_encoding_under_the_archive_prefix(
        capture: Capture) -> None:
    capture.fetch(response(headers={"Content-Type": "text/html",
                                    "Transfer-Encoding": "chunked"}))
    _, answer, _ = capture.records()
    assert answer.http_headers.get_header("Transfer-Encoding") is None
    assert answer.http_headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert answer.http_headers.get_header("Content-Length") == "32"  # the stored body's
    assert answer.raw == HTML  # de-chunked: no chunk framing in what is stored


def test_content_length_states_the_stored_length(capture: Capture) -> None:
    capture.fetch(response(headers={"Content-Type": "text/html", "Content-Length": "99999"}))
    _, answer, _ = capture.records()
    assert answer.http_headers.get_header("Content-Length") == "32"


def test_a_gzip_body_is_stored_as_received(capture: Capture) -> None:
    wire = gzip.compress(HTML, mtime=0)
    capture.fetch(response(wire, headers={"Content-Type": "text/html",
                                          "Content-Encoding": "gzip"}))
    _, answer, _ = capture.records()
    assert answer.http_headers.get_header("Content-Encoding") == "gzip"
    assert answer.raw == wire
    assert answer.http_headers.get_header("Content-Length") == str(len(wire))
    assert answer.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(wire)


def test_a_body_cut_short_is_marked_truncated(capture: Capture) -> None:
    capture.fetch(response(HTML[:20], flags=["dataloss"]))
    _, answer, _ = capture.records()
    assert answer.rec_headers.get_header("WARC-Truncated") == "disconnect"
    assert answer.raw == HTML[:20]


def test_a_payload_captured_before_is_a_revisit(capture: Capture) -> None:
    other = "http://127.0.0.1:8000/bnews/"
    capture.fetch(response())
    capture.fetch(response(url=other))  # same payload at another URL
    _, first, _, again, asked = capture.records()
    assert again.rec_type == "revisit"
    assert again.rec_headers.get_header("WARC-Profile") == \
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert again.rec_headers.get_header("WARC-Target-URI") == other
    assert again.rec_headers.get_header("WARC-Refers-To-Target-URI") == PAGE
    assert again.rec_headers.get_header("WARC-Refers-To-Date") == \
        first.rec_headers.get_header("WARC-Date")
    assert again.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(HTML)
    assert again.raw == b""  # the HTTP headers only
    assert again.http_headers.statusline == "200 OK"
    assert asked.rec_type == "request"


def test_an_empty_capture_dir_setting_turns_capture_off() -> None:
    with pytest.raises(NotConfigured):
        WarcCapture.from_crawler(get_crawler(BannedbookSpider, {"NEWSCRAWL_WARC_DIR": ""}))
    with pytest.raises(ValueError, match="NEWSCRAWL_WARC_GZIP_LEVEL=10: use 0 to 9"):
        WarcCapture.from_crawler(get_crawler(BannedbookSpider, {
            "NEWSCRAWL_WARC_DIR": "x", "NEWSCRAWL_WARC_GZIP_LEVEL": "10"}))


def test_the_capture_sits_closest_to_the_wire() -> None:
    # docs/warc.md: at 950, past every Scrapy downloader middleware (the highest is
    # DownloaderStats at 850, HttpCompressionMiddleware at 590), so it sees bodies as received.
    assert settings.DOWNLOADER_MIDDLEWARES["newscrawl.capture.warc.WarcCapture"] == 950
