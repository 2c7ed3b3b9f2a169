"""Extraction CPU per article page: parse_article next to a bare lxml parse and trafilatura.

Pages are the synthetic site's article pages exactly as the server sends them (rendered
in-process by sitecopy.render: same bytes, no HTTP) plus the captured real page of the
extraction tests. Each function gets the page's bytes. CPU time (time.process_time) per
call is measured over enough calls to fill a small budget, repeated; the figure of a page is
the median of the repeats, and the report gives medians over pages.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lxml.html

from bench.server import ROOT
from newscrawl.extraction.extract import parse_article
from sitecopy import build_site, render

FIXTURE = ROOT / "tests" / "fixtures" / "pages" / "article-2023-03-22"
CONTENT_TYPE = "text/html; charset=UTF-8"

# The comparison needs the bench extra (trafilatura; with lxml >= 5.2 also lxml_html_clean).
# Without it the other figures are still measured, so a plain test install exercises them.
try:
    import trafilatura
except ImportError as exc:
    trafilatura = None
    TRAFILATURA_MISSING: str | None = f"trafilatura unusable: {exc}"
else:
    TRAFILATURA_MISSING = None
BASE_URL = "http://127.0.0.1:8000"  # any: it only appears in the pages' links


@dataclass
class Page:
    name: str
    url: str
    body: bytes


def sample_pages(articles: int, seed: int, count: int) -> list[Page]:
    """`count` article pages spread evenly over a clean site of `articles`, and the fixture."""
    site = build_site(articles, seed, faults=False)
    ids = list(site.articles)
    step = max(1, len(ids) // count)
    pages = []
    for article_id in ids[::step][:count]:
        path = site.articles[article_id].path()
        response = render(site, path, BASE_URL)
        assert response.status == 200, (path, response.status)
        pages.append(Page(f"sitecopy {article_id}", BASE_URL + path, response.body))
    record = json.loads(FIXTURE.with_suffix(".json").read_text(encoding="utf-8"))
    pages.append(Page("captured page", record["url"], FIXTURE.with_suffix(".html").read_bytes()))
    return pages


def cpu_per_call(function: Callable[[], Any], budget: float) -> float:
    """CPU seconds per call of `function`, over as many calls as fill `budget` seconds."""
    calls = 1
    while True:
        started = time.process_time()
        for _ in range(calls):
            function()
        spent = time.process_time() - started
        if spent >= budget:
            return spent / calls
        # Aim a little past the budget from what this many calls cost; at least double.
        calls = max(calls * 2, int(calls * budget * 1.2 / max(spent, 1e-6)))


def _methods(page: Page) -> dict[str, Callable[[], Any]]:
    methods: dict[str, Callable[[], Any]] = {
        "parse_article": lambda: parse_article(page.body, page.url, content_type=CONTENT_TYPE),
        "lxml": lambda: lxml.html.fromstring(page.body),
    }
    if trafilatura is not None:
        methods["trafilatura"] = lambda: trafilatura.extract(page.body, include_comments=False)
    return methods


def measure(pages: list[Page], rounds: int = 3, budget: float = 0.03) -> dict[str, Any]:
    """µs per page for each method, per page and as medians; ratios to parse_article."""
    per_page = []
    for page in pages:
        methods = _methods(page)
        for function in methods.values():  # warm up: imports, caches, a sanity check
            if function() is None:
                raise RuntimeError(f"nothing extracted from {page.name}")
        micros = {name: statistics.median(cpu_per_call(function, budget) for _ in range(rounds))
                  * 1e6 for name, function in methods.items()}
        ours, traf = micros["parse_article"], micros.get("trafilatura")
        per_page.append({"page": page.name, "bytes": len(page.body),
                         "parse_article_us": round(ours, 1),
                         "lxml_us": round(micros["lxml"], 1),
                         "trafilatura_us": None if traf is None else round(traf, 1),
                         "vs_lxml": ours / micros["lxml"],
                         "trafilatura_vs": None if traf is None else traf / ours})
    synthetic = [row for row in per_page if row["page"].startswith("sitecopy")]
    summary = {key: None if synthetic[0][key] is None
               else statistics.median(row[key] for row in synthetic)
               for key in ("parse_article_us", "lxml_us", "trafilatura_us", "vs_lxml",
                           "trafilatura_vs")}
    return {"pages": len(synthetic), "trafilatura_missing": TRAFILATURA_MISSING, "median": summary,
            "captured": next(row for row in per_page if row["page"] == "captured page"),
            "per_page": per_page}
