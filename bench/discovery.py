"""python -m bench.discovery [--articles 3000] [--tags 1500] [--per-file 1000] [--json out.json]

What a run costs the site, in requests, as the site changes between cron runs. For a copy of
the site without sitemaps or feed, then with Yoast sitemaps and a feed (sitecopy.discovery),
it crawls with a fresh state and then, with the same state, after the copy's clock moved on
30 minutes each time: nothing new, 20 new posts, 5 posts edited; then a day later, nothing
new (listings fall due: the per-run budget shows). The crawler's clock (NEWSCRAWL_NOW) moves
with the copy's. Each run is a real `scrapy crawl bannedbook` subprocess against the copy,
served from a thread of this process; politeness off, as in the tests. Prints one table;
--json writes every figure, with each run's request counts per kind. Checks recall: every
article exported exactly once, each run exactly the new and edited posts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sitecopy import discovery
from sitecopy.model import Site, build_site
from sitecopy.server import serve

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "RETRY_TIMES": "2", "LOG_LEVEL": "WARNING"}
KINDS = ("robots", "sitemap", "feed", "listing", "article")


def _crawl(base: str, work: Path, number: int, now: dt.datetime) -> dict[str, Any]:
    output = work / "out" / f"run-{number:02d}.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    settings = {**SETTINGS, "NEWSCRAWL_STATE_DIR": str(work / "state"),
                "NEWSCRAWL_NOW": now.isoformat()}
    command = [sys.executable, "-m", "scrapy", "crawl", "bannedbook", "-a",
               f"start_urls={base}/bnews/", "-o", f"{output}:jsonl"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    summary = json.loads((work / "state" / "last-run.json").read_text(encoding="utf-8"))
    records = ([json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
               if output.exists() else [])
    counts = summary["counts"]
    return {
        "requests": summary["requests"],
        "by_kind": {kind: counts.get(f"newscrawl/requests/{kind}", 0) for kind in KINDS},
        "listings_due": counts.get("newscrawl/listings/due", 0),
        "listings_claimed": counts.get("newscrawl/listings/claimed", 0),
        "listings_visited": counts.get("newscrawl/listings/visited", 0),
        "exported": {r["article_id"]: r["version"] for r in records},
        "seconds": round(time.monotonic() - started, 1),
    }


def _scenario(site: Site, base: str, work: Path) -> list[dict[str, Any]]:
    clock = site.discovery
    assert clock is not None
    runs: list[dict[str, Any]] = []

    def run(label: str, expected: dict[str, int]) -> None:
        result = _crawl(base, work, len(runs) + 1, clock.now)
        result.update(label=label, recall_ok=result["exported"] == expected)
        runs.append(result)
        print(f"[bench.discovery] {label:<24} {result['requests']:>6} requests "
              f"{result['by_kind']} exported {len(result['exported'])}"
              f"{'' if result['recall_ok'] else ' (NOT AS EXPECTED)'}", file=sys.stderr,
              flush=True)

    run("full crawl", dict.fromkeys(site.articles, 1))
    discovery.advance(site, 0.5)
    run("nothing new", {})
    discovery.advance(site, 0.5)
    run("20 new posts", dict.fromkeys(discovery.publish(site, 20), 1))
    discovery.advance(site, 0.5)
    old = list(site.articles)
    edited = [old[len(old) * k // 7] for k in range(1, 6)]
    discovery.edit(site, edited)
    # Without sitemaps nothing tells a run that a post changed: the edits wait for refresh=1.
    run("5 posts edited", dict.fromkeys(edited, 2) if clock.sitemaps else {})
    discovery.advance(site, 24)
    run("a day later, nothing new", {})
    return runs


def measure(articles: int, tags: int, per_file: int, seed: int, work: Path
            ) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for mode, present in (("without sitemaps", False), ("sitemaps + feed", True)):
        site = build_site(articles, seed, faults=False, tags=tags)
        discovery.enable(site, sitemaps=present, feed=present, per_file=per_file)
        with serve(site) as server:
            runs = _scenario(site, server.base_url, work / mode.replace(" ", "-"))
        full = runs[0]
        result[mode] = {"runs": runs,
                        "requests_per_article": round(full["requests"] / articles, 3)}
    return result


def table(result: dict[str, Any]) -> str:
    modes = list(result)
    lines = ["| run | " + " | ".join(modes) + " |", "|---|" + "---:|" * len(modes)]
    labels = [run["label"] for run in result[modes[0]]["runs"]]
    for index, label in enumerate(labels):
        cells = []
        for mode in modes:
            run = result[mode]["runs"][index]
            kinds = Counter({k: v for k, v in run["by_kind"].items() if v})
            cells.append(f"{run['requests']} ({', '.join(f'{k} {v}' for k, v in kinds.items())})"
                         + ("" if run["recall_ok"] else " MISSED"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| full crawl, requests per article | " + " | ".join(
        f"{result[mode]['requests_per_article']:.3f}" for mode in modes) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.discovery", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--tags", type=int, default=1500)
    parser.add_argument("--per-file", type=int, default=1000,
                        help="posts per sitemap file (Yoast: 1,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="newscrawl-discovery-") as work:
        result = measure(args.articles, args.tags, args.per_file, args.seed, Path(work))
    print(table(result))
    print(f"load average at start: {load:.2f} ({os.cpu_count()} CPUs)")
    if args.json is not None:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)},
                                         "load_at_start": load, "result": result},
                                        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    ok = all(run["recall_ok"] for mode in result.values() for run in mode["runs"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
