"""A minified copy: every HTML page served as an HTML minifier serves it (`Site.minified`).

What Cloudflare's Auto Minify and WordPress minifiers did to the site (the 2020 capture of a
tag archive holds no comment): HTML comments removed (the theme's ``<!--END ENTRY-->``
included), white space collapsed to one space, and white space next to block-level tags
removed. The content of ``<pre>``, ``<textarea>``, ``<script>`` and ``<style>`` is kept as it
is. Works on the encoded bytes: comments and ASCII white space are never part of a character
in UTF-8 or GBK, the copy's two encodings.
"""

from __future__ import annotations

import re

_KEPT = re.compile(rb"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_SPACE = re.compile(rb"[ \t\r\n\f]+")
_BLOCK = (rb"(?:html|head|body|meta|link|title|div|p|ul|ol|li|h[1-6]|table|tr|td|th|figure"
          rb"|figcaption|nav|aside|header|footer|section|article|blockquote|hr|br|!doctype)")
_AROUND_BLOCK = re.compile(rb" ?(</?" + _BLOCK + rb"\b[^>]*>) ?", re.IGNORECASE)


def minify(html: bytes) -> bytes:
    """`html` minified as the module says."""
    parts = _KEPT.split(html)
    out = []
    # split with two groups: text, kept element, its tag name, text, …
    for index in range(0, len(parts), 3):
        text = _SPACE.sub(b" ", _COMMENT.sub(b"", parts[index]))
        out.append(_AROUND_BLOCK.sub(rb"\1", text))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
    return b"".join(out).strip()
