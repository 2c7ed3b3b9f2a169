"""Whether a page was read whole, without the theme's END ENTRY comment (issue 17): minified
pages hold no comment, so the document's end and the source comparison judge them
(newscrawl.extraction.page.read_whole, docs/extraction.md). Pages written here by hand."""

from __future__ import annotations

import pytest

from newscrawl.extraction.extract import NotAnArticle, parse_article

URL = "https://www.bannedbook.org/bnews/sohnews/20230322/1862877.html"
HEAD = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8"><title>标题 - 禁闻网'
        "</title></head><body>")
ENTRY = ('<div class="post"><h2>标题</h2><div class="entry"><p>来源：美国之音, 文章内容并不代表本网'
         "立场。</p><p>第一段。</p><p>第二段。</p><p>第三段。</p><p>第四段。</p><p>第五段。</p></div></div>")
BODY = "第一段。\n\n第二段。\n\n第三段。\n\n第四段。\n\n第五段。"
SVG = "<svg>" + "<path d='M0 0h24v24H0z'/>" * 30 + "</svg>"
SCRIPT = "<script>var t='" + "<p>x</p>" * 30 + "';</script>"
FOOTER = f"<div id='footer'><p>© 禁闻网</p>{SVG}{SCRIPT}</div>"


def reason(page: str) -> str | None:
    """None for an article with BODY, else the reason it is none."""
    try:
        article = parse_article(page, URL)
    except NotAnArticle as exc:
        return exc.reason
    assert article.body == BODY
    return None


@pytest.mark.parametrize(("page", "expected"), [
    (HEAD + ENTRY + "</body></html>", None),  # minified: no comment, the document closed
    (HEAD + ENTRY + "</BODY></HTML>\n", None),
    (HEAD + ENTRY + "</body></html><!-- cached by WP Super Cache -->", None),
    (HEAD + ENTRY + FOOTER + "</body></html>", None),  # SVG paths and scripts are no paragraphs
    (HEAD + ENTRY.replace("</div></div>", "") + "<p>第六", "partial_page"),  # cut: no end at all
    (HEAD + ENTRY + "</body>", "partial_page"),
    (HEAD + ENTRY.replace("</div></div>", "</div><!--END ENTRY--></div>"), None),  # the comment
    # paragraphs the parser never sees (here, hidden in a comment) count in the source: the
    # parsed entry and what follows it hold less than half of them
    (HEAD + ENTRY + "<!--" + "<p>旧</p>" * 20 + "--></body></html>", "partial_page"),
])
def test_whole_without_the_comment(page: str, expected: str | None) -> None:
    assert reason(page) == expected
