"""Helpers of the component tests: a crawler as Scrapy's own tests build one, items by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newscrawl.article import Article
from newscrawl.spiders.bannedbook import BannedbookSpider


def crawler_with_state(tmp_path: Path, **settings: Any) -> Crawler:
    """A crawler (get_crawler) with newscrawl's StateKeeper on an in-memory state.

    No project settings are read: each test names the settings its component uses.
    """
    return get_crawler(BannedbookSpider, {
        "EXTENSIONS": {"newscrawl.state.keeper.StateKeeper": 10},
        "NEWSCRAWL_STATE_ENABLED": False, "NEWSCRAWL_STATE_DIR": str(tmp_path / "state"),
        **settings})


def article(article_id: str = "1862877", **fields: Any) -> Article:
    """An article record as the parser yields it; `fields` override the defaults."""
    values: dict[str, Any] = {
        "url": f"https://www.bannedbook.org/bnews/sohnews/20230322/{article_id}.html",
        "article_id": article_id, "category": "sohnews", "published": "2023-03-22",
        "title": "标题", "source": None, "authors": [], "tags": [], "body": "正文。",
        "images": [], "media": [], "related": [], "language": "zh-Hans", "content_hash": "",
    }
    values.update(fields)
    return Article(**values)
