"""python -m bench.ledger [--articles 3000] [--per-file 1000] [--per-day 400] [--days 8]
[--runs-per-day 4] [--ledger both|on|off] [--json out.json]

What the removal ledger costs (issue 19), on the scale copy with Yoast sitemaps and a feed
(sitecopy.discovery), each figure with the ledger on and off (NEWSCRAWL_LEDGER_DIR empty):

- a run with nothing new and nothing due (30 minutes after a first full crawl);
- requests per simulated day while the copy publishes `--per-day` posts a day, crawled
  `--runs-per-day` times a day for `--days` days (the week-after revisits start on day 8);
- the SQLite state's bytes per archived article at the end.

Each run is a real `scrapy crawl bannedbook` subprocess against the copy, NEWSCRAWL_NOW moving
with the copy's clock; politeness off, as in the tests. Prints one table; --json writes it.

A bench "day" is `--runs-per-day` runs, each 24/N hours after the previous one's posts: the
copy's clock also moves a minute for each post published (sitecopy.discovery.publish), so at
400 posts a day in 4 runs a bench day is 30 h 40 min of simulated time. Read the revisit cost
per new post, not per 24 hours.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sitecopy import discovery
from sitecopy.data import UTC8
from sitecopy.model import Site, build_site
from sitecopy.server import serve

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "RETRY_TIMES": "2", "LOG_LEVEL": "WARNING"}


def _crawl(base: str, work: Path, now: dt.datetime, ledger: bool) -> dict[str, Any]:
    settings = {**SETTINGS, "NEWSCRAWL_STATE_DIR": str(work / "state"),
                "NEWSCRAWL_WARC_DIR": "", "NEWSCRAWL_NOW": now.isoformat(),
                "NEWSCRAWL_LEDGER_DIR": str(work / "ledger") if ledger else ""}
    command = [sys.executable, "-m", "scrapy", "crawl", "bannedbook", "-a",
               f"start_urls={base}/bnews/", "-o", f"{work / 'out.jsonl'}:jsonl"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads((work / "state" / "last-run.json").read_text(encoding="utf-8"))


def _dated_now(site: Site, ids: list[str], now: dt.datetime) -> None:
    """Date new posts' URLs by the copy's clock (its day in UTC+8), as the real site does:
    sitecopy's add_articles dates them a day past the newest, 50 posts a day, so at 400 a day
    their URL dates ran ahead of the clock and their day-after revisits fell days late."""
    day = now.astimezone(UTC8).strftime("%Y%m%d")
    for article_id in ids:
        site.articles[article_id].date = day


def _state_bytes(work: Path) -> int:
    return sum(p.stat().st_size for p in (work / "state").glob("state.sqlite3*"))


def measure(args: argparse.Namespace, ledger: bool) -> dict[str, Any]:
    site: Site = build_site(args.articles, seed=7, faults=False)
    clock = discovery.enable(site, per_file=args.per_file)
    with serve(site) as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _crawl(server.base_url, work, clock.now, ledger)
        clock.now += dt.timedelta(minutes=30)
        idle = _crawl(server.base_url, work, clock.now, ledger)
        print(f"ledger {'on' if ledger else 'off'} idle run: {idle['requests']} requests "
              f"{idle['discovery']}", file=sys.stderr, flush=True)
        per_run = args.per_day // args.runs_per_day
        daily: list[int] = []
        by_kind: list[dict[str, int]] = []  # where each day's requests went
        for _ in range(args.days):
            requests, kinds = 0, Counter[str]()
            for _ in range(args.runs_per_day):
                clock.now += dt.timedelta(hours=24 / args.runs_per_day)
                _dated_now(site, discovery.publish(site, per_run), clock.now)
                report = _crawl(server.base_url, work, clock.now, ledger)
                requests += report["requests"]
                kinds.update({k: v for k, v in report["discovery"].items()
                              if k.endswith("_requests")})
                kinds.update(report["ledger"])
            daily.append(requests)
            by_kind.append(dict(kinds))
            print(f"ledger {'on' if ledger else 'off'} day {len(daily)}: {requests} requests "
                  f"{dict(kinds)}", file=sys.stderr, flush=True)
        # VACUUM first: free pages of the runs' churn are not what an article costs.
        subprocess.run(["sqlite3", str(work / "state" / "state.sqlite3"), "VACUUM"],
                       check=False, capture_output=True)
        return {"ledger": ledger, "idle_run_requests": idle["requests"],
                "idle_run_by_kind": idle["discovery"], "requests_per_day": daily,
                "by_kind_per_day": by_kind,
                "articles": len(site.articles), "state_bytes": _state_bytes(work),
                "state_bytes_per_article": round(_state_bytes(work) / len(site.articles))}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--per-day", type=int, default=400)
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--runs-per-day", type=int, default=4)
    parser.add_argument("--ledger", choices=("both", "on", "off"), default="both",
                        help="measure with the ledger on, off, or both (one after the other)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    modes = {"both": (False, True), "on": (True,), "off": (False,)}[args.ledger]
    results = [measure(args, ledger) for ledger in modes]
    print("ledger  idle-run requests  requests/day (day 1..N)  state bytes/article")
    for r in results:
        print(f"{'on ' if r['ledger'] else 'off'}     {r['idle_run_requests']:>17}  "
              f"{r['requests_per_day']}  {r['state_bytes_per_article']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
