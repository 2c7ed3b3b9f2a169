"""The byline: the entry's first paragraph when it names an author or an outlet.

Pure functions of the byline's cleaned text. The forms are those seen on the site
(docs/extraction.md, "Bylines"): `来源：OUTLET, 文章内容并不代表本网立场…`,
`作者：NAME 来源：OUTLET，…`
(with or without a space between, full- or half-width colons), the disclaimer alone, a
channel named as 作者 (`作者: 希望之聲TV , 文章內容謹代表作者個人觀點。`: the outlet), and a
WeChat repost (`Original AUTHOR ACCOUNT ，…`: WeChat's "Original" label, the author, then the
account, which is the outlet).
"""

from __future__ import annotations

import re

# The entry's first paragraph is a byline when it names an author or outlet or carries the
# site's disclaimer (also the "文章转自网络…" form that names no outlet).
BYLINE = re.compile(r"^(?:作者|来源|來源)\s*[:：]|不代表本[网網]立[场場]")
# Outlet and inline author run up to the first comma, ASCII or full-width (or 。, or the other
# label when a space or nothing separates them).
_SOURCE = re.compile(r"(?:来源|來源)\s*[:：]\s*(.*?)\s*(?:[,，。]|作者|$)")
_AUTHOR = re.compile(r"作者\s*[:：]\s*(.*?)\s*(?:[,，。]|来源|來源|$)")
# WeChat's label of an account's own article ("Original" in its English interface, 原创 in
# Chinese), then the author's name and the account's, separated by spaces.
_WECHAT = re.compile(r"^(?:Original|原创|原創)\s+(\S+)\s+(\S+?)\s*(?:[,，。]|$)")
# A name given as 作者 that is an outlet (a channel, a paper, a station), not a person: it
# ends in the word such names end in.
_OUTLET_NAME = re.compile(
    r"(?:TV|電視|电视|電視台|电视台|之聲|之声|電台|电台|廣播|广播|新聞|新闻|新聞網|新闻网|日報|日报|"
    r"時報|时报|週刊|周刊|傳媒|传媒|媒體|媒体|頻道|频道|Radio|News|Times|Daily)$",
    re.IGNORECASE)


def _match(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    value = match[1].rstrip(".") if match else ""
    return value or None


def read(text: str, listed: list[str]) -> tuple[str | None, list[str]]:
    """(source, authors) of a byline's cleaned text; `listed`: the names of the author list
    after it, which win over an inline 作者. An inline 作者 naming an outlet (`_OUTLET_NAME`)
    is the source when the byline names none."""
    wechat = _WECHAT.match(text)
    if wechat:
        return wechat[2], listed or [wechat[1]]
    source = _match(_SOURCE, text)
    inline = _match(_AUTHOR, text)
    if inline and source is None and _OUTLET_NAME.search(inline):
        source, inline = inline, None
    return source, listed or ([inline] if inline else [])
