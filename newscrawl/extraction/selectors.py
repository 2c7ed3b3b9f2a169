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
# The first div whose class tokens include ENTRY_CLASS (looked up in Python: a third of the
# cost of the XPath (//div[contains(concat(' ', @class, ' '), ' entry ')])[1]).
ENTRY_TAG = "div"
ENTRY_CLASS = "entry"
# The same in the page's source text, to tell whether the parser read the entry whole: its
# start tag (a regex), and the theme's end marker; a page without the marker was cut short.
ENTRY_START_TAG = r"<div\b[^>]*?(?<![\w-])entry(?![\w-])[^>]*>"
ENTRY_END_MARKER = "<!--END ENTRY-->"

# --- Cloudflare challenge and block pages (newscrawl.extraction.page.is_challenge) ----------
# Cloudflare marks every challenge it answers with this header (value "challenge"): read first.
# (Written as the header line Cloudflare documents: its value is no reason name of the table.)
CHALLENGE_HEADER_LINE = "cf-mitigated: challenge"
CHALLENGE_HEADER, _, CHALLENGE_HEADER_VALUE = CHALLENGE_HEADER_LINE.partition(": ")
# The titles and texts of its interstitials and block pages, as the site has served them and as
# Cloudflare documents them (docs/extraction.md); matched case-insensitively (lower case here),
# on any status. "Access denied | <host> used Cloudflare to restrict access" is matched by its
# fixed tail; error 1015 (rate limited) and 1020 (firewall rule) by CHALLENGE_ERROR_CODE.
CHALLENGE_MARKERS = (
    "just a moment...", "just a moment\u2026", "please wait... | cloudflare",
    "attention required! | cloudflare", "used cloudflare to restrict access",
    "checking your browser", "verifying you are human",
    "/cdn-cgi/challenge-platform/", "_cf_chl_opt", "cf-browser-verification", "cf-challenge",
)
CHALLENGE_ERROR_CODE = r"error(?:\s+code)?\s*:?\s*(?:<[^>]*>\s*)*10(?:15|20)\b"
# The site's own page structure: a page holding one of these is the site's, whatever words it
# quotes or scripts Cloudflare injects into it (its JS detections load from
# /cdn-cgi/challenge-platform/ on ordinary pages). The article's container (ENTRY_START_TAG),
# a listing's article item (div.postlist), and WordPress's asset paths, which no Cloudflare
# page links. Never the END ENTRY comment: minifiers strip comments.
SITE_STRUCTURE = (ENTRY_START_TAG, r"<div\b[^>]*?(?<![\w-])postlist(?![\w-])[^>]*>",
                  r"/wp-(?:content|includes)/")
# The same as they are usually spelled: plain substrings, looked for first (a hundredth of the
# cost of lower-casing a page to look for the markers).
SITE_STRUCTURE_USUAL = ('class="entry"', 'class="postlist"', "/wp-content/", "/wp-includes/")

# Title, from ENTRY: the nearest <h2> before it. Full pages carry other <h2>s (sidebar widget
# titles), but the article's own h2 is the last one before the entry (notice paragraphs between).
TITLE_BEFORE_ENTRY = "preceding::h2[1]"
# Looked for first among the entry's preceding siblings (where the theme puts it; a tenth of
# the cost of the preceding axis, which scans the whole page before the entry).
TITLE_TAG = "h2"
# Title when the page has no entry at all (the page then fails for want of a body anyway).
FIRST_H2 = "(//h2)[1]"
# Fallback title: "<title>TITLE - 禁闻网</title>", only when there is no h2.
DOC_TITLE = "(//title)[1]"

# <base href> changes what relative image and link URLs resolve against.
BASE_HREF = "(/html/head/base[@href])[1]/@href"  # <base> belongs in <head>: no whole-page scan

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

# Related articles (title 相关阅读), from ENTRY; titles carry <b> keyword highlights.
RELATED_LINKS = f"descendant::ul[{_has_class('op-related-articles')}]/descendant::a[@href]"

