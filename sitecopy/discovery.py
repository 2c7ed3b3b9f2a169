"""Sitemaps, feeds and a clock for the copy: how the real site tells what changed.

Off unless `enable(site, …)` is called (a site without sitemaps or feed, as before):

- Yoast SEO's layout: `/bnews/sitemap_index.xml` lists `post-sitemap.xml`, `post-sitemap2.xml`,
  … (`per_file` posts each, 1,000 on the real site) with each file's newest `lastmod`, and
  the taxonomy sitemaps (`category-sitemap.xml`, `post_tag-sitemap.xml`); posts are ordered by
  last modification, oldest first, so an edit moves its post to the last file and shifts
  every later one. `gzip`: post sitemaps are served as `post-sitemapN.xml.gz`, gzipped.
- robots.txt names the index (`Sitemap:` line) when `in_robots`.
- the RSS feed of the 10 newest posts at `/bnews/feed/`, and the Traditional one at
  `/bnews/zh-tw/xml/latest.xml`.
- a clock: `publish(k)` adds k posts now, `edit(ids)` rewrites posts now (a new lastmod and
  body), `advance(hours)` moves it on. Lastmod of a post never edited: its publish time.
"""

from __future__ import annotations

import datetime as dt
import gzip
from html import escape

from sitecopy import removals
from sitecopy.data import UTC8, Discovery, Response, SiteData
from sitecopy.paths import PREFIX, SIMPLIFIED, TRADITIONAL, listing_path, tag_path

XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
FEED_SIZE = 10


def enable(site: SiteData, **options: object) -> Discovery:
    """Give the site sitemaps and feeds (options: the fields of Discovery); returns them.

    The clock starts the day after the newest post, so every lastmod lies before it.
    """
    discovery = Discovery(**options)  # type: ignore[arg-type]
    newest = max(_published(site, i) for i in site.articles)
    discovery.now = max(discovery.now, newest + dt.timedelta(days=1))
    site.discovery = discovery
    return discovery


def _published(site: SiteData, article_id: str) -> dt.datetime:
    article = site.articles[article_id]
    day = dt.datetime.strptime(article.date, "%Y%m%d")
    return day.replace(hour=8 + int(article_id) % 12, tzinfo=UTC8)


def lastmod(site: SiteData, article_id: str) -> dt.datetime:
    assert site.discovery is not None
    return site.discovery.modified.get(article_id) or _published(site, article_id)


def advance(site: SiteData, hours: float) -> None:
    assert site.discovery is not None
    site.discovery.now += dt.timedelta(hours=hours)


def publish(site: SiteData, k: int) -> list[str]:
    """k new posts, published now (a minute apart); their ids."""
    assert site.discovery is not None
    with site.lock:
        added = site.add_articles(k)
        for index, article_id in enumerate(added):
            site.discovery.modified[article_id] = site.discovery.now + dt.timedelta(minutes=index)
        site.discovery.now += dt.timedelta(minutes=len(added))
    return added


def edit(site: SiteData, ids: list[str]) -> None:
    """Rewrite these posts' bodies now: each gets a new lastmod (a minute apart)."""
    assert site.discovery is not None
    with site.lock:
        for index, article_id in enumerate(ids):
            site.change_article(article_id)
            site.discovery.modified[article_id] = site.discovery.now + dt.timedelta(minutes=index)
        site.discovery.now += dt.timedelta(minutes=len(ids))


