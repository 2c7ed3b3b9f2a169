"""Try newscrawl offline: serve a copy of the site on 127.0.0.1 and crawl it, as users do.

    python -m sitecopy demo [--articles 200] [--port 8765]

The copy is served on a fixed port and each copy (articles, seed, faults) keeps its own state
and output directory, so a second demo run continues the first one: the URLs the state
remembers are the URLs served again.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sitecopy.model import Site, build_site
from sitecopy.server import serve

DEFAULT_PORT = 8765
PROJECT = Path(__file__).resolve().parent.parent  # `scrapy crawl` needs the project's scrapy.cfg


def describe_faults(site: Site) -> list[str]:
    """One line per deliberate fault of the copy, for the user to expect in the log."""
    lines = []
    for fault in site.faults:
        count = f" ({len(fault.article_ids)} articles)" if fault.article_ids else ""
        lines.append(f"  - {fault.kind}{count}: {fault.description}")
    return lines


def run_demo(articles: int, seed: int, directory: Path, *, port: int = DEFAULT_PORT,
             faults: bool = True) -> int:
    site = build_site(articles, seed, faults=faults)
    name = f"{articles}-articles-seed-{seed}{'' if faults else '-clean'}-port-{port}"
    copy = directory.resolve() / name
    # The crawl's one stamp (newscrawl.run.places.STAMP: sitecopy imports none of newscrawl).
    stamp = time.strftime("%Y-%m-%dT%H-%M-%SZ", time.gmtime())
    output = copy / f"{stamp}.jsonl"
    state = copy / "state"
    if site.faults:
        print("This copy has these faults on purpose; the crawl logs warnings (and the retries"
              " an error) for them, as it would on the real site:")
        print("\n".join(describe_faults(site)), flush=True)
    try:
        server = serve(site, port=port)
    except OSError as exc:
        print(f"cannot serve the copy on 127.0.0.1:{port} ({exc}); try --port", file=sys.stderr)
        return 1
    with server:
        print(f"serving a copy of the site ({articles} articles) at {server.base_url}/bnews/",
              flush=True)
        command = [sys.executable, "-m", "scrapy", "crawl", "bannedbook",
                   "-a", f"start_urls={server.base_url}/bnews/", "-o", f"{output}:jsonl",
                   "-s", f"NEWSCRAWL_STATE_DIR={state}",
                   # Its captures stay with the copy, never among the live archive's.
                   "-s", f"NEWSCRAWL_WARC_DIR={copy / 'warc'}",
                   "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]
        print("$ " + " ".join(command), flush=True)
        done = subprocess.run(command, cwd=PROJECT, check=False)
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
