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

# Cloudflare interstitials ("Just a moment..." / older "Checking your browser before
# accessing" / "Attention Required!" block) and their script/form markers.
_CHALLENGE_MARKERS = (
    "Just a moment...", "Just a moment…", "Checking your browser",
    "Attention Required! | Cloudflare", "cf-challenge", "cf-browser-verification",
    "_cf_chl_opt", "/cdn-cgi/challenge-platform/",
)
_CHALLENGE_HINTS = ("moment", "Checking your browser", "Cloudflare", "cf-", "_cf_chl", "cdn-cgi")
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


def is_challenge(text: str) -> bool:
    """True for a Cloudflare challenge/block page (served as 403/503, sometimes 200).

    A page holding the theme's end-of-entry marker is the site's own page, never an
    interstitial: an article that quotes "Just a moment..." is no challenge.
    """
    if sel.ENTRY_END_MARKER in text:
        return False
    # Every marker holds one of these: most pages are cleared by scans for fewer strings.
    if not any(hint in text for hint in _CHALLENGE_HINTS):
        return False
    return any(marker in text for marker in _CHALLENGE_MARKERS)


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


def read_whole(text: str, entry: etree._Element, parser: etree.HTMLParser) -> bool:
    """Whether the parser read the entry whole: libxml2 logged no fatal error (it stops the
    parse there: nesting past 2,048 levels, say), the source holds the entry's end marker,
    and the parsed entry at least PARTIAL_MIN_SHARE of the paragraphs ("<p" start tags) its
    source holds between its start and that end. (Counting tags, not text: libxml2 gives up
    whole elements, and str.count is ten times cheaper than stripping tags.)
    """
    if parser.error_log.filter_from_fatals():
        return False
    start = _entry_start(text)
    end = text.find(sel.ENTRY_END_MARKER, start.end() if start else 0)
    if end < 0:
        return False
    if start is None:  # a start tag the pattern does not know: the marker must do
        return True
    source = text.count("<p", start.end(), end)  # one scan: <p, <pre, <picture, <param
    if source < PARTIAL_MIN_BLOCKS:
        return True
    parsed = sum(1 for _ in entry.iter(*_P_TAGS))
    return parsed >= PARTIAL_MIN_SHARE * source
