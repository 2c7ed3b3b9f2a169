"""WARC capture of real crawls, reparse of the captures, and a capture killed mid-run."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from newscrawl.capture.members import whole_members_end
from sitecopy.model import Site, build_site
from sitecopy.server import SiteServer, serve
from tests.crawling import FAST, ROOT, crawl_command, crawl_twice, read_jsonl, run_crawl


def read_warcs(directory: Path) -> list[dict]:
    """Every record of every file, read whole, digests checked: type, URI, headers, payload."""
    records = []
    for path in sorted(directory.glob("*.warc.gz")):
        with path.open("rb") as file:
            for record in ArchiveIterator(file, check_digests="raise"):
                payload = record.content_stream().read()
                records.append({"file": path.name, "type": record.rec_type,
                                "uri": record.rec_headers.get_header("WARC-Target-URI"),
                                "warc": dict(record.rec_headers.headers), "payload": payload,
                                "http": record.http_headers and record.http_headers.to_str(),
                                "status": record.http_headers and
                                record.http_headers.get_statuscode()})
    return records


def _target(uri: str) -> str:
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _without_crawled_at(records: list[dict]) -> list[str]:
    return sorted(json.dumps({k: v for k, v in r.items() if k != "crawled_at"},
                             ensure_ascii=False, sort_keys=True) for r in records)


def _raw_lines_without_crawled_at(path: Path) -> list[str]:
    """The file's lines as written (bytes decoded, field order kept), the crawled_at value
    alone replaced: docs/warc.md's "byte for byte apart from crawled_at"."""
    lines = path.read_text(encoding="utf-8").splitlines()
    replaced = [re.sub(r'"crawled_at": ?"[^"]*"', '"crawled_at": "-"', line) for line in lines]
    assert all(line.count('"crawled_at": "-"') == 1 for line in replaced), replaced[:1]
    return sorted(replaced)


