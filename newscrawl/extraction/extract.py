"""Article page -> Article record. Pure: no Scrapy engine, no I/O.

The page is parsed once with lxml and then only read (and pruned) as a tree; every selector
comes from newscrawl.extraction.selectors and is compiled once at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal
from urllib.parse import urljoin

from lxml import etree
from w3lib.encoding import html_to_unicode

from newscrawl.article import Article, Image, Related
from newscrawl.discovery.urls import article_ref, canonical, is_http
from newscrawl.extraction import selectors as sel
from newscrawl.extraction.text import content_hash, fold, fold_line

Reason = Literal["challenge", "not_html", "empty", "not_article_url", "no_title", "no_body"]


class NotAnArticle(Exception):
    """The page yields no Article; `reason` is one of the Reason slugs."""

    def __init__(self, reason: Reason, url: str) -> None:
        super().__init__(f"not an article ({reason}): {url}")
        self.reason: Reason = reason
        self.url = url

    def __reduce__(self) -> tuple[type[NotAnArticle], tuple[str, str]]:
        return type(self), (self.reason, self.url)  # keep it picklable despite two arguments


# Cloudflare interstitials ("Just a moment..." / older "Checking your browser before
# accessing" / "Attention Required!" block) and their script/form markers.
_CHALLENGE_MARKERS = (
    "Just a moment...", "Just a moment…", "Checking your browser",
    "Attention Required! | Cloudflare", "cf-challenge", "cf-browser-verification",
    "_cf_chl_opt", "/cdn-cgi/challenge-platform/",
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")

# Comments (the commented-out taboola div, the AuctionX markers) are never text. The parser is
# told UTF-8 because it gets the decoded text re-encoded: a <meta charset=gbk> must not make
# libxml2 decode it a second time. Plain lxml elements: lxml.html's class lookup costs more.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)

_ENTRY = etree.XPath(sel.ENTRY)
_TITLE_BEFORE_ENTRY = etree.XPath(sel.TITLE_BEFORE_ENTRY)
_FIRST_H2 = etree.XPath(sel.FIRST_H2)
_DOC_TITLE = etree.XPath(sel.DOC_TITLE)
_BASE_HREF = etree.XPath(sel.BASE_HREF)
_TAG_LINKS = etree.XPath(sel.TAG_LINKS)
_FIGURES = etree.XPath(sel.FIGURES)
_FIGURE_IMG = etree.XPath(sel.FIGURE_IMG)
_FIGURE_CAPTION = etree.XPath(sel.FIGURE_CAPTION)
_RELATED_LINKS = etree.XPath(sel.RELATED_LINKS)
_NOT_BODY = etree.XPath(sel.NOT_BODY)
_AUTHOR_ITEMS = etree.XPath(sel.AUTHOR_ITEMS)
_BLOCK_TEXT_AND_BREAKS = etree.XPath(sel.BLOCK_TEXT_AND_BREAKS)

_SITE_SUFFIX = re.compile(r"\s*[-–—|]\s*(?:中国禁闻网|中國禁聞網|禁闻网|禁聞網)$")
# The entry's first paragraph is a byline when it names an author or outlet or carries the
# site's disclaimer (also the "文章转自网络…" form that names no outlet).
_BYLINE = re.compile(r"^(?:作者|来源|來源)\s*[:：]|不代表本[网網]立[场場]")
# Outlet and inline author run up to the first comma, ASCII or full-width (or 。, or the other
# label when a space is all that separates them).
_SOURCE = re.compile(r"(?:来源|來源)\s*[:：]\s*(.*?)\s*(?:[,，。]|作者|$)")
_AUTHOR = re.compile(r"作者\s*[:：]\s*(.*?)\s*(?:[,，。]|来源|來源|$)")
_SPACE = re.compile(r"\s+")
_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)


def is_challenge(text: str) -> bool:
    """True for a Cloudflare challenge/block page (served as 403/503, sometimes 200)."""
    return any(marker in text for marker in _CHALLENGE_MARKERS)


def parse_article(
    body: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    crawled_at: str | None = None,
) -> Article:
    """The Article of an article page served under `url`; raises NotAnArticle.

    Bytes are decoded as a browser would: BOM, then the charset of `content_type`, then the
    page's own <meta> declaration, then UTF-8 (w3lib.encoding.html_to_unicode).
    The article is div.entry; its title the h2 before it. The entry's first paragraph is the
    byline (source, inline author) when it looks like one, the <ul> after it the authors. The
    body is the entry's p/h3/h4 blocks, also inside div/blockquote wrappers, minus the byline,
    p.texttj and div.banner-ads. Field rules: newscrawl/schema/article.schema.json.
    """
    text = body if isinstance(body, str) else html_to_unicode(content_type, body)[1]
    if is_challenge(text):  # first: a challenge can be served for any URL, even with 200
        raise NotAnArticle("challenge", url)
    ref = article_ref(url)
    if ref is None:
        raise NotAnArticle("not_article_url", url)
    mime = (content_type or "text/html").split(";", 1)[0].strip().lower()
    if mime not in _HTML_TYPES or "\x00" in text:  # a NUL byte: binary, whatever the label
        raise NotAnArticle("not_html", url)
    if not text.strip():
        raise NotAnArticle("empty", url)
    try:
        doc = etree.fromstring(text.encode("utf-8"), parser=_PARSER)
    except etree.XMLSyntaxError:  # not even a tag to parse
        doc = None
    if doc is None:  # nothing but comments or white space
        raise NotAnArticle("empty", url)

    entry = _first(_ENTRY(doc))
    title = _title(doc, entry)
    if not title:
        raise NotAnArticle("no_title", url)
    if entry is None:
        raise NotAnArticle("no_body", url)

    base = urljoin(url, (_first(_BASE_HREF(doc)) or "").strip())
    tags = list(dict.fromkeys(t for a in _TAG_LINKS(entry) if (t := fold_line(_text(a)))))
    images = _images(entry, base)
    related = _related(entry, base)

    etree.strip_elements(entry, *sel.NON_TEXT_TAGS, with_tail=False)
    not_body = set(_NOT_BODY(entry))
    blocks = [(block, t) for block in _body_blocks(entry, not_body) if (t := _block_text(block))]
    byline: etree._Element | None = None
    byline_text = ""
    if blocks and _BYLINE.search(blocks[0][1]):
        byline, byline_text = blocks.pop(0)
        byline_text = fold_line(byline_text)
    if not blocks:
        raise NotAnArticle("no_body", url)
    body_text = "\n\n".join(t for _, t in blocks)

    return Article(
        url=canonical(url),
        article_id=ref.article_id,
        category=ref.category,
        published=ref.published,
        title=title,
        source=_match(_SOURCE, byline_text),
        authors=_authors(byline, byline_text),
        tags=tags,
        body=body_text,
        images=images,
        related=related,
        language=ref.language,
        content_hash=content_hash(title, body_text),
        crawled_at=crawled_at,
        version=1,
    )


def _first(found: list) -> etree._Element | str | None:
    """First result of a compiled XPath, or None."""
    return found[0] if found else None


def _text(element: etree._Element) -> str:
    """All the text inside an element (serialized by libxml2: twice as fast as string())."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def _title(doc: etree._Element, entry: etree._Element | None) -> str:
    """The article's h2; the <title> minus the site's suffix only when there is no h2."""
    h2 = _first(_TITLE_BEFORE_ENTRY(entry) if entry is not None else _FIRST_H2(doc))
    title = fold_line(_text(h2)) if h2 is not None else ""
    if not title and (head_title := _first(_DOC_TITLE(doc))) is not None:
        title = _SITE_SUFFIX.sub("", fold_line(_text(head_title)))
    return title


