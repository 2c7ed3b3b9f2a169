"""sitecopy: the synthetic site, over real HTTP on 127.0.0.1 (urllib), and its expected records."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the repo root is not an installed package: import from it
    sys.path.insert(0, str(ROOT))

from newscrawl.article import Article  # noqa: E402
from newscrawl.discovery.urls import Kind, article_ref, canonical, kind, language_of, listing_ref  # noqa: E402
from sitecopy import build_site, render, serve  # noqa: E402
from sitecopy.expected import content_hash, fold_block, fold_line  # noqa: E402
from sitecopy.markup import FORMS, Markup  # noqa: E402
from sitecopy.paths import lower_escapes  # noqa: E402
from sitecopy.words import AUTHORS, BASE_TAGS, CLAUSES, PLACES, SUBJECTS, TOPICS, TRAD_MAP  # noqa: E402
from sitecopy.words import to_traditional as traditional  # noqa: E402


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def site():
    return build_site(40, seed=1)


@pytest.fixture
def server(site):
    with serve(site) as running:
        yield running


# --- the model ---------------------------------------------------------------------------

def test_build_is_deterministic():
    base = "http://127.0.0.1:1"
    one, two = build_site(40, 1), build_site(40, 1)
    assert one.expected_records(base) == two.expected_records(base)
    for article_id in list(one.articles)[::7]:
        path = one.articles[article_id].path()
        assert render(one, path, base) == render(two, path, base)
    assert render(one, "/bnews/page/2/", base) == render(two, "/bnews/page/2/", base)
    assert [f.__dict__ for f in one.faults] == [f.__dict__ for f in two.faults]
    assert build_site(40, 2).expected_records(base) != one.expected_records(base)


def test_shape_of_the_site(site):
    ids = list(site.articles)
    assert len(ids) == len(set(ids)) == 40
    assert all(int(i) > 1_860_000 for i in ids)
    dated = [(a.date, int(a.id)) for a in site.articles.values()]
    assert dated == sorted(dated), "ids grow with the date"
    assert len({a.date for a in site.articles.values()}) > 20, "dates spread over months"
    assert any("/" in a.category for a in site.articles.values()), "nested categories"
    for article in site.articles.values():
        assert 2 <= len(article.tags) <= 5 and len(set(article.tags)) == len(article.tags)
    multi_page = [t for t, listed in site.by_tag.items() if len(listed) > 20]
    assert len(multi_page) >= 2
    assert all(site.by_category[path] for path, _ in site.categories), "no empty category"
    assert set(site.by_tag) == set(site.tags), "every tag is used by a listed article"
    assert site.inner_tags and not site.inner_tags & set(site.menu_tags)
    assert len(site.hidden) >= 2 and not any(set(site.hidden) & set(listed)
                                             for listed in site.by_tag.values())
    big = build_site(20000, seed=1, faults=False)
    assert 100 <= len(big.tags) <= 200


def test_traditional_map_is_reversible():
    values = list(TRAD_MAP.values())
    assert len(values) == len(set(values))
    source = "".join((*BASE_TAGS, *PLACES, *TOPICS, *AUTHORS, *SUBJECTS, *CLAUSES))
    assert not set(values) & set(source), "a Traditional target also occurs in Simplified text"


# Hand-written: the hashes by `printf '…' | sha256sum`; the fixture's from the real page.
FIXTURE = ROOT / "tests" / "fixtures" / "pages" / "article-2023-03-22.json"


@pytest.mark.parametrize(("title", "body", "expected"), [
    ("标题", "一\n二\n\n三",  # a <br> inside a paragraph hashes as a space
     "bc53f51dfba19fdfdac60c5e782b041357b7e0b4808af6179bde992d6cc54a07"),
    ("标题", "一 二\n\n三", "bc53f51dfba19fdfdac60c5e782b041357b7e0b4808af6179bde992d6cc54a07"),
    ("", "", "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"),  # "\n"
])
def test_oracle_content_hash_follows_the_documented_definition(title, body, expected):
    assert content_hash(title, body) == expected


def test_oracle_content_hash_of_the_captured_page():
    record = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert content_hash(record["title"], record["body"]) == \
        "b78ced83fd39ff72a05554dfa1fffd541e5a4b551c376daa270f4c2c97c7d4c9"


@pytest.mark.parametrize(("text", "expected"), [
    ("  a \u3000 b\u00a0 ", "a b"),
    ("a \n  b", "a\nb"),
    ("a\r\nb\rc", "a\nb\nc"),
    ("a\n \n\nb\n", "a\nb"),
    ("\u2028a\tb", "a b"),
])
def test_oracle_fold_block(text, expected):
    assert fold_block(text) == expected


def test_expected_records_are_consistent(site):
    base = "http://127.0.0.1:8123"
    records = site.expected_records(base)
    assert set(records) == set(site.articles) - site.unservable
    fields = {f.name for f in dataclasses.fields(Article)} - {"crawled_at"}
    for article_id, record in records.items():
        assert set(record) == fields
        assert record["article_id"] == article_id
        assert canonical(record["url"]) == record["url"]
        ref = article_ref(record["url"])
        assert ref and (ref.article_id, ref.category, ref.published) == (
            article_id, record["category"], record["published"])
        assert re.fullmatch("[0-9a-f]{64}", record["content_hash"])
        assert len(record["tags"]) == len(set(record["tags"]))
        assert set(record["tags"]) == set(site.articles[article_id].tags)
        assert record["language"] == "zh-Hans" and record["version"] == 1
        for paragraph in record["body"].split("\n\n"):
            assert paragraph and paragraph == paragraph.strip()
            assert not re.search(r"[^\S\n]{2}|[\u00a0\u3000\r\t]| \n|\n ", paragraph), paragraph
        for related in record["related"]:
            assert canonical(related["url"]) == related["url"] and related["title"]
    hashes = [r["content_hash"] for r in records.values()]
    original, copy = site.republished
    assert records[original]["content_hash"] == records[copy]["content_hash"]
    assert records[original]["url"] != records[copy]["url"]
    assert len(set(hashes)) == len(hashes) - 1, "the republished pair is the only duplicate"
    # The deliberate white-space cases do occur somewhere in a bigger site.
    bodies = [r["body"] for r in build_site(300).expected_records(base).values()]
    assert any("\n" in body.replace("\n\n", "") for body in bodies), "a <br> inside a paragraph"
    assert any(" —\n\n" in body for body in bodies), "a dateline whose &nbsp; is trimmed"
    traditional = site.expected_record(original, base, "zh-Hant")
    assert traditional["language"] == "zh-Hant" and "/bnews/zh-tw/" in traditional["url"]
    assert traditional["content_hash"] != records[original]["content_hash"]


def test_mutation(site, server):
    base = server.base_url
    before = site.expected_records(base)
    added = site.add_articles(3)
    assert len(added) == 3 and all(int(i) > int(max(before)) for i in added)
    status, _, body = fetch(base + "/bnews/")
    front = [article_ref(urljoin(base, href)).article_id for href in
             lxml_html.fromstring(body).xpath("//div[@class='postlist']/h4/a/@href")]
    assert front[:3] == added[::-1], "newest first"
    pushed = site.articles[added[-1]]
    status, _, body = fetch(base + f"/bnews/{pushed.category}/")
    assert status == 200 and pushed.path().encode() in body
    for tag in pushed.tags:
        assert site.page("tag/" + tag, 1)[0][0] == added[-1]
    victim = list(before)[10]
    old_page = fetch(base + site.articles[victim].path())[2]
    site.change_article(victim)
    after = site.expected_record(victim, base)
    assert after["content_hash"] != before[victim]["content_hash"]
    assert after["title"] == before[victim]["title"] and after["tags"] == before[victim]["tags"]
    assert fetch(base + site.articles[victim].path())[2] != old_page
    assert set(site.expected_records(base)) == set(before) | set(added)


def test_build_20000_articles():
    started = time.perf_counter()
    big = build_site(20000, seed=3)
    built = time.perf_counter() - started
    started = time.perf_counter()
    records = big.expected_records("http://127.0.0.1:1")
    print(f"\nbuild_site(20000): {built:.2f}s; expected_records: "
          f"{time.perf_counter() - started:.2f}s; {len(big.tags)} tags")
    assert len(records) == 20000 - 3


# --- over HTTP ---------------------------------------------------------------------------

def crawl(base: str) -> dict[str, set[str]]:
    """BFS from /bnews/ as a polite crawler would: same host, zh-Hans, articles and listings.

    Returns "articles" (ids found), "from_listings" (ids linked from listing pages), "tags"
    (tag archives fetched), "from_articles_only" (tag archives linked only from articles),
    "offsite" (hosts of links not followed), "variants" (raw links with query/fragment/lower).
    """
    host = urlsplit(base).netloc
    start = base + "/bnews/"
    queue, seen = deque([start]), {canonical(start)}
    found: dict[str, set[str]] = {k: set() for k in (
        "articles", "from_listings", "tags", "tag_links_in_listings", "tag_links_in_articles",
        "offsite", "variants")}
    while queue:
        url = queue.popleft()
        status, _, body = fetch(url)
        if status == 503:  # transient: once more
            status, _, body = fetch(url)
        if status != 200 or not body:
            continue
        page_kind = kind(url)
        if page_kind is Kind.LISTING and "/tag/" in url:
            found["tags"].add(canonical(url))
        try:
            doc = lxml_html.fromstring(body)
        except Exception:  # the PDF, the GBK page as bytes: nothing more to follow
            continue
        for href in doc.xpath("//a/@href"):
            link = urljoin(url, href)
            parts = urlsplit(link)
            if parts.scheme not in ("http", "https"):
                continue
            if parts.netloc != host:
                found["offsite"].add(parts.netloc)
                continue
            if parts.query or parts.fragment or re.search(r"%[0-9a-f]?[a-f]", parts.path):
                found["variants"].add(link)
            target = kind(link)
            if target is Kind.OTHER or language_of(link) != "zh-Hans":
                continue
            if target is Kind.ARTICLE:
                article_id = article_ref(link).article_id
                found["articles"].add(article_id)
                if page_kind is Kind.LISTING:
                    found["from_listings"].add(article_id)
            elif "/tag/" in link:
                bucket = "tag_links_in_listings" if page_kind is Kind.LISTING else \
                    "tag_links_in_articles"
                found[bucket].add(listing_ref(link).archive)
            key = canonical(link)
            if key not in seen:
                seen.add(key)
                queue.append(link)
    return found


def test_every_article_is_reachable(site, server):
    found = crawl(server.base_url)
    assert found["articles"] == set(site.articles) | set(site.missing)
    hidden = set(site.hidden)
    assert hidden and not hidden & found["from_listings"], "hidden ones only via related lists"
    assert found["from_listings"] >= set(site.front)
    base = server.base_url
    tag_urls = {canonical(base + f"/bnews/tag/{quote(tag)}/") for tag in site.tags}
    assert {listing_ref(u).archive for u in found["tags"]} == tag_urls
    inner = {canonical(base + f"/bnews/tag/{quote(tag)}/") for tag in site.inner_tags}
    assert inner <= found["tag_links_in_articles"] and not inner & found["tag_links_in_listings"]
    assert {f"localhost:{server.port}", "github.com", "blog.bannedbook.org"} <= found["offsite"]
    assert any("utm_source=" in v for v in found["variants"])
    assert any("#comments" in v for v in found["variants"])
    assert any("%e7" in v or "%e4" in v for v in found["variants"])
    hosts = server.hits.hosts()
    assert set(hosts) == {f"127.0.0.1:{server.port}"}, "nothing asked for localhost"
    assert not any(path.startswith("/bnews/fq/") for path in server.hits.paths())


def _entry_facts(body: bytes, encoding: str) -> dict:
    """What a straightforward parser reads from an article page (to check the renderer)."""
    doc = lxml_html.fromstring(body.decode(encoding))
    entry = doc.xpath("//div[@class='entry']")[0]
    for br in entry.iter("br"):
        br.tail = "\n" + (br.tail or "")
    paragraphs = [p for p in entry.xpath("./p") if p.get("class") != "texttj"][1:]
    images = []
    for figure in entry.xpath(".//figure"):
        caption = figure.xpath(".//figcaption")
        for img in figure.xpath(".//img"):
            images.append({"url": img.get("src"),
                           "caption": fold_line(caption[0].text_content()) if caption else None})
    return {
        "url": doc.xpath("//link[@rel='canonical']/@href")[0],
        "title": doc.xpath("//div[@class='post']/h2")[0].text_content(),
        "tags": list(dict.fromkeys(a.text_content() for a in entry.xpath(".//a[@rel='tag']"))),
        "body": "\n\n".join(fold_block(p.text_content()) for p in paragraphs),
        "images": images,
        "related": [{"url": canonical(a.get("href")), "title": a.text_content()}
                    for a in entry.xpath(".//ul[contains(@class, 'op-related-articles')]//a")],
        "authors": [li.text_content().strip() for li in entry.xpath("./ul[not(@class)]/li")],
    }


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_pages_show_the_expected_records(site, server, language):
    base = server.base_url
    for article_id, record in site.expected_records(base, language).items():
        status, _, body = fetch(record["url"])
        if status == 503:
            status, _, body = fetch(record["url"])
        assert status == 200, article_id
        encoding = "gbk" if article_id == site.gbk else "utf-8"
        facts = _entry_facts(body, encoding)
        markup = [b for b in site.content(article_id).head if isinstance(b, Markup)]
        for block in markup:  # rendered as written (what it shows: test_extract, crawls)
            html = block.render(base)
            if language == "zh-Hant":
                html = traditional(html)
            assert html.encode(encoding, "xmlcharrefreplace") in body, article_id
        for field, value in facts.items():
            if field == "authors" and site.articles[article_id].byline == "inline":
                continue  # named in the byline, not in a list
            if field in ("body", "images") and markup:
                continue  # beyond this straightforward reader: checked by the crawl tests
            assert record[field] == value, (article_id, field)


@pytest.mark.parametrize(("articles", "seed"), [(40, 1), (40, 7)])  # this file's, the crawls'
def test_every_markup_form_is_in_small_copies(articles, seed):
    copy = build_site(articles, seed=seed)
    shown = {block.form for article_id in copy.articles
             for block in copy.content(article_id).head if isinstance(block, Markup)}
    assert shown == {form.__name__ for form in FORMS}


def test_faults(site, server):
    base = server.base_url
    articles = site.articles
    kinds = {fault.kind for fault in site.faults}
    assert kinds >= {"missing-related", "query-string", "fragment", "percent-case", "zh-tw",
                     "republished", "cloudflare", "empty", "not-html", "transient", "gbk",
                     "localhost"}
    for _ in range(2):
        status, headers, body = fetch(base + articles[site.cloudflare].path())
        assert status == 503 and b"Just a moment..." in body
    status, headers, body = fetch(base + articles[site.empty].path())
    assert (status, body) == (200, b"")
    status, headers, body = fetch(base + articles[site.not_html].path())
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    status, headers, body = fetch(base + articles[site.gbk].path())
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b"charset=gbk" in body and site.articles[site.gbk].title in body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    for path in sorted(site.transient):
        assert fetch(base + path + "?utm_source=x")[0] == 503
        assert fetch(base + path)[0] == 200
    server.reset()
    assert len(server.hits) == 0
    assert fetch(base + sorted(site.transient)[0])[0] == 503
    for missing in site.missing.values():
        assert fetch(base + missing.path())[0] == 404
    original, copy = site.republished
    assert articles[original].title == articles[copy].title
    assert fetch(base + articles[copy].path())[0] == 200


def test_url_variants_name_one_page(site, server):
    base = server.base_url
    tag = quote("美国")
    upper = fetch(f"{base}/bnews/tag/{tag}/")
    lower = fetch(f"{base}/bnews/tag/{lower_escapes(tag)}/")
    assert upper[0] == lower[0] == 200 and upper[2] == lower[2]
    assert fetch(f"{base}/bnews/tag/{tag}/page/2/")[0] == 200
    assert fetch(f"{base}/bnews/tag/{tag}/page/99/")[0] == 404
    article = next(iter(site.articles.values()))
    plain = fetch(base + article.path())[2]
    assert fetch(base + article.path() + "?utm_source=a&utm_medium=b")[2] == plain
    assert b'rel="canonical" href="%s"' % (base + article.path()).encode() in plain
    status, _, traditional = fetch(base + article.path("zh-Hant"))
    assert status == 200 and article.id.encode() in traditional and "禁聞網" in traditional.decode()
    assert b'hreflang="zh-Hant"' in plain and "正体".encode() in plain
    status, _, robots = fetch(base + "/robots.txt")
    assert b"Disallow: /wp-admin/" in robots and b"Disallow: /bnews/fq/" in robots
    assert fetch(base + "/bnews/fq/")[0] == 200, "served, so that a robots breach shows"
    assert fetch(base + "/bnews/nosuch/20230101/1.html")[0] == 404
    fetch(base + "/bnews/", {"Host": f"localhost:{server.port}"})
    assert server.hits.hosts()[f"localhost:{server.port}"] == 1
    request = urllib.request.Request(base + article.path(), method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and response.read() == b""


def test_without_faults():
    site = build_site(60, faults=False)
    assert site.faults == [] and not site.unservable and site.republished is None
    base = "http://127.0.0.1:1"
    page = render(site, site.articles[next(iter(site.articles))].path(), base).body
    assert b"zh-tw" not in page and b"utm_" not in page and b"localhost" not in page
    assert len(site.expected_records(base)) == 60
    assert len(build_site(5, faults=False).articles) == 5
    with pytest.raises(ValueError):
        build_site(10)


# --- the command line --------------------------------------------------------------------

def test_command_line(site):
    base = "http://127.0.0.1:9"
    out = subprocess.run([sys.executable, "-m", "sitecopy", "expected", "--articles", "40",
                          "--base", base], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert {r["article_id"]: r for r in lines} == site.expected_records(base)
    process = subprocess.Popen([sys.executable, "-m", "sitecopy", "serve", "--articles", "40",
                                "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        served = process.stdout.readline().strip()
        assert served.startswith("http://127.0.0.1:")
        status, _, body = fetch(served + "/bnews/")
        assert status == 200 and site.articles[site.front[-1]].title.encode() in body
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