def reparse(tmp: Path, name: str, *paths: Path, settings: dict[str, str] | None = None,
            start_url: str | None = None) -> tuple[subprocess.CompletedProcess, list[dict]]:
    output = tmp / f"{name}.jsonl"
    command = [sys.executable, "-m", "scrapy", "reparse", *map(str, paths),
               "-O", f"{output}:jsonl", "-s", "LOG_LEVEL=INFO"]
    if start_url is not None:  # else the live site's: captures of a local copy are left out
        command += ["-a", f"start_urls={start_url}"]
    for key, value in {"NEWSCRAWL_STATE_DIR": str(tmp / f"state-{name}"),
                       **(settings or {})}.items():
        command += ["-s", f"{key}={value}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    return done, (read_jsonl(output) if output.exists() else [])


def test_every_fetch_is_captured_and_reparse_gives_the_crawls_records(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    run = run_crawl(server.base_url + "/bnews/", tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    records = read_warcs(tmp_path / "warc")
    assert records[0]["type"] == "warcinfo" and b"newscrawl/" in records[0]["payload"]
    answers = [r for r in records if r["type"] in ("response", "revisit")]
    # One response (or revisit) record per request the server answered, retries included.
    assert Counter(_target(r["uri"]) for r in answers) == Counter(
        path for _, path in server.hits)
    requests = [r for r in records if r["type"] == "request"]
    assert sorted(r["warc"]["WARC-Concurrent-To"] for r in requests) == sorted(
        r["warc"]["WARC-Record-ID"] for r in answers)
    assert all("User-Agent: newscrawl/" in r["http"] for r in requests)
    # A revisit stands for a payload written before: its digest is a response's.
    digests = {r["warc"]["WARC-Payload-Digest"] for r in answers if r["type"] == "response"}
    revisits = [r for r in answers if r["type"] == "revisit"]
    assert revisits, "the copy serves identical pages (503 retries, 404s): some are revisits"
    assert all(r["warc"]["WARC-Payload-Digest"] in digests for r in revisits)
    assert all(r["warc"]["WARC-Profile"].endswith("identical-payload-digest") for r in revisits)

    # Without -a start_urls a reparse takes the live site's captures only, never a copy's.
    live, none = reparse(tmp_path, "live", tmp_path / "warc")
    assert live.returncode == 2, live.stderr[-2000:]
    assert none == [] and "name the captured site with -a start_urls=" in live.stderr
    base = server.base_url + "/bnews/"
    fresh, reparsed = reparse(tmp_path, "fresh", tmp_path / "warc", start_url=base)
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    assert _without_crawled_at(reparsed) == _without_crawled_at(run.records)
    assert _raw_lines_without_crawled_at(tmp_path / "fresh.jsonl") == \
        _raw_lines_without_crawled_at(run.output_dir / "run-01.jsonl")
    fresh_summary = json.loads((tmp_path / "state-fresh" / "last-run.json").read_text("utf-8"))
    # Nothing but captures was asked for (the captured 404s of dead links count as failed).
    assert "newscrawl/errors/network" not in fresh_summary["counts"], fresh.stderr[-3000:]
    assert "is not a capture" not in fresh.stderr
    dates = {r["uri"]: r["warc"]["WARC-Date"][:19] for r in answers}
    assert all(r["crawled_at"] == dates[r["url"]] + "+00:00" for r in reparsed)

    stateless, latest = reparse(tmp_path, "stateless", *sorted((tmp_path / "warc").iterdir()),
                                settings={"NEWSCRAWL_STATE_ENABLED": "False"}, start_url=base)
    assert stateless.returncode == 0, stateless.stderr[-2000:]
    assert _without_crawled_at(latest) == _without_crawled_at(run.records)
    missing, _ = reparse(tmp_path, "missing", tmp_path / "no-such.warc.gz")
    assert missing.returncode == 2 and "no such WARC file" in missing.stderr

    # Into the crawl's own state: every text is unchanged, nothing is written.
    again, rewritten = reparse(tmp_path, "same", tmp_path / "warc", start_url=base,
                               settings={"NEWSCRAWL_STATE_DIR": str(run.state_dir)})
    assert again.returncode == 0, again.stderr[-2000:]
    assert rewritten == []
    summary = json.loads((run.state_dir / "last-run.json").read_text(encoding="utf-8"))
    assert (summary["new"], summary["updated"]) == (0, 0)
    assert summary["counts"]["newscrawl/dropped/unchanged"] >= len(run.records)


def test_second_run_writes_revisits_for_unchanged_pages(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    crawl_twice(server, tmp_path)
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) == 2
    later = [r for r in read_warcs(tmp_path / "warc")
             if r["file"] == files[1].name and r["type"] in ("response", "revisit")]
    robots = [r for r in later if r["uri"].endswith("/robots.txt")]
    assert [r["type"] for r in robots] == ["revisit"], "robots.txt did not change"
    assert sum(r["type"] == "response" for r in later) < len(later) / 2


def test_capture_killed_mid_run_reads_whole_after_the_next_run_starts(tmp_path: Path) -> None:
    site = build_site(150, seed=3, faults=False)
    with serve(site) as server:
        command = crawl_command(server.base_url + "/bnews/", tmp_path / "killed.jsonl",
                                tmp_path / "state", settings={
                                    "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                                    "DOWNLOAD_DELAY": "0.02",
                                    "NEWSCRAWL_WARC_DIR": str(tmp_path / "warc")})
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            files = list((tmp_path / "warc").glob("*.warc.gz"))
            if files and files[0].stat().st_size > 200_000:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the crawl ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        [killed] = (tmp_path / "warc").glob("*.warc.gz")
        with killed.open("ab") as file:  # a record torn by the kill (a gzip member, cut)
            file.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x0b\xf7")
        whole = whole_members_end(killed)
        assert whole < killed.stat().st_size

        settings = {**FAST, "NEWSCRAWL_WARC_DIR": str(tmp_path / "warc")}
        rerun = run_crawl(server.base_url + "/bnews/", tmp_path, settings=settings)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert "cut a torn WARC record" in rerun.stderr
        assert killed.stat().st_size == whole
        records = read_warcs(tmp_path / "warc")  # raises on any unreadable record
        assert sum(r["file"] == killed.name for r in records) > 10


def test_capture_that_cannot_be_written_fails_the_run_with_the_output_status(
        server: SiteServer, tmp_path: Path) -> None:
    """A file size limit answers writes past it with EFBIG, as a full disk with ENOSPC."""
    import resource

    from newscrawl.run.errors import EXIT_OUTPUT

    limit = 100_000
    command = crawl_command(server.base_url + "/bnews/", Path("/dev/null"), tmp_path / "state",
                            settings={"NEWSCRAWL_STATE_ENABLED": "False",
                                      "NEWSCRAWL_WARC_DIR": str(tmp_path / "warc")})
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert done.returncode == EXIT_OUTPUT, done.stderr[-2000:]
    assert "cannot write the WARC file" in done.stderr
    [capture] = (tmp_path / "warc").glob("*.warc.gz")
    assert 0 < capture.stat().st_size <= limit
    assert whole_members_end(capture) == capture.stat().st_size, "the partial record is cut"
    assert len(read_warcs(tmp_path / "warc")) > 3
