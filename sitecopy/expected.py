"""The record a correct crawler writes for an article of the copy (every field but crawled_at).

Derived from the model, not from the rendered HTML, so that a renderer bug shows up as a
mismatch in the end-to-end tests instead of being copied into the expectation.

- url: base + /bnews/{category}/{YYYYMMDD}/{id}.html (zh-Hant: /bnews/zh-tw/…): canonical,
  no query or fragment, whatever link the crawler followed.
- article_id, category, published: from the URL (published as YYYY-MM-DD).
- title: the <h2> text (the <title> adds " - 禁闻网").
- source: the byline's outlet, 「来源：<a>美国</a>之音, …」 → 美国之音; the channel of an inline
  「作者：X，来源：Y，…」 byline; None for 「文章转自网络，…」.
- authors: the <li>s of the <ul> after the byline, trimmed; or the inline byline's author.
- tags: text of every a[rel=tag] in the entry (byline, captions, paragraphs, the paragraph after
  the promo block), distinct, first-seen order. Keyword links (span.wp_keywordlink_affiliate)
  and menu or related-tags links are not tags.
- body: every <p> of the entry but the byline and p.texttj (so the one after the promo block
  too), <br> as "\n", white space folded (fold_block: runs of white space to one space, a line
  break kept, blank lines dropped, trimmed), and the
  paragraphs each sitecopy.markup block shows, in document order, joined by "\n\n".
- images: one {url (absolute src), caption (folded figcaption text or None)} per figure
  with an <img> (a figure with only a caption gives none), and each markup block's images,
  in document order.
- media: each markup block's media {kind, url, caption}, in document order.
- related: ul.op-related-articles links, in order: canonical URL (404 ones included) and the
  title without its <b> highlights.
- language "zh-Hans" (or "zh-Hant"), content_hash: docs/record.md's definition, computed here
  with hashlib (never the crawler's own function), version 1.

Every rule is written here again, apart from the crawler's code: an oracle sharing the code it
checks passes whatever that code does (issue 21).
"""

from __future__ import annotations

import hashlib
import re

from sitecopy.content import Figure, Para, TagLink, text_of
from sitecopy.data import SiteData
from sitecopy.markup import BASE, Markup
from sitecopy.paths import TRADITIONAL
from sitecopy.words import to_traditional


def _same(text: str) -> str:
    return text


def fold_line(text: str) -> str:
    """Every run of white space (line breaks included) one space; trimmed."""
    return " ".join(text.split())


def fold_block(text: str) -> str:
    """A paragraph's white space: each line folded as fold_line, empty lines dropped, the
    lines joined by one line break ("\r\n" and "\r" being line breaks too)."""
    lines = (fold_line(line) for line in re.split(r"\r\n|\r|\n", text))
    return "\n".join(line for line in lines if line)


def content_hash(title: str, body: str) -> str:
    """docs/record.md: the SHA-256 (hex) of the UTF-8 bytes of the title, a line break and the
    body, each line break inside a paragraph read as a space (paragraphs stay apart by
    their blank line)."""
    paragraphs = [fold_line(paragraph) for paragraph in body.split("\n\n")]
    text = title + "\n" + "\n\n".join(paragraphs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expected_record(site: SiteData, article_id: str, base_url: str, language: str) -> dict:
    """All fields of newscrawl.article.Article but crawled_at, as the module docstring says."""
    base = base_url.rstrip("/")
    conv = to_traditional if language == TRADITIONAL else _same
    with site.lock:
        article = site.articles[article_id]
        content = site.content(article_id)
        related_targets = [site.articles.get(i) or site.missing[i] for i in article.related]
    # Tags: every auto-linked tag of the entry, first-seen document order: byline, then the
    # blocks (captions included), then the paragraph after the promo block.
    tags: list[str] = [article.split_tag] if article.split_tag else []
    segments: list[Para] = []
    for block in (*content.head, content.tail):
        if isinstance(block, Markup):
            continue  # markup blocks hold no tag links
        if isinstance(block, Figure):
            if block.caption:
                segments.append(block.caption)
        else:
            segments.append(block)
    for para in segments:
        for seg in para:
            if isinstance(seg, TagLink) and seg.tag not in tags:
                tags.append(seg.tag)
    # Body: each <p> of the entry but the byline and p.texttj, as text ("\n" for <br>),
    # white space folded (fold_block); paragraphs joined by a blank line.
    paragraphs: list[str] = []
    images: list[dict] = []
    media: list[dict] = []
    for block in (*content.head, content.tail):
        if isinstance(block, tuple):
            paragraphs.append(fold_block(conv(text_of(block))))
        elif isinstance(block, Markup):
            paragraphs += [fold_block(conv(text)) for text in block.paragraphs]
            images += [{"url": url.replace(BASE, base),
                        "caption": fold_line(conv(caption)) if caption else None}
                       for url, caption in block.images]
            media += [{"kind": kind, "url": url.replace(BASE, base),
                       "caption": fold_line(conv(caption)) if caption else None}
                      for kind, url, caption in block.media]
        elif block.src:
            images.append({"url": base + block.src if block.src.startswith("/") else block.src,
                           "caption": fold_line(conv(text_of(block.caption)))
                           if block.caption else None})
    body = "\n\n".join(paragraphs)
    title = conv(fold_line(article.title))
    related = [{"url": base + target.path(language), "title": conv(target.title)}
               for target in related_targets]
    return {
        "url": base + article.path(language),
        "article_id": article.id,
        "category": article.category,
        "published": article.published,
        "title": title,
        "source": conv(article.source) if article.source else None,
        "authors": [conv(name) for name in article.authors],
        "tags": [conv(tag) for tag in tags],
        "body": body,
        "images": images,
        "media": media,
        "related": related,
        "language": language,
        "content_hash": content_hash(title, body),
        "version": 1,
    }
