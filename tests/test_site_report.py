"""What the site is: last-run.json's `site` section and the first run's log lines
(reporting/site.py), and a first run that finds no article page at all (exit 1, one line
saying what it read and why nothing was followed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newscrawl.discovery.requests import Scope
from newscrawl.reporting.site import nothing_followed
from newscrawl.run.errors import EXIT_FAILED
from sitecopy import discovery
from sitecopy.model import Site
from sitecopy.server import SiteServer
from tests.crawling import run_crawl, serve_handler


def _site_lines(stderr: str) -> list[str]:
    return [line.split("] INFO: ", 1)[1] for line in stderr.splitlines()
            if "] INFO: the site: " in line]


def test_every_run_says_what_the_site_is_and_the_first_logs_it(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    discovery.enable(site, per_file=15)  # 40 posts: 3 post sitemaps under one index
    assert site.discovery is not None
    base = server.base_url
    first = run_crawl(base + "/bnews/", tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    found = first.summary["site"]
    newest = site.discovery.now.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    assert {k: found[k] for k in ("robots_txt", "robots_sitemaps", "sitemap_files_read",
                                  "sitemap_newest_lastmod", "feeds_read", "feeds_missing",
                                  "front_page_pages", "challenge_pages")} == {
        "robots_txt": "read",
        "robots_sitemaps": [base + "/bnews/sitemap_index.xml"],
        "sitemap_files_read": 4,  # the index and its 3 post sitemaps
        "sitemap_newest_lastmod": newest,  # the index's category and tag sitemaps: now
        "feeds_read": [base + "/bnews/feed/"],
        "feeds_missing": 0,
        "front_page_pages": True,
        "challenge_pages": 1,  # one of the copy's faults (sitecopy/faults.py)
    }
    # Every page parsed whole carries the comment on this copy; each gave one article.
    assert found["article_pages_whole"] == found["articles"] >= len(first.records) > 30
    assert found["whole_by"] == {"end_entry_comment": found["article_pages_whole"],
                                 "without_end_entry_comment": 0}
    assert found["field_coverage"]["title"] == found["field_coverage"]["body"] == 1.0
    tagged = sum(1 for record in first.records if record["tags"])
    assert tagged == len(first.records)  # the copy tags every post
    assert found["field_coverage"]["tags"] == 1.0
    lines = _site_lines(first.stderr)
    assert lines[0] == ("the site: robots.txt read; its Sitemap: lines: "
                        f"{base}/bnews/sitemap_index.xml")
    assert f"the site: sitemap files read: 4, newest lastmod {newest}" in lines
    assert "the site: front page: has a next page" in lines

    second = run_crawl(base + "/bnews/", tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert _site_lines(second.stderr) == [], "only the run that began the state logs it"
    assert second.summary["site"]["robots_txt"] == "read"


_FRONT = ("<html><head><title>禁闻网</title></head><body>"
          '<a href="/bnews/sohnews/20230322/1862877.html">one</a>'
          '<a href="/bnews/cnnews/20230321/1862870.html">two</a></body></html>').encode()


class _SimplifiedOnly(BaseHTTPRequestHandler):
    """A front page at /bnews/ linking Simplified articles only; everything else 404."""

    def do_GET(self) -> None:
        found = self.path == "/bnews/"
        body = _FRONT if found else b"not found"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def simplified_only() -> Iterator[str]:
    with serve_handler(_SimplifiedOnly) as base:
        yield base


def test_first_run_outside_the_language_section_fails_and_says_where_to_start(
        simplified_only: str, tmp_path: Path) -> None:
    run = run_crawl(simplified_only + "/bnews/", tmp_path, "-a", "lang=zh-tw")
    assert run.returncode == EXIT_FAILED, run.stderr[-2000:]
    last = run.stderr.rstrip("\n").splitlines()[-1]
    host = simplified_only.split("//")[1]
    assert last.startswith("newscrawl: run failed (exit 1): no article page found on a new"
                           " state: read robots.txt "), last
    assert "listing 1" in last
    assert last.endswith(
        f" of {host} and followed no article link: the start URL {simplified_only}/bnews/"
        " is outside the zh-Hant section; with -a lang=zh-tw start in"
        f" {simplified_only}/bnews/zh-tw/"), last
    assert run.summary["reason"] == "no_articles"
    assert run.records == []


SITE = "https://www.bannedbook.org"


@pytest.mark.parametrize(("stats", "start", "lang", "expected"), [
    ({"newscrawl/pages_ok": 1, "newscrawl/requests/listing": 1}, "/bnews/", "zh-Hant",
     "no article page found on a new state: read listing 1 of www.bannedbook.org and"
     " followed no article link: the start URL https://www.bannedbook.org/bnews/ is outside"
     " the zh-Hant section; with -a lang=zh-tw start in https://www.bannedbook.org/bnews/zh-tw/"),
    ({"newscrawl/pages_ok": 2, "newscrawl/requests/robots": 1,
      "newscrawl/requests/listing": 1}, "/", "zh-Hans",
     "no article page found on a new state: read robots.txt 1, listing 1 of"
     " www.bannedbook.org and followed no article link: the start URL"
     " https://www.bannedbook.org/ is outside the zh-Hans section; with -a lang=zh-cn start"
     " in https://www.bannedbook.org/bnews/"),
    ({"newscrawl/pages_ok": 1, "newscrawl/requests/listing": 1}, "/bnews/", "zh-Hans",
     "no article page found on a new state: read listing 1 of www.bannedbook.org and"
     " followed no article link: no page read links an article of the zh-Hans section"
     " (https://www.bannedbook.org/bnews/); are the start URLs the site's news pages?"),
    ({"newscrawl/pages_ok": 3, "newscrawl/requests/article": 1}, "/bnews/", "zh-Hans", None),
    ({"newscrawl/pages_ok": 3, "newscrawl/skipped/before_since": 5}, "/bnews/", "zh-Hans",
     None),  # articles found, all before -a since
    ({"newscrawl/pages_ok": 3, "newscrawl/resumed": 2}, "/bnews/", "zh-Hans", None),
    ({}, "/bnews/", "zh-Hans", None),  # nothing read: transport/outcomes.py says why
    ({"newscrawl/pages_ok": 3}, "/bnews/", "zh-Hans", None),  # a reparse: no discovery
])
def test_nothing_followed(stats: dict, start: str, lang: str, expected: str | None) -> None:
    assert nothing_followed(stats, Scope.of([SITE + start], lang)) == expected
