"""End to end, on copies of the site that carry two unknowns of the real one (issue 17): every
page minified (no comment, white space collapsed), and posts answering Cloudflare challenges
(each status, with and without `cf-mitigated`, each wording) until the challenge clears.
The core expectations each time: every article once, every field exact (sitecopy.expected).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitecopy import challenges
from sitecopy.challenges import Challenge
from sitecopy.minify import minify
from sitecopy.model import Site, build_site
from sitecopy.render import render
from sitecopy.server import SiteServer, serve
from tests.crawling import Run, run_crawl

RETRIES = 2  # tests.crawling.FAST sets RETRY_TIMES=2
# A wrong count would give an article up after one run that failed it.
ONE_ATTEMPT = {"NEWSCRAWL_MAX_ATTEMPTS": "1"}


def _without_crawl_time(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "crawled_at"}


def assert_every_article_once_exactly(site: Site, base_url: str, records: list[dict]) -> None:
    """The core expectations of tests/test_crawl.py over the records of one or more runs."""
    expected = site.expected_records(base_url)
    ids = Counter(record["article_id"] for record in records)
    assert max(ids.values()) == 1, "an article was written twice"
    original, copy = site.republished
    kept = {original, copy} & set(ids)
    assert len(kept) == 1, "exactly one of a republished pair is kept"
    assert set(ids) == set(expected) - ({original, copy} - kept)
    for record in records:
        assert _without_crawl_time(record) == expected[record["article_id"]]


# --- minified ------------------------------------------------------------------------------

def test_the_minified_copy_serves_no_comment(site: Site) -> None:
    site.minified = True
    article = site.articles[site.promos[0]]
    page = render(site, article.path(), "http://127.0.0.1:1").body
    assert b'<div class="entry">' in page and page.rstrip().endswith(b"</html>")
    assert b"<!--" not in page and b"END ENTRY" not in page
    assert b"\n" not in page and b"  " not in page


@pytest.mark.parametrize(("page", "minified"), [
    (b"<html>\n <body>\n  <!-- c -->\n  <div class=\"entry\">\n   <p>a  <b>b</b>\n c</p>\n"
     b"  </div><!--END ENTRY-->\n </body>\n</html>\n",
     b'<html><body><div class="entry"><p>a <b>b</b> c</p></div></body></html>'),
    (b"<p>x</p>\n<pre>  a\n  b</pre>\n<script>\nvar s = '<!-- x -->';\n</script>",
     b"<p>x</p><pre>  a\n  b</pre> <script>\nvar s = '<!-- x -->';\n</script>"),
])
def test_minify(page: bytes, minified: bytes) -> None:
    assert minify(page) == minified


def test_minified_copy_every_article_once_exactly(site: Site, tmp_path: Path) -> None:
    site.minified = True
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_every_article_once_exactly(site, server.base_url, run.records)
    counts = run.summary["counts"]
    assert "newscrawl/not_article/partial_page" not in counts
    assert run.summary["status"] == "ok"


# --- challenges ----------------------------------------------------------------------------

def _plain(site: Site) -> list[str]:
    """Listed posts that are no fault of the copy and link no hidden post (which a run then
    finds only once the challenge clears)."""
    faults = {*site.unservable, *site.republished, site.gbk}
    transient = {i for i, a in site.articles.items() if a.path() in site.transient}
    return [i for i, a in site.articles.items()
            if a.listed and i not in faults | transient and i not in site.promos
            and not set(a.related) & set(site.hidden)]


VARIANTS = [  # every status with and without the header; the wordings spread over them
    Challenge(200, True, "unknown"), Challenge(200, False, "please-wait"),
    Challenge(403, True, "attention-required"), Challenge(403, False, "access-denied"),
    Challenge(429, True, "rate-limited"), Challenge(429, False, "checking-upper"),
    Challenge(503, True, "verifying"), Challenge(503, False, "just-a-moment"),
]


@pytest.fixture
def challenged() -> Iterator[tuple[Site, SiteServer, dict[str, Challenge]]]:
    site = build_site(40, seed=7)
    chosen = dict(zip(_plain(site), VARIANTS, strict=False))
    assert len(chosen) == len(VARIANTS)
    site.challenges = dict(chosen)
    with serve(site) as server:
        yield site, server, chosen


def _challenge_count(run: Run) -> int:
    return run.summary["counts"].get("newscrawl/not_article/challenge", 0)


def test_challenged_posts_are_exported_once_the_challenge_clears(challenged, tmp_path) -> None:
    site, server, chosen = challenged
    first = run_crawl(server.base_url + "/bnews/", tmp_path, settings=ONE_ATTEMPT)
    assert first.returncode == 0, first.stderr[-3000:]
    assert not set(chosen) & set(first.ids)
    assert _challenge_count(first) == len(chosen) + 1  # + the copy's own always-503 post
    paths = server.hits.paths()
    for post, challenge in chosen.items():  # 429 and 503 are retried, 200 and 403 are not
        assert paths[site.articles[post].path()] == (
            RETRIES + 1 if challenge.status in (429, 503) else 1), challenge

    site.challenges = {}  # the challenge clears
    server.reset()
    second = run_crawl(server.base_url + "/bnews/", tmp_path, settings=ONE_ATTEMPT)
    assert second.returncode == 0, second.stderr[-3000:]
    assert set(second.ids) == set(chosen), "the challenged posts, none given up"
    assert_every_article_once_exactly(site, server.base_url, first.records + second.records)


def test_a_challenge_served_n_times_clears_by_itself(challenged, tmp_path) -> None:
    site, server, chosen = challenged
    # Each post challenged for exactly the requests one run makes of it.
    site.challenges = {post: Challenge(c.status, c.header, c.wording,
                                       RETRIES + 1 if c.status in (429, 503) else 1)
                       for post, c in chosen.items()}
    runs = [run_crawl(server.base_url + "/bnews/", tmp_path, settings=ONE_ATTEMPT)]
    server.reset()
    runs.append(run_crawl(server.base_url + "/bnews/", tmp_path, settings=ONE_ATTEMPT))
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr[-3000:]
    assert [_challenge_count(run) for run in runs] == [len(chosen) + 1, 1]
    assert set(runs[1].ids) == set(chosen)
    assert_every_article_once_exactly(site, server.base_url, runs[0].records + runs[1].records)


@pytest.mark.parametrize("challenge", challenges.variants(), ids=str)
def test_every_variant_is_served_as_asked(challenge: Challenge) -> None:
    site = build_site(40, seed=7)
    post = _plain(site)[0]
    site.challenges = {post: Challenge(challenge.status, challenge.header, challenge.wording, 1)}
    with serve(site) as server:
        url = server.base_url + site.articles[post].path()
        try:
            answer = urllib.request.urlopen(url)
        except urllib.error.HTTPError as error:
            answer = error
        assert answer.status == challenge.status
        assert (answer.headers.get("cf-mitigated") == "challenge") is challenge.header
        assert answer.read() == challenges.WORDINGS[challenge.wording]
        again = urllib.request.urlopen(url)  # served once: then the article
        assert again.status == 200 and b'<div class="entry">' in again.read()
