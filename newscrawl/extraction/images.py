"""Images of an article: the URL a reader's browser would load, and the caption shown with it.

Pure functions over the <img> elements the body walk found (newscrawl.extraction.body).
The srcset reader is our own: w3lib and parsel have none, and the HTML spec's candidate
grammar needs only the few lines below for the descriptors pages use (`800w`, `2x`).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from w3lib.url import safe_url_string

from newscrawl.article import Image
from newscrawl.discovery.urls import is_http
from newscrawl.extraction import selectors as sel
from newscrawl.extraction.body import has_class, text_of
from newscrawl.extraction.text import clean_line

_PLACEHOLDER = re.compile(sel.PLACEHOLDER_FILE, re.IGNORECASE)
# WHATWG URL parsing: C0 controls and space stripped at both ends, tab and newline removed.
_URL_STRIP = "".join(map(chr, range(0x21)))
_TAB_NEWLINE = dict.fromkeys(map(ord, "\t\n\r"))
_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)
_DESCRIPTOR = re.compile(r"^\s*(\d+(?:\.\d+)?)([wx])\s*$", re.IGNORECASE)


def absolute(base: str, href: str) -> str | None:
    """`href` resolved against the page; None unless it is http(s) (javascript:, mailto:…)."""
    href = href.strip()
    if _HTTP_URL.match(href):  # the site's links are absolute: spare urljoin's cost
        return href
    url = urljoin(base, href)
    return url if is_http(url) else None


def browser_url(base: str, value: str | None) -> str | None:
    """The URL a browser makes of an attribute value, or None unless it is http(s).

    As the HTML and WHATWG URL standards say: leading and trailing white space stripped
    (ASCII white space and C0 controls), tabs and newlines inside removed, then resolved
    against the page; spaces, non-ASCII characters and other unsafe characters are
    percent-encoded (UTF-8), already-encoded ones (%E5, %20) left alone
    (w3lib.url.safe_url_string).
    """
    value = (value or "").strip(_URL_STRIP)
    if not value:
        return None
    url = absolute(base, value.translate(_TAB_NEWLINE))
    return safe_url_string(url) if url else None


def largest_candidate(srcset: str) -> str | None:
    """The URL of the largest candidate of a srcset ("a.jpg 800w, b.jpg 1600w" -> b.jpg).

    Width descriptors win over density ones; a candidate without a descriptor is 1x.
    """
    best: tuple[int, float] = (-1, -1.0)
    best_url: str | None = None
    position, length = 0, len(srcset)
    while position < length:
        while position < length and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < length and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = srcset.find(",", position)
            end = length if end < 0 else end
            descriptor, position = srcset[position:end], end + 1
        if not url:
            continue
        match = _DESCRIPTOR.match(descriptor) if descriptor.strip() else None
        if descriptor.strip() and match is None:
            continue  # a descriptor we cannot compare (h, malformed): skip the candidate
        key = (1, float(match[1])) if match and match[2].lower() == "w" else \
            (0, float(match[1]) if match else 1.0)
        if key > best:
            best, best_url = key, url
    return best_url


def _usable(base: str, value: str | None) -> str | None:
    """The absolute URL of an image attribute value, unless it is a placeholder."""
    value = (value or "").strip(_URL_STRIP)
    if not value or value.startswith(("data:", "about:")):
        return None
    url = browser_url(base, value)
    if url is None or _PLACEHOLDER.search(urlsplit(url).path):
        return None
    return url


def image_url(img: etree._Element, base: str) -> str | None:
    """What a browser shows for `img`: its largest srcset candidate (data-srcset first), else
    its lazy-load attribute, else src, else its <picture>'s first usable <source>; None for a
    1×1 pixel or when every candidate is a placeholder."""
    if img.get("width", "").strip() == "1" and img.get("height", "").strip() == "1":
        return None
    for attribute in sel.SRCSET_ATTRIBUTES:
        value = img.get(attribute)
        if value and (url := _usable(base, largest_candidate(value))):
            return url
    for attribute in (*sel.LAZY_SRC_ATTRIBUTES, "src"):
        if url := _usable(base, img.get(attribute)):
            return url
    picture = img.getparent()
    # libxml2 knows no void <source>: what follows an unclosed one (HTML5 writes none) is
    # nested in it, the <img> too.
    while picture is not None and picture.tag == sel.SOURCE_TAG:
        picture = picture.getparent()
    if picture is not None and picture.tag == sel.PICTURE_TAG:
        for source in picture.iter(sel.SOURCE_TAG):
            for attribute in sel.SRCSET_ATTRIBUTES:
                value = source.get(attribute)
                if value and (url := _usable(base, largest_candidate(value))):
                    return url
    return None


def caption_of(img: etree._Element, entry: etree._Element) -> str | None:
    """The caption of the nearest figure, div.wp-caption or classic gallery item
    (dl.gallery-item: its dd.gallery-caption) around `img` that has one."""
    for ancestor in img.iterancestors():
        if ancestor is entry:
            break
        if ancestor.tag == sel.FIGURE_TAG:
            caption = ancestor.find("figcaption")
        elif ancestor.tag == "dl" and has_class(ancestor, sel.GALLERY_ITEM_CLASS):
            caption = next((dd for dd in ancestor.iterchildren("dd")
                            if has_class(dd, sel.GALLERY_CAPTION_CLASS)), None)
        elif has_class(ancestor, sel.WP_CAPTION_CLASS):
            caption = next((el for el in ancestor.iter("p", "div", "span")
                            if has_class(el, sel.CAPTION_CLASS)), None)
        else:
            continue
        if caption is not None and (text := clean_line(text_of(caption))):
            return text
    return None


def images(found: list[etree._Element], entry: etree._Element, base: str) -> list[Image]:
    """One Image per distinct URL, in page order (a <noscript> copy of a lazy image is one)."""
    out: list[Image] = []
    seen: set[str] = set()
    for img in found:
        url = image_url(img, base)
        if url is None or url in seen:
            continue
        seen.add(url)
        out.append({"url": url, "caption": caption_of(img, entry)})
    return out
