"""Article page -> Article record. Pure: no Scrapy engine, no I/O.

The page is parsed once with lxml (huge_tree: deep or huge pages are read whole) and then only
read as a tree; every selector comes from newscrawl.extraction.selectors. What each kind of
markup becomes is documented in docs/extraction.md; the body walk is
newscrawl.extraction.body, images newscrawl.extraction.images, page-level checks (decoding,
binary files, challenges, partial reads) newscrawl.extraction.page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from newscrawl.article import Article, Related
from newscrawl.discovery.limits import compiled_query
from newscrawl.discovery.urls import article_page, article_ref, canonical
from newscrawl.extraction import byline as bylines
from newscrawl.extraction import selectors as sel
from newscrawl.extraction.body import finish, text_of, walk
from newscrawl.extraction.images import absolute, images
from newscrawl.extraction.media import media
from newscrawl.extraction.page import (
    C0_BYTES,
    UTF16_32_BOMS,
    decode,
    is_challenge,
    looks_binary,
    read_whole,
)
from newscrawl.extraction.pages import page_links
from newscrawl.extraction.prepare import decode_emails, shortcodes
from newscrawl.extraction.text import C0_CONTROLS, clean_line, content_hash
from newscrawl.reasons import (
    CHALLENGE,
    EMPTY,
    NO_BODY,
    NO_TITLE,
    NOT_ARTICLE_URL,
    NOT_HTML,
    PARTIAL_PAGE,
)


class NotAnArticle(Exception):
    """The page yields no Article; `reason` is the name of a newscrawl.reasons Reason."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"not an article ({reason}): {url}")
        self.reason = reason
        self.url = url

    def __reduce__(self) -> tuple[type[NotAnArticle], tuple[str, str]]:
        return type(self), (self.reason, self.url)  # keep it picklable despite two arguments


# Text of at least this many visible characters that no rule placed in the body and no
# boilerplate rule claimed is worth a warning (a sentence or two of Chinese).
UNCLAIMED_WARN_CHARS = 40


@dataclass
class Extraction:
    """An Article and the accounting of what its entry held but the body left out.

    `dropped`: boilerplate rule name -> [elements, visible characters] left out by it.
    `unclaimed_chars`: visible characters no rule placed in the body and none claimed;
    `unclaimed_sample`: their first ~80 characters, for the log line.
    `pages`: the URLs of the post's later pages this page links (a multi-page post).
    """

    article: Article
    dropped: dict[str, list[int]] = field(default_factory=dict)
    unclaimed_chars: int = 0
    unclaimed_sample: str = ""
    # The page carried the END ENTRY comment (sel.ENTRY_END_MARKER): one of the signals that
    # judged it read whole; counted for last-run.json's site section (reporting/site.py).
    end_marker: bool = False
    pages: list[str] = field(default_factory=list)  # later pages the page links (pages.py)
    # The page's links (sel.PAGE_LINKS, hrefs as written) when extract() was asked for them:
    # the spider follows them without parsing the page a second time.
    links: list[str] = field(default_factory=list)

    @property
    def substantial_unclaimed(self) -> bool:
        return self.unclaimed_chars >= UNCLAIMED_WARN_CHARS


_HTML_TYPES = ("text/html", "application/xhtml+xml")

# The parser is told UTF-8 because it gets the decoded text re-encoded: a <meta charset=gbk>
# must not make libxml2 decode it a second time. huge_tree lifts libxml2's limits on depth
# (256 -> 2048) and text node size that otherwise end the parse silently half-way.
# Comments are never text. Plain lxml elements: lxml.html's class lookup costs more.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                           huge_tree=True)

