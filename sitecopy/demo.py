"""Try newscrawl offline: serve a copy of the site on 127.0.0.1 and crawl it, as users do.

    python -m sitecopy demo [--articles 200]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sitecopy.model import build_site
from sitecopy.server import serve


def run_demo(articles: int, seed: int, directory: Path) -> int:
    site = build_site(articles, seed)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    output = directory / f"{stamp}.jsonl"
    state = directory / "state"
    with serve(site) as server:
        print(f"serving a copy of the site ({articles} articles) at {server.base_url}/bnews/",
              flush=True)
        command = [sys.executable, "-m", "scrapy", "crawl", "bannedbook",
                   "-a", f"start_urls={server.base_url}/bnews/", "-o", f"{output}:jsonl",
                   "-s", f"NEWSCRAWL_STATE_DIR={state}", "-s", "AUTOTHROTTLE_ENABLED=0",
                   "-s", "LOG_LEVEL=WARNING"]
        print("$ " + " ".join(command), flush=True)
        done = subprocess.run(command, check=False)
    summary_file = state / "last-run.json"
    if summary_file.exists():
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        print("summary: " + ", ".join(f"{k}={summary[k]}" for k in (
            "new", "duplicates_dropped", "not_articles", "requests", "seconds", "status")))
    if output.exists():
        print(f"JSONL written to {output.resolve()}")
    else:
        print("nothing new to write (the state under "
              f"{state.resolve()} remembers what earlier demo runs exported)")
    return done.returncode
