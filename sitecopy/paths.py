"""URL paths of the copy, built (render, expected records) and parsed (server) in one place."""

from __future__ import annotations

import contextlib
import re
import zlib
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from sitecopy.words import TRAD_MAP, to_traditional

SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"
PREFIX = {SIMPLIFIED: "/bnews/", TRADITIONAL: "/bnews/zh-tw/"}
PER_PAGE = 20
# First segments under /bnews/ that are not categories (landing pages, feeds, WordPress).
NOT_NEWS = frozenset({"fq", "xml", "feed", "wp-content", "wp-admin", "en"})

_ESCAPE = re.compile(r"%[0-9A-F]{2}")


def lower_escapes(path: str) -> str:
    """`%E7%BE%8E` → `%e7%be%8e`: the site writes both forms for one page."""
    return _ESCAPE.sub(lambda match: match.group().lower(), path)


def coin(*parts: object) -> int:
    """A stable 0/1 from its arguments (crc32, not hash(): PYTHONHASHSEED must not matter)."""
    return zlib.crc32(":".join(map(str, parts)).encode("utf-8")) & 1


def article_path(category: str, date: str, article_id: str, lang: str = SIMPLIFIED) -> str:
    return f"{PREFIX[lang]}{category}/{date}/{article_id}.html"


def tag_path(tag: str, lang: str = SIMPLIFIED, *, lower: bool = False, page: int = 1) -> str:
    name = to_traditional(tag) if lang == TRADITIONAL else tag
    path = f"{PREFIX[lang]}tag/{quote(name, safe='')}/"
    if lower:
        path = lower_escapes(path)
    return path + (f"page/{page}/" if page > 1 else "")


def listing_path(section: str, lang: str = SIMPLIFIED, page: int = 1) -> str:
    """section: "" (front page), a category path ("cnnews/hknews") or "tag/NAME"."""
    if section.startswith("tag/"):
        return tag_path(section[4:], lang, page=page)
    root = PREFIX[lang] + (section + "/" if section else "")
    return root + (f"page/{page}/" if page > 1 else "")


@dataclass(frozen=True)
class Route:
    kind: str  # "article", "listing", "other"
    lang: str
    section: str = ""  # listings: "", a category path, or "tag/NAME" (Simplified name)
    page: int = 1
    category: str = ""
    date: str = ""
    article_id: str = ""
    rest: str = ""  # "other": the decoded path
    part: int = 1  # articles: the page of a multi-page post (…/ID.html/2)


_ARTICLE = re.compile(r"^(?P<cat>[a-z0-9_-]+(?:/[a-z0-9_-]+)*)/(?P<date>\d{8})/(?P<id>\d+)\.html"
                      r"(?:/(?P<part>[2-9])/?)?$")  # page 2… of a multi-page post
_PAGE = re.compile(r"^(?P<section>.*?)(?:page/(?P<page>\d+)/)?$")
_FROM_TRAD = {value: key for key, value in TRAD_MAP.items()}
_UNTRANSLATE = str.maketrans(_FROM_TRAD)


def route(raw: str) -> Route:
    """What a request path names. Percent-escapes of either case decode to the same route."""
    path = urlsplit(raw).path
    # Clients that send raw UTF-8 get it back as Latin-1 from http.server: undo that first.
    with contextlib.suppress(UnicodeError):
        path = path.encode("latin-1").decode("utf-8")
    path = unquote(path)
    lang = SIMPLIFIED
    if path.startswith("/bnews/zh-tw/"):
        lang, rest = TRADITIONAL, path[len("/bnews/zh-tw/"):]
    elif path.startswith("/bnews/"):
        rest = path[len("/bnews/"):]
    else:
        return Route("other", lang, rest=path)
    if rest.split("/", 1)[0] in NOT_NEWS:
        return Route("other", lang, rest=path)
    match = _ARTICLE.match(rest)
    if match:
        return Route("article", lang, category=match["cat"], date=match["date"],
                     article_id=match["id"], part=int(match["part"] or 1))
    if rest and not rest.endswith("/"):
        return Route("other", lang, rest=path)
    match = _PAGE.match(rest)
    assert match is not None  # the pattern matches any string
    section = match["section"].rstrip("/")
    if section.startswith("tag/"):
        name = section[4:]
        if lang == TRADITIONAL:
            name = name.translate(_UNTRANSLATE)
        section = "tag/" + name
    return Route("listing", lang, section=section, page=int(match["page"] or 1))
