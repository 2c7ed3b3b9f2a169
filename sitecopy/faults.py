"""What goes wrong on the copy, on purpose: chosen at build time, recorded in Site.faults.

Link-level faults (query strings, fragments, lower-case escapes, zh-tw and localhost links) are
written by the renderer when `site.faults_enabled`; the transient 503s are kept by the server.
Everything else is chosen here, deterministically, among `spare` articles: those whose absence
from listings leaves no tag archive or category listing empty.
"""

from __future__ import annotations

import random
from dataclasses import replace

from sitecopy import words
from sitecopy.data import Article, Fault, Missing, SiteData
from sitecopy.paths import listing_path


def copy_text(original: Article, copy: Article) -> Article:
    """`copy` republishing `original`'s text (title, byline, tags, body) under its own URL."""
    return replace(original, id=copy.id, category=copy.category, date=copy.date,
                   listed=copy.listed)


def _link_from(site: SiteData, rng: random.Random, target: str, linkers: list[str]) -> None:
    """Put `target` into the related lists of one or two of `linkers`."""
    for linker_id in rng.sample(linkers, min(len(linkers), rng.randint(1, 2))):
        linker = site.articles[linker_id]
        related = list(linker.related)
        related.insert(rng.randint(0, len(related)), target)
        linker.related = tuple(related)


def hide(site: SiteData, rng: random.Random, spare: list[str], linkers: list[str]) -> list[str]:
    """Take a few of `spare` off every listing, each linked from one or two of `linkers`.

    The linkers must never become fault articles (that could leave a hidden one unreachable),
    so the caller passes articles outside `spare`. Returns the spare ones left.
    """
    hidden = rng.sample(spare, min(5, max(2, len(site.articles) // 200)))
    for article_id in hidden:
        site.articles[article_id].listed = False
    for article_id in hidden:
        _link_from(site, rng, article_id, linkers)
    return [i for i in spare if i not in hidden]


def inject(site: SiteData, rng: random.Random, spare: list[str]) -> None:
    """Choose the fault articles among `spare` (listed) and write Site.faults."""
    copy, cloudflare, empty, not_html, gbk, *transient = rng.sample(spare, 7)
    site.cloudflare, site.empty, site.not_html, site.gbk = cloudflare, empty, not_html, gbk
    chosen = {copy, cloudflare, empty, not_html, gbk, *transient}
    order = list(site.articles)
    servable = [i for i in order[3:] if site.articles[i].listed and i not in chosen]

    earlier = [i for i in servable if int(i) < int(copy)]
    original = rng.choice(earlier)
    site.articles[copy] = copy_text(site.articles[original], site.articles[copy])
    site.republished = (original, copy)

    missing_ids = []
    for linker_id in rng.sample(servable, min(20, max(2, len(order) // 50))):
        linker = site.articles[linker_id]
        number = int(linker.id) - 1
        while str(number) in site.articles or str(number) in site.missing:
            number -= 1
        title = rng.choice(words.FILLERS) + rng.choice(words.TITLE_VERBS)
        site.missing[str(number)] = Missing(str(number), linker.category, linker.date, title)
        linker.related = (*linker.related, str(number))
        missing_ids.append(linker_id)

    transient_paths = [site.articles[i].path() for i in transient]
    if sum(article.listed for article in site.articles.values()) > 20:
        transient_paths.append(listing_path("", page=2))
    site.transient = frozenset(transient_paths)
    missing_paths = tuple(m.path() for m in site.missing.values())
    site.faults = [
        Fault("missing-related", "related lists of these articles link article URLs that answer "
              "404 (ids not on the site); the links are still part of the records' related",
              tuple(missing_ids), missing_paths),
        Fault("query-string", "links with ?utm_source=…&utm_medium=… to articles (listing "
              "thumbnails, every 3rd related link, promo links) and to the front page (menu)"),
        Fault("fragment", "listing items link ARTICLE#comments; the menu links /bnews/#top"),
        Fault("percent-case", "tag links mix %e7%be%8e and %E7%BE%8E for one tag (menus always "
              "lower, article links by a stable coin flip; some tag archives' canonical is lower)"),
        Fault("zh-tw", "every page links its /bnews/zh-tw/ copy (<link rel=alternate "
              "hreflang=zh-Hant> and a 正体 link); zh-tw pages link zh-tw pages; same ids"),
        Fault("republished", "the copy has the original's title, byline, tags and body under "
              "its own id, category and date: the crawler must keep only one",
              (original, copy)),
        Fault("cloudflare", "always HTTP 503 with a Cloudflare 'Just a moment...' page",
              (cloudflare,)),
        Fault("empty", "HTTP 200 with an empty body", (empty,)),
        Fault("not-html", "HTTP 200 with Content-Type: application/pdf and a PDF body",
              (not_html,)),
        Fault("transient", "HTTP 503 on the first request of each path (query ignored), normal "
              "afterwards; SiteServer.reset() re-arms them", tuple(transient),
              tuple(sorted(transient_paths))),
        Fault("gbk", "served in GBK, Content-Type: text/html without charset, the charset only "
              "in <meta http-equiv>", (gbk,)),
        Fault("localhost", "the menu links http://localhost:PORT/bnews/ (same server, other host "
              "name): Hits records the Host header, no request may come with it"),
    ]
