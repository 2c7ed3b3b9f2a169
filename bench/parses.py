"""python -m bench.parses [--articles 2000] [--pages 30]: CPU of an article page, parsed twice
or once (issue 20).

What the spider does with an article page's body, in-process on the copy's pages as the server
sends them (sitecopy.render) and the captured real page:
- twice (the spider before issue 20): the links through parsel (`response.selector`, then
  PAGE_LINKS compiled to XPath, newscrawl.discovery.links.hrefs) and the article through
  `extract`, which parses the page again with lxml;
- once (now): `extract(..., links=n)`, the links read from the parser's own tree.
Both build the HtmlResponse, as Scrapy does for every page; both read the first 2,001 links
(the default cap + 1). Checks that both give the same links, then prints the median CPU µs
per page of each (bench.extraction.cpu_per_call) and their difference. See
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from typing import Any

from scrapy.http import HtmlResponse

from bench.extraction import CONTENT_TYPE, Page, cpu_per_call, sample_pages
from newscrawl.discovery.links import hrefs
from newscrawl.extraction.extract import extract
from newscrawl.extraction.selectors import PAGE_LINKS

LIMIT = 2001  # NEWSCRAWL_MAX_LINKS_PER_PAGE's default + 1, what the spider reads


def _response(page: Page) -> HtmlResponse:
    return HtmlResponse(page.url, body=page.body, headers={"Content-Type": CONTENT_TYPE})


def twice(page: Page) -> list[str]:
    response = _response(page)
    found = hrefs(response, PAGE_LINKS, LIMIT)
    extract(response.body, response.url, content_type=CONTENT_TYPE)
    return found


def once(page: Page) -> list[str]:
    response = _response(page)
    return extract(response.body, response.url, content_type=CONTENT_TYPE, links=LIMIT).links


def measure(pages: list[Page], rounds: int = 3, budget: float = 0.05) -> dict[str, Any]:
    """Median µs per page of each way; raises if they disagree on a page's links."""
    ways: dict[str, Callable[[Page], list[str]]] = {"twice": twice, "once": once}
    rows = []
    for page in pages:
        if twice(page) != once(page):
            raise RuntimeError(f"the links differ on {page.name}")
        rows.append({name: statistics.median(cpu_per_call(lambda w=way, p=page: w(p), budget)
                                             for _ in range(rounds)) * 1e6
                     for name, way in ways.items()})
    median = {name: statistics.median(row[name] for row in rows) for name in ways}
    return {"pages": len(pages), "twice_us": median["twice"], "once_us": median["once"],
            "saved_us": statistics.median(row["twice"] - row["once"] for row in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parses", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="size of the copy")
    parser.add_argument("--pages", type=int, default=30, help="article pages timed")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    figures = measure(sample_pages(args.articles, args.seed, args.pages))
    print(f"{figures['pages']} article pages (the captured one included), median CPU per page:"
          f" parsed twice {figures['twice_us']:.0f} µs, once {figures['once_us']:.0f} µs,"
          f" saved {figures['saved_us']:.0f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
