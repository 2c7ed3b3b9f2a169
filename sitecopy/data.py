"""The site as data: articles, listings, faults, sitemaps' clock, and a server's response.

The bottom of sitecopy: every other module of it reads a site through these types, and none of
them is imported here (sitecopy.model adds the expected records and builds a site).
Ids are strings (as in the crawler's records) and grow with the date, like WordPress post ids.
Listings are kept oldest first and read newest first, so that `add_articles` only appends.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from sitecopy import words
from sitecopy.challenges import Challenge
from sitecopy.content import Content, generate
from sitecopy.paths import PER_PAGE, SIMPLIFIED, article_path

# How a removed post answers (sitecopy.removals): it leaves sitemaps, listings and the feed.
DELETED = frozenset({"404", "410", "trash", "soft404"})

UTC8 = dt.timezone(dt.timedelta(hours=8))  # the site's WordPress time zone


class Response(NamedTuple):
    """What the copy's server answers (sitecopy.render, sitecopy.discovery)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Fault:
    """A fault the copy has on purpose (sitecopy.faults chooses them)."""

    kind: str
    description: str
    article_ids: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Missing:
    """A related-list target that is not on the site: its URL answers 404."""

    id: str
    category: str
    date: str
    title: str

    def path(self, lang: str = SIMPLIFIED) -> str:
        return article_path(self.category, self.date, self.id, lang)


@dataclass
class Discovery:
    """The copy's sitemaps, feeds and clock, when on (sitecopy.discovery.enable)."""

    sitemaps: bool = True
    feed: bool = True
    per_file: int = 1000
    in_robots: bool = True
    gzip: bool = False
    now: dt.datetime = field(default_factory=lambda: dt.datetime(2023, 4, 1, tzinfo=UTC8))
    modified: dict[str, dt.datetime] = field(default_factory=dict)  # set by publish and edit


@dataclass
class Article:
    id: str
    category: str  # URL path of the category, e.g. "cnnews/hknews"
    date: str  # YYYYMMDD
    title: str
    source: str | None  # outlet named by the byline
    authors: tuple[str, ...]
    byline: str  # "split", "plain", "strong", "inline" or "network" (see pages.byline)
    split_tag: str | None  # the tag the byline's outlet is split at, 「来源：<a>美国</a>之音」
    tags: tuple[str, ...]  # in first-seen (document) order within the entry
    lead: str  # the first body paragraph after an optional dateline; listings' excerpt
    related: tuple[str, ...]  # ids, in list order; some may be in Site.missing
    listed: bool = True  # False: on no listing, only linked from other articles' related lists
    key: str = ""  # content key (YYYYMMDD/post id of the text's first publication)
    revision: int = 0

    @property
    def published(self) -> str:
        return f"{self.date[:4]}-{self.date[4:6]}-{self.date[6:]}"

    def path(self, lang: str = SIMPLIFIED) -> str:
        return article_path(self.category, self.date, self.id, lang)


