"""Running the real `scrapy crawl bannedbook` as a subprocess, the way users and cron do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema

from sitecopy.data import SiteData
from sitecopy.model import Site
from sitecopy.server import SiteServer

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "newscrawl" / "schema" / "article.schema.json"

# Politeness off for speed; everything else as users run it.
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "RETRY_TIMES": "2",
    "LOG_LEVEL": "INFO",
    "NEWSCRAWL_RETRY_AFTER_MAX": "0",  # the copy's transient 503s say Retry-After: 1
}


@dataclass
class Run:
    returncode: int
    stderr: str
    output_dir: Path
    state_dir: Path
    records: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)  # the run's last-run.json, if it wrote one

    @property
    def ids(self) -> list[str]:
        return [record["article_id"] for record in self.records]


def _documented_fields() -> list[str]:
    """The record's fields in docs/record.md's order: its first table's first column."""
    lines = (ROOT / "docs" / "record.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| field | meaning |") + 2
    fields = []
    for line in lines[start:]:
        if not line.startswith("| `"):
            break
        fields.append(line.split("`")[1])
    return fields


RECORD_FIELDS = _documented_fields()


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


VALIDATOR = _validator()


def check_record(record: dict) -> dict:
    """docs/record.md: every record of the test crawls follows the schema, its fields written
    in the documented order. Returns the record."""
    VALIDATOR.validate(record)
    assert list(record) == RECORD_FIELDS, f"fields written as {list(record)}"
    return record


def read_lines(path: Path) -> list[dict]:
    """The objects of any JSON Lines file (an article feed, the removal ledger): no torn line."""
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), f"{path} ends in a torn line"
    return [json.loads(line) for line in text.splitlines()]


def read_jsonl(path: Path) -> list[dict]:
    """The records of an article feed, each checked (check_record): no torn last line."""
    return [check_record(record) for record in read_lines(path)]


def crawl_command(start_url: str, output: Path | str, state_dir: Path, *args: str,
                  settings: dict[str, str] | None = None, fmt: str = "jsonl") -> list[str]:
    # WARC capture is on by default: keep it next to the state, not in the repository.
    merged = {**FAST, "NEWSCRAWL_STATE_DIR": str(state_dir),
              "NEWSCRAWL_WARC_DIR": str(state_dir.parent / "warc"),
              "NEWSCRAWL_LEDGER_DIR": str(state_dir.parent / "ledger"), **(settings or {})}
    command = [sys.executable, "-m", "scrapy", "crawl", "bannedbook",
               "-a", f"start_urls={start_url}", "-o", f"{output}:{fmt}"]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    return command + list(args)


def run_crawl(start_url: str, tmp: Path, *args: str, settings: dict[str, str] | None = None,
              timeout: float = 180, env: dict[str, str] | None = None,
              preexec_fn: Callable[[], None] | None = None) -> Run:
    """One crawl; output files under tmp/out (one per run), state under tmp/state.

    preexec_fn runs in the child before the crawl (e.g. to set a resource limit).
    """
    output_dir, state_dir = tmp / "out", tmp / "state"
    output_dir.mkdir(parents=True, exist_ok=True)
    output = output_dir / f"run-{len(list(output_dir.glob('run-*.jsonl'))) + 1:02d}.jsonl"
    started = time.time()
    done = subprocess.run(
        crawl_command(start_url, output, state_dir, *args, settings=settings),
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, check=False, preexec_fn=preexec_fn)
    records = read_jsonl(output) if output.exists() else []
    summary_file = state_dir / "last-run.json"
    fresh = summary_file.exists() and summary_file.stat().st_mtime >= started
    summary = json.loads(summary_file.read_text(encoding="utf-8")) if fresh else {}
    return Run(done.returncode, done.stderr, output_dir, state_dir, records, summary)


def all_records(output_dir: Path) -> list[dict]:
    return [r for path in sorted(output_dir.glob("*.jsonl")) for r in read_jsonl(path)]


def crawl_twice(server: SiteServer, tmp: Path) -> tuple[Run, Run]:
    """Two successful runs on one state (the server's hit log reset between them)."""
    first = run_crawl(server.base_url + "/bnews/", tmp)
    assert first.returncode == 0, first.stderr[-2000:]
    server.reset()
    second = run_crawl(server.base_url + "/bnews/", tmp)
    assert second.returncode == 0, second.stderr[-2000:]
    return first, second


def copy_clock(site: SiteData, settings: dict[str, str] | None = None) -> dict[str, str]:
    """`settings` plus NEWSCRAWL_NOW = the copy's clock now (sitecopy.discovery).

    A copy with sitemaps lives in 2023; a crawler on today's clock records today as the
    lastmod of the articles it reaches through the feed or a link, so an edit on the copy
    (dated 2023) would look older than it and go unseen. Read at each run: the clock moves.
    """
    assert site.discovery is not None, "the copy has no clock: sitecopy.discovery.enable"
    return {**(settings or {}), "NEWSCRAWL_NOW": site.discovery.now.isoformat()}


def assert_every_article_once(ids: Iterable[str], site: Site, base_url: str,
                              wanted: Callable[[str], bool] = lambda article_id: True,
                              at_most: int = 1) -> None:
    """Completeness: every article of the copy that `wanted` admits is among `ids`, none more
    than `at_most` times, nothing else; of a republished pair (the same text under two
    ids) exactly one, the one met first (docs/record.md)."""
    counts = Counter(ids)
    expected = {i for i in site.expected_records(base_url) if wanted(i)}
    pair = {i for i in (site.republished or ()) if wanted(i)}
    if len(pair) == 2:
        kept = pair & set(counts)
        assert len(kept) == 1, f"of the republished pair {pair}, kept {kept}"
        expected -= pair - kept
    assert set(counts) == expected, (sorted(expected - set(counts)), sorted(set(counts) - expected))
    assert not counts or max(counts.values()) <= at_most, counts.most_common(3)


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A hand-written HTTP server on 127.0.0.1 (any free port); its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
