"""What the site is, as this run found it: the ``site`` section of last-run.json, the lines a
first run logs, and the sentence of a first run that found no article to follow.

Read from the ``newscrawl/site/...`` stats that the components which know set
(newscrawl/run/sitestats.py). How to read the section: docs/site-report.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from newscrawl.discovery import urls
from newscrawl.discovery.requests import Kind, Scope
from newscrawl.languages import LANG_ARGUMENT
from newscrawl.reasons import CHALLENGE, STAT_PREFIX
from newscrawl.run import sitestats as site

FIELDS = ("title", "source", "authors", "tags", "body", "images", "related")


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat(timespec="seconds")


def section(stats: dict[str, Any]) -> dict[str, Any]:
    """The ``site`` section: what robots.txt, the sitemaps, the feeds, the front page and the
    article pages showed this run (a value is None where the run did not look)."""
    articles = stats.get(site.ARTICLES, 0)
    whole = stats.get(site.WHOLE_PAGES, 0)
    marked = stats.get(site.WITH_END_MARKER, 0)
    return {
        "robots_txt": stats.get(site.ROBOTS),
        "robots_sitemaps": list(stats.get(site.ROBOTS_SITEMAPS, [])),
        "sitemap_files_read": stats.get(site.SITEMAP_FILES, 0),
        "sitemap_newest_lastmod": _iso(stats.get(site.SITEMAP_NEWEST)),
        "feeds_read": list(stats.get(site.FEEDS_READ, [])),
        "feeds_missing": stats.get(site.FEEDS_MISSING, 0),
        "front_page_pages": stats.get(site.FRONT_PAGE_PAGES),
        "challenge_pages": stats.get(STAT_PREFIX + CHALLENGE.name, 0),
        "article_pages_whole": whole,
        "whole_by": {"end_entry_comment": marked, "without_end_entry_comment": whole - marked},
        "articles": articles,
        "field_coverage": {field: round(stats.get(site.COVERED + field, 0) / articles, 4)
                           for field in FIELDS} if articles else {},
    }


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


def describe(found: dict[str, Any]) -> list[str]:
    """The section in a few sentences, for the log of a run that began a state."""
    robots = found["robots_txt"] or "not fetched"
    named = ", ".join(found["robots_sitemaps"]) or "none"
    lines = [f"robots.txt {robots}; its Sitemap: lines: {named}",
             f"sitemap files read: {found['sitemap_files_read']}, newest lastmod"
             f" {found['sitemap_newest_lastmod'] or 'none'}",
             f"feeds: {', '.join(found['feeds_read']) or 'none found'}",
             "front page: " + {True: "has a next page", False: "no next page",
                               None: "not read"}[found["front_page_pages"]],
             f"challenge pages: {found['challenge_pages']}",
             f"article pages parsed whole: {found['article_pages_whole']}"
             f" ({found['whole_by']['end_entry_comment']} with the END ENTRY comment,"
             f" {found['whole_by']['without_end_entry_comment']} without)"]
    if found["field_coverage"]:
        lines.append("field coverage: " + ", ".join(
            f"{field} {_pct(share)}" for field, share in found["field_coverage"].items()))
    return lines


def _lang_argument(language: str) -> str:
    return next(name for name, tag in LANG_ARGUMENT.items() if tag == language)


def nothing_followed(stats: dict[str, Any], scope: Scope) -> str | None:
    """For a run that began its state: why it found no article page at all, else None.

    A crawl on a new state that read pages of the site (pages_ok, discovery requests) but sent
    no article request, skipped none (``since``) and resumed none found nothing to archive:
    say what it read and why nothing was followed (a start URL outside the run's language
    section, say)."""
    found_any = any(stats.get(key) for key in (
        f"newscrawl/requests/{Kind.ARTICLE.value}", "newscrawl/skipped/before_since",
        "newscrawl/resumed"))
    if found_any or not stats.get("newscrawl/pages_ok"):
        return None
    read = ", ".join(f"{name} {count}" for kind, name in (
        (Kind.ROBOTS, "robots.txt"), (Kind.SITEMAP, "sitemap"), (Kind.FEED, "feed"),
        (Kind.LISTING, "listing")) if (count := stats.get(f"newscrawl/requests/{kind.value}")))
    if not read:  # no discovery request at all: a reparse of captures, not a crawl
        return None
    host = urlsplit(scope.site).netloc
    head = (f"no article page found on a new state: read {read} of {host} and"
            " followed no article link")
    section_of = urls.section_url(scope.site, scope.language)
    outside = [url for url in scope.start_urls
               if urls.language_of(url) != scope.language]
    if outside:
        return (f"{head}: the start URL {outside[0]} is outside the {scope.language} section;"
                f" with -a lang={_lang_argument(scope.language)} start in {section_of}")
    return (f"{head}: no page read links an article of the {scope.language} section"
            f" ({section_of}); are the start URLs the site's news pages?")
