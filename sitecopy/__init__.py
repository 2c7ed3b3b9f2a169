"""A synthetic, deterministic copy of www.bannedbook.org's news section, and a server for it.

Used by the end-to-end crawl tests, the throughput benchmark and the README's offline demo:

    from sitecopy import build_site, serve
    site = build_site(40, seed=1)
    with serve(site) as server:
        ...  # crawl server.base_url + "/bnews/"
        expected = site.expected_records(server.base_url)

`python -m sitecopy serve|expected --help` runs the same from a shell.
"""

from __future__ import annotations

from sitecopy.model import Article, Fault, Site, build_site
from sitecopy.render import Response, render
from sitecopy.server import Hits, SiteServer, serve

__all__ = [
    "Article",
    "Fault",
    "Hits",
    "Response",
    "Site",
    "SiteServer",
    "build_site",
    "render",
    "serve",
]
