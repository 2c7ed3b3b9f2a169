"""Table tests: image and media URLs as a browser makes them, and the page a person opens."""

from __future__ import annotations

import pytest

from newscrawl.extraction.images import browser_url
from newscrawl.extraction.media import kind_of, open_url

BASE = "https://www.bannedbook.org/bnews/sohnews/20240510/1990001.html"


@pytest.mark.parametrize(("value", "url"), [
    ("https://h.example/a.jpg", "https://h.example/a.jpg"),
    ("\n   https://h.example/a.jpg \r\n", "https://h.example/a.jpg"),  # stripped both ends
    ("https://h.example/a\n/b\t.jpg", "https://h.example/a/b.jpg"),  # tab, newline removed
    ("https://h.example/a b.jpg", "https://h.example/a%20b.jpg"),  # inner space encoded
    ("https://h.example/图.jpg", "https://h.example/%E5%9B%BE.jpg"),  # UTF-8, percent-encoded
    ("https://h.example/%E5%9B%BE.jpg", "https://h.example/%E5%9B%BE.jpg"),  # left alone
    ("https://h.example/a%20b.jpg", "https://h.example/a%20b.jpg"),
    ("https://h.example/a.jpg?t=图 1", "https://h.example/a.jpg?t=%E5%9B%BE%201"),
    ("/wp-content/uploads/x y.png", "https://www.bannedbook.org/wp-content/uploads/x%20y.png"),
    ("//cdn.example/v.mp4", "https://cdn.example/v.mp4"),
    ("  ", None),
    ("javascript:alert(1)", None),
    ("mailto:a@b.example", None),
])
def test_browser_url(value, url):
    assert browser_url(BASE, value) == url


@pytest.mark.parametrize(("url", "opened"), [
    ("https://www.youtube.com/embed/XyZ123abcDE?feature=oembed",
     "https://www.youtube.com/watch?v=XyZ123abcDE"),
    ("https://www.youtube-nocookie.com/embed/XyZ123abcDE", "https://www.youtube.com/watch?v=XyZ123abcDE"),
    ("https://youtu.be/XyZ123abcDE?t=10", "https://www.youtube.com/watch?v=XyZ123abcDE"),
    ("https://m.youtube.com/watch?v=XyZ123abcDE&list=PL1", "https://www.youtube.com/watch?v=XyZ123abcDE"),
    ("https://www.youtube.com/shorts/XyZ123abcDE", "https://www.youtube.com/watch?v=XyZ123abcDE"),
    ("https://www.youtube.com/embed/videoseries?list=PL1", "https://www.youtube.com/playlist?list=PL1"),
    ("https://player.vimeo.com/video/76979871?h=1", "https://vimeo.com/76979871"),
    ("https://www.dailymotion.com/embed/video/x8abcd", "https://www.dailymotion.com/video/x8abcd"),
    ("https://twitter.com/a/status/123?ref_src=twsrc%5Etfw", "https://twitter.com/a/status/123"),
    ("https://player.example.com/v/998", "https://player.example.com/v/998"),
])
def test_open_url(url, opened):
    assert open_url(url) == opened


@pytest.mark.parametrize(("url", "kind"), [
    ("https://www.youtube.com/watch?v=x", "video"), ("https://youtu.be/x", "video"),
    ("https://open.spotify.com/episode/1", "audio"), ("https://x.com/a/status/1", "tweet"),
    ("https://www.facebook.com/v/1", "embed"), ("https://notyoutube.com/x", None),
    ("https://www.rfa.org/a.html", None),
])
def test_kind_of(url, kind):
    assert kind_of(url) == kind