def _w3c(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _by_lastmod(site: SiteData) -> list[str]:
    """Post ids as Yoast lists them: oldest modification first."""
    return sorted(removals.listed(site, list(site.articles)),
                  key=lambda i: (lastmod(site, i), int(i)))


def _files(site: SiteData) -> list[list[str]]:
    assert site.discovery is not None
    order = _by_lastmod(site)
    size = max(1, site.discovery.per_file)
    return [order[start:start + size] for start in range(0, len(order), size)] or [[]]


def _file_name(number: int, gzipped: bool) -> str:
    return f"post-sitemap{'' if number == 1 else number}.xml" + (".gz" if gzipped else "")


def robots_lines(site: SiteData, base: str) -> str:
    """Lines robots.txt adds for the sitemaps (none when off)."""
    discovery = site.discovery
    if discovery is None or not discovery.sitemaps or not discovery.in_robots:
        return ""
    return f"\nSitemap: {base}/bnews/sitemap_index.xml\n"


def render(site: SiteData, path: str, base: str) -> Response | None:
    """The sitemap or feed at `path`, or None when it is not one (or they are off)."""
    discovery = site.discovery
    if discovery is None:
        return None
    if discovery.feed and path in ("/bnews/feed/", "/bnews/zh-tw/xml/latest.xml"):
        lang = TRADITIONAL if path.startswith("/bnews/zh-tw/") else SIMPLIFIED
        return Response(200, [("Content-Type", RSS)], _feed(site, base, lang).encode())
    if not discovery.sitemaps or not path.startswith("/bnews/"):
        return None
    name = path[len("/bnews/"):]
    files = _files(site)
    if name == "sitemap_index.xml":
        return Response(200, [("Content-Type", XML)], _index(site, base, files).encode())
    for number, ids in enumerate(files, 1):
        if name == _file_name(number, discovery.gzip):
            body = _urlset([(base + site.articles[i].path(), lastmod(site, i)) for i in ids])
            if discovery.gzip:
                return Response(200, [("Content-Type", "application/x-gzip")],
                                gzip.compress(body.encode(), mtime=0))
            return Response(200, [("Content-Type", XML)], body.encode())
    if name == "category-sitemap.xml":
        return Response(200, [("Content-Type", XML)], _urlset(
            [(base + listing_path(path_), None) for path_ in site.by_category]).encode())
    if name == "post_tag-sitemap.xml":
        return Response(200, [("Content-Type", XML)], _urlset(
            [(base + tag_path(tag), None) for tag in site.by_tag]).encode())
    return None


def _index(site: SiteData, base: str, files: list[list[str]]) -> str:
    assert site.discovery is not None
    entries = []
    for number, ids in enumerate(files, 1):
        newest = max((lastmod(site, i) for i in ids), default=site.discovery.now)
        entries.append(f"<sitemap><loc>{base}/bnews/{_file_name(number, site.discovery.gzip)}"
                       f"</loc><lastmod>{_w3c(newest)}</lastmod></sitemap>")
    for name in ("category-sitemap.xml", "post_tag-sitemap.xml"):
        entries.append(f"<sitemap><loc>{base}/bnews/{name}</loc>"
                       f"<lastmod>{_w3c(site.discovery.now)}</lastmod></sitemap>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {NS}>\n'
            + "\n".join(entries) + "\n</sitemapindex>\n")


def _urlset(entries: list[tuple[str, dt.datetime | None]]) -> str:
    rows = [f"<url><loc>{escape(loc)}</loc>"
            + (f"<lastmod>{_w3c(moment)}</lastmod>" if moment else "") + "</url>"
            for loc, moment in entries]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>\n' + "\n".join(rows)
            + "\n</urlset>\n")


def _feed(site: SiteData, base: str, lang: str) -> str:
    newest = sorted(removals.listed(site, list(site.articles)), key=int)[-FEED_SIZE:][::-1]
    items = []
    for article_id in newest:
        article = site.articles[article_id]
        items.append(f"<item><title>{escape(article.title)}</title>"
                     f"<link>{base}{article.path(lang)}</link>"
                     f"<guid isPermaLink=\"false\">{base}/bnews/?p={article_id}</guid>"
                     f"<pubDate>{_published(site, article_id).strftime('%a, %d %b %Y %H:%M:%S %z')}"
                     "</pubDate></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>禁闻网</title><link>{base}{PREFIX[lang]}</link>"
            + "".join(items) + "</channel></rss>\n")
