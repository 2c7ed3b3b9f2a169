"""The text of an article's entry: paragraphs and figures as segments, generated on demand.

An article's metadata (title, tags, byline…) is made when the site is built; its paragraphs are
made only when a page or an expected record needs them, from a seed of their own, so that a
20,000-article site builds in seconds and holds little memory. The same (key, revision, tags…)
always gives the same text; `Site.change_article` bumps the revision.

A paragraph is a tuple of segments: plain strings, TagLink (an auto-linked tag archive link,
`a.st_tag[rel=tag]`) and KeywordLink (`span.wp_keywordlink_affiliate`, not a tag). Inside
strings, "\n" stands for a `<br />` and "\xa0" for an `&nbsp;`: the only white space besides
single ASCII spaces that generated text ever has (the deliberate cases a parser must fold).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from sitecopy.markup import Markup, blocks
from sitecopy.words import (
    CAPTION_CREDITS,
    CLAUSES,
    DATELINE_CITIES,
    FILLERS,
    KEYWORDS,
    NAMES_EN,
    QUOTES,
    SAYS,
    SUBJECTS,
    TIMES,
)


@dataclass(frozen=True, slots=True)
class TagLink:
    tag: str


@dataclass(frozen=True, slots=True)
class KeywordLink:
    word: str


Segment = str | TagLink | KeywordLink
Para = tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    src: str | None  # a path on the site's own host ("/wp-content/…") or an absolute URL
    caption: Para | None


@dataclass(frozen=True, slots=True)
class Content:
    # entry blocks after the byline and authors, in order; Markup: see sitecopy.markup
    head: tuple[Para | Figure | Markup, ...]
    tail: Para  # the body paragraph after the related list and the promo block

    def paragraphs(self) -> list[Para]:
        """The plain <p> paragraphs of the body, in document order (Markup blocks aside)."""
        return [block for block in self.head if isinstance(block, tuple)] + [self.tail]

    def figures(self) -> list[Figure]:
        return [block for block in self.head if isinstance(block, Figure)]


def text_of(para: Para) -> str:
    """The paragraph's text as a browser shows it, before white-space folding."""
    return "".join(seg if isinstance(seg, str) else
                   seg.tag if isinstance(seg, TagLink) else seg.word for seg in para)


class _Feeder:
    """Fills tag slots so that the article's tags first appear in the order given."""

    def __init__(self, rng: random.Random, tags: tuple[str, ...], placed: str | None) -> None:
        self.rng = rng
        self.tags = tags
        self.pending = [tag for tag in tags if tag != placed]

    def slot(self) -> Segment:
        if self.pending:
            return TagLink(self.pending.pop(0))
        if self.rng.random() < 0.5:  # only tags already seen, or the first-seen order breaks
            return TagLink(self.rng.choice(self.tags))
        return self.rng.choice(FILLERS)


def _join(parts: list[Segment]) -> Para:
    """Merge neighbouring strings, so that a paragraph is as short a tuple as it can be."""
    out: list[Segment] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + part
        elif part != "":
            out.append(part)
    return tuple(out)


def _clause(rng: random.Random, feeder: _Feeder, parts: list[Segment]) -> None:
    before, slot, after = rng.choice(CLAUSES).partition("{}")
    parts.append(before)
    if slot:
        parts.append(feeder.slot())
        parts.append(after)


def _sentence(rng: random.Random, feeder: _Feeder, parts: list[Segment], *,
              nbsp: bool = False, keyword: bool = False) -> None:
    if keyword:
        parts.append(KeywordLink(rng.choice(KEYWORDS)))
        parts.append("问题上，")
    if nbsp:  # 「发言人约翰（John&nbsp;Kirby）」: an &nbsp; between two words folds to a space
        first, _, last = rng.choice(NAMES_EN).partition(" ")
        parts.append(f"发言人（{first}\xa0{last}）")
    else:
        parts.append(rng.choice(SUBJECTS))
    parts.append(rng.choice(TIMES) + rng.choice(SAYS) + "，")
    _clause(rng, feeder, parts)
    if rng.random() < 0.3:
        parts.append("，并称之为" + rng.choice(QUOTES))
    elif rng.random() < 0.3:
        parts.append("，")
        _clause(rng, feeder, parts)
    parts.append("。")


def _paragraph(rng: random.Random, feeder: _Feeder, *, br: bool = False,
               nbsp: bool = False, keyword: bool = False) -> Para:
    parts: list[Segment] = []
    count = rng.randint(2, 3) if br else rng.randint(1, 3)
    for index in range(count):
        if br and index == 1:  # 「…。<br />…」: a line break inside a paragraph is kept as "\n"
            parts.append("\n")
        _sentence(rng, feeder, parts, nbsp=nbsp and index == 0, keyword=keyword and index == 0)
    return _join(parts)


def _figure(rng: random.Random, feeder: _Feeder, key: str, number: int) -> Figure:
    date, _, post = key.partition("/")
    src: str | None
    if rng.random() < 0.85:
        if rng.random() < 0.6:
            src = f"/wp-content/uploads/{date[:4]}/{date[4:6]}/{post}-{number}.jpg"
        else:  # hot-linked from the outlet's own servers
            src = f"https://gdb.voanews.com/{int(post):08x}-{number}_w800.jpg"
    else:
        src = None
    caption: Para | None = None
    if src is None or rng.random() < 0.85:
        parts: list[Segment] = []
        if rng.random() < 0.3:
            parts.append(KeywordLink(rng.choice(KEYWORDS)))
        parts += [feeder.slot(), "与", rng.choice(SUBJECTS), "出席活动。",
                  f"（{rng.choice(CAPTION_CREDITS)}{date[:4]}年{int(date[4:6])}月"
                  f"{int(date[6:])}日）",
                  "\n "]  # the site's captions end in 「<br /> 」, as the captured page shows
        caption = _join(parts)
    return Figure(src, caption)


@lru_cache(maxsize=4096)
def generate(seed: int, key: str, revision: int, tags: tuple[str, ...],
             placed: str | None, lead: str) -> Content:
    """The entry of the article whose content key is `key` (YYYYMMDD/original post id).

    `placed` is the tag the byline already links (it comes first); `lead` is the first body
    paragraph, made at build time because listings show it as the excerpt.
    """
    rng = random.Random(f"{seed}:{key}:{revision}")
    feeder = _Feeder(rng, tags, placed)
    head: list[Para | Figure | Markup] = []
    figures = rng.choices((0, 1, 2), (3, 5, 2))[0]
    if figures:
        head.append(_figure(rng, feeder, key, 1))
    if rng.random() < 0.2:  # 「<p>台北 —&nbsp;</p>」: a dateline whose &nbsp; is trimmed away
        head.append((rng.choice(DATELINE_CITIES) + " —\xa0",))
    head.append((lead,))
    head.extend(blocks(seed, key, revision))  # real-world markup forms, their own randomness
    count = rng.randint(2, 6)
    second_figure_after = rng.randint(1, count) if figures == 2 else 0
    br, nbsp, keyword = (rng.randrange(count * 4) for _ in range(3))  # each in ~1/4 articles
    index = 0
    while index < count or feeder.pending:
        head.append(_paragraph(rng, feeder, br=br == index, nbsp=nbsp == index,
                               keyword=keyword == index))
        index += 1
        if index == second_figure_after:
            head.append(_figure(rng, feeder, key, 2))
    return Content(tuple(head), _paragraph(rng, feeder))
