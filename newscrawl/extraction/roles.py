"""What an element is for, where its tag alone does not say (pure, read-only).

Used by the body walk (newscrawl.extraction.body): whether a figcaption captions text (body)
or images (left out, recorded with them), and whether a table lays out the article (its
blocks are paragraphs) or holds data (one row a line). Rules: docs/extraction.md.
"""

from __future__ import annotations

from lxml import etree

from newscrawl.extraction import selectors as sel


def captions_text(figcaption: etree._Element) -> bool:
    """A figcaption of a figure holding a table or quote is that text's caption: body. So is
    a Gutenberg gallery's own caption when every image of the gallery has a caption of its
    own (else it is the caption of those that lack one: images.caption_of)."""
    figure = figcaption.getparent()
    if figure is None:
        return False
    if next(figure.iter(*sel.TEXT_FIGURE_CONTENT), None) is not None:
        return True
    if sel.GALLERY_BLOCK_CLASS not in (figure.get("class") or "").split():
        return False
    images = list(figure.iter("img"))
    return bool(images) and all(_own_caption(img, figure) for img in images)


def _own_caption(img: etree._Element, gallery: etree._Element) -> bool:
    """Whether a figure inside `gallery` around `img` has a caption with text."""
    for ancestor in img.iterancestors(sel.FIGURE_TAG):
        if ancestor is gallery:
            return False
        caption = ancestor.find("figcaption")
        if caption is not None and "".join(caption.itertext()).strip():
            return True
    return False


def is_layout_table(table: etree._Element) -> bool:
    """A table that lays out the article rather than holding data: one column (no row has
    two cells) whose cells hold blocks (paragraphs, headings, lists, quotes, figures)."""
    blocks = False
    for row in table.iterchildren():
        rows = row.iterchildren("tr") if row.tag in sel.ROW_GROUP_TAGS else (row,)
        for tr in rows:
            if tr.tag != "tr":
                continue
            cells = [cell for cell in tr.iterchildren(*sel.CELL_TAGS)]
            if len(cells) > 1:
                return False
            blocks = blocks or any(next(cell.iter(*sel.LAYOUT_CELL_BLOCKS), None) is not None
                                   for cell in cells)
    return blocks
