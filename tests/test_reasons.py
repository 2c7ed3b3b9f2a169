"""The one table of reasons (newscrawl/reasons.py): its flags, the places that read them, and
no reason written anywhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawl import reasons
from newscrawl.discovery.incremental import IncrementalMiddleware
from newscrawl.quality.drift import DriftMonitor
from newscrawl.reasons import REASONS, STAT_PREFIX, lookup
from newscrawl.transport import refusals
from newscrawl.transport.outcomes import failed_requests
from tests.crawling import ROOT

ARTICLE_URL = "https://www.bannedbook.org/bnews/sohnews/20230322/1862877.html"

# What each place decided before the table existed (outcomes.REQUEST_REASONS and its http_/
# network rule, incremental.GIVE_UP_REASONS, drift.MARKUP_FAILURES), written out by hand.
#  name                    failed  give up markup transient
FLAGS = [
    ("challenge",            False, False, False, True),
    ("not_html",             False, True,  False, False),
    ("empty",                False, True,  False, False),
    ("not_article_url",      False, False, False, False),
    ("no_title",             False, True,  True,  False),
    ("no_body",              False, True,  True,  False),
    ("partial_page",         False, False, False, True),
    ("network",              True,  False, False, True),
    ("incomplete",           True,  False, False, True),
    ("too_large",            True,  False, False, False),
    ("backoff_exceeded",     True,  False, False, True),
    ("robots_forbidden",     True,  False, False, False),
    ("redirect_moved",       True,  False, False, False),
    ("redirect_offsite",     True,  True,  False, False),
    ("redirect_loop",        True,  True,  False, False),
    ("redirect_not_article", True,  True,  False, False),
    ("network_dns",          True,  False, False, True),
    ("network_refused",      True,  False, False, True),
    ("network_timeout",      True,  False, False, True),
    ("network_tls",          True,  False, False, True),
    ("network_other",        True,  False, False, True),
    ("http_404",             True,  True,  False, False),
    ("http_410",             True,  True,  False, False),
    ("http_403",             True,  False, False, False),
    ("http_429",             True,  False, False, True),
    ("http_500",             True,  False, False, True),
    ("http_503",             True,  False, False, True),
]


@pytest.mark.parametrize(("name", "failed", "give_up", "markup", "transient"), FLAGS)
def test_flags(name: str, failed: bool, give_up: bool, markup: bool, transient: bool) -> None:
    reason = lookup(name)
    assert reason is not None and reason.name == name
    assert (reason.failed_request, reason.counts_toward_give_up, reason.markup,
            reason.transient) == (failed, give_up, markup, transient)
    assert reason.sentence
    assert not (reason.transient and reason.counts_toward_give_up), "transient: never given up"


def test_the_table_holds_every_named_reason_and_nothing_else() -> None:
    assert set(REASONS) == {name for name, *_ in FLAGS if not name.startswith("http_")}
    assert lookup("nothing_like_it") is None and lookup("http_") is None


@pytest.mark.parametrize(("name", "sentence"), [
    # the sentences docs/failures.md quotes
    ("redirect_moved", "the same post off the start hosts (has the site moved?)"),
    ("redirect_offsite", "off the start hosts"),
    ("redirect_loop", "a loop (a URL already in the chain, or too many redirects)"),
    ("redirect_not_article", "not this article"),
    ("challenge", "a challenge page instead of content"),
    ("http_503", "an HTTP 503 answer"),
])
def test_sentences(name: str, sentence: str) -> None:
    reason = lookup(name)
    assert reason is not None and reason.sentence == sentence


@pytest.mark.parametrize(("name", "failed", "give_up", "markup", "transient"), FLAGS)
def test_every_reader_follows_the_table(name: str, failed: bool, give_up: bool, markup: bool,
                                        transient: bool) -> None:
    stats = {reasons.NETWORK_STAT: 1} if name == "network" else {STAT_PREFIX + name: 1}
    assert failed_requests(stats) == int(failed)
    crawler = get_crawler()
    incremental = IncrementalMiddleware.from_crawler(crawler)
    drift = DriftMonitor(crawler, 20, 3, False)
    incremental.article_failed(ARTICLE_URL, name)
    drift.article_failed(ARTICLE_URL, name)
    assert incremental._failed == (["zh-Hans:1862877"] if give_up else [])
    assert drift.failures == int(markup)


def test_refusals_name_reasons_of_the_table() -> None:
    named = [refusals.Incomplete, refusals.TooLarge, refusals.BackoffExceeded,
             refusals.RobotsForbidden]
    assert {cls("x").reason for cls in named} == {
        "incomplete", "too_large", "backoff_exceeded", "robots_forbidden"}
    # RedirectRefused carries the verdict of redirects.judge, a constant of the table.
    assert set(refusals.Refused.__subclasses__()) == {*named, refusals.RedirectRefused}


NOT_YET: dict[str, set[str]] = {}  # literals still written outside the table: none


def _reason_literals(path: Path) -> set[str]:
    """Reason names and reason stats written as string literals (f-string parts included)."""
    words = set(REASONS) | {STAT_PREFIX, reasons.NETWORK_STAT, reasons.HTTP_PREFIX}
    return {node.value for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and (node.value in words or node.value.startswith(STAT_PREFIX))}


def test_reasons_are_written_once() -> None:
    found = {}
    for path in sorted((ROOT / "newscrawl").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name != "newscrawl/reasons.py" and (literals := _reason_literals(path)):
            found[name] = literals
    assert found == NOT_YET, "use the constants of newscrawl/reasons.py"
