"""End to end: sitemaps and feeds first, listings on a schedule, walks that end by themselves."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from newscrawl.discovery import urls
from sitecopy import discovery
from sitecopy.model import Site, build_site
from sitecopy.paths import listing_path, tag_path
from sitecopy.server import SiteServer, serve
from tests.crawling import ROOT, all_records, crawl_command, read_jsonl, run_crawl

T0 = "2023-05-01T00:00:00+00:00"


def _sitemap_site(**options: object) -> Site:
    """60 posts, 15 a sitemap file (4 files), 40 tags, a feed."""
    site = build_site(60, seed=21, faults=False, tags=40)
    discovery.enable(site, per_file=15, **options)
    return site


def _kind(path: str) -> str:
    url = "http://h" + path
    if path == "/robots.txt":
        return "robots"
    if path.endswith((".xml", ".xml.gz")) and "/xml/" not in path:
        return "sitemap"
    if path in ("/bnews/feed/", "/bnews/zh-tw/xml/latest.xml"):
        return "feed"
    if urls.article_ref(url):
        return "article"
    listing = urls.listing_ref(url)
    if listing is None:
        return "other"
    if listing.archive.endswith(("/bnews/", "/bnews/zh-tw/")):
        return "front"
    return "tag" if "/tag/" in listing.archive else "category"


def _fetched(server: SiteServer) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for path in server.hits.paths().elements():
        kinds.setdefault(_kind(path), []).append(path)
    return kinds


def test_sitemap_site_first_run_reads_sitemaps_and_walks_no_listing(tmp_path: Path) -> None:
    site = _sitemap_site()
    with serve(site) as server:
        first = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        assert sorted(first.ids) == sorted(site.articles)
        fetched = _fetched(server)
        assert "tag" not in fetched and "category" not in fetched, "walked listings"
        assert fetched["front"] == ["/bnews/"], "the front page, page 1 only"
        assert Counter(fetched["article"]).most_common(1)[0][1] == 1, "an article fetched twice"
        assert sorted(fetched["sitemap"]) == sorted(
            ["/bnews/sitemap_index.xml", "/bnews/post-sitemap.xml", *(
                f"/bnews/post-sitemap{n}.xml" for n in (2, 3, 4))]), "taxonomy sitemaps read"
        counts = first.summary["counts"]
        assert counts["newscrawl/requests/article"] == len(site.articles)
        assert counts["newscrawl/requests/sitemap"] == 5
        assert counts["newscrawl/requests/robots"] == 1, "robots.txt read twice"
        assert counts["newscrawl/requests/feed"] == 1
        assert first.summary["discovery"]["sitemap_requests"] == 5
        assert first.summary["discovery"]["listings_visited"] == 1

        server.reset()
        second = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        assert second.records == []
        assert set(_fetched(server)) == {"robots", "sitemap", "feed", "front"}
        assert _fetched(server)["sitemap"] == ["/bnews/sitemap_index.xml"], \
            "a sitemap file older than the watermark was read"


# The removal ledger's revisits (a day and a week after publication) fetch known articles
# again; they are tested in test_ledger.py. Here only what the sitemaps send counts.
NO_LEDGER = {"NEWSCRAWL_LEDGER_DIR": ""}


def test_new_and_edited_posts_found_through_sitemaps(tmp_path: Path) -> None:
    site = _sitemap_site()
    with serve(site) as server:
        # The copy's clock, not the machine's: an article reached by a link before its sitemap
        # file was read is taken as of the run's now (sitemap files are read as the frontier
        # drains), and the copy's edits come after that now only on the copy's clock.
        now = {"NEWSCRAWL_NOW": site.discovery.now.isoformat(), **NO_LEDGER}
        assert run_crawl(server.base_url + "/bnews/", tmp_path, settings=now).returncode == 0
        discovery.advance(site, 1)
        added = discovery.publish(site, 3)
        old = list(site.articles)
        edited = [old[4], old[30]]
        discovery.edit(site, edited)
        touched = old[17]  # a new lastmod, the same text: fetched, nothing written
        site.discovery.modified[touched] = site.discovery.now
        server.reset()
        run = run_crawl(server.base_url + "/bnews/", tmp_path, settings=NO_LEDGER)
        assert run.returncode == 0, run.stderr[-3000:]
        versions = {r["article_id"]: r["version"] for r in run.records}
        assert versions == {**dict.fromkeys(added, 1), **dict.fromkeys(edited, 2)}
        for record in run.records:
            expected = site.expected_record(record["article_id"], server.base_url)
            assert record["body"] == expected["body"]
        fetched = _fetched(server)
        assert sorted(fetched["article"]) == sorted(
            site.articles[i].path() for i in [*added, *edited, touched])
        assert "/bnews/post-sitemap.xml" not in fetched["sitemap"], \
            "a file holding nothing newer than the watermark was read"
        assert run.summary["updated"] == 2 and run.summary["new"] == 3

        server.reset()
        third = run_crawl(server.base_url + "/bnews/", tmp_path, settings=NO_LEDGER)
        assert third.returncode == 0 and third.records == []
        assert "article" not in _fetched(server)

        server.reset()
        refresh = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", "refresh=1",
                            settings=NO_LEDGER)
        assert refresh.returncode == 0 and refresh.records == []
        assert sorted(_fetched(server)["article"]) == sorted(a.path()
                                                             for a in site.articles.values())


def test_gzipped_sitemaps_found_without_robots(tmp_path: Path) -> None:
    site = _sitemap_site(gzip=True, in_robots=False, feed=False)
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert run.returncode == 0, run.stderr[-3000:]
        assert sorted(run.ids) == sorted(site.articles)
        fetched = _fetched(server)
        assert "/bnews/post-sitemap4.xml.gz" in fetched["sitemap"]
        assert "tag" not in fetched


def test_traditional_run_reads_its_feed_and_the_sitemaps(tmp_path: Path) -> None:
    site = _sitemap_site()
    with serve(site) as server:
        # A Simplified run on the same state first: its watermark is not the zh-tw run's.
        assert run_crawl(server.base_url + "/bnews/", tmp_path).returncode == 0
        server.reset()
        run = run_crawl(server.base_url + "/bnews/zh-tw/", tmp_path, "-a", "lang=zh-tw")
        assert run.returncode == 0, run.stderr[-3000:]
        assert sorted(run.ids) == sorted(site.articles)
        assert {r["language"] for r in run.records} == {"zh-Hant"}
        fetched = _fetched(server)
        assert fetched["feed"] == ["/bnews/zh-tw/xml/latest.xml"]
        assert fetched["front"] == ["/bnews/zh-tw/"], "articles not taken from the sitemaps"
        assert all(p.startswith("/bnews/zh-tw/") for p in fetched["article"])
        assert "tag" not in fetched


def test_without_sitemaps_articles_listed_only_by_tag_archives_are_found(
        tmp_path: Path) -> None:
    site = build_site(80, seed=9, faults=False, tags=30)
    only_tags = list(site.articles)[40:44]
    site.front[:] = [i for i in site.front if i not in only_tags]
    for listed in site.by_category.values():
        listed[:] = [i for i in listed if i not in only_tags]
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert run.returncode == 0, run.stderr[-3000:]
        assert sorted(run.ids) == sorted(site.articles)
        paths = server.hits.paths()
        assert max(paths.values()) == 1, "a page fetched twice"
        pages = site.page("", 1)[1]
        for page in range(1, pages + 1):
            assert listing_path("", page=page) in paths, f"front page {page} not read"


def test_tag_archive_whose_pager_never_ends(tmp_path: Path) -> None:
    """下一页 always leads to a new page number showing the same articles: the run ends."""
    site = build_site(60, seed=4, faults=False, tags=20)
    endless = site.menu_tags[0]
    only = list(site.articles)[30:33]  # listed by this tag archive alone
    for listed in (site.front, *site.by_category.values(), *site.by_tag.values()):
        listed[:] = [i for i in listed if i not in only]
    for article in site.articles.values():
        article.related = tuple(i for i in article.related if i not in only)
    site.by_tag[endless] = only
    site.endless = f"tag/{endless}"
    with serve(site) as server:
        run = run_crawl(server.base_url + "/bnews/", tmp_path, timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
        assert set(only) <= set(run.ids)
        assert run.summary["counts"]["newscrawl/listings/walk_end/repeats"] >= 1
        archive = urls.canonical("http://h" + tag_path(endless))
        tag_pages = [p for p in server.hits.paths()
                     if (ref := urls.listing_ref("http://h" + p)) and ref.archive == archive]
        assert len(tag_pages) == 2, tag_pages  # page 2 repeats page 1: the walk ends there


def test_listings_revisited_when_due_within_the_budget(tmp_path: Path) -> None:
    site = build_site(60, seed=13, faults=False, tags=30)
    with serve(site) as server:
        assert run_crawl(server.base_url + "/bnews/", tmp_path,
                         settings={"NEWSCRAWL_NOW": T0}).returncode == 0
        server.reset()
        soon = run_crawl(server.base_url + "/bnews/", tmp_path,
                         settings={"NEWSCRAWL_NOW": "2023-05-01T00:30:00+00:00"})
        assert soon.returncode == 0, soon.stderr[-3000:]
        fetched = _fetched(server)
        assert "tag" not in fetched and "category" not in fetched, "a listing not yet due"
        assert soon.summary["counts"]["newscrawl/listings/due"] == 0

        server.reset()
        later = run_crawl(server.base_url + "/bnews/", tmp_path, settings={
            "NEWSCRAWL_NOW": "2023-05-04T00:00:00+00:00", "NEWSCRAWL_LISTING_BUDGET": "4"})
        assert later.returncode == 0, later.stderr[-3000:]
        fetched = _fetched(server)
        assert len(fetched.get("tag", []) + fetched.get("category", [])) == 4
        counts = later.summary["counts"]
        assert counts["newscrawl/listings/claimed"] == 4
        assert counts["newscrawl/listings/due"] == len(site.by_category) + len(site.by_tag)
        assert later.records == []


def test_sitemap_site_killed_run_then_rerun_exports_each_once(tmp_path: Path) -> None:
    site = _sitemap_site()
    with serve(site) as server:
        output = tmp_path / "out" / "killed.jsonl"
        output.parent.mkdir(parents=True)
        process = subprocess.Popen(
            crawl_command(server.base_url + "/bnews/", output, tmp_path / "state", settings={
                "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "DOWNLOAD_DELAY": "0.05"}),
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and not (
                output.exists() and output.read_bytes().count(b"\n") >= 10):
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, "the run ended before it was killed"
        read_jsonl(output)
        rerun = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        ids = Counter(r["article_id"] for r in all_records(tmp_path / "out"))
        assert set(ids) == set(site.articles) and max(ids.values()) == 1


def test_an_edit_whose_fetch_fails_is_fetched_again_next_run(tmp_path: Path) -> None:
    site = _sitemap_site()
    with serve(site) as server:
        assert run_crawl(server.base_url + "/bnews/", tmp_path).returncode == 0
        discovery.advance(site, 1)
        edited = list(site.articles)[8]
        discovery.edit(site, [edited])
        site.cloudflare = edited  # a challenge page instead of the edited post, this run
        failed = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert failed.returncode == 0, failed.stderr[-3000:]
        assert failed.records == []
        site.cloudflare = None
        server.reset()
        again = run_crawl(server.base_url + "/bnews/", tmp_path)
        assert again.returncode == 0, again.stderr[-3000:]
        assert [(r["article_id"], r["version"]) for r in again.records] == [(edited, 2)]