_TITLE_BEFORE_ENTRY = etree.XPath(sel.TITLE_BEFORE_ENTRY)
_FIRST_H2 = etree.XPath(sel.FIRST_H2)
_DOC_TITLE = etree.XPath(sel.DOC_TITLE)
_BASE_HREF = etree.XPath(sel.BASE_HREF)
_TAG_LINKS = etree.XPath(sel.TAG_LINKS)
_RELATED_LINKS = etree.XPath(sel.RELATED_LINKS)
_AUTHOR_ITEMS = etree.XPath(sel.AUTHOR_ITEMS)
_AUTHOR_LIST = etree.XPath(sel.AUTHOR_LIST)
_FIRST_PARAGRAPH = etree.XPath(sel.FIRST_PARAGRAPH)


_SITE_SUFFIX = re.compile(r"\s*[-–—|]\s*(?:中国禁闻网|中國禁聞網|禁闻网|禁聞網)$")


def parse_article(body: bytes | str, url: str, *, content_type: str | None = None,
                  crawled_at: str | None = None, mitigated: str | bytes | None = None) -> Article:
    """The Article of an article page served under `url`; raises NotAnArticle (see extract)."""
    return extract(body, url, content_type=content_type, crawled_at=crawled_at,
                   mitigated=mitigated).article


def extract(body: bytes | str, url: str, *, content_type: str | None = None,
            crawled_at: str | None = None, mitigated: str | bytes | None = None,
            links: int | None = None) -> Extraction:
    """The Article of an article page and the accounting of its body; raises NotAnArticle.

    Bytes are decoded as a browser would: BOM, then the charset of `content_type`, then the
    page's own <meta> declaration, then UTF-8 (w3lib.encoding.html_to_unicode). C0 controls
    are removed before parsing (a NUL is dropped, the page is parsed).
    The article is div.entry; its title the h2 before it. The entry's first paragraph is the
    byline (source, inline author) when it looks like one, the <ul> after it the authors. The
    body is every text of the entry minus the boilerplate rules of selectors.py; a page that
    neither closes its entry (the theme's comment) nor its document (``</html>``), or whose
    parsed entry holds far fewer paragraphs than its source, was read only in part (reason
    PARTIAL_PAGE, page.read_whole). `mitigated`: the response's ``cf-mitigated`` header, if
    any (a challenge, page.is_challenge). Field rules: docs/extraction.md and
    newscrawl/schema/article.schema.json.
    `links`: None, the page's links are not read; else the hrefs of sel.PAGE_LINKS, as
    written (unjoined), in document order, the first `links` of them when `links` > 0
    (newscrawl.discovery.limits), read before anything changes the tree: Extraction.links.
    """
    if looks_binary(body):
        raise NotAnArticle(NOT_HTML.name, url)
    controls_left = isinstance(body, str) or body.startswith(UTF16_32_BOMS)
    if not controls_left:
        # C0 bytes are never part of a character in UTF-8 or the GB/Big5 encodings: removed
        # here at a tenth of the cost of a regex over the decoded text (libxml2 would turn
        # each into U+FFFD).
        body = body.translate(None, C0_BYTES)
    text = body if isinstance(body, str) else decode(content_type, body)
    # First: a challenge can be served for any URL, even with 200.
    if is_challenge(text, mitigated):
        raise NotAnArticle(CHALLENGE.name, url)
    page = article_page(url)  # a later page of a multi-page post: read as part of its post
    post_url = page[0] if page else url
    ref = article_ref(post_url)
    if ref is None:
        raise NotAnArticle(NOT_ARTICLE_URL.name, url)
    mime = (content_type or "text/html").split(";", 1)[0].strip().lower()
    if mime not in _HTML_TYPES:
        raise NotAnArticle(NOT_HTML.name, url)
    if controls_left:
        text = C0_CONTROLS.sub("", text)
    if not text.strip():
        raise NotAnArticle(EMPTY.name, url)
    try:
        doc = etree.fromstring(text.encode("utf-8"), parser=_PARSER)
    except etree.XMLSyntaxError:  # not even a tag to parse
        doc = None
    if doc is None:  # nothing but comments or white space
        raise NotAnArticle(EMPTY.name, url)
    # Before decode_emails rewrites hrefs: the links the page was served with.
    page_hrefs = compiled_query(sel.PAGE_LINKS, links)(doc) if links is not None else []

    entry = _entry(doc)
    title = _title(doc, entry)
    if not title:
        raise NotAnArticle(NO_TITLE.name, url)
    if entry is None:
        raise NotAnArticle(NO_BODY.name, url)
    if not read_whole(text, entry, _PARSER):
        raise NotAnArticle(PARTIAL_PAGE.name, url)  # libxml2 gave up (say, past 2,048 levels)

    # What the reader's browser does first: addresses decoded, shortcodes rendered (prepare.py;
    # what it hides, the walk leaves out).
    decode_emails(entry, text)
    claimed = {caption: "caption_shortcode" for caption in shortcodes(entry, text)}
    base = urljoin(url, (_first(_BASE_HREF(doc)) or "").strip())
    # raw texts made distinct first: a tag is linked many times, cleaned once
    raw_tags = dict.fromkeys(text_of(a) for a in _TAG_LINKS(entry))
    tags = list(dict.fromkeys(t for raw in raw_tags if (t := clean_line(raw))))
    related = _related(entry, base)
    byline = _first(_FIRST_PARAGRAPH(entry))
    byline_text = clean_line(text_of(byline)) if byline is not None else ""
    if byline is not None and bylines.BYLINE.search(byline_text):
        claimed[byline] = "byline"
        for author_list in _AUTHOR_LIST(byline):
            claimed[author_list] = "authors"
    else:
        byline, byline_text = None, ""
    # before finish() takes the author list out
    listed = [name for li in _AUTHOR_ITEMS(byline) if (name := clean_line(text_of(li)))] \
        if byline is not None else []
    source, authors = bylines.read(byline_text, listed) if byline is not None else (None, [])
    found_media, embeds = media(entry, base)  # before the walk: a bare embed URL is no body
    claimed.update(embeds)
    later_pages = page_links(entry, base, canonical(post_url))  # before finish removes them
    found = walk(entry, claimed)
    found_images = images(found.images, entry, base)  # before finish: captions are read
    if not finish(entry, found):
        raise NotAnArticle(NO_BODY.name, url)

    article = Article(
        url=canonical(post_url),
        article_id=ref.article_id,
        category=ref.category,
        published=ref.published,
        title=title,
        source=source,
        authors=authors,
        tags=tags,
        body=found.body,
        images=found_images,
        media=found_media,
        related=related,
        language=ref.language,
        content_hash=content_hash(title, found.body),
        crawled_at=crawled_at,
        version=1,
    )
    return Extraction(article, found.dropped, found.unclaimed_chars, found.unclaimed_sample,
                      pages=later_pages, end_marker=sel.ENTRY_END_MARKER in text,
                      links=page_hrefs)


