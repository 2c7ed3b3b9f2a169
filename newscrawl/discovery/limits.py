"""Bounds on what one page may cost: how many of its links are taken.

DOWNLOAD_MAXSIZE/DOWNLOAD_WARNSIZE (settings.py) bound the bytes; this bounds the work done
per byte. A page of 200,000 links (7.8 MB) costs ~110 MB as a parsed tree, another ~110 MB
when every link is selected (parsel makes a Selector per match) and far more as Requests.
The query below asks lxml for the first ``limit`` matches only, in document order; the link
path (newscrawl.discovery.links) and the article parser (newscrawl.extraction.extract, which
reads an article page's links from its own tree so that the page is parsed once) read every
page's links through it.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree
from parsel.csstranslator import HTMLTranslator


@lru_cache(maxsize=64)  # called per page with the same few arguments
def capped_query(css: str, limit: int) -> str:
    """An XPath for the first ``limit`` matches of a CSS query (``::attr()`` allowed).

    ``limit`` <= 0: all matches. Raises cssselect's SelectorError for invalid CSS.
    """
    xpath = HTMLTranslator().css_to_xpath(css)
    return f"({xpath})[position() <= {limit}]" if limit > 0 else xpath


@lru_cache(maxsize=16)
def compiled_query(css: str, limit: int) -> etree.XPath:
    """capped_query compiled once: called on a parsed root, the matched strings (plain str,
    as ``response.css(css).getall()`` gives them) of the first ``limit`` matches."""
    return etree.XPath(capped_query(css, limit), smart_strings=False)
