"""The site a test serves: `build_site` makes one, deterministic for (n_articles, seed);
`Site` is its data (sitecopy.data) with the records a complete crawl of it must yield.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from itertools import accumulate

from sitecopy import taggraph, words
from sitecopy.data import Article, Fault, Missing, SiteData, make_article
from sitecopy.expected import expected_record as _expected_record
from sitecopy.faults import hide, inject
from sitecopy.paths import SIMPLIFIED

__all__ = ["Article", "Fault", "Missing", "Site", "build_site"]

FIRST_ID = 1_860_000
FIRST_DAY = dt.date(2023, 1, 1)
SPAN_DAYS = 90
MIN_ARTICLES_WITH_FAULTS = 30


@dataclass(eq=False)
class Site(SiteData):
    """A site, and what a crawl of it writes (sitecopy.expected)."""

    def expected_record(self, article_id: str, base_url: str, language: str = SIMPLIFIED) -> dict:
        """The record a crawl of a server at base_url writes for the article (see expected.py)."""
        return _expected_record(self, article_id, base_url, language)

    def expected_records(self, base_url: str, language: str = SIMPLIFIED) -> dict[str, dict]:
        """Every record a complete crawl yields, by id: all articles but `unservable`.

        Both ids of `republished` are here; a crawl keeps exactly one of them.
        """
        with self.lock:
            ids = [i for i in self.articles if i not in self.unservable]
            return {i: self.expected_record(i, base_url, language) for i in ids}


def build_site(n_articles: int = 40, seed: int = 1, *, faults: bool = True,
               tags: int | None = None) -> Site:
    """A site of n_articles, the same for the same (n_articles, seed, faults, tags).

    tags: size of the tag vocabulary (sitecopy.taggraph); default grows slowly with the site.
    """
    if n_articles < 1 or (faults and n_articles < MIN_ARTICLES_WITH_FAULTS):
        raise ValueError(f"need at least {MIN_ARTICLES_WITH_FAULTS if faults else 1} articles")
    rng = random.Random(f"sitecopy:{seed}")
    vocab = taggraph.vocabulary(tags) if tags else words.tag_vocabulary(n_articles)
    inner = frozenset(vocab[-max(2, len(vocab) // 4):])
    site = Site(seed, faults, vocab, inner)
    days = sorted(rng.randrange(SPAN_DAYS) for _ in range(n_articles))
    ids = accumulate(rng.randint(1, 9) for _ in range(n_articles))
    cats = words.CATEGORIES
    for index, (day, offset) in enumerate(zip(days, ids, strict=True)):
        date = (FIRST_DAY + dt.timedelta(days=day)).strftime("%Y%m%d")
        must = vocab[index] if index < len(vocab) else None
        category = cats[index][0] if index < len(cats) else None
        article = make_article(rng, index, str(FIRST_ID + offset), date, vocab, category,
                                must)
        site.articles[article.id] = article
    order = list(site.articles)
    for index, article_id in enumerate(order):  # related: up to 5 of the 30 before it
        earlier = order[max(0, index - 30):index]
        count = min(len(earlier), rng.choices((0, 1, 3, 5), (2, 3, 3, 2))[0])
        site.articles[article_id].related = tuple(rng.sample(earlier, count)[::-1])
    site.promos = tuple(order[:3])
    # Articles past the first len(vocab)/len(categories) ones can go missing from listings
    # without leaving a tag archive or category listing empty.
    first = max(len(vocab), len(cats))
    spare = order[first:]
    if n_articles >= MIN_ARTICLES_WITH_FAULTS:
        spare = hide(site, rng, spare, order[:first])
    if faults:
        inject(site, rng, spare)
    for article in site.articles.values():
        site._index(article)
    return site
