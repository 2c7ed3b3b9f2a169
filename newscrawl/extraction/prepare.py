"""What a reader's browser does to the entry before anyone reads it, done to the tree.

Run on the entry before the body walk (newscrawl.extraction.body), the last two only when the
page's source holds their marker (a string search), so most pages pay little:
- `is_hidden`: whether no reader sees an element (display:none, visibility:hidden, the hidden
  attribute); the walk asks it and leaves such elements out under rule "hidden";
- `decode_emails`: Cloudflare's email obfuscation, decoded as Cloudflare's own script does;
- `shortcodes`: WordPress shortcodes left unrendered in the text, turned into the markup
  WordPress renders for them ([caption] -> figure + figcaption; [video], [audio], [embed] ->
  <video>/<audio>/<iframe> marked data-shortcode; [gallery], [playlist] -> nothing).
Rules and their sources: docs/extraction.md.
"""

from __future__ import annotations

import re

from lxml import etree

from newscrawl.extraction import selectors as sel

# A declaration of the style attribute: property, value; comments are removed first.
_DECLARATION = re.compile(r"(?:^|;)\s*(display|visibility)\s*:\s*([^;]*)", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_HIDING = {"display": {"none"}, "visibility": {"hidden", "collapse"}}


def is_hidden(element: etree._Element) -> bool:
    """Whether no reader sees `element`: the `hidden` attribute (but hidden="until-found",
    which the browser's find-in-page reveals), or a style attribute whose last `display` is
    `none` or whose last `visibility` is `hidden`/`collapse` (CSS: a later declaration wins,
    an !important one over those without). Case and spacing do not matter (CSS is
    case-insensitive in property names and keywords). aria-hidden is not hiding: it hides
    from screen readers what every sighted reader sees."""
    hidden = element.get("hidden")
    if hidden is not None and hidden.strip().lower() != "until-found":
        return True
    style = element.get("style")
    if not style:
        return False
    found: dict[str, tuple[bool, str]] = {}
    for prop, value in _DECLARATION.findall(_CSS_COMMENT.sub("", style)):
        value = value.strip().lower()
        important = value.endswith("!important")
        value = value.removesuffix("!important").strip()
        prop = prop.lower()
        if important or not found.get(prop, (False, ""))[0]:
            found[prop] = (important, value)
    return any(found.get(prop, (False, ""))[1] in values for prop, values in _HIDING.items())


# --- Cloudflare email obfuscation ----------------------------------------------------------
# Cloudflare's "Email Address Obfuscation" replaces each address by "[email protected]" in an
# element carrying data-cfemail="HEX" (or a link to /cdn-cgi/l/email-protection#HEX): the
# first byte is the key, each following byte XOR the key is a byte of the address in UTF-8
# (what Cloudflare's email-decode.min.js computes for every reader).
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2}){2,}$")
_CF_ELEMENTS = etree.XPath(
    "descendant::*[@data-cfemail or starts-with(@href, '/cdn-cgi/l/email-protection#')"
    " or contains(@href, '/cdn-cgi/l/email-protection#')]")


def decode_cfemail(encoded: str) -> str | None:
    """The address Cloudflare encoded in `encoded` (hex), or None when it is not one."""
    encoded = encoded.strip()
    if not _HEX.match(encoded):
        return None
    data = bytes.fromhex(encoded)
    try:
        return bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_emails(entry: etree._Element, source: str) -> None:
    """Put each obfuscated address back as the text of its element; the link a mailto."""
    if "data-cfemail" not in source and "email-protection#" not in source:
        return
    for element in _CF_ELEMENTS(entry):
        if element.getparent() is None:
            continue
        href = element.get("href") or ""
        if "email-protection#" in href:
            address = decode_cfemail(href.split("#", 1)[1])
            if address:
                element.set("href", "mailto:" + address)
        encoded = element.get("data-cfemail")
        if encoded is not None and (address := decode_cfemail(encoded)):
            for child in list(element):
                element.remove(child)  # the placeholder ("[email&#160;protected]"), no tail
            element.text = address
            del element.attrib["data-cfemail"]