# Authors, from the byline paragraph: the <li>s of the <ul> right after it.
AUTHOR_ITEMS = "following-sibling::*[1][self::ul]/li"
AUTHOR_LIST = "following-sibling::*[1][self::ul]"
# The byline candidate, from ENTRY: the first paragraph that holds any text.
FIRST_PARAGRAPH = "descendant::p[normalize-space()][1]"

# --- The body: everything the entry shows, minus named boilerplate rules ---------------------
# The body walk (newscrawl.extraction.body) reads every text node of the entry in document
# order. Elements matched by a rule below are left out with their whole subtree; what each
# left out is counted per rule name (stats newscrawl/extraction/dropped/<rule>).
# A rule: (name, tag, class token or None, attribute test or None). The walk stops at the
# tags rules name (and at structure); a rule on an inline tag (<a>, <span>) works but makes
# the walk stop at every link. The share anchor a[name=sharetosocial] holds no text: no rule.
BOILERPLATE_RULES: tuple[tuple[str, str, str | None, tuple[str, str] | None], ...] = (
    ("promo", "p", "texttj", None),  # 🔥 promotion links
    ("ads", "div", "banner-ads", None),  # AuctionX ad slots
    ("related", "ul", "op-related-articles", None),  # 相关阅读
    ("notice", "p", "notice", None),  # the notice to mainland readers, should it move inside
    ("share", "div", "sharedaddy", None),  # Jetpack sharing buttons
    ("share", "div", "addtoany_share_save_container", None),  # AddToAny
    ("page_links", "p", "post-nav-links", None),  # wp_link_pages of a multi-page post
    ("page_links", "div", "page-links", None),  # (its themes' older markup)
    ("caption", "figcaption", None, None),  # image captions: recorded with their image
    ("caption", "p", "wp-caption-text", None),  # classic [caption] output
    ("caption", "div", "wp-caption-text", None),
    ("caption", "dd", "gallery-caption", None),  # classic [gallery]: each image's caption
)
# A figcaption of a figure that holds a table or a quote captions that, not an image: body.
TEXT_FIGURE_CONTENT = ("table", "blockquote", "pre")
# An unrendered caption shortcode, "[caption id=… width=…]<img …> text[/caption]", left as
# text: made a figure (newscrawl.extraction.prepare), its caption claimed as "caption_shortcode".
SHORTCODE_OPENING = "[caption"
# Galleries: WordPress's classic [gallery] (dl.gallery-item > dt.gallery-icon img +
# dd.gallery-caption) and Gutenberg's (figure.wp-block-gallery > figure img + figcaption,
# the gallery's own figcaption last).
GALLERY_ITEM_CLASS = "gallery-item"
GALLERY_CAPTION_CLASS = "gallery-caption"
GALLERY_BLOCK_CLASS = "wp-block-gallery"
# A table whose rows have one cell each, cells holding one of these, lays out the article:
# its cells' blocks are paragraphs (not one row a line).
LAYOUT_CELL_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul",
                      "ol", "figure", "pre", "section", "table")


# Elements whose text is never shown as text: left out (rule "non_text"). <noscript> holds
# fallback images (collected before it is left out) and "enable JavaScript" notes.
NON_TEXT_TAGS = frozenset({"script", "style", "iframe", "noscript", "template", "object",
                           "embed", "video", "audio", "canvas", "head", "title", "meta",
                           "link"})
# Elements the walk does not read and no rule claims: their text is "unclaimed", counted and
# warned about when substantial (form controls, vector graphics, formulas).
UNREAD_TAGS = frozenset({"select", "button", "textarea", "svg", "math", "map", "option"})
# Emoji images (WordPress wp-emoji, copied pages): inline text (their alt), not images.
EMOJI_IMG_CLASSES = ("emoji", "wp-smiley")