def _match(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    value = match[1].rstrip(".") if match else ""
    return value or None


def _authors(byline: etree._Element | None, byline_text: str) -> list[str]:
    """The <li>s of the list after the byline, else the inline 作者：; never <meta name=author>."""
    if byline is None:
        return []
    listed = [name for li in _AUTHOR_ITEMS(byline) if (name := fold_line(_text(li)))]
    inline = _match(_AUTHOR, byline_text)
    return listed or ([inline] if inline else [])


def _images(entry: etree._Element, base: str) -> list[Image]:
    # One per <figure> with an image: a figure without an <img> (a caption alone, like the
    # captured page's) or whose image has no http(s) URL has nothing to record: skipped.
    images: list[Image] = []
    for figure in _FIGURES(entry):
        img = _first(_FIGURE_IMG(figure))
        src = _image_src(img) if img is not None else None
        image_url = _absolute(base, src) if src else None
        if image_url is None:
            continue
        figcaption = _first(_FIGURE_CAPTION(figure))
        caption = fold_line(_text(figcaption)) if figcaption is not None else ""
        images.append({"url": image_url, "caption": caption or None})
    return images


def _image_src(img: etree._Element) -> str | None:
    for attribute in (*sel.LAZY_SRC_ATTRIBUTES, "src"):
        value = (img.get(attribute) or "").strip()
        if value and not value.startswith("data:"):  # data: URIs are lazy-load placeholders
            return value
    return None


def _related(entry: etree._Element, base: str) -> list[Related]:
    links = ((_absolute(base, a.get("href")), a) for a in _RELATED_LINKS(entry))
    return [{"url": canonical(href), "title": fold_line(_text(a))} for href, a in links if href]


def _absolute(base: str, href: str) -> str | None:
    """`href` resolved against the page; None unless it is http(s) (javascript:, mailto:…)."""
    href = href.strip()
    if _HTTP_URL.match(href):  # the site's links are absolute: spare urljoin's cost
        return href
    url = urljoin(base, href)
    return url if is_http(url) else None


def _body_blocks(container: etree._Element,
                 not_body: set[etree._Element]) -> Iterator[etree._Element]:
    """Paragraphs and subheads of the entry and of plain wrappers in it, in document order."""
    for child in container:
        if child in not_body:
            continue
        if child.tag in sel.BODY_BLOCK_TAGS:
            yield child
        elif child.tag in sel.BODY_WRAPPER_TAGS:
            yield from _body_blocks(child, not_body)


def _block_text(block: etree._Element) -> str:
    """Text of one block: markup dropped, <br> a line break, white space folded, trimmed."""
    if next(block.iter(sel.LINE_BREAK_TAG), None) is None:  # most blocks: one line, fast path
        return fold_line(_text(block))
    # Source line breaks are white space like any other; only <br> breaks a line. A <br> is
    # marked with NUL (never in a parsed page: NUL input is rejected as not_html) so that one
    # substitution folds all the white space before the marks become line breaks.
    marked = "".join(node if isinstance(node, str) else "\0"
                     for node in _BLOCK_TEXT_AND_BREAKS(block))
    return fold(_SPACE.sub(" ", marked).replace("\0", "\n"))
