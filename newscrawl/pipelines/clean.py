"""Normalize the text fields of an article, whatever parser produced it.

The parser already takes text from the DOM (so entities are decoded and tags gone) and
applies the same rules; this stage guarantees the record's text contract for any producer:
Unicode NFC, the hygiene rule of newscrawl.extraction.text (no control or format
characters but line breaks, tabs and emoji joiners), folded white space, no empty paragraphs
or list entries. The validate pipeline then hashes the cleaned text.
Tags are not stripped from text here: a literal "<" in an article is content.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from newscrawl.extraction.text import clean_block, clean_line


def clean_text(text: str, *, keep_lines: bool = False) -> str:
    """One text field cleaned: clean_block (line breaks kept) or clean_line."""
    return clean_block(text) if keep_lines else clean_line(text)


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
