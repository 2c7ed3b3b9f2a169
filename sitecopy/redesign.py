"""A redesign of the site's article markup, in force from the first run or switched on between
runs (the drift alarm's tests).

`Site.redesign` holds the changes in force (set it before the first request, or serve with
``python -m sitecopy serve --redesign entry,tags``, for a site redesigned before newscrawl
ever saw it); `apply` rewrites a rendered article page:

- ``entry``: the article container ``div.entry`` is renamed ``div.post-content`` (the parser's
  ENTRY selector then finds no article: every page fails with no body);
- ``tags``: tag links lose ``rel="tag"`` (the parser then finds no tags);
- ``captions``: every other plain paragraph is marked as a caption (``p.wp-caption-text``):
  the body then leaves much of the text out under the rule ``caption`` (the loss warning).

Switch back with ``site.redesign = frozenset()``: the copy serves the old markup again.
"""

from __future__ import annotations

import itertools
import re

ENTRY = "entry"
TAGS = "tags"
CAPTIONS = "captions"
CHANGES = frozenset({ENTRY, TAGS, CAPTIONS})
_PARAGRAPH = re.compile(r"<p>")


def apply(page: str, changes: frozenset[str]) -> str:
    """The article page ``page`` with ``changes`` (a subset of CHANGES) made to its markup."""
    unknown = changes - CHANGES
    if unknown:
        raise ValueError(f"unknown redesign {sorted(unknown)}: use {sorted(CHANGES)}")
    if ENTRY in changes:
        page = page.replace('<div class="entry">', '<div class="post-content">')
    if TAGS in changes:
        page = page.replace(' rel="tag" ', " ")
    if CAPTIONS in changes:
        turn = itertools.cycle((False, True))
        page = _PARAGRAPH.sub(lambda m: '<p class="wp-caption-text">' if next(turn) else "<p>",
                              page)
    return page
