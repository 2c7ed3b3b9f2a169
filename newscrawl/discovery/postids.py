"""Compact sets of post ids, and the dupefilter that keeps article requests in them.

A first crawl of the site requests about 2M articles. Scrapy's RFPDupeFilter keeps each
request's fingerprint as a 40-character hex string in a Python set (~0.15 KB each, never freed)
and a Python set of ints costs ~60 bytes an id; a Roaring bitmap (pyroaring) of the same post
ids costs a few bytes each (docs/benchmarks.md, "Memory of a first crawl"). A post id is the
URL's digits (newscrawl.discovery.urls), so an article is one bit per language.
"""

from __future__ import annotations

from pyroaring import BitMap64
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

from newscrawl.discovery import urls


def post_ids() -> BitMap64:
    """An empty compact set of post ids (ints ≥ 0): `add`, `in`, `len` as a set's."""
    return BitMap64()


class PostDupeFilter(RFPDupeFilter):
    """Scrapy's dupefilter, with article requests remembered by post id in bitmaps.

    Two URLs of one post (another category, query, escape case) are one fetch, as the
    fingerprinter (newscrawl.discovery.fingerprint) says; every other request (robots.txt,
    sitemaps, feeds, listings: a few per listing of the site) is Scrapy's as before. With
    JOBDIR, only those others are written to its file: a run resumes articles from the
    state (newscrawl.discovery.incremental), not from JOBDIR.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.posts: dict[str, BitMap64] = {}  # language -> post ids requested this run

    def request_seen(self, request: Request) -> bool:
        ref = urls.article_ref(request.url)
        if ref is None:
            return super().request_seen(request)
        ids = self.posts.get(ref.language)
        if ids is None:
            ids = self.posts[ref.language] = post_ids()
        post = int(ref.article_id)
        if post in ids:
            return True
        ids.add(post)
        return False
