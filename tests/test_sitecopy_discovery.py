"""sitecopy's sitemaps, feeds, clock and tag graph, read with Scrapy's own sitemap parser."""

from __future__ import annotations

import gzip
from collections import Counter

from scrapy.utils.sitemap import Sitemap

from newscrawl.discovery.sitemaps import parse_lastmod
from sitecopy import build_site, discovery, render, taggraph

BASE = "http://h"


def _entries(path: str, site) -> list[dict]:
    body = render(site, path, BASE).body
    return list(Sitemap(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body))


def test_off_by_default() -> None:
    site = build_site(40, seed=2, faults=False)
    assert render(site, "/bnews/sitemap_index.xml", BASE).status == 404
    assert render(site, "/bnews/feed/", BASE).status == 404
    assert b"Sitemap:" not in render(site, "/robots.txt", BASE).body


def test_yoast_layout_oldest_first_index_lastmod_newest_of_file() -> None:
    site = build_site(100, seed=2, faults=False)
    discovery.enable(site, per_file=30)
    assert f"Sitemap: {BASE}/bnews/sitemap_index.xml" in render(site, "/robots.txt", BASE
                                                                 ).body.decode()
    index = _entries("/bnews/sitemap_index.xml", site)
    posts = [e for e in index if "post-sitemap" in e["loc"]]
    assert [e["loc"] for e in posts] == [f"{BASE}/bnews/post-sitemap{n}.xml"
                                         for n in ("", 2, 3, 4)]
    listed = []
    for entry in posts:
        urls = _entries(entry["loc"][len(BASE):], site)
        times = [parse_lastmod(u["lastmod"]) for u in urls]
        assert times == sorted(times), "oldest modification first"
        assert parse_lastmod(entry["lastmod"]) == max(times), "the index gives the newest"
        listed += [u["loc"] for u in urls]
    assert len(listed) == len(site.articles) == len(set(listed))
    assert {e["loc"].rsplit("/", 1)[1] for e in index} >= {"category-sitemap.xml",
                                                           "post_tag-sitemap.xml"}


def test_an_edit_moves_its_post_to_the_last_file() -> None:
    site = build_site(100, seed=2, faults=False)
    discovery.enable(site, per_file=30, gzip=True)
    first = sorted(site.articles, key=int)[0]
    before = _entries("/bnews/post-sitemap.xml.gz", site)
    discovery.advance(site, 1)
    discovery.edit(site, [first])
    last = _entries("/bnews/post-sitemap4.xml.gz", site)
    assert last[-1]["loc"] == BASE + site.articles[first].path()
    assert _entries("/bnews/post-sitemap.xml.gz", site) != before, "later files shift"
    assert site.articles[first].revision == 1


def test_feed_lists_the_ten_newest_and_publish_adds_to_it() -> None:
    site = build_site(60, seed=2, faults=False)
    discovery.enable(site)
    added = discovery.publish(site, 3)
    body = render(site, "/bnews/feed/", BASE).body.decode()
    newest = sorted(site.articles, key=int)[-10:]
    assert body.count("<item>") == 10
    assert all(site.articles[i].path() in body for i in newest)
    assert all(site.articles[i].path() in body for i in added)
    traditional = render(site, "/bnews/zh-tw/xml/latest.xml", BASE).body.decode()
    assert site.articles[added[0]].path("zh-Hant") in traditional
    stamps = [discovery.lastmod(site, i) for i in added]
    assert stamps == sorted(stamps) and stamps[0] > discovery.lastmod(site, newest[0])


def test_switches() -> None:
    site = build_site(40, seed=2, faults=False)
    discovery.enable(site, sitemaps=False, feed=True, in_robots=False)
    assert render(site, "/bnews/sitemap_index.xml", BASE).status == 404
    assert render(site, "/bnews/feed/", BASE).status == 200
    site = build_site(40, seed=2, faults=False)
    discovery.enable(site, feed=False, in_robots=False)
    assert render(site, "/bnews/feed/", BASE).status == 404
    assert render(site, "/bnews/sitemap_index.xml", BASE).status == 200
    assert b"Sitemap:" not in render(site, "/robots.txt", BASE).body


def test_tag_graph_of_the_real_shape() -> None:
    assert len(set(taggraph.vocabulary(1500))) == 1500
    site = build_site(3000, seed=1, faults=False, tags=1500)
    assert set(site.by_tag) == set(site.tags), "every tag is used"
    sizes = sorted((len(ids) for ids in site.by_tag.values()), reverse=True)
    assert sizes[0] > 1000 and Counter(sizes)[1] > 200, "Zipf-like: a few big, many tiny"
    assert sizes[len(sizes) // 2] <= 5, "most tags are on a few articles"
    blocks = [taggraph.related(site, tag) for tag in site.tags[:50]]
    assert all(len(block) == taggraph.RELATED and len(set(block)) == taggraph.RELATED
               for block in blocks)
    assert not set().union(*blocks) & site.inner_tags
    page = render(site, "/bnews/tag/%E4%B8%AD%E5%9B%BD/", BASE).body.decode()
    assert page.count("/bnews/tag/", page.index("related-tags")) >= taggraph.RELATED