# Block boundaries: a block starts and ends a paragraph (inside a list a line, inside a
# table cell a space). Everything else is inline: its text runs on in the paragraph.
BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
    "header", "footer", "main", "aside", "nav", "figure", "center", "address", "hr",
    "details", "summary", "dl", "dt", "dd", "fieldset", "legend", "form", "body",
    "figcaption",
})
LIST_TAGS = frozenset({"ul", "ol", "dir", "menu"})  # one item (<li>) a line
TABLE_TAG = "table"  # one row (<tr>) a line, cells separated by CELL_SEPARATOR
ROW_TAGS = frozenset({"tr", "caption"})
ROW_GROUP_TAGS = frozenset({"thead", "tbody", "tfoot"})
CELL_TAGS = frozenset({"td", "th"})
CELL_SEPARATOR = " | "
PRE_TAG = "pre"  # source line breaks kept
LINE_BREAK_TAG = "br"  # a line break; two or more in a row end the paragraph

# --- Images ---------------------------------------------------------------------------------
# Containers that give an image its caption, nearest first: <figure> (figcaption),
# div.wp-caption (p.wp-caption-text). The [caption] shortcode, when left unrendered in the
# text, is read from the text itself (newscrawl.extraction.images).
FIGURE_TAG = "figure"
WP_CAPTION_CLASS = "wp-caption"
CAPTION_CLASS = "wp-caption-text"
# Lazy-load plugins keep the real image here and put a placeholder (data: URI, 1px gif) in
# src. srcset / data-srcset candidates are compared by their descriptor (largest wins).
SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "srcset")
LAZY_SRC_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-orig-file")
PICTURE_TAG = "picture"
SOURCE_TAG = "source"
# Lazy-load placeholder files (the real URL is in another attribute or a <noscript>): the
# whole file name, so that "protest-blank.jpg" stays an image.
PLACEHOLDER_FILE = (
    r"(?:^|/)(?:lazy[_-]?placeholder|lazy[_-]?load|lazy|blank|pixel|spacer|transparent|"
    r"placeholder|grey|gray|loading|loader|spinner|1x1|empty)\.(?:gif|png|svg|jpe?g|webp)$"
)

# Links to the pages of a multi-page post (<!--nextpage-->), from ENTRY: wp_link_pages prints
# "页面： 1 2 3" as p.post-nav-links (WordPress 5.x+) or div.page-links (older themes).
PAGE_LINK_HREFS = (f"descendant::*[self::p[{_has_class('post-nav-links')}] or "
                   f"self::div[{_has_class('page-links')}]]/descendant::a/@href")

# --- Embedded media (newscrawl.extraction.media) -------------------------------------------
# Players and files the entry embeds, in page order: <iframe>/<embed> players (src, or a
# lazy-load attribute), <video>/<audio> files (src, else the first <source src>), a tweet's
# blockquote (its status link; its text stays body), and an embed whose oEmbed failed: a
# paragraph or div whose whole text is one URL, when the div is Gutenberg's embed wrapper or the
# URL's host is an oEmbed provider WordPress embeds (wp-includes/class-wp-oembed.php). The
# caption is the figcaption of the figure around it (figure.wp-block-embed, wp-block-video).
PLAYER_TAGS = ("iframe", "embed")
PLAYER_SRC_ATTRIBUTES = ("src", "data-src", "data-lazy-src")
FILE_TAGS = ("video", "audio")
TWEET_CLASS = "twitter-tweet"
EMBED_WRAPPER_CLASS = "wp-block-embed__wrapper"
BARE_URL_TAGS = ("p", "div")
# Provider hosts (a host or any subdomain of it) -> the kind of media they serve.
MEDIA_HOSTS: dict[str, str] = {
    **dict.fromkeys(("youtube.com", "youtu.be", "youtube-nocookie.com", "vimeo.com",
                     "dailymotion.com", "dai.ly", "tiktok.com", "ted.com", "wordpress.tv",
                     "videopress.com", "rumble.com", "bilibili.com"), "video"),
    **dict.fromkeys(("soundcloud.com", "spotify.com", "mixcloud.com", "reverbnation.com"),
                    "audio"),
    **dict.fromkeys(("twitter.com", "x.com"), "tweet"),
    **dict.fromkeys(("facebook.com", "instagram.com", "flickr.com", "reddit.com", "tumblr.com",
                     "imgur.com", "issuu.com", "scribd.com", "slideshare.net",
                     "speakerdeck.com", "pinterest.com", "kickstarter.com"), "embed"),
}

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
