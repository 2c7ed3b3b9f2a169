"""The pure rules behind newscrawl.transport, table by table (the crawls are in test_misbehave)."""

from __future__ import annotations

import datetime as dt

import pytest
from scrapy.http import HtmlResponse, Response, TextResponse

from newscrawl.transport.backoff import retry_after_seconds
from newscrawl.transport.completeness import missing_part
from newscrawl.transport.outcomes import nothing_read
from newscrawl.transport.redirects import FOLLOW, judge, moved_origin, site_moved

A = "http://www.bannedbook.org/bnews/sohnews/20230322/1862877.html"
HOSTS = ["www.bannedbook.org"]


@pytest.mark.parametrize(("chain", "target", "verdict"), [
    ([A], "http://www.bannedbook.org/bnews/worldnews/20230322/1862877.html", FOLLOW),
    ([A], A + "?replytocom=1", FOLLOW),
    ([A], A.replace("http:", "https:"), FOLLOW),
    ([A], "http://www.bannedbook.org:8080/bnews/sohnews/20230322/1862877.html", FOLLOW),
    ([A], "http://elsewhere.example/bnews/sohnews/20230322/1862877.html", "redirect_moved"),
    ([A], "http://elsewhere.example/landing/", "redirect_offsite"),
    ([A], "ftp://www.bannedbook.org/x", "redirect_offsite"),
    ([A, A + "?loop=1"], A, "redirect_loop"),
    ([A], A + "#comments", "redirect_loop"),  # the same URL: WordPress never means that
    ([A], "http://www.bannedbook.org/bnews/", "redirect_not_article"),
    ([A], "http://www.bannedbook.org/bnews/sohnews/20230322/1862878.html",
     "redirect_not_article"),
    ([A], "http://www.bannedbook.org/bnews/zh-tw/sohnews/20230322/1862877.html",
     "redirect_not_article"),
    (["http://www.bannedbook.org/bnews/"], "https://www.bannedbook.org/bnews/", FOLLOW),
    (["http://www.bannedbook.org/bnews/"], "https://other.example/bnews/", "redirect_offsite"),
])
def test_judge(chain: list[str], target: str, verdict: str) -> None:
    assert judge(chain, target, HOSTS) == verdict


MOVED = "newscrawl/redirect/moved_to/"
ANSWERED = "newscrawl/redirect/article_responses"


@pytest.mark.parametrize(("stats", "sentence"), [
    ({}, None),
    ({ANSWERED: 10, MOVED + "https://www.bannedbook.org": 6},
     "the site moved: 6 of 10 article requests were redirected to https://www.bannedbook.org"),
    ({ANSWERED: 10, MOVED + "https://www.bannedbook.org": 5}, None),  # half is not most
    ({MOVED + "https://www.bannedbook.org": 1}, None),  # no article request answered
    # Two new addresses: the one most requests went to is named (not the last in order).
    ({ANSWERED: 10, MOVED + "https://a.example": 7, MOVED + "https://b.example": 1},
     "the site moved: 7 of 10 article requests were redirected to https://a.example"),
])
def test_site_moved_needs_most_article_requests(stats: dict, sentence: str | None) -> None:
    moved = site_moved(stats)
    assert (moved is None) == (sentence is None)
    # The origin the state is handed to: the one the sentence names.
    assert moved_origin(stats) == (sentence.rsplit(" to ", 1)[1] if sentence else None)
    if sentence is not None:
        assert moved is not None and moved.startswith(sentence)


