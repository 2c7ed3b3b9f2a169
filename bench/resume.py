"""python -m bench.resume [--articles 10000] [--kill-after 15] [--json out.json]

A first crawl killed and run again (issue 20): a clean copy with sitecopy's sitemaps and feeds
(`python -m bench --sitemaps`'s copy, served in this process so that its requests are counted),
a full crawl with a fresh state and the bench's settings (bench.crawls.SETTINGS: capture off,
politeness off) sent SIGKILL `--kill-after` seconds after it was started (Python's and Scrapy's
start-up included), then the same crawl again to its end. Prints what the issue asks: articles
in the union of the two runs' outputs, those written twice and those missing (target: every
article once), and the article pages the server answered more than once (target: at most 1%
of the articles). Run from the repository root, under `nice` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import crawls
from bench.server import ROOT
from newscrawl.discovery import urls
from sitecopy import discovery
from sitecopy.model import build_site
from sitecopy.server import serve

TWICE_MAX = 0.01  # article pages fetched twice ÷ articles (issue 20)


def article_ids(path: Path) -> list[str]:
    """The article_id of every whole line of a JSON Lines output (a torn tail is left out:
    the second run's recovery removes it)."""
    if not path.exists():
        return []
    ids = []
    for line in path.read_bytes().splitlines():
        try:
            ids.append(json.loads(line)["article_id"])
        except ValueError:
            continue
    return ids


def article_hits(paths: Counter[str]) -> Counter[str]:
    """The server's hits on article pages only (robots.txt, sitemaps, listings left out)."""
    return Counter({path: n for path, n in paths.items()
                    if urls.article_ref("http://h" + path) is not None})


def measure(articles: int, seed: int, kill_after: float, work: Path) -> dict[str, Any]:
    site = build_site(articles, seed, faults=False)
    discovery.enable(site, per_file=1000)  # `python -m sitecopy serve --sitemaps`'s files
    state = work / "state"
    with serve(site) as server:
        start = server.base_url + "/bnews/"
        first_dir, second_dir = work / "killed", work / "rerun"
        first_dir.mkdir(parents=True)
        started = time.perf_counter()
        process = subprocess.Popen(crawls.command("full", start, first_dir, state), cwd=ROOT,
                                   env=crawls.environment("full"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=kill_after)
            raise RuntimeError("the first crawl ended before it was killed: use a larger copy")
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        killed_at = time.perf_counter() - started
        first_hits = article_hits(server.hits.paths())
        killed = len(article_ids(first_dir / "articles.jsonl"))
        rerun = crawls.run("full", start, second_dir, state)
        hits = article_hits(server.hits.paths())
    ids = Counter(article_ids(first_dir / "articles.jsonl")
                  + article_ids(second_dir / "articles.jsonl"))
    twice = sorted(path for path, n in hits.items() if n > 1)
    return {
        "articles": articles, "kill_after_seconds": kill_after,
        "killed_after_seconds": round(killed_at, 1),
        "first_run": {"articles_written": killed,
                      "article_pages_fetched": sum(first_hits.values())},
        "rerun": {**rerun.as_dict()},
        "union": len(ids), "written_twice": sum(1 for n in ids.values() if n > 1),
        "missing": len(set(site.articles) - set(ids)),
        "article_pages_fetched_twice": len(twice),
        "fetched_twice_fraction": round(len(twice) / articles, 5),
        "fetched_twice_examples": twice[:10],
        "every_article_once": set(ids) == set(site.articles) and max(ids.values()) == 1,
        "twice_met": len(twice) / articles <= TWICE_MAX,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.resume", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kill-after", type=float, default=15.0, help="seconds")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-resume-") as work:
        result = measure(args.articles, args.seed, args.kill_after, Path(work))
    first = result["first_run"]
    print(f"{result['articles']} posts; killed after {result['killed_after_seconds']} s with"
          f" {first['articles_written']} articles written ({first['article_pages_fetched']}"
          f" article pages fetched); the rerun wrote {result['rerun']['articles']} in"
          f" {result['rerun']['crawl_seconds']:.0f} s")
    print(f"union of the two outputs: {result['union']} articles, {result['written_twice']}"
          f" written twice, {result['missing']} missing (every article once:"
          f" {'met' if result['every_article_once'] else 'MISSED'})")
    print(f"article pages fetched twice: {result['article_pages_fetched_twice']}"
          f" ({result['fetched_twice_fraction']:.2%} of the articles; target <= 1%:"
          f" {'met' if result['twice_met'] else 'MISSED'})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
