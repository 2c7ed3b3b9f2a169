"""Text hygiene and folding shared by the parser, the cleaning pipeline and sitecopy.

The hygiene rule (docs/extraction.md): a record holds no character that no reader sees.
Removed are every character of the Unicode categories Cc (controls: C0 including NUL, DEL,
C1) except the line break and the tab, and Cf (format characters: zero-width space and
non-joiner, soft hyphen, byte-order mark / zero-width no-break space, word joiner, bidi
controls, tag characters, …). Except inside an emoji sequence (Unicode's UTS #51): there a
ZERO WIDTH JOINER (👨‍👩‍👧 is one picture; without the joiner it becomes three) and the tag
characters of a flag (🏴 + tags + CANCEL TAG: the flag of Scotland) are part of what a reader
sees. Sequences are matched by UTS #51's own regex (section 1.4.9, "EBNF and Regex") over
the `regex` module's Unicode emoji properties; the invisible set is computed from
`unicodedata` at import. Both follow the Unicode version of the library that holds them.
White space (NBSP, U+3000, U+2028 …) is not removed but folded to one ASCII space.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import regex
from w3lib.html import remove_tags, replace_entities

_KEEP = frozenset("\n\t")


def _class(codepoints: list[int]) -> str:
    """A regex character class body for sorted code points, as ranges."""
    parts: list[str] = []
    start = prev = codepoints[0]
    for cp in [*codepoints[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(re.escape(chr(start)) if start == prev
                     else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
        start = prev = cp
    return "".join(parts)


_INVISIBLE = ("Cc", "Cf")
# Only the BMP is listed (65,536 look-ups at import); astral characters are judged one by one.
_INVISIBLE_BMP = [cp for cp in range(0x10000)
                  if unicodedata.category(chr(cp)) in _INVISIBLE and chr(cp) not in _KEEP]


def _scrubber(keep: str) -> re.Pattern[str]:
    # Why two halves: `re` tests a class of BMP characters with one table lookup, but a class
    # holding astral ranges with a slow range scan. So astral characters (rare: emoji, tags)
    # are matched wholesale and sorted out by the callback.
    bmp = [cp for cp in _INVISIBLE_BMP if chr(cp) not in keep]
    return re.compile("[" + _class(bmp) + "\U00010000-\U0010ffff]")


# Memoised here rather than with `@lru_cache`: mutmut (docs/testing.md) does not mutate a
# decorated function.
_scrubber = lru_cache(maxsize=4)(_scrubber)

# C0 controls the HTML parser would turn into U+FFFD: removed from a page before parsing.
C0_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


# UTS #51, 1.4.9: a possible emoji sequence (emoji_zwj_sequence, emoji_tag_sequence,
# keycap, modifier and presentation sequences, flags), with the regex module's properties.
_EMOJI_ELEMENT = (r"(?:\p{RI}\p{RI}|\p{Emoji}(?:\p{EMod}|\ufe0f\u20e3?"
                  r"|[\U000e0020-\U000e007e]+\U000e007f)?)")
EMOJI_SEQUENCE = regex.compile(_EMOJI_ELEMENT + r"(?:\u200d" + _EMOJI_ELEMENT + r")*")
# What only an emoji sequence can keep: the joiner and the tag characters (the rest of a
# sequence is visible anyway: Emoji, modifiers, VS16 (Mn), the keycap mark (Me)). A tag
# sequence ends with CANCEL TAG: without one there is none.
_ZWJ, _CANCEL_TAG = "\u200d", "\U000e007f"
_SEQUENCE_PARTS = re.compile("[\u200d\U000e0020-\U000e007f]")


def _drop(match: re.Match[str]) -> str:
    char = match[0]
    if char < "\U00010000":  # matched by the BMP class: invisible
        return ""
    return "" if unicodedata.category(char) in _INVISIBLE else char


def scrub(text: str, keep: str = "") -> str:
    """`text` without the invisible characters of the hygiene rule (module docstring).

    `keep`: control characters to leave in place (markers of the caller's own, see body.py).
    """
    scrubber = _scrubber(keep)
    if _ZWJ not in text and _CANCEL_TAG not in text:  # no sequence to protect (str.find: fast)
        return scrubber.sub(_drop, text)
    out: list[str] = []
    position = 0
    for match in EMOJI_SEQUENCE.finditer(text):
        if _SEQUENCE_PARTS.search(match[0]) is None:
            continue
        out.append(scrubber.sub(_drop, text[position:match.start()]))
        out.append(match[0])
        position = match.end()
    out.append(scrubber.sub(_drop, text[position:]))
    return "".join(out)


# NBSP, U+3000 (ideographic space) and every other Unicode space fold to one ASCII space;
# line breaks are kept apart because a <br> is a line break inside its paragraph.
_SPACES = re.compile(r"[^\S\n]+")
_AROUND_NEWLINE = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{2,}")


def fold(text: str) -> str:
    """Fold runs of white space to one space and trim; keep single line breaks."""
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _AROUND_NEWLINE.sub("\n", text)
    return _BLANK_LINES.sub("\n", text).strip()


def fold_line(text: str) -> str:
    """Fold all white space, line breaks included, to single spaces."""
    return " ".join(text.split())


def clean_line(text: str) -> str:
    """A one-line text field (title, caption, author…): NFC, hygiene, all white space folded."""
    return fold_line(scrub(unicodedata.normalize("NFC", text)))


def clean_block(text: str) -> str:
    """A paragraph that may hold line breaks: NFC, hygiene, white space folded, lines kept."""
    return fold(scrub(unicodedata.normalize("NFC", text)))


def strip_markup(text: str) -> str:
    """Text of a string that may still hold tags or entities (from a foreign source)."""
    return replace_entities(remove_tags(text))


def content_hash(title: str, body: str) -> str:
    """Same normalized title and body, same hash: identifies a text across URLs and runs.

    Callers pass cleaned text (clean_line/clean_block): invisible characters are already gone,
    so two copies that differ only by them hash alike.
    """
    normalized = fold_line(title) + "\n" + "\n\n".join(
        fold_line(paragraph) for paragraph in body.split("\n\n")
    )
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