NOW = dt.datetime(2026, 10, 21, 7, 28, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(("value", "seconds"), [
    (b"120", 120.0),
    (" 5 ", 5.0),
    ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
    (b"Wed, 21 Oct 2026 07:28:30 GMT", 30.0),  # as Scrapy's headers hold it
    ("Wed, 21 Oct 2026 07:28:30 -0000", 30.0),  # RFC 5322 3.3: -0000 is UTC too
    ("Wed, 21 Oct 2026 09:28:30 +0200", 30.0),
    ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),  # in the past: ask now
    ("Wednesday, 21-Oct-26 07:29:00 GMT", 60.0),  # RFC 850, still accepted by RFC 9110
    ("soon", None),
    ("-5", None),
    (None, None),
])
def test_retry_after_seconds(value: bytes | str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds


def _response(body: bytes, content_type: str = "text/html; charset=UTF-8", status: int = 200,
              flags: list[str] | None = None) -> Response:
    cls = HtmlResponse if "html" in content_type else TextResponse
    return cls("http://h/p.html", status=status, body=body, flags=flags,
               headers={"Content-Type": content_type})


@pytest.mark.parametrize(("response", "whole"), [
    (_response(b"<html><body>x</body></html>\n"), True),
    (_response(b"<HTML><body>x</body></HTML><!-- cached 0.2 s -->\n"), True),
    (_response(b"<html><body>x</body>"), False),
    (_response(b"<html><body>x</body></html>", flags=["dataloss"]), False),
    (_response(b""), True),  # empty: the spider counts it as such
    (_response(b"User-agent: *", "text/plain"), True),
    (_response(b"<html>not found", status=404), True),  # HttpError's business
    (Response("http://h/p.html", body=b"<html><body>x"), True),  # no Content-Type: not HTML
])
def test_missing_part(response: Response, whole: bool) -> None:
    assert (missing_part(response, require_html_end=True) is None) == whole


def test_missing_html_end_is_not_judged_when_the_site_does_not_close_pages() -> None:
    assert missing_part(_response(b"<html><body>x"), require_html_end=False) is None


@pytest.mark.parametrize(("stats", "sentence"), [
    ({"newscrawl/not_article/http_403": 3}, "the site answered HTTP 403 to every request"),
    ({"newscrawl/not_article/robots_forbidden": 1,
      "newscrawl_detail/robots_forbidden": "robots.txt at R forbids U"},
     "robots.txt at R forbids U; nothing was fetched"),
    ({"newscrawl/not_article/challenge": 2}, "(2 challenge pages, failed_requests=0)"),
    ({"newscrawl/not_article/http_403": 1, "newscrawl/errors/network": 2},
     "(0 challenge pages, failed_requests=3: 1 http_403, 2 network)"),
])
def test_nothing_read_names_what_the_server_did(stats: dict, sentence: str) -> None:
    assert sentence in nothing_read(stats)


NOT = "newscrawl/not_article/"
CAUSE, HOST = "newscrawl/errors/network_cause/", "newscrawl_detail/network_host/"
NO_PAGE = "no page of the site could be read"


@pytest.mark.parametrize(("stats", "sentence"), [
    # The sentences of docs/failures.md (exit 1, site_error), written out whole.
    ({NOT + "robots_forbidden": 1}, "robots.txt forbids the start URL; nothing was fetched"),
    ({NOT + "http_403": 1},
     "the site answered HTTP 403 to every request (1 page asked, none read)"),
    ({NOT + "http_503": 2},
     "the site answered HTTP 503 to every request (2 pages asked, none read)"),
    ({NOT + "backoff_exceeded": 1, "newscrawl_detail/backoff_exceeded": "h answered 429"},
     f"{NO_PAGE}: h answered 429"),
    ({"newscrawl/errors/network": 1, CAUSE + "network_dns": 1,
      HOST + "network_dns": "www.bannedbook.org"},
     f"{NO_PAGE}: the host name www.bannedbook.org could not be resolved (DNS)"
     " (failed_requests=1, after retries)"),
    # Several causes: the most frequent first, each with the first host it failed on.
    ({"newscrawl/errors/network": 3, CAUSE + "network_refused": 1,
      HOST + "network_refused": "127.0.0.1:8765", CAUSE + "network_timeout": 2,
      HOST + "network_timeout": "h"},
     f"{NO_PAGE}: h did not answer in time (timeout); 127.0.0.1:8765 refused the connection"
     " (failed_requests=3, after retries)"),
    ({"newscrawl/errors/network": 1, CAUSE + "network_tls": 1},
     f"{NO_PAGE}: the TLS handshake with the site failed (failed_requests=1, after retries)"),
    ({"newscrawl/errors/network": 2},
     f"{NO_PAGE} (0 challenge pages, failed_requests=2: 2 network)"),
])
def test_nothing_read_sentences(stats: dict, sentence: str) -> None:
    assert nothing_read(stats) == sentence
