"""The theme's not-found page (a soft 404 when served with 200): extraction/notfound.py."""

from __future__ import annotations

import pytest

from newscrawl.extraction.notfound import is_not_found


@pytest.mark.parametrize(("html", "found"), [
    # the copy's (and the theme's) not-found page
    ('<html><head><title>页面未找到 - 禁闻网</title></head><body><div id="content">'
     "<h2>404 页面未找到</h2></div></body></html>", True),
    # WordPress core's body_class on the 404 template, whatever the title says
    ('<html><head><title>禁闻网</title></head><body class="error404 wp-theme">'
     "<p>…</p></body></html>", True),
    ("<html><head><title>Page not found – 禁闻网</title></head><body></body></html>", True),
    ("<html><head><title>找不到页面</title></head><body></body></html>", True),
    # not one: a challenge page, an empty page, a page whose article did not parse
    ("<html><head><title>Just a moment...</title></head><body><h2>Checking if the site"
     " connection is secure</h2></body></html>", False),
    ("<html><head><title>禁闻网</title></head><body class=\"single\"></body></html>", False),
    ("", False),
])
def test_not_found_page(html: str, found: bool) -> None:
    assert is_not_found(html) is found
