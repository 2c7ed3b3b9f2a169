"""Shared fixtures: a local copy of the site served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sitecopy.model import Site, build_site
from sitecopy.server import SiteServer, serve


@pytest.fixture
def site() -> Site:
    return build_site(40, seed=7)


@pytest.fixture
def server(site: Site) -> Iterator[SiteServer]:
    with serve(site) as running:
        yield running
