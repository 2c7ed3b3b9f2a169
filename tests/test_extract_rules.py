"""Single rules of the extraction layer that the fixture pages do not pin down alone:
hygiene, image candidates, accounting, partial pages (docs/extraction.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import re

import pytest

from newscrawl.extraction.extract import NotAnArticle, extract, looks_binary, parse_article
from newscrawl.extraction.images import largest_candidate
from newscrawl.extraction.text import clean_block, clean_line, content_hash, fold, scrub
from newscrawl.reasons import REASONS
from tests.test_extract import CAPTURED, CAPTURED_URL, INDEX, page

END = "<!--END ENTRY-->"


def entry(html: str) -> str:
    return f'<h2>标题</h2><div class="entry">{html}</div>{END}'


@pytest.mark.parametrize(("text", "clean"), [
    ("a\x00b\x01c\x0bd\x1fe\x7f", "abcde"),  # C0 controls and DEL
    ("a\x85b\x96c\x9d", "abc"),  # C1 controls (cp1252 mojibake)
    ("inter\u00adnational", "international"),  # soft hyphen
    ("习\u200b近\u200c平\u2060", "习近平"),  # zero-width space, non-joiner, word joiner
    ("\ufeff标题\ufeff", "标题"),  # stray byte-order marks
    ("\u202a左\u202c\u200e右\u200f", "左右"),  # bidi embedding and marks
    ("旗\U000e0067\U000e0062", "旗"),  # tag characters
    ("经\u200d济", "经济"),  # a joiner between letters joins nothing a reader sees
    ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # … but makes an emoji family one picture
    ("❤\ufe0f\u200d🔥", "❤\ufe0f\u200d🔥"),  # after a variation selector too
    ("「你好」、世界。😀", "「你好」、世界。😀"),  # CJK punctuation and emoji stay
    ("a\nb\tc", "a\nb\tc"),  # line breaks and tabs are white space, not invisible
    # UTS #51 sequences a reader sees as one picture keep every character
    ("英格兰🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # tag sequence
     "英格兰🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"),
    ("🏴\U000e0067\U000e0062", "🏴"),  # tags without CANCEL TAG: no sequence, dropped
    ("#\ufe0f\u20e3 1\ufe0f\u20e3", "#\ufe0f\u20e3 1\ufe0f\u20e3"),  # keycaps
    ("👩🏽\u200d💻", "👩🏽\u200d💻"),  # joiner after a skin tone
    ("🏳\ufe0f\u200d🌈\u200b", "🏳\ufe0f\u200d🌈"),  # zero-width space after a sequence: gone
    ("🇹🇼\u200d", "🇹🇼"),  # a flag, a joiner joining nothing
    ("☺\ufe0e", "☺\ufe0e"),  # the text variation selector
    ("XXL Xi 习", "XXL Xi 习"),  # letters stay, whatever the class of invisible ones holds
    ("\U00010000\U0001f600", "\U00010000\U0001f600"),  # the first astral letter (Linear B)
    # an emoji with no joiner before a sequence with one: the sequence still keeps its joiners
    ("😀 1 👨\u200d👩\u200d👧\u200b", "😀 1 👨\u200d👩\u200d👧"),
])
def test_scrub(text, clean):
    assert scrub(text) == clean


@pytest.mark.parametrize(("text", "folded"), [
    ("a\r\nb", "a\nb"),  # a Windows line break is one line break
    ("a\rb", "a\nb"),  # so is an old Mac one
    ("  a \u3000\xa0b \n\n\n c  ", "a b\nc"),
])
def test_fold(text, folded):
    assert fold(text) == folded


def test_clean_folds_white_space_after_hygiene():
    assert clean_line(" a \u200b b\u3000\xa0c\n") == "a b c"
    assert clean_block("a \u200b\n\n\u00ad b") == "a\nb"
    assert clean_line("e\u0301") == "\u00e9"  # NFC


@pytest.mark.parametrize(("title", "body", "normalized"), [
    # docs/record.md: title + "\n" + body, a line break inside a paragraph read as a space,
    # paragraphs keep their "\n\n"
    ("标题", "第一段\n\n第二段", "标题\n第一段\n\n第二段"),
    ("A  title", "one two\nthree\n\nfour", "A title\none two three\n\nfour"),
])
def test_content_hash_is_its_documented_definition(title, body, normalized):
    assert content_hash(title, body) == hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def test_invisible_copy_has_the_same_hash():
    name = "invisible-characters"
    html = page(name).decode("utf-8")
    visible = re.sub("[\u200b\u200c\u2060\ufeff\u00ad\u202a\u202c\u200e\x85\x96\x9d"
                     "\x00\x01\x0b\x1f]|&shy;|&#8203;", "", html)
    assert visible != html
    first = parse_article(html, INDEX[name])
    second = parse_article(visible, INDEX[name])
    assert dataclasses.asdict(first) == dataclasses.asdict(second)


def test_stray_nul_is_dropped_and_page_parsed():
    article = parse_article(entry("<p>正文\x00第一段。</p>").encode(), CAPTURED_URL,
                            content_type="text/html")
    assert article.body == "正文第一段。"


@pytest.mark.parametrize(("head", "binary"), [
    (b"%PDF-1.7\n1 0 obj", True),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", True),
    (b"GIF89a\x01\x00", True),
    (bytes(range(32)) * 4, True),
    (b"<html><body><p>one stray \x00 NUL</p>" + b"x" * 500, False),
    ("<p>文本</p>", False),
])
def test_looks_binary(head, binary):
    assert looks_binary(head) is binary


def test_pdf_labelled_html_is_not_html():
    with pytest.raises(NotAnArticle) as caught:
        parse_article(b"%PDF-1.4\n" + entry("<p>x</p>").encode(), CAPTURED_URL,
                      content_type="text/html")
    assert caught.value.reason == "not_html"


@pytest.mark.parametrize(("srcset", "url"), [
    ("a.jpg 800w, b.jpg 1600w, c.jpg 1200w", "b.jpg"),
    ("a.jpg 1x, a@2x.jpg 2x", "a@2x.jpg"),
    ("a.jpg, a@3x.jpg 3x, a@2x.jpg 2x", "a@3x.jpg"),
    ("only.jpg", "only.jpg"),
    ("https://cdn.example/w_800,h_600/a.jpg 800w,https://cdn.example/w_1600/a.jpg 1600w",
     "https://cdn.example/w_1600/a.jpg"),
    ("a.jpg 2x, b.jpg 300w", "b.jpg"),  # widths win over densities
    ("a.jpg 100h", None),  # a descriptor that cannot be compared
    ("", None),
])
def test_largest_candidate(srcset, url):
    assert largest_candidate(srcset) == url


@pytest.mark.parametrize("img", [
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
    '<img src="/wp-content/plugins/a3-lazy-load/assets/images/lazy_placeholder.gif">',
    '<img src="https://example.org/images/blank.gif">',
    '<img src="https://example.org/spacer.png">',
    '<img src="https://example.org/p.gif?id=1" width="1" height="1">',
    '<img src="javascript:void(0)">',
    '<img class="emoji" alt="😀" src="https://s.w.org/images/core/emoji/15.0.3/svg/1f600.svg">',
])
def test_no_placeholder_image(img):
    assert parse_article(entry(f"<p>正文。{img}</p>"), CAPTURED_URL).images == []


def test_accounting_of_the_captured_page():
    found = extract(page(CAPTURED), CAPTURED_URL)
    assert sorted(found.dropped) == ["ads", "authors", "byline", "caption", "promo", "related"]
    assert found.dropped["ads"][0] == 3  # three ad slots
    assert found.dropped["related"][1] > 200  # five long related titles
    assert found.dropped["caption"][1] > 20
    assert (found.unclaimed_chars, found.substantial_unclaimed) == (0, False)


def test_text_no_rule_reads_is_unclaimed():
    form = ("<form><select><option>" + "这是一段没有任何规则认领的很长的文字，" * 4
            + "</option></select>")
    found = extract(entry("<p>正文。</p>" + form + "<svg><text>图中文字</text></svg>"),
                    CAPTURED_URL)
    assert found.article.body == "正文。"
    assert found.substantial_unclaimed
    assert found.unclaimed_chars == 4 * 19 + 4
    assert found.unclaimed_sample.startswith("这是一段没有任何规则认领")


def test_figcaption_of_a_table_is_body():
    html = ("<figure><table><tr><td>甲</td><td>1</td></tr></table>"
            "<figcaption>表一</figcaption></figure>")
    assert parse_article(entry("<p>正文。</p>" + html), CAPTURED_URL).body == \
        "正文。\n\n甲 | 1\n\n表一"


def test_scripts_and_hidden_media_are_not_body():
    html = ("<p>正文<script>var x = '脚本';</script>。</p><noscript>请启用 JavaScript</noscript>"
            "<video><p>您的浏览器不支持视频</p></video><style>p{}</style>")
    found = extract(entry(html), CAPTURED_URL)
    assert found.article.body == "正文。"
    assert found.dropped["non_text"][0] == 4  # script, noscript, video, style


@pytest.mark.parametrize(("html", "reason"), [
    ('<h2>标题</h2><div class="entry"><p>正文。</p>', "partial_page"),  # no end marker
    (entry("<p>正文。</p>").replace(END, ""), "partial_page"),
])
def test_partial_page(html, reason):
    with pytest.raises(NotAnArticle) as caught:
        parse_article(html, CAPTURED_URL)
    assert caught.value.reason == reason


def test_partial_page_is_retried_not_given_up():
    # A page read in part is a fault of this fetch, not of the article: the next run retries.
    assert not REASONS["partial_page"].counts_toward_give_up


def test_deep_nesting_within_huge_tree_is_read_whole():
    html = entry("<p>一。</p>" + "<div>" * 1500 + "<p>二。</p>" + "</div>" * 1500 + "<p>三。</p>")
    assert parse_article(html, CAPTURED_URL).body == "一。\n\n二。\n\n三。"
