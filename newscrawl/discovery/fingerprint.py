"""Request identity: one fetch per post id per language, whatever URL names it."""

from __future__ import annotations

import functools
import hashlib

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import fingerprint

from newscrawl.discovery import urls


class ArticleFingerprinter:
    """A post reached under another category, query or escape case is the same page."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        if request.method == "GET" and not request.body:
            # Every request the spider builds: a function of the URL alone, so memoised.
            return _get_fingerprint(request.url)
        ref = urls.article_ref(request.url)
        if ref is None:
            return fingerprint(request.replace(url=urls.canonical(request.url)))
        return _article_fingerprint(ref)


def _article_fingerprint(ref: urls.ArticleRef) -> bytes:
    return hashlib.sha1(f"article {ref.language} {ref.article_id}".encode()).digest()


@functools.lru_cache(maxsize=4096)
def _get_fingerprint(url: str) -> bytes:
    """The fingerprint of a body-less GET of `url` (the same as the general case gives)."""
    ref = urls.article_ref(url)
    if ref is None:
        return fingerprint(Request(urls.canonical(url)))
    return _article_fingerprint(ref)
