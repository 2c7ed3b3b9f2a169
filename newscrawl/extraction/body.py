"""The body walk: every text node of the entry, in document order, into paragraphs.

Pure: reads an lxml element, changes nothing. One pass with lxml's iterwalk (iterative, so a
page nested 2,000 levels deep costs no Python recursion) does three jobs at once:
- body text: blocks become paragraphs, lists one item a line, tables one row a line, <br> a
  line break and two <br> a paragraph break, <pre> keeps its line breaks (rules: selectors.py,
  docs/extraction.md);
- accounting: each element a boilerplate rule leaves out is counted under the rule's name,
  with the characters of text it held; text in elements nobody reads is "unclaimed";
- images: the <img>s the reader sees (not those of ads, related lists, promotions), in order,
  with <noscript> fallbacks and unrendered [caption] shortcodes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from newscrawl.extraction import selectors as sel
from newscrawl.extraction.text import scrub

# Markers the walk writes between text nodes. They are C0 controls, which never reach the
# tree: a page's C0 controls are removed before it is parsed (text.C0_CONTROLS).
PARA, LINE, CELL, BR = "\x01", "\x02", "\x03", "\x04"
_MARKERS = PARA + LINE + CELL + BR
_LIST, _TABLE = "list", "table"
_WHITE = re.compile(r"\s+")
_BR_RUN = re.compile(f"{BR}(?: ?{BR})+")  # two <br> (white space between): a new paragraph


_SHORTCODE_TAGS = ("p", "div")


def _rules() -> dict[str, list[tuple[str, str | None, tuple[str, str] | None]]]:
    by_tag: dict[str, list[tuple[str, str | None, tuple[str, str] | None]]] = {
        tag: [] for tag in _SHORTCODE_TAGS}
    for name, tag, token, attribute in sel.BOILERPLATE_RULES:
        by_tag.setdefault(tag, []).append((name, token, attribute))
    return by_tag


_RULES = _rules()
# An element none of whose descendants has one of these tags is read in one piece (libxml2
# serializes its text) instead of node by node: most paragraphs. Rules on inline <a>/<span>
# (the share anchor, a caption span) are not looked for inside such a paragraph.
_STRUCTURAL = (sel.BLOCK_TAGS | sel.LIST_TAGS | sel.ROW_TAGS | sel.CELL_TAGS
               | sel.NON_TEXT_TAGS | sel.UNREAD_TAGS
               | {"li", sel.TABLE_TAG, sel.PRE_TAG, sel.LINE_BREAK_TAG, "img", "figcaption"}
               | {tag for _, tag, _, _ in sel.BOILERPLATE_RULES if tag not in ("a", "span")})
_WHOLE = sel.BLOCK_TAGS | sel.CELL_TAGS | {"li"}


def _plain(element: etree._Element) -> bool:
    """Whether `element` holds only text and inline markup (see _STRUCTURAL)."""
    return all(d.tag not in _STRUCTURAL for d in element.iterdescendants())


def text_of(element: etree._Element) -> str:
    """All the text inside an element (serialized by libxml2: twice as fast as string())."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def visible_chars(text: str) -> int:
    """Characters of `text` that are not white space (what the accounting counts)."""
    return len("".join(text.split()))


def has_class(element: etree._Element, token: str) -> bool:
    return token in (element.get("class") or "").split()


@dataclass
class Walk:
    """What the walk found. `dropped`: rule -> [elements, characters] left out of the body."""

    body: str = ""
    dropped: dict[str, list[int]] = field(default_factory=dict)
    unclaimed_chars: int = 0
    unclaimed_sample: str = ""
    # (img, the unrendered [caption] block holding it or None), document order
    images: list[tuple[etree._Element, etree._Element | None]] = field(default_factory=list)

    def drop(self, rule: str, element: etree._Element) -> None:
        counts = self.dropped.setdefault(rule, [0, 0])
        counts[0] += 1
        counts[1] += visible_chars(text_of(element))


def rule_of(element: etree._Element, tag: str) -> str | None:
    """The boilerplate rule that leaves `element` out of the body, if any (selectors.py).

    Called for every element the walk visits, so it touches attributes only for the few tags
    some rule names, and most paragraphs have no class at all.
    """
    if tag in sel.NON_TEXT_TAGS:
        return "non_text"
    rules = _RULES.get(tag)
    if rules is None:
        return None
    if tag in _SHORTCODE_TAGS and (element.text or "").lstrip().startswith(
            sel.SHORTCODE_OPENING):
        return "caption_shortcode"
    value = element.get("class")
    classes = value.split() if value else ()
    for name, token, attribute in rules:
        if token is not None and token not in classes:
            continue
        if attribute is not None and element.get(attribute[0]) != attribute[1]:
            continue
        if tag == "figcaption" and _captions_text(element):
            return None
        return name
    return None


def _captions_text(figcaption: etree._Element) -> bool:
    """A figcaption of a figure holding a table or quote is that text's caption: body."""
    figure = figcaption.getparent()
    return figure is not None and next(figure.iter(*sel.TEXT_FIGURE_CONTENT), None) is not None


