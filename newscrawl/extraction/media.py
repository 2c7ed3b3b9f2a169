"""Embedded media of an article: players, video and audio files, tweets, failed embeds.

Pure functions over the entry, read before the body walk. What counts as media, and the
selectors, are in newscrawl.extraction.selectors ("Embedded media"); the record's field is
`media` (docs/record.md). The players' own markup is never body text: <iframe>, <video>,
<audio>, <embed> are left out by the walk's "non_text" rule, and a failed embed left as a bare
URL is handed to the walk as claimed under the rule "embed". A tweet's text stays in the body.

The URL of a media entry is what a person would open, not the player's address:
- a YouTube player or link (/embed/ID, youtube-nocookie.com, youtu.be/ID, /shorts/ID,
  /watch?v=ID) -> https://www.youtube.com/watch?v=ID; a playlist player
  (/embed/videoseries?list=L) -> https://www.youtube.com/playlist?list=L;
- a Vimeo player (player.vimeo.com/video/ID) -> https://vimeo.com/ID;
- a Dailymotion player (/embed/video/ID) -> https://www.dailymotion.com/video/ID;
- a tweet -> its status link, query and fragment dropped;
- anything else: the attribute's URL, made absolute as a browser makes it (images.browser_url).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from newscrawl.article import Media
from newscrawl.extraction import selectors as sel
from newscrawl.extraction.body import has_class, rule_of, text_of
from newscrawl.extraction.images import browser_url
from newscrawl.extraction.text import clean_line

EMBED_RULE = "embed"  # the body's accounting name for a failed embed's bare URL
# Rules whose elements a reader still sees as media: the player tags themselves (non_text)
# and captions. Media inside anything else a rule leaves out (ads, promotions, related
# lists, the byline) is not the article's.
_SEEN_RULES = frozenset({"non_text", "caption"})
_CANDIDATES = (*sel.PLAYER_TAGS, *sel.FILE_TAGS, "blockquote", *sel.BARE_URL_TAGS)
_ONE_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_YOUTUBE_ID = re.compile(r"^/(?:embed|shorts|v|live)/([\w-]{6,})")
_VIMEO_ID = re.compile(r"^/(?:video/)?(\d+)")
_DAILYMOTION_ID = re.compile(r"^/embed/video/(\w+)")
_STATUS = re.compile(r"^/[^/]+/status(?:es)?/\d+", re.IGNORECASE)


def media(entry: etree._Element, base: str) -> tuple[list[Media], dict[etree._Element, str]]:
    """The entry's media in page order (one per distinct URL), and the bare-URL blocks to
    leave out of the body (element -> rule name "embed", for the walk's `claimed`)."""
    out: list[Media] = []
    claimed: dict[etree._Element, str] = {}
    seen: set[str] = set()
    for el in entry.iter(*_CANDIDATES):
        found = _medium(el, base)
        if found is None or not _seen_by_reader(el, entry):
            continue
        kind, url, bare = found
        if bare:
            claimed[el] = EMBED_RULE
        if url not in seen:
            seen.add(url)
            out.append({"kind": kind, "url": url, "caption": _caption(el, entry)})
    return out, claimed


def _medium(el: etree._Element, base: str) -> tuple[str, str, bool] | None:
    """(kind, url, is a bare URL block) of one candidate element, or None."""
    tag = el.tag
    if tag in sel.PLAYER_TAGS:
        src = next((v for a in sel.PLAYER_SRC_ATTRIBUTES if (v := el.get(a, "").strip())), "")
        url = browser_url(base, src)
        return (kind_of(url) or "embed", open_url(url), False) if url else None
    if tag in sel.FILE_TAGS:
        src = el.get("src") or next((s.get("src") for s in el.iter(sel.SOURCE_TAG)
                                     if s.get("src")), None)
        url = browser_url(base, src)
        return (tag, url, False) if url else None
    if tag == "blockquote":
        if not has_class(el, sel.TWEET_CLASS):
            return None
        links = [u for a in el.iter("a") if (u := browser_url(base, a.get("href")))
                 and kind_of(u) == "tweet" and _STATUS.match(urlsplit(u).path)]
        return ("tweet", open_url(links[-1]), False) if links else None
    return _bare_url(el, base)


def _bare_url(el: etree._Element, base: str) -> tuple[str, str, bool] | None:
    """A paragraph or div whose whole text is one URL: a failed embed (see selectors)."""
    head = (el.text or "").lstrip()
    if head and head[:4].lower() != "http":  # most paragraphs: decided here, cheaply
        return None
    if not head and (len(el) != 1 or el[0].tag != "a"):
        return None
    text = text_of(el).strip()
    if not _ONE_URL.match(text) or (url := browser_url(base, text)) is None:
        return None
    kind = kind_of(url)
    if kind is None and not has_class(el, sel.EMBED_WRAPPER_CLASS):
        return None  # a link on its own line to any other site is body text
    return (kind or "embed", open_url(url), True)


def kind_of(url: str) -> str | None:
    """The kind of media a provider's URL serves (selectors.MEDIA_HOSTS), None if unknown."""
    host = (urlsplit(url).hostname or "").lower()
    while host:
        if (kind := sel.MEDIA_HOSTS.get(host)) is not None:
            return kind
        host = host.partition(".")[2]
    return None


def open_url(url: str) -> str:
    """The page a person would open for a player or link `url` (rules: module docstring)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path
    video_id = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        match = _YOUTUBE_ID.match(path)
        video_id = match[1] if match else (
            parse_qs(parts.query).get("v", [None])[0] if path == "/watch" else None)
    elif host == "youtu.be":
        video_id = path.strip("/").split("/")[0] or None
    if video_id == "videoseries" and (playlist := parse_qs(parts.query).get("list")):
        return f"https://www.youtube.com/playlist?list={playlist[0]}"
    if video_id:
        return f"https://www.youtube.com/watch?v={video_id}"
    if host == "player.vimeo.com" and (match := _VIMEO_ID.match(path)):
        return f"https://vimeo.com/{match[1]}"
    if host == "dailymotion.com" and (match := _DAILYMOTION_ID.match(path)):
        return f"https://www.dailymotion.com/video/{match[1]}"
    if kind_of(url) == "tweet" and _STATUS.match(path):
        return f"{parts.scheme}://{parts.netloc}{path}"
    return url


def _seen_by_reader(el: etree._Element, entry: etree._Element) -> bool:
    """Whether no boilerplate rule (ads, promotions, related lists…) hides `el`."""
    for ancestor in el.iterancestors():
        if ancestor is entry:
            return True
        tag = ancestor.tag
        if isinstance(tag, str) and rule_of(ancestor, tag) not in (None, *_SEEN_RULES):
            return False
    return True


def _caption(el: etree._Element, entry: etree._Element) -> str | None:
    """The figcaption of the nearest figure around `el` that has one."""
    for ancestor in el.iterancestors():
        if ancestor is entry:
            break
        if ancestor.tag == sel.FIGURE_TAG:
            caption = ancestor.find("figcaption")
            if caption is not None and (text := clean_line(text_of(caption))):
                return text
    return None
