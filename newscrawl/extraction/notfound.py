"""A soft 404: WordPress's "not found" page served with status 200 instead of a post.

Asked only of a page that gave no article (newscrawl.extraction.extract raised NotAnArticle):
the theme's not-found template marks it (``<body class="… error404 …">``, WordPress core's
body_class) or its title says so (the theme's "页面未找到", WordPress's "Page not found",
"找不到", "Nothing Found"). Pure: HTML text in, bool out.
"""

from __future__ import annotations

import re

from parsel import Selector

_NOT_FOUND_TITLE = re.compile(r"页面未找到|頁面未找到|未找到页面|找不到|page not found"
                              r"|nothing found|^\s*404\b", re.IGNORECASE)


def is_not_found(html: str) -> bool:
    """Whether a page without an article is the theme's not-found page."""
    page = Selector(text=html)
    if "error404" in (page.xpath("//body/@class").get() or "").split():
        return True
    titles = page.xpath("//title//text() | //div[@id='content']/h2//text()").getall()
    return any(_NOT_FOUND_TITLE.search(title) for title in titles)
