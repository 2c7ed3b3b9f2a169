"""Text folding shared by the parser and the cleaning pipeline."""

from __future__ import annotations

import hashlib
import re

from w3lib.html import remove_tags, replace_entities

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


def strip_markup(text: str) -> str:
    """Text of a string that may still hold tags or entities (from a foreign source)."""
    return replace_entities(remove_tags(text))


def content_hash(title: str, body: str) -> str:
    """Same normalized title and body, same hash: identifies a text across URLs and runs."""
    normalized = fold_line(title) + "\n" + "\n\n".join(
        fold_line(paragraph) for paragraph in body.split("\n\n")
    )
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