def walk(entry: etree._Element, claimed: dict[etree._Element, str]) -> Walk:
    """Body, accounting and images of `entry`.

    `claimed`: elements left out (with their subtrees) by rules the caller applies (byline,
    authors) -> rule name; the rules of selectors.py are applied here.
    """
    result = Walk()
    out: list[str] = []
    append = out.append
    groups: list[str] = []  # open lists and tables, innermost last
    first_cell: list[bool] = []  # per open table: no cell yet in the current row
    pre = 0
    skipped: etree._Element | None = None
    walker = etree.iterwalk(entry, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if type(tag) is not str:  # comments, processing instructions: never text
            continue
        if event == "start":
            if el is entry:
                if el.text:
                    append(el.text)
                continue
            rule = claimed.get(el) or rule_of(el, tag)
            if rule is not None or tag in sel.UNREAD_TAGS:
                walker.skip_subtree()
                skipped = el
                if tag in sel.BLOCK_TAGS or tag in sel.LIST_TAGS or tag == "table":
                    append(_boundary(groups))
                if rule is None:
                    _unclaimed(result, el)
                    continue
                result.drop(rule, el)
                if tag == "noscript" or rule == "caption_shortcode":  # their images count
                    holder = el if rule == "caption_shortcode" else None
                    result.images.extend((img, holder) for img in el.iter("img"))
                continue
            if tag in sel.BLOCK_TAGS:
                append(_boundary(groups))
            elif tag in sel.LIST_TAGS:
                append(LINE if groups else PARA)
                groups.append(_LIST)
            elif tag == "li":
                append(LINE if groups else PARA)
            elif tag == sel.TABLE_TAG:
                append(LINE if groups else PARA)
                groups.append(_TABLE)
                first_cell.append(True)
            elif tag in sel.ROW_TAGS and first_cell:
                append(LINE)
                first_cell[-1] = True
            elif tag in sel.CELL_TAGS and first_cell:
                if first_cell[-1]:
                    first_cell[-1] = False
                else:
                    append(CELL)
            elif tag == sel.LINE_BREAK_TAG:
                append(" " if groups and not pre else BR)
            elif tag == "img":
                if _is_emoji_image(el):
                    append(el.get("alt") or "")
                else:
                    result.images.append((el, None))
            elif tag == sel.PRE_TAG:
                append(_boundary(groups))
                pre += 1
            if tag in _WHOLE and _plain(el):
                walker.skip_subtree()
                append(text_of(el))
                continue
            if el.text:
                append(el.text.replace("\n", LINE) if pre else el.text)
            continue
        # event == "end"
        if el is entry:
            continue
        if el is skipped:
            if tag in sel.BLOCK_TAGS or tag in sel.LIST_TAGS or tag == "table":
                append(_boundary(groups))
        elif tag in sel.BLOCK_TAGS:
            append(_boundary(groups))
        elif tag in sel.LIST_TAGS:
            groups.pop()
            append(LINE if groups else PARA)
        elif tag == "li":
            append(LINE if groups else PARA)
        elif tag == sel.TABLE_TAG:
            groups.pop()
            first_cell.pop()
            append(LINE if groups else PARA)
        elif tag in sel.ROW_TAGS and first_cell:
            append(LINE)
        elif tag == sel.PRE_TAG:
            pre -= 1
            append(_boundary(groups))
        if el.tail:
            append(el.tail.replace("\n", LINE) if pre else el.tail)
    result.body = "\n\n".join(paragraphs("".join(out)))
    return result


def _boundary(groups: list[str]) -> str:
    """What a block boundary is where it stands: a paragraph, a line (list), a space (cell)."""
    if not groups:
        return PARA
    return LINE if groups[-1] == _LIST else " "


def _is_emoji_image(img: etree._Element) -> bool:
    classes = (img.get("class") or "").split()
    return any(name in classes for name in sel.EMOJI_IMG_CLASSES)


def _unclaimed(result: Walk, element: etree._Element) -> None:
    text = " ".join(text_of(element).split())
    result.unclaimed_chars += visible_chars(text)
    if text and len(result.unclaimed_sample) < 80:
        result.unclaimed_sample = (result.unclaimed_sample + " " + text).strip()[:80]


def paragraphs(marked: str) -> Iterator[str]:
    """Paragraphs of the walk's marked text: hygiene, white space folded, empty lines gone."""
    text = _WHITE.sub(" ", scrub(unicodedata.normalize("NFC", marked), keep=_MARKERS))
    text = _BR_RUN.sub(PARA, text).replace(BR, LINE)
    for para in text.split(PARA):
        lines = []
        for line in para.split(LINE):
            if CELL in line:
                cells = [cell.strip() for cell in line.split(CELL)]
                line = sel.CELL_SEPARATOR.join(cells) if any(cells) else ""
            line = line.strip()
            if line:
                lines.append(line)
        if lines:
            yield "\n".join(lines)
