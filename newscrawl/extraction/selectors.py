"""Every selector the article parser uses, in one place.

Article pages: XPath 1.0 strings, compiled once by newscrawl.extraction.extract; expressions whose
comment says "from X" are evaluated with X as the context node, the others from the document.
Listing pages: parsel CSS for the spider, at the end.
What the markup looks like is written down in the project's site notes and shown by
the fixtures under tests/fixtures/pages/.
"""

from __future__ import annotations


def _has_class(name: str) -> str:
    """XPath test for one class among several (what CSS `.name` means)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _rel_has(token: str) -> str:
    return f"contains(concat(' ', normalize-space(@rel), ' '), ' {token} ')"


# The article: the theme wraps the post content in div.entry (closed by <!--END ENTRY-->).
ENTRY = f"(//div[{_has_class('entry')}])[1]"

# Title, from ENTRY: the nearest <h2> before it. Full pages carry other <h2>s (sidebar widget
# titles), but the article's own h2 is the last one before the entry (notice paragraphs between).
TITLE_BEFORE_ENTRY = "preceding::h2[1]"
# Title when the page has no entry at all (the page then fails for want of a body anyway).
FIRST_H2 = "(//h2)[1]"
# Fallback title: "<title>TITLE - 禁闻网</title>", only when there is no h2.
DOC_TITLE = "(//title)[1]"

# <base href> changes what relative image and link URLs resolve against.
BASE_HREF = "(//base[@href])[1]/@href"

# Tag links, from ENTRY: Simple Tags auto-links words to tag archives with rel="tag" (in the
# text, in captions, in the byline); a theme may add a tag list of the post (.post-tags, .tags)
# beside the entry. So: every rel=tag link in the entry's parent (the post), except that
#  - WordPress marks category links rel="category tag": categories are not tags;
#  - span.wp_keywordlink_affiliate links are keyword links, not tags;
#  - a menu or sidebar (nav, aside) that shares the post's container is the site's, not the
#    article's. (Class-based sidebar/widget tests cost more than the rest of the parse; the
#    site's sidebar and menu sit outside the post, so the container already leaves them out.)
TAG_LINKS = (
    f"../descendant::a[{_rel_has('tag')}][not({_rel_has('category')})]"
    f"[not(ancestor::span[{_has_class('wp_keywordlink_affiliate')}])]"
    "[not(ancestor::nav or ancestor::aside)]"
)

# Figures of the entry, from ENTRY; then, from each figure, its image and caption.
FIGURES = "descendant::figure"
FIGURE_IMG = "descendant::img[1]"
FIGURE_CAPTION = "descendant::figcaption[1]"
# Lazy-load plugins keep the real image here and put a placeholder (data: URI, 1px gif) in src;
# tried in this order before src.
LAZY_SRC_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src")

# Related articles (title 相关阅读), from ENTRY; titles carry <b> keyword highlights.
RELATED_LINKS = f"descendant::ul[{_has_class('op-related-articles')}]/descendant::a[@href]"

# The body is made of these blocks, found among the entry's children and inside the plain
# wrappers below (walked in document order); anything else (figures, lists such as the author
# list and ul.op-related-articles, share anchors, tables, loose text) is not.
BODY_BLOCK_TAGS = frozenset({"p", "h3", "h4"})
BODY_WRAPPER_TAGS = frozenset({"div", "blockquote"})
# Blocks and wrappers that are not body, from ENTRY. Paragraphs after them are still body.
NOT_BODY = " | ".join((
    f"descendant::p[{_has_class('texttj')}]",  # 🔥 promotion links
    f"descendant::div[{_has_class('banner-ads')}]",
))
# Elements whose text is never text, stripped from the entry (tails kept) before it is read.
NON_TEXT_TAGS = ("script", "style", "iframe", "noscript")
# A <br> is a line break inside its block. From a block that has one: its text nodes and <br>s,
# in document order.
LINE_BREAK_TAG = "br"
BLOCK_TEXT_AND_BREAKS = "descendant::text() | descendant::br"

# Authors, from the byline paragraph: the <li>s of the <ul> right after it.
AUTHOR_ITEMS = "following-sibling::*[1][self::ul]/li"

# --- Listing pages (tag archives, category listings), for the spider ---------------------
# These two are parsel CSS (response.css(...).getall() gives href strings), not XPath.

# Every link a page offers; the spider decides what to follow by what the URL is
# (newscrawl.discovery.urls), not by where the link sits. <link rel=next> is the archive's
# next page.
PAGE_LINKS = "a[href]::attr(href), link[rel~=next]::attr(href)"
# The articles a listing lists: one div.postlist per article, its <h4> holding the title link
# and a 阅读全文» link to the same URL (the related-tags block and menu are plain links).
LISTING_ENTRY_LINKS = "div.postlist h4 a[href]::attr(href)"

# --- Feeds (RSS 2.0), for the spider: XPath on the feed; each item's <link> is its post ------
FEED_ITEM_LINKS = "//item/link/text()"
