"""Rules of what the browser does to the entry before it is read (newscrawl.extraction.prepare)
and their accounting, that the fixture pages do not pin down alone (docs/extraction.md)."""

from __future__ import annotations

import pytest
from lxml import etree

from newscrawl.extraction.extract import extract, parse_article
from newscrawl.extraction.prepare import decode_cfemail, decode_emails, is_hidden, shortcodes
from newscrawl.extraction.roles import is_layout_table
from tests.test_extract import PAGES, meta

END = "<!--END ENTRY-->"
URL = "https://www.bannedbook.org/bnews/sohnews/20240319/1990001.html"


def entry(html: str) -> str:
    return f'<h2>标题</h2><div class="entry">{html}</div>{END}'


def element(html: str) -> etree._Element:
    return etree.fromstring(html, etree.HTMLParser()).find("body")[0]


@pytest.mark.parametrize(("html", "hidden"), [
    ('<p style="display:none">', True),
    ('<p style="DISPLAY: NONE;">', True),
    ('<p style="color:red;display :\n none">', True),
    ('<p style="visibility:hidden">', True),
    ('<p style="visibility: Collapse">', True),
    ("<p hidden>", True),
    ('<p hidden="hidden">', True),
    ('<p hidden="">', True),
    ('<p hidden="until-found">', False),  # find-in-page reveals it
    ('<p aria-hidden="true">', False),  # hidden from screen readers only
    ('<p style="display:none; display:block">', False),  # the later declaration wins
    ('<p style="display:none !important; display:block">', True),  # … unless !important
    ('<p style="display:block; display:none">', True),
    ('<p style="/* display:none */ color:red">', False),  # a comment
    ('<p style="--display:none">', False),  # a custom property, no display
    ('<p style="display:nonesuch">', False),
    ('<p style="display:inline-block">', False),
    ('<p style="">', False),
    ("<p>", False),
])
def test_is_hidden(html, hidden):
    assert is_hidden(element(html)) is hidden


def test_hidden_text_and_images_are_counted_as_hidden():
    found = extract(entry('<p>一<span style="display:none">隐藏文字</span>二。</p>'
                          '<div hidden><p>隐藏段落</p><img src="https://img.example.org/h.jpg"></div>'
                          '<img src="https://img.example.org/v.jpg" style="display:none">'),
                    URL)
    assert found.article.body == "一二。"  # no boundary where a display:none element stood
    assert found.article.images == []
    assert found.dropped["hidden"] == [3, 8]  # three elements, 4 + 4 characters
    assert found.unclaimed_chars == 0


def test_hidden_fixture_accounting():
    name = "hidden-elements"
    found = extract((PAGES / f"{name}.html").read_bytes(), meta(name)["url"])
    # span, span (!important), p, div, i, img, figure, span; not the <b> (display:inline last)
    assert found.dropped["hidden"][0] == 8


@pytest.mark.parametrize(("encoded", "address"), [
    ("5a2e352f3d3b351a3f223b372a363f74393537", "tougao@example.com"),  # case 26 of the notes
    ("00" + b"a@b.c".hex(), "a@b.c"),  # key 0: the bytes as they are
    ("ff", None),  # a key and no address
    ("zz", None),
    ("5a2e3", None),  # odd length
    ("a7" + bytes(b ^ 0xA7 for b in "编辑@例子.中国".encode()).hex(), "编辑@例子.中国"),  # UTF-8
    ("01" + bytes(b ^ 1 for b in b"\xff\xfe").hex(), None),  # not UTF-8
])
def test_decode_cfemail(encoded, address):
    assert decode_cfemail(encoded) == address


def test_email_link_becomes_a_mailto():
    html = entry('<p>写信<a href="/cdn-cgi/l/email-protection#5a2e352f3d3b351a3f223b372a363f7439'
                 '3537">给我们</a>。</p>')
    tree = etree.fromstring(html, etree.HTMLParser())
    decode_emails(tree, html)
    assert tree.find(".//a").get("href") == "mailto:tougao@example.com"
    assert parse_article(html, URL).body == "写信给我们。"


def test_media_shortcodes_become_the_elements_wordpress_renders():
    html = ('<div><p>[embed]https://www.youtube.com/watch?v=abc[/embed]</p>'
            '<p>看：[video mp4="https://m.example.org/a.mp4" webm=\'https://m.example.org/a.webm\''
            ' poster="https://m.example.org/a.jpg"][/video]完</p>'
            '<p><b>听</b>[audio src=https://m.example.org/s.mp3]</p>'
            '<p>[gallery ids="1,2"]</p></div>')
    tree = etree.fromstring(html, etree.HTMLParser())
    assert shortcodes(tree, html) == []
    iframe, video, audio, template = (tree.find(f".//{tag}")
                                      for tag in ("iframe", "video", "audio", "template"))
    assert (iframe.get("src"), iframe.get("data-shortcode")) == (
        "https://www.youtube.com/watch?v=abc", "embed")
    assert [s.get("src") for s in video] == ["https://m.example.org/a.mp4",
                                             "https://m.example.org/a.webm"]
    assert (video.get("poster"), video.get("data-shortcode")) == (
        "https://m.example.org/a.jpg", "video")
    assert [s.get("src") for s in audio] == ["https://m.example.org/s.mp3"]
    assert template.get("data-shortcode") == "gallery"
    assert "[" not in etree.tostring(tree, method="text", encoding=str)
    found = extract(entry(html), URL)
    assert found.article.body == "看：完\n\n听"
    assert found.dropped["non_text"][0] == 4


def test_caption_shortcode_without_closing_runs_to_the_end_of_its_block():
    html = entry('<p>[caption id="a1"]<img src="https://img.example.org/x.jpg"> 图说</p>'
                 "<p>正文。</p>")
    found = extract(html, URL)
    assert found.article.body == "正文。"
    assert found.article.images == [{"url": "https://img.example.org/x.jpg", "caption": "图说"}]
    assert found.dropped["caption_shortcode"] == [1, 2]


@pytest.mark.parametrize(("html", "layout"), [
    ("<table><tr><td><p>一</p></td></tr></table>", True),
    ("<table><tbody><tr><td><div>一</div></td></tr><tr><td>二</td></tr></tbody></table>", True),
    ("<table><tr><td>一</td></tr><tr><td>二</td></tr></table>", False),  # no blocks: data
    ("<table><tr><td><p>一</p></td><td><p>二</p></td></tr></table>", False),  # two columns
    ("<table><thead><tr><th>甲</th><th>乙</th></tr></thead>"
     "<tbody><tr><td><p>一</p></td></tr></tbody></table>", False),
    ("<table><tr><td><b>一</b></td></tr></table>", False),  # inline only
])
def test_is_layout_table(html, layout):
    assert is_layout_table(element(html)) is layout


def test_a_100_kb_paragraph_is_kept_whole():
    text = "一二三四五六七八九十" * 10_000
    assert parse_article(entry(f"<p>{text}</p>"), URL).body == text


def test_a_hidden_block_leaves_no_boundary():
    # display:none makes no box: the text around it runs on in one paragraph
    html = entry('<div>甲<p style="display:none">乙</p>丙</div><p>丁<br hidden>戊</p>')
    assert parse_article(html, URL).body == "甲丙\n\n丁戊"
