"""The body walk: every text node of the entry, in document order, into paragraphs.

Pure: reads an lxml element, changes nothing. One pass with lxml's iterwalk (iterative, so a
page nested 2,000 levels deep costs no Python recursion) does three jobs at once:
- body text: blocks become paragraphs, lists one item a line, tables one row a line, <br> a
  line break and two <br> a paragraph break, <pre> keeps its line breaks (rules: selectors.py,
  docs/extraction.md);
- accounting: each element a boilerplate rule leaves out is counted under the rule's name,
  with the characters of text it held; text in elements nobody reads is "unclaimed";
- images: the <img>s the reader sees (not those of ads, related lists, promotions, hidden
  elements), in order, with <noscript> fallbacks.
What the browser does first (hidden elements, shortcodes, obfuscated addresses) is done to
the tree before the walk: newscrawl.extraction.prepare.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from newscrawl.extraction import selectors as sel
from newscrawl.extraction.prepare import is_hidden
from newscrawl.extraction.roles import captions_text, is_layout_table
from newscrawl.extraction.text import scrub

# Markers the walk writes into the tree's text: Unicode noncharacters, which the standard
# reserves for a program's internal use (never interchanged text; lxml accepts them, unlike
# control characters). A stray one in a page would act as a break, no more.
PARA, LINE, CELL, BR = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
_LIST, _TABLE = "list", "table"
_WHITE = re.compile(r"\s+")
_BR_RUN = re.compile(f"{BR}(?: ?{BR})+")  # two <br> (white space between): a new paragraph


def _rules() -> dict[str, list[tuple[str, str | None, tuple[str, str] | None]]]:
    by_tag: dict[str, list[tuple[str, str | None, tuple[str, str] | None]]] = {}
    for name, tag, token, attribute in sel.BOILERPLATE_RULES:
        by_tag.setdefault(tag, []).append((name, token, attribute))
    return by_tag


_RULES = _rules()
_ATTRIBUTE_RULE_TAGS = frozenset(tag for _, tag, token, attribute in sel.BOILERPLATE_RULES
                                 if token is None)
_RULE_TAGS = frozenset(_RULES) | sel.NON_TEXT_TAGS
_ALWAYS_ASK = _ATTRIBUTE_RULE_TAGS | sel.NON_TEXT_TAGS  # rules that need no class
# The elements the walk stops at: structure, rule tags, images, unread tags.
_VISIT = frozenset(
    sel.BLOCK_TAGS | sel.LIST_TAGS | sel.ROW_TAGS | sel.CELL_TAGS | sel.NON_TEXT_TAGS
    | sel.UNREAD_TAGS | {"li", sel.TABLE_TAG, sel.PRE_TAG, sel.LINE_BREAK_TAG, "img"}
    | {tag for _, tag, _, _ in sel.BOILERPLATE_RULES})
# Left out, these leave a boundary where they stood.
_BOUNDARY_TAGS = sel.BLOCK_TAGS | sel.LIST_TAGS | {sel.TABLE_TAG, sel.PRE_TAG, "li"}


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
    images: list[etree._Element] = field(default_factory=list)  # document order
    # left-out elements and the boundary their place in the text gets, for `finish`
    removed: list[tuple[etree._Element, str]] = field(default_factory=list)

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
    value = element.get("class")
    if value is None and tag not in _ATTRIBUTE_RULE_TAGS:  # most paragraphs: no class
        return None
    classes = value.split() if value else ()
    for name, token, attribute in rules:
        if token is not None and token not in classes:
            continue
        if attribute is not None and element.get(attribute[0]) != attribute[1]:
            continue
        if tag == "figcaption" and captions_text(element):
            return None
        return name
    return None


def walk(entry: etree._Element, claimed: dict[etree._Element, str]) -> Walk:
    """Accounting and images of `entry`, and its body marked up for `finish`.

    `claimed`: elements left out (with their subtrees) by rules the caller applies (byline,
    authors, caption_shortcode) -> rule name; the rules of selectors.py are applied here, and
    "hidden" (prepare.is_hidden, asked of every element with a style or hidden attribute: two
    attribute reads here cost a fifth of an XPath for them). A hidden element leaves no
    boundary (display:none makes no box: the text around it runs on).
    Why marks: the walk stops only at structural elements, writes a marker into the text
    before and after each (paragraph, line, cell, <br>), and libxml2 then serializes the
    entry's text in one call; reading every text node from Python costs twice as much.
    """
    result = Walk()
    groups: list[tuple[etree._Element, str]] = []  # open lists and tables, innermost last
    pre: list[etree._Element] = []
    # No tag= filter: lxml builds a matcher of all the tags on every call, which costs more
    # than testing each element's tag against a set here.
    visit = _VISIT
    if not {el.tag for el in claimed} <= _VISIT:  # a claimed inline element (hidden <span>)
        visit = _VISIT | {el.tag for el in claimed}
    walker = etree.iterwalk(entry, events=("start",))
    for _, el in walker:
        tag = el.tag
        hide = (el.get("style") is not None or el.get("hidden") is not None) and \
            el is not entry and is_hidden(el)
        if (tag not in visit and not hide) or el is entry:
            continue
        if groups or pre:  # start events only (half the cost): leave what `el` is not inside
            _close(el, groups, pre, entry)
        boundary = PARA if not groups else LINE if groups[-1][1] == _LIST else " "
        rule = claimed.get(el) or ("hidden" if hide else None)
        if rule is None and tag in _RULE_TAGS and (  # skip the call for most paragraphs
                el.get("class") is not None or tag in _ALWAYS_ASK):
            rule = rule_of(el, tag)
        if rule is not None or tag in sel.UNREAD_TAGS:
            walker.skip_subtree()
            if rule is None:
                _unclaimed(result, el)
            else:
                result.drop(rule, el)
                if tag == "noscript":  # its images count
                    result.images.extend(el.iter("img"))
            keeps = tag in _BOUNDARY_TAGS and rule != "hidden"
            result.removed.append((el, boundary if keeps else ""))
        elif tag in sel.BLOCK_TAGS:
            _mark(el, boundary)
        elif tag == sel.TABLE_TAG and is_layout_table(el):
            _mark(el, boundary)  # its rows and cells are blocks: no group
        elif tag in sel.LIST_TAGS or tag == sel.TABLE_TAG:
            _mark(el, LINE if groups else PARA)
            groups.append((el, _LIST if tag in sel.LIST_TAGS else _TABLE))
        elif tag == "li":
            _mark(el, LINE if groups else PARA)
        elif tag in sel.ROW_TAGS:
            _mark(el, LINE if groups and groups[-1][1] == _TABLE else boundary)
        elif tag in sel.CELL_TAGS:
            previous = el.getprevious()
            if previous is not None and previous.tag in sel.CELL_TAGS:
                el.text = CELL + (el.text or "")
        elif tag == sel.LINE_BREAK_TAG:
            el.tail = (LINE if pre else " " if groups else BR) + (el.tail or "")
        elif tag == "img":
            if _is_emoji_image(el):
                el.tail = (el.get("alt") or "") + (el.tail or "")
            else:
                result.images.append(el)
        elif tag == sel.PRE_TAG:
            _mark(el, boundary)
            _keep_lines(el)
            pre.append(el)
    return result


def _close(el: etree._Element, groups: list[tuple[etree._Element, str]],
           pre: list[etree._Element], entry: etree._Element) -> None:
    """Pop the open lists, tables and <pre>s that `el` lies outside of."""
    ancestors = set()
    for ancestor in el.iterancestors():
        if ancestor is entry:
            break
        ancestors.add(ancestor)
    while groups and groups[-1][0] not in ancestors:
        groups.pop()
    while pre and pre[-1] not in ancestors:
        pre.pop()


def finish(entry: etree._Element, result: Walk) -> str:
    """The body of a walked entry: left-out elements removed (their tails kept), the marked
    text serialized, then split and folded (`paragraphs`). Changes the tree: call last."""
    for element, marker in result.removed:
        _remove(element, marker)
    result.body = "\n\n".join(paragraphs(text_of(entry)))
    return result.body


def _mark(element: etree._Element, marker: str) -> None:
    """A boundary before the element and after it (before its tail).

    The mark before goes at the end of the text before the element (the previous sibling's
    tail or the parent's text), not into the element's own text: that is usually a whole
    paragraph, and lxml re-encodes a text on every write, while what lies between blocks is
    mostly a space.
    """
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + marker
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + marker
    element.tail = marker + (element.tail or "")


def _keep_lines(pre: etree._Element) -> None:
    """Source line breaks inside <pre> become line marks (the folding would eat them)."""
    if pre.text:
        pre.text = pre.text.replace("\n", LINE)
    for node in pre.iterdescendants():
        if node.text:
            node.text = node.text.replace("\n", LINE)
        if node.tail:
            node.tail = node.tail.replace("\n", LINE)


def _remove(element: etree._Element, marker: str) -> None:
    """Take `element` out of the tree, leaving its tail text (after `marker`) in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = marker + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


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
    text = " ".join(scrub(unicodedata.normalize("NFC", marked)).split())  # C, not a regex
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