def _entry(doc: etree._Element) -> etree._Element | None:
    """The article's container (selectors.ENTRY_TAG with class ENTRY_CLASS), or None."""
    for element in doc.iter(sel.ENTRY_TAG):
        value = element.get("class")
        if value and sel.ENTRY_CLASS in value.split():
            return element
    return None


def _first(found: list) -> etree._Element | str | None:
    """First result of a compiled XPath, or None."""
    return found[0] if found else None


def _title(doc: etree._Element, entry: etree._Element | None) -> str:
    """The article's h2; the <title> minus the site's suffix only when there is no h2."""
    h2 = None if entry is None else next(entry.itersiblings(sel.TITLE_TAG, preceding=True), None)
    if h2 is None:
        h2 = _first(_TITLE_BEFORE_ENTRY(entry) if entry is not None else _FIRST_H2(doc))
    title = clean_line(text_of(h2)) if h2 is not None else ""
    if not title and (head_title := _first(_DOC_TITLE(doc))) is not None:
        title = _SITE_SUFFIX.sub("", clean_line(text_of(head_title)))
    return title


def _related(entry: etree._Element, base: str) -> list[Related]:
    links = ((absolute(base, a.get("href")), a) for a in _RELATED_LINKS(entry))
    return [{"url": canonical(href), "title": clean_line(text_of(a))} for href, a in links
            if href]
