"""When the walk of a listing's pages ends: a pure verdict per page.

A walk goes on to the next page only while the page shows a *fresh* article, and never past
a hard cap of pages. Fresh means, for a listing on the page:

- not shown by an earlier page of this listing in this run (a pager that invents new page
  numbers showing the same articles ends its own walk, whatever the state says);
- not found by this run elsewhere (sitemap, feed, another listing), and
- if the listing was once walked to its end by a finished run: unknown to the state. A
  listing never walked (a first crawl, or a walk a killed run left half done) is paged on
  while it shows what this run has not found yet, so no page of it is left unread for good.
- not older than ``-a since``.

An *exhaustive* walk goes on whatever its pages show: on a site without sitemaps, every
listing until one finished run has paged it to its end. No listing is assumed to enumerate the
site: a front page may show the newest posts only, with no pager, and an article may sit only on
page 2+ of listings whose page 1 shows articles found elsewhere (issue 17).

Reasons a walk ends, counted under ``newscrawl/listings/walk_end/<reason>``:
``last_page`` (no next page), ``nothing_new``, ``repeats`` (the page shows only articles
this listing showed earlier in the run), ``page_cap`` (NEWSCRAWL_LISTING_MAX_PAGES).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from newscrawl.discovery.urls import ArticleRef


@dataclass(frozen=True)
class Verdict:
    fresh: tuple[ArticleRef, ...]  # the page's fresh articles, page order
    follow: bool  # request the next page
    reason: str | None  # why the walk ends here; None when it goes on


def judge_page(listed: Iterable[ArticleRef], *, page: int, has_next: bool, max_pages: int,
               shown_before: set[int], found: Callable[[ArticleRef], bool],
               known: Callable[[ArticleRef], bool], walked: bool,
               since: str | None = None, exhaustive: bool = False) -> Verdict:
    """The verdict on one listing page.

    listed: the articles the page lists (its entries), in page order. shown_before: post ids
    (as ints: a first crawl of 2M posts keeps them all) earlier pages of this listing showed
    this run; updated with this page's. found: whether
    this run already found the article; known: whether the state knows it. max_pages: the
    cap (0: none).
    """
    refs = list(listed)
    new_here = [ref for ref in refs if int(ref.article_id) not in shown_before]
    shown_before.update(int(ref.article_id) for ref in refs)
    fresh = tuple(ref for ref in new_here
                  if not (since and ref.published < since)
                  and not found(ref) and not (walked and known(ref)))
    if not has_next:
        return Verdict(fresh, False, "last_page")
    if refs and not new_here:
        return Verdict(fresh, False, "repeats")
    if not fresh and not exhaustive:
        return Verdict(fresh, False, "nothing_new")
    if max_pages and page >= max_pages:
        return Verdict(fresh, False, "page_cap")
    return Verdict(fresh, True, None)