# --- unrendered shortcodes -----------------------------------------------------------------
_CAPTION_OPEN = re.compile(r"\[caption\b([^\]]*)\]")
_CAPTION_CLOSE = "[/caption]"
_CAPTION_ATTRIBUTE = re.compile(r"""\bcaption\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Media shortcodes held in one text node: [name attrs] or [name attrs]inner[/name].
_MEDIA = re.compile(r"\[(embed|video|audio|playlist|gallery)\b([^\]]*)\](?:(.*?)\[/\1\])?",
                    re.DOTALL)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_MEDIA_FILE_ATTRIBUTES = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg",
                          "m4a", "wav")


def shortcodes(entry: etree._Element, source: str) -> list[etree._Element]:
    """Rewrite the entry's unrendered shortcodes (module docstring); returns the figcaptions
    made of [caption] shortcodes (the caller claims them: rule "caption_shortcode")."""
    captions: list[etree._Element] = []
    if sel.SHORTCODE_OPENING in source:
        while (found := _next_caption(entry)) is not None:
            captions.append(_caption_figure(*found))
    if "[" in source and _MEDIA.search(source):
        _media(entry)
    return captions


def _next_caption(entry: etree._Element) -> tuple[etree._Element, bool] | None:
    """(element, in_tail) whose text (or tail) holds an opening [caption …], first found."""
    for element in entry.iter():
        if element is not entry and element.tail and _CAPTION_OPEN.search(element.tail):
            return element, True
        if element.text and _CAPTION_OPEN.search(element.text) and isinstance(element.tag, str):
            return element, False
    return None


def _caption_figure(node: etree._Element, in_tail: bool) -> etree._Element:
    """Turn "[caption …]<img …> text[/caption]" starting in `node`'s text or tail into
    <figure><img …><figcaption>text</figcaption></figure> (what WordPress renders); the text
    after [/caption] stays where it was. Returns the figcaption."""
    parent = node.getparent() if in_tail else node
    text = node.tail if in_tail else node.text
    opening = _CAPTION_OPEN.search(text)
    head, rest = text[:opening.start()], text[opening.end():]
    attribute = _CAPTION_ATTRIBUTE.search(opening[1])
    figure = etree.Element(sel.FIGURE_TAG, {"class": sel.WP_CAPTION_CLASS})
    figcaption = etree.SubElement(figure, "figcaption")
    index = parent.index(node) + 1 if in_tail else 0
    if in_tail:
        node.tail = head
    else:
        node.text = head
    parent.insert(index, figure)
    inner, closed = rest, False
    if _CAPTION_CLOSE in rest:
        inner, figure.tail, closed = *rest.split(_CAPTION_CLOSE, 1), True
    _append_text(figcaption, inner)
    while not closed and (sibling := figure.getnext()) is not None:
        tail = sibling.tail or ""
        if _CAPTION_CLOSE in tail:
            sibling.tail, figure.tail = tail.split(_CAPTION_CLOSE, 1)
            closed = True
        if sibling.tag == "img" or next(sibling.iter("img"), None) is not None:
            tail, sibling.tail = sibling.tail, None
            figcaption.addprevious(sibling)
            _append_text(figcaption, tail)
        else:
            figcaption.append(sibling)
    if attribute:  # caption="…": the caption; the text inside is shown in the figure
        inside = etree.SubElement(figure, "div")
        inside.text, figcaption.text = figcaption.text, attribute[1] or attribute[2]
        for child in list(figcaption):
            inside.append(child)
    return figcaption


def _append_text(element: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _media(entry: etree._Element) -> None:
    """Each raw [embed]/[video]/[audio] becomes the element WordPress renders, marked
    data-shortcode=NAME: <iframe src=URL> for [embed]URL[/embed] (an oEmbed player of the
    URL), <video>/<audio> with one <source src> per file attribute. [gallery] and [playlist]
    hold only attachment ids: they become <template data-shortcode> (nothing shown). All are
    rule non_text for the body; what they hold stays in the tree for a media pass."""
    for element in list(entry.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.text and _MEDIA.search(element.text):
            parts = _split_media(element.text)
            element.text = parts[0] if isinstance(parts[0], str) else ""
            _insert(element, 0, parts[1:] if isinstance(parts[0], str) else parts)
        if element is not entry and element.tail and _MEDIA.search(element.tail):
            parts = _split_media(element.tail)
            element.tail = parts[0] if isinstance(parts[0], str) else ""
            parent = element.getparent()
            _insert(parent, parent.index(element) + 1,
                    parts[1:] if isinstance(parts[0], str) else parts)


def _insert(parent: etree._Element, index: int, parts: list[str | etree._Element]) -> None:
    previous: etree._Element | None = None
    for part in parts:
        if isinstance(part, str):
            if previous is not None:
                previous.tail = (previous.tail or "") + part
            continue
        parent.insert(index, part)
        index += 1
        previous = part


def _split_media(text: str) -> list[str | etree._Element]:
    """`text` as text pieces and the elements of its media shortcodes, in order."""
    parts: list[str | etree._Element] = []
    position = 0
    for match in _MEDIA.finditer(text):
        parts.append(text[position:match.start()])
        parts.append(_media_element(match[1], match[2], (match[3] or "").strip()))
        position = match.end()
    parts.append(text[position:])
    return parts


def _media_element(name: str, attributes: str, inner: str) -> etree._Element:
    values = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTRIBUTE.finditer(attributes)}
    if name == "embed":
        url = inner or values.get("src", "") or values.get("url", "")
        element = etree.Element("iframe", {"src": url.strip()})
    elif name in ("video", "audio"):
        element = etree.Element(name)
        for attribute in _MEDIA_FILE_ATTRIBUTES:
            if values.get(attribute):
                etree.SubElement(element, "source", {"src": values[attribute].strip()})
        if values.get("poster"):
            element.set("poster", values["poster"].strip())
    else:
        element = etree.Element("template")
    element.set("data-shortcode", name)
    return element
