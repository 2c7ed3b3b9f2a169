"""docs/cron.md's output promises with no test before issue 21: several feeds at once, -O,
kill -9 in every format, a document feed that cannot be stored (exit 4)."""

from __future__ import annotations

import csv
import io
import json
import marshal
import pickle
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from newscrawl.run.errors import EXIT_OUTPUT
from sitecopy.model import Site
from sitecopy.server import SiteServer
from tests.crawling import (
    ROOT,
    assert_every_article_once,
    check_record,
    crawl_command,
    read_jsonl,
)


def _stream(path: Path, load: Callable[[BinaryIO], dict]) -> list[dict]:
    """Every object of a pickle or marshal feed (one dump per item), to the end of the file."""
    data = path.read_bytes()
    file = io.BytesIO(data)
    records = []
    while file.tell() < len(data):
        records.append(load(file))
    return records


def _records(path: Path, fmt: str) -> list[dict]:
    """The records of an output file, parsed whole as its format must parse (a torn one raises)."""
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "json":
        return [check_record(r) for r in json.loads(path.read_text("utf-8"))]
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        assert all(None not in row and None not in row.values() for row in rows), "torn row"
        return rows
    if fmt == "xml":
        return [{"article_id": item.findtext("article_id")} for item in ET.parse(path).getroot()]
    return [check_record(r) for r in _stream(path, pickle.load if fmt == "pickle" else
                                                 marshal.load)]


def _ids(path: Path, fmt: str) -> list[str]:
    return [r["article_id"] for r in _records(path, fmt)]


def _run(server: SiteServer, tmp: Path, *args: str, output: str = "-:jsonl"
         ) -> subprocess.CompletedProcess[str]:
    command = crawl_command(server.base_url + "/bnews/", output.rsplit(":", 1)[0], tmp / "state",
                            *args, fmt=output.rsplit(":", 1)[1])
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180,
                          check=False)


def test_several_feeds_at_once_each_hold_every_article_once(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.csv"
    done = _run(server, tmp_path, "-o", f"{b}:csv", output=f"{a}:jsonl")
    assert done.returncode == 0, done.stderr[-2000:]
    assert_every_article_once(_ids(a, "jsonl"), site, server.base_url)
    assert_every_article_once(_ids(b, "csv"), site, server.base_url)


def test_capital_o_replaces_the_file_with_the_new_articles_only(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first = _run(server, tmp_path, output=f"{out}:jsonl")
    assert first.returncode == 0, first.stderr[-2000:]
    assert_every_article_once(_ids(out, "jsonl"), site, server.base_url)
    command = crawl_command(server.base_url + "/bnews/", out, tmp_path / "state")
    replace = [arg if arg != "-o" else "-O" for arg in command]
    nothing = subprocess.run(replace, cwd=ROOT, capture_output=True, text=True, timeout=180,
                             check=False)
    assert nothing.returncode == 0, nothing.stderr[-2000:]
    assert_every_article_once(_ids(out, "jsonl"), site, server.base_url)  # the file stays
    added = site.add_articles(2)
    server.reset()
    again = subprocess.run(replace, cwd=ROOT, capture_output=True, text=True, timeout=180,
                           check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert sorted(_ids(out, "jsonl")) == sorted(added)


# What in the file shows an article was written: its id field, as each format writes it.
WRITTEN = {"xml": b"<article_id>", "csv": b"\n", "pickle": b"article_id",
           "marshal": b"article_id"}


@pytest.mark.parametrize("fmt", ["xml", "pickle", "marshal", "csv"])
def test_killed_run_then_rerun_every_article_once(
        site: Site, server: SiteServer, tmp_path: Path, fmt: str) -> None:
    """docs/cron.md: a killed XML, pickle or marshal feed counts none of its articles (the next
    run, into a new file, exports them all); CSV rows are whole and appended to, at least once
    across a kill."""
    killed = tmp_path / f"killed.{fmt}"
    command = crawl_command(server.base_url + "/bnews/", killed, tmp_path / "state", fmt=fmt,
                            settings={"CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                                      "DOWNLOAD_DELAY": "0.02"})
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    needed = 2 if fmt == "csv" else 1  # the CSV header's line break, then a row's
    while process.poll() is None and time.monotonic() < deadline and not (
            killed.exists() and killed.read_bytes().count(WRITTEN[fmt]) >= needed):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the run ended before it was killed"
    assert killed.read_bytes().count(WRITTEN[fmt]) >= needed, "killed before any article"
    rerun_file = killed if fmt == "csv" else tmp_path / f"rerun.{fmt}"
    rerun = _run(server, tmp_path, output=f"{rerun_file}:{fmt}")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    if fmt == "csv":
        assert_every_article_once(_ids(killed, fmt), site, server.base_url, at_most=2)
        assert killed.read_text("utf-8").count("article_id") == 1, "a second header"
    else:
        assert_every_article_once(_ids(rerun_file, fmt), site, server.base_url)


@pytest.mark.parametrize("fmt", ["json", "xml", "pickle", "marshal"])
def test_a_document_feed_that_cannot_be_stored_exits_4_and_counts_nothing(
        site: Site, server: SiteServer, tmp_path: Path, fmt: str) -> None:
    # /dev/full answers every write with ENOSPC, as a full disk does.
    done = _run(server, tmp_path, output=f"/dev/full:{fmt}")
    assert done.returncode == EXIT_OUTPUT, done.stderr[-2000:]
    server.reset()
    rerun = _run(server, tmp_path, output=f"{tmp_path / 'rerun.jsonl'}:jsonl")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert_every_article_once(_ids(tmp_path / "rerun.jsonl", "jsonl"), site, server.base_url)

