"""A tag graph of the real site's shape: many tags of Zipf-like popularity, linked by blocks.

The real site has on the order of 10^5 tags (Simple Tags); each tag archive carries a block
of 10-20 related-tag links to other tag archives (site notes). `vocabulary(n)` makes n
distinct tags; articles draw them with Zipf-like weights (sitecopy.model), so a few tags are
on most articles and most tags on one or two. `related(site, tag)` is the block of a tag
archive: up to 15 other tags, drawn by popularity, stable for the tag.
"""

from __future__ import annotations

import random
import zlib
from itertools import accumulate

from sitecopy import words
from sitecopy.data import SiteData

# A third word for vocabularies past PLACES × TOPICS.
ASPECTS = ("问题", "政策", "危机", "事件", "报道", "争议", "调查", "改革", "冲突", "前景",
           "真相", "风波", "内幕", "动向", "观察")
RELATED = 15


def vocabulary(n: int) -> list[str]:
    """n distinct tags, most frequent first: the base tags, places × topics, then × aspects."""
    tags = list(dict.fromkeys(words.BASE_TAGS))
    seen = set(tags)
    pairs = [place + topic for topic in words.TOPICS for place in words.PLACES]
    triples = [pair + aspect for aspect in ASPECTS for pair in pairs]
    for word in (*pairs, *triples):
        if len(tags) >= n:
            break
        if word not in seen:
            seen.add(word)
            tags.append(word)
    if len(tags) < n:
        raise ValueError(f"at most {len(tags)} tags can be made, not {n}")
    return tags[:n]


def related(site: SiteData, own: str | None) -> list[str]:
    """The related-tags block of a listing (`own`: its tag, None for other listings)."""
    pool = [tag for tag in site.tags if tag not in site.inner_tags and tag != own]
    if len(pool) <= RELATED:
        return pool
    rng = random.Random(zlib.crc32(f"{site.seed}:related:{own}".encode()))
    weights = list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(pool))))
    chosen: dict[str, None] = {}
    while len(chosen) < RELATED:
        chosen[rng.choices(pool, cum_weights=weights)[0]] = None
    return list(chosen)
