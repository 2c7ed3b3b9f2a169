"""Multi-page posts (<!--nextpage-->): a page's links to the post's later pages, and the record
of the whole post from the records of its pages. Pure functions.

WordPress splits such a post over …/ID.html, …/ID.html/2, …/ID.html/3 and prints the page
links with wp_link_pages (selectors.PAGE_LINK_HREFS; the block is left out of the body by the
rule "page_links"). Every page repeats the title and the theme's blocks (related list); the
byline is on the first page only. The spider reads the pages in order
(newscrawl.spiders.bannedbook) and yields `combine` of them: one record, never one per page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from lxml import etree

from newscrawl.article import Article
from newscrawl.discovery.urls import article_page
from newscrawl.extraction import selectors as sel
from newscrawl.extraction.images import absolute
from newscrawl.extraction.text import content_hash

_PAGE_LINKS = etree.XPath(sel.PAGE_LINK_HREFS)


def page_links(entry: etree._Element, base: str, article_url: str) -> list[str]:
    """The URLs of the later pages (N ≥ 2) of the post at canonical `article_url` that the
    entry links, canonical, in page order; [] for a post of one page."""
    pages: dict[int, str] = {}
    for href in _PAGE_LINKS(entry):
        url = absolute(base, str(href))
        page = article_page(url) if url else None
        if page is not None and page[0] == article_url:
            pages.setdefault(page[1], f"{article_url}/{page[1]}")
    return [pages[number] for number in sorted(pages)]


def page_number(url: str) -> int:
    """N of a later page's URL, 1 for the article's own URL."""
    page = article_page(url)
    return page[1] if page else 1


def follow(chain: dict[str, Any] | None, article: Article, linked: list[str], url: str
           ) -> Article | tuple[str, dict[str, Any]]:
    """What reading the page at `url` (its `article` and the `linked` later pages) gives: the
    post's record when no later page is left, else (the next page's URL, the chain to carry
    to it). `chain`: what the page's request carried, None for the post's own URL; a chain is
    {"post": the post's URL, "read": the records of the pages read (dicts), "next": the URLs
    still to read}. Pages are read in page order; a page links the others (all, or the next)."""
    if chain is None and not linked:
        return article
    read = [*(chain["read"] if chain else []), dataclasses.asdict(article)]
    here = page_number(url)
    later = sorted({page for page in (*(chain["next"] if chain else ()), *linked)
                    if page_number(page) > here}, key=page_number)
    if later:
        return later[0], {"post": article.url, "read": read, "next": later[1:]}
    return combine([Article(**page) for page in read])


def combine(pages: Sequence[Article]) -> Article:
    """The record of a post read over `pages` (its pages' records, first page first).

    The first page gives what only it carries (source, authors, crawled_at); the body is every
    page's body in order; tags, images, media and related are every page's, each once, in
    first-seen order; the hash is of the whole text.
    """
    first = pages[0]
    body = "\n\n".join(page.body for page in pages)
    return dataclasses.replace(
        first,
        source=first.source or next((p.source for p in pages if p.source), None),
        authors=first.authors or next((p.authors for p in pages if p.authors), []),
        tags=list(dict.fromkeys(tag for page in pages for tag in page.tags)),
        body=body,
        images=_distinct(image for page in pages for image in page.images),
        media=_distinct(medium for page in pages for medium in page.media),
        related=_distinct(link for page in pages for link in page.related),
        content_hash=content_hash(first.title, body))


def _distinct(entries: Iterable[dict]) -> list:
    """Entries with distinct URLs, first seen first."""
    seen: dict[str, dict] = {}
    for entry in entries:
        seen.setdefault(entry["url"], entry)
    return list(seen.values())
