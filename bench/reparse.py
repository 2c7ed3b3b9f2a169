"""python -m bench.reparse [--articles 10000,60000] [--every 10] [--json out.json]

Peak memory of `scrapy reparse` against the number of captured articles (issue 20). Per size,
the captures of a clean copy (sitecopy, no faults) are written without a crawl: one WARC file
holding, per article page, the response record (the page as the copy serves it) and its
request record, as newscrawl.capture.warc writes them (WARC/1.1, one gzip member a record).
Then `scrapy reparse` reads that file into a fresh state (every article exported), its peak
RSS taken from inside (VmHWM, bench.statsdump) and sampled as it goes (bench.memory). A crawl
with capture on makes the same files (`python -m bench.memory --reparse` measures that way)
but costs a 60,000-post crawl first; the reparse reads response records only, whoever wrote
them.
Run from the repository root, under `nice` on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench import memory
from newscrawl.capture.warc import payload_digest, warc_date
from sitecopy.model import build_site
from sitecopy.render import render

BASE_URL = "http://127.0.0.1:8765"  # the captured host; the reparse is told it with start_urls
START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def write_captures(articles: int, seed: int, path: Path) -> int:
    """The WARC file of every article page of the copy; returns the response records."""
    site = build_site(articles, seed, faults=False)
    written = 0
    with path.open("wb") as file:
        writer = WARCWriter(file, gzip=True, warc_version="1.1")
        for number, article in enumerate(site.articles.values()):
            page = article.path()
            answer = render(site, page, BASE_URL)
            url = BASE_URL + page
            date = warc_date(START + dt.timedelta(seconds=number))
            http = StatusAndHeaders(f"{answer.status} OK", list(answer.headers),
                                    protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(answer.body), length=len(answer.body),
                http_headers=http, warc_headers_dict={
                    "WARC-Date": date, "WARC-Payload-Digest": payload_digest(answer.body)})
            asked = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), length=0,
                http_headers=StatusAndHeaders(f"GET {page} HTTP/1.1",
                                              [("Host", BASE_URL.split("//")[1])],
                                              is_http_request=True),
                warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To":
                                   record.rec_headers.get_header("WARC-Record-ID")})
            writer.write_record(record)
            writer.write_record(asked)
            written += 1
    return written


def measure_size(size: int, seed: int, work: Path, every: float) -> dict[str, Any]:
    warc = work / str(size) / "warc"
    warc.mkdir(parents=True)
    captured = write_captures(size, seed, warc / "captures.warc.gz")
    out = work / str(size) / "reparse"
    reparse = memory.watched(memory.reparse_command(warc, BASE_URL + "/bnews/", out),
                             "reparse", out, out / "articles.jsonl", every)
    if reparse["articles"] != captured:
        raise RuntimeError(f"the reparse wrote {reparse['articles']} of {captured} articles")
    return {"posts": size, "captured": captured,
            "warc_bytes": (warc / "captures.warc.gz").stat().st_size, "reparse": reparse}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reparse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", default="10000,60000", help="sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--json", type=Path, help="write every figure and sample here")
    args = parser.parse_args(argv)
    sizes = sorted({int(part) for part in args.articles.split(",") if part.strip()})
    with tempfile.TemporaryDirectory(prefix="bench-reparse-") as work:
        results = [measure_size(size, args.seed, Path(work), args.every) for size in sizes]
    figures = {"command": " ".join(["python -m bench.reparse", *sys.argv[1:]]),
               "sizes": results,
               "reparse": memory.summary(results, "reparse", memory.REPARSE_DIFFERENCE_MAX_MB)}
    memory.print_summary("reparse", figures["reparse"])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
