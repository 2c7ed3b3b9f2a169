"""Normalize the text fields of an article, whatever parser produced it.

The parser already takes text from the DOM (so entities are decoded and tags gone);
this stage guarantees the record's text contract: Unicode NFC, no control or
zero-width characters, folded white space, no empty paragraphs or list entries.
Tags are not stripped from text here: a literal "<" in an article is content.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.extraction.text import fold, fold_line

# Zero-width and BOM characters and C0/C1 controls other than the line break.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\x00-\x09\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str, *, keep_lines: bool = False) -> str:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return fold(text) if keep_lines else fold_line(text)


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


class CleanPipeline:
    def process_item(self, item: Any) -> Any:
        article = ItemAdapter(item)
        article["title"] = clean_text(article["title"] or "")
        if article.get("source") is not None:
            article["source"] = clean_text(article["source"]) or None
        article["authors"] = _distinct([clean_text(name) for name in article["authors"]])
        article["tags"] = _distinct([clean_text(tag) for tag in article["tags"]])
        paragraphs = (clean_text(p, keep_lines=True) for p in (article["body"] or "").split("\n\n"))
        article["body"] = "\n\n".join(p for p in paragraphs if p)
        for image in article["images"]:
            if image.get("caption") is not None:
                image["caption"] = clean_text(image["caption"]) or None
        for link in article["related"]:
            link["title"] = clean_text(link["title"])
        return item
