"""Invariants of the pure rules, stated once and checked on generated inputs (Hypothesis).

The table tests beside each rule pin chosen cases by hand; these say what holds for every
input: a canonical URL is a fixed point, folding is idempotent, a walk never follows past
its cap and never follows a page without a next one.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.discovery import urls, walk
from newscrawl.extraction.text import fold, fold_line

HOSTS = st.sampled_from(["www.bannedbook.org", "WWW.BannedBook.ORG", "127.0.0.1:8080",
                         "example.com"])
SEGMENT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",),
                                exclude_characters="/?#"), max_size=12)


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    path = "/".join(draw(st.lists(SEGMENT, max_size=5)))
    query = draw(st.sampled_from(["", "?utm_source=x", "?p=1&a=b"]))
    fragment = draw(st.sampled_from(["", "#top", "#中"]))
    return f"{scheme}://{draw(HOSTS)}/{path}{query}{fragment}"


@settings(max_examples=300, deadline=None)
@given(http_urls())
def test_a_canonical_url_is_a_fixed_point(url: str) -> None:
    once = urls.canonical(url)
    assert urls.canonical(once) == once
    assert "?" not in once and "#" not in once


# Folding is about white space: besides any text, texts made mostly of it (line breaks, tabs,
# NBSP, U+3000, U+2028 next to each other), which arbitrary text rarely draws.
SPACED = st.lists(st.sampled_from(["a", "中", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\xa0",
                                   "\u3000", "\u2028"])).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text() | SPACED)
def test_folding_is_idempotent_and_leaves_no_run_of_spaces(text: str) -> None:
    folded, line = fold(text), fold_line(text)
    assert fold(folded) == folded and fold_line(line) == line
    assert "  " not in folded and "\n\n" not in folded and folded == folded.strip()
    assert "\n" not in line and "  " not in line


def _ref(article_id: int) -> urls.ArticleRef:
    return urls.ArticleRef(str(article_id), "cnnews", "2023-01-01", "zh-Hans")


@settings(max_examples=300, deadline=None)
@given(page=st.integers(1, 50), max_pages=st.integers(0, 20), has_next=st.booleans(),
       ids=st.lists(st.integers(1, 40), max_size=10), shown=st.sets(st.integers(1, 40)),
       found=st.sets(st.integers(1, 40)), exhaustive=st.booleans(), walked=st.booleans())
def test_a_walk_never_follows_past_its_cap_or_its_last_page(
        page: int, max_pages: int, has_next: bool, ids: list[int], shown: set[int],
        found: set[int], exhaustive: bool, walked: bool) -> None:
    verdict = walk.judge_page([_ref(i) for i in ids], page=page, has_next=has_next,
                              max_pages=max_pages, shown_before=set(shown),
                              found=lambda ref: int(ref.article_id) in found,
                              known=lambda ref: False, walked=walked, exhaustive=exhaustive)
    if verdict.follow:
        assert has_next and (max_pages == 0 or page < max_pages)
        assert verdict.reason is None
    else:
        assert verdict.reason in ("last_page", "repeats", "nothing_new", "page_cap")
    # Fresh: listed here, not shown before, not found this run; in page order.
    assert [int(r.article_id) for r in verdict.fresh] == [
        i for i in ids if i not in shown and i not in found]
