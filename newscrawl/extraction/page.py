"""Page-level checks before and around parsing: decoding, binary files, Cloudflare
interstitials, and whether the parser read the entry whole. Pure functions of the page's
bytes or text (docs/extraction.md, "Pages that are not articles").
"""

from __future__ import annotations

import re

from lxml import etree
from w3lib.encoding import html_to_unicode

from newscrawl.extraction import selectors as sel
from newscrawl.extraction.text import C0_CONTROLS

_ERROR_CODE = re.compile(sel.CHALLENGE_ERROR_CODE)
_SITE_STRUCTURE = re.compile("|".join(sel.SITE_STRUCTURE), re.IGNORECASE)
# File signatures of what servers send under a wrong text/html label.
_BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"\x00\x00\x00")
_UTF8_HEADER = re.compile(r"charset\s*=\s*[\"']?utf-?8[\"']?\s*(?:;|$)", re.IGNORECASE)
C0_BYTES = bytes(sorted({*range(0x20)} - {0x09, 0x0A, 0x0D}))
UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")  # also the start of the UTF-32 ones

# The parsed entry must hold at least this share of the "<p" its source holds, or the page
# was read only in part (see read_whole).
PARTIAL_MIN_SHARE = 0.5
PARTIAL_MIN_BLOCKS = 4  # below this the comparison is noise
_ENTRY_START = re.compile(sel.ENTRY_START_TAG, re.IGNORECASE)
_USUAL_ENTRY = f'class="{sel.ENTRY_CLASS}"'
_P_TAGS = ("p", "pre", "picture", "param")  # what "<p" opens in a source
_P_START = re.compile(r"<(?:p|pre|picture|param)[\s/>]", re.IGNORECASE)
_RAW_TEXT = re.compile(r"<(script|style|textarea)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_PARAGRAPHS_AFTER = etree.XPath(
    f"count(following::*[{' or '.join(f'self::{tag}' for tag in _P_TAGS)}])")
# The end of a whole document, looked for in its last characters (room for cache comments).
DOCUMENT_END = "</html>"
DOCUMENT_TAIL = 4096


def is_challenge(text: str, mitigated: str | bytes | None = None) -> bool:
    """True for a Cloudflare challenge or block page, on any status (200, 403, 429, 503).

    `mitigated`: the response's ``cf-mitigated`` header (selectors.CHALLENGE_HEADER), or
    None (bytes as Scrapy's headers hold them). Cloudflare sets it to "challenge" on every
    challenge it answers: that decides first.
    Else the page is one when it holds a known title, text or script of those pages
    (selectors.CHALLENGE_MARKERS, case-insensitively) and none of the site's own page
    structure (selectors.SITE_STRUCTURE): an article that quotes "Just a moment...", or a page
    Cloudflare injected its detection script into, is the site's page. Source of the markers:
    the site notes and Cloudflare's documentation (docs/extraction.md).
    """
    if isinstance(mitigated, bytes):
        mitigated = mitigated.decode("latin-1")
    if mitigated is not None and mitigated.strip().lower() == sel.CHALLENGE_HEADER_VALUE:
        return True
    if any(usual in text for usual in sel.SITE_STRUCTURE_USUAL):
        return False
    lowered = text.lower()
    # Plain substring scans: a tenth of the cost of one regex alternation over the page.
    if not any(marker in lowered for marker in sel.CHALLENGE_MARKERS) and not (
            ("1015" in lowered or "1020" in lowered) and _ERROR_CODE.search(lowered)):
        return False
    return _SITE_STRUCTURE.search(text) is None


def looks_binary(head: bytes | str) -> bool:
    """True for a file that is no text whatever its label: a known file signature, or C0
    controls (other than tab and line breaks) in more than 1 of 20 of its first 1,024
    characters. A stray NUL in a page is not enough: that page is text with a fault."""
    start = head[:1024]
    if isinstance(start, bytes):
        controls = len(start) - len(start.translate(None, C0_BYTES))
        return start.startswith(_BINARY_MAGIC) or controls * 20 > len(start)
    return start.startswith("%PDF-") or len(C0_CONTROLS.findall(start)) * 20 > len(start)


def decode(content_type: str | None, body: bytes) -> str:
    """html_to_unicode, with a short cut for the common case: a UTF-8 header, no BOM."""
    if content_type and _UTF8_HEADER.search(content_type) and not body.startswith(
            (b"\xef\xbb\xbf", *UTF16_32_BOMS)):
        return body.decode("utf-8", "replace")  # what html_to_unicode does, a third the cost
    return html_to_unicode(content_type, body)[1]


def _entry_start(text: str) -> re.Match[str] | None:
    """The entry's start tag in the source: looked for from the usual class="entry" (a string
    search) before the pattern is run over the page."""
    at = text.find(_USUAL_ENTRY)
    if at >= 0 and (match := _ENTRY_START.match(text, text.rfind("<", 0, at))):
        return match
    return _ENTRY_START.search(text)


def has_document_end(text: str) -> bool:
    """Whether the source ends its document: ``</html>`` in its last DOCUMENT_TAIL characters
    (the transport's rule, newscrawl/transport/completeness.py, asked of the text here too)."""
    return DOCUMENT_END in text[-DOCUMENT_TAIL:].lower()


def read_whole(text: str, entry: etree._Element, parser: etree.HTMLParser) -> bool:
    """Whether the parser read the entry whole.

    libxml2 logged no fatal error (it stops the parse there: nesting past 2,048 levels, say),
    the source is whole, and the parsed entry holds at least PARTIAL_MIN_SHARE of the
    paragraphs ("<p" start tags) its source holds. The source is whole when it holds the
    theme's end-of-entry comment after the entry's start, or, without it (minified pages hold
    no comment: Cloudflare's Auto Minify), when it ends its document (has_document_end; the
    transport has already refused bodies shorter than their Content-Length or cut in transit).
    With the comment, the entry is compared with its source up to the comment; without it,
    the entry and everything parsed after it with the source from the entry's start to the
    end, where the paragraph tags are matched whole and scripts left out (sidebars and footers
    hold SVG <path>s and scripts writing "<p>"). (Counting tags, not text: libxml2 gives up
    whole elements, and str.count is ten times cheaper than stripping tags.)
    """
    if parser.error_log.filter_from_fatals():
        return False
    start = _entry_start(text)
    end = text.find(sel.ENTRY_END_MARKER, start.end() if start else 0)
    if end < 0 and not has_document_end(text):
        return False
    if start is None:  # a start tag the pattern does not know: the end must do
        return True
    if end >= 0:
        source = text.count("<p", start.end(), end)  # one scan: <p, <pre, <picture, <param
    else:
        source = len(_P_START.findall(_RAW_TEXT.sub("", text[start.end():])))
    if source < PARTIAL_MIN_BLOCKS:
        return True
    parsed = sum(1 for _ in entry.iter(*_P_TAGS))
    if end < 0:
        parsed += int(_PARAGRAPHS_AFTER(entry))
    return parsed >= PARTIAL_MIN_SHARE * source
