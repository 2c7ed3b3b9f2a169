"""Request identity: one fetch per post id per language, whatever URL names it."""

from __future__ import annotations

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
        ref = urls.article_ref(request.url)
        if ref is None:
            return fingerprint(request.replace(url=urls.canonical(request.url)))
        return hashlib.sha1(f"article {ref.language} {ref.article_id}".encode()).digest()