@dataclass(eq=False)
class SiteData:
    """The site as data, and what changes it; sitecopy.model.Site adds what a crawl yields."""

    seed: int
    faults_enabled: bool
    tags: list[str]  # the tag vocabulary, most frequent first
    inner_tags: frozenset[str]  # tags no menu or related-tags block links: found in articles only
    articles: dict[str, Article] = field(default_factory=dict, repr=False)  # oldest first
    missing: dict[str, Missing] = field(default_factory=dict, repr=False)
    faults: list[Fault] = field(default_factory=list)
    republished: tuple[str, str] | None = None  # (original id, copy id)
    cloudflare: str | None = None  # these three never serve an article page
    empty: str | None = None
    not_html: str | None = None
    gbk: str | None = None
    transient: frozenset[str] = frozenset()  # paths answering 503 on their first request
    promos: tuple[str, ...] = ()  # the 🔥 articles every p.texttj links
    redesign: frozenset[str] = frozenset()  # markup changes in force (sitecopy.redesign)
    # Posts served over two pages (<!--nextpage-->: …/ID.html and …/ID.html/2), a switch the
    # tests set; each must have two blocks or more before its related list.
    multipage: frozenset[str] = frozenset()
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    front: list[str] = field(default_factory=list, repr=False)  # listed ids, oldest first
    # Parents include their children's articles, as WordPress category archives do.
    by_category: dict[str, list[str]] = field(default_factory=dict, repr=False)
    by_tag: dict[str, list[str]] = field(default_factory=dict, repr=False)
    discovery: Discovery | None = None  # sitemaps, feeds, clock: sitecopy.discovery.enable
    endless: str | None = None  # a listing ("tag/NAME") whose every page links a next one
    # False: the front page shows the newest articles only, with no pager (page 2+ is a 404),
    # and the menu links a few tag archives and no category, as some themes' home pages do.
    front_pages: bool = True
    # True: every article names its AMP copy (<link rel="amphtml">, served at …/ID.html/amp/),
    # and related lists link some posts by their AMP URL (…/amp/, or ?amp=1).
    amp: bool = False
    # Listing faults: page 1 of a listing answering 301 to another listing's page 1, and
    # listings whose every page is a challenge page served with 200 (sections, as `listing`).
    moved_listings: dict[str, str] = field(default_factory=dict, repr=False)
    challenged_listings: set[str] = field(default_factory=set, repr=False)
    # Unknowns of the real site (issue 17): every HTML page minified (sitecopy.minify), and
    # posts answering a Cloudflare challenge for their first requests (sitecopy.challenges).
    minified: bool = False
    challenges: dict[str, Challenge] = field(default_factory=dict, repr=False)
    # Removed and flaky posts (id -> how) and the whole site down: sitecopy.removals.
    removals: dict[str, str] = field(default_factory=dict, repr=False)
    down: bool = False

    @property
    def categories(self) -> tuple[tuple[str, str], ...]:
        return words.CATEGORIES

    @property
    def menu_tags(self) -> list[str]:
        return [tag for tag in self.tags if tag not in self.inner_tags][:8]

    @property
    def hidden(self) -> list[str]:
        """Ids on no listing: reachable only through other articles' related lists."""
        return [i for i, article in self.articles.items() if not article.listed]

    @property
    def unservable(self) -> frozenset[str]:
        return frozenset(i for i in (self.cloudflare, self.empty, self.not_html) if i)

    def fault(self, kind: str) -> Fault | None:
        return next((fault for fault in self.faults if fault.kind == kind), None)

    def content(self, article_id: str) -> Content:
        a = self.articles[article_id]
        return generate(self.seed, a.key, a.revision, a.tags, a.split_tag, a.lead)

    def listing(self, section: str) -> list[str] | None:
        """Ids of a listing ("", a category path or "tag/NAME"), oldest first; None if none."""
        if section == "":
            return self.front
        if section.startswith("tag/"):
            return self.by_tag.get(section[4:])
        return self.by_category.get(section)

    def page(self, section: str, page: int) -> tuple[list[str], int] | None:
        """The ids on page `page` of a listing, newest first, and its number of pages."""
        ids = self.listing(section)
        if ids is None:
            return None
        if self.removals:  # deleted posts leave their listings (sitecopy.removals)
            ids = [i for i in ids if self.removals.get(i) not in DELETED]
        if section == self.endless:  # a broken pager: page N shows page 1, links page N + 1
            return ids[::-1][:PER_PAGE], page + 1
        if section == "" and not self.front_pages:
            return (ids[::-1][:PER_PAGE], 1) if page == 1 else None
        pages = max(1, -(-len(ids) // PER_PAGE))
        if not 1 <= page <= pages:
            return None
        end = len(ids) - (page - 1) * PER_PAGE
        return ids[max(0, end - PER_PAGE):end][::-1], pages

    def add_articles(self, k: int) -> list[str]:
        """Publish k newer articles (top of the front page and of their listings); their ids."""
        with self.lock:
            rng = random.Random(f"{self.seed}:add:{len(self.articles)}")
            last = self.articles[next(reversed(self.articles))]
            day = dt.datetime.strptime(last.date, "%Y%m%d").date() + dt.timedelta(days=1)
            next_id = int(last.id)
            recent = list(self.articles)[-30:]
            added = []
            for index in range(k):
                next_id += rng.randint(1, 9)
                date = (day + dt.timedelta(days=index // 50)).strftime("%Y%m%d")
                article = make_article(rng, len(self.articles), str(next_id), date, self.tags,
                                        None, None)
                article.related = tuple(rng.sample(recent, min(len(recent), rng.randint(0, 4))))
                self.articles[article.id] = article
                self._index(article)
                added.append(article.id)
            return added

    def change_article(self, article_id: str) -> None:
        """Rewrite the article's body (not its lead, title or tags): a new content_hash.

        Done to one of `republished`, the two texts differ from then on.
        """
        with self.lock:
            self.articles[article_id].revision += 1

    def _index(self, article: Article) -> None:
        if not article.listed:
            return
        self.front.append(article.id)
        parts = article.category.split("/")
        for depth in range(1, len(parts) + 1):
            self.by_category.setdefault("/".join(parts[:depth]), []).append(article.id)
        for tag in article.tags:
            self.by_tag.setdefault(tag, []).append(article.id)


def _weights(count: int) -> list[float]:
    return list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(count)))


def make_article(rng: random.Random, index: int, article_id: str, date: str, vocab: list[str],
                  category: str | None, must: str | None) -> Article:
    """One article's metadata; `must` is a tag it has to carry (so that every tag is used)."""
    cats = words.CATEGORIES
    if category is None:
        category = rng.choices(cats, cum_weights=_weights(len(cats)))[0][0]
    tags: list[str] = []
    if index % 4 != 3:  # 中国 and 美国 on most articles: their archives run to several pages
        tags.append("中国")
    if index % 5 in (0, 2, 3):
        tags.append("美国")
    if must and must not in tags:
        tags.append(must)
    want = rng.randint(2, 5)
    cum = _weights(len(vocab) - 2)
    while len(tags) < want:
        tag = rng.choices(vocab[2:], cum_weights=cum)[0]
        if tag not in tags:
            tags.append(tag)
    rng.shuffle(tags)
    outlet, split_at = rng.choice(words.OUTLETS)
    roll = rng.random()
    authors = tuple(rng.sample(words.AUTHORS, rng.choices((0, 1, 2, 3), (3, 5, 1, 1))[0]))
    split_tag = None
    source: str | None = outlet
    if split_at in vocab and roll < 0.4:
        byline, split_tag = "split", split_at
        if split_at in tags:
            tags.remove(split_at)
        tags.insert(0, split_at)
        if len(tags) > 5:
            tags.remove(next(t for t in reversed(tags) if t != must))
    elif roll < 0.6:
        byline = "strong"
    elif roll < 0.75:
        byline = "plain"
    elif roll < 0.88:
        byline = "inline"
        authors = (rng.choice(words.AUTHORS),)
        source = rng.choice(words.CHANNEL_FORMS).format(authors[0])
    else:
        byline, source = "network", None
        authors = authors[:1]
    first = tags[1] if split_tag else tags[0]  # the title highlights a tag of the article
    title = first + rng.choice(words.TITLE_VERBS)
    if rng.random() < 0.6:
        title += " " + rng.choice(words.FILLERS) + rng.choice(words.TITLE_VERBS)
    title += rng.choice(words.TITLE_TAILS)
    lead = (rng.choice(words.SUBJECTS) + rng.choice(words.TIMES) + rng.choice(words.SAYS) + "，"
            + rng.choice(words.CLAUSES).format(rng.choice(words.FILLERS)) + "。")
    return Article(article_id, category, date, title, source, authors, byline, split_tag,
                   tuple(tags), lead, (), key=f"{date}/{article_id}")
