"""The record newscrawl writes: one Article per line of JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class Image(TypedDict):
    url: str
    caption: str | None


class Media(TypedDict):
    """An embedded player or file: `kind` video, audio, tweet or embed; `url` what a person
    would open (docs/record.md gives the rule); `caption` the figure's caption or None."""

    kind: str
    url: str
    caption: str | None


class Related(TypedDict):
    url: str
    title: str


@dataclass
class Article:
    """One news article; field meanings are documented in newscrawl/schema/article.schema.json."""

    url: str
    article_id: str
    category: str
    published: str
    title: str
    source: str | None
    authors: list[str]
    tags: list[str]
    body: str
    images: list[Image]
    media: list[Media]
    related: list[Related]
    language: str
    content_hash: str
    crawled_at: str | None = None
    version: int = 1
