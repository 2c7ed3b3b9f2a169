"""Shared fixtures: a local copy of the site served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newscrawl.discovery import urls
from newscrawl.extraction import text
from sitecopy.model import Site, build_site
from sitecopy.server import SiteServer, serve


@pytest.fixture(autouse=True)
def _cold_rule_caches() -> None:
    """Each test asks the memoised URL and text rules afresh: a result cached by an earlier
    test would hide from this one a change to the rule (mutation testing, docs/testing.md,
    runs each mutant in a process forked after the whole selection ran)."""
    for rule in (*urls.MEMOISED, text._scrubber):
        rule.cache_clear()


@pytest.fixture
def site() -> Site:
    return build_site(40, seed=7)


@pytest.fixture
def server(site: Site) -> Iterator[SiteServer]:
    with serve(site) as running:
        yield running
