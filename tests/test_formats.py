"""Every output format, exactly once across runs; a JSON or XML document is never appended to."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.run.errors import EXIT_USAGE
from sitecopy.model import Site
from sitecopy.server import SiteServer
from tests.crawling import ROOT, check_record, crawl_command


def _ids(path: Path, fmt: str) -> list[str]:
    """The article ids of an output file, parsed as its format must parse."""
    if not path.exists():
        return []
    if fmt == "jsonl":
        return [check_record(json.loads(line))["article_id"]
                for line in path.read_text("utf-8").splitlines()]
    if fmt == "json":
        return [record["article_id"] for record in json.loads(path.read_text("utf-8"))]
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as file:
            return [row["article_id"] for row in csv.DictReader(file)]
    return [item.findtext("article_id") or "" for item in ET.parse(path).getroot()]


def _crawl(server: SiteServer, tmp_path: Path, output: Path | str, fmt: str,
           *args: str) -> subprocess.CompletedProcess[str]:
    command = crawl_command(server.base_url + "/bnews/", output, tmp_path / "state", *args,
                            fmt=fmt)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180,
                          check=False)


# JSON Lines and CSV append to one file (-o); a JSON array or XML document gets one per run.
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "xml"])
def test_each_format_exports_every_article_once_across_runs(
        site: Site, server: SiteServer, tmp_path: Path, fmt: str) -> None:
    appendable = fmt in ("jsonl", "csv")
    first_file = tmp_path / f"first.{fmt}"
    second_file = first_file if appendable else tmp_path / f"second.{fmt}"
    first = _crawl(server, tmp_path, first_file, fmt)
    assert first.returncode == 0, first.stderr[-2000:]
    first_ids = _ids(first_file, fmt)
    assert len(first_ids) > 30
    unchanged = _crawl(server, tmp_path, second_file, fmt)
    assert unchanged.returncode == 0, unchanged.stderr[-2000:]
    assert _ids(second_file, fmt) == (first_ids if appendable else []), "exported again"
    added = site.add_articles(2)
    server.reset()
    second = _crawl(server, tmp_path, second_file, fmt)
    assert second.returncode == 0, second.stderr[-2000:]
    ids = _ids(first_file, fmt) + (_ids(second_file, fmt) if not appendable else [])
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert set(ids) == set(first_ids) | set(added)
    if fmt == "csv":  # one header: the appending run wrote none
        assert first_file.read_text("utf-8").count("article_id") == 1
    summary = json.loads((tmp_path / "state" / "last-run.json").read_text("utf-8"))
    assert summary["new"] == 2


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_stdout_output_once_across_runs(server: SiteServer, tmp_path: Path, fmt: str) -> None:
    first = _crawl(server, tmp_path, "-", fmt, "-a", "max_articles=5")
    assert first.returncode == 0, first.stderr[-2000:]
    if fmt == "json":
        records = json.loads(first.stdout)
    else:
        records = [json.loads(line) for line in first.stdout.splitlines()]
    assert len(records) == 5
    server.reset()
    second = _crawl(server, tmp_path, "-", fmt, "-a", "max_articles=5")
    assert second.returncode == 0, second.stderr[-2000:]
    again = json.loads(second.stdout) if fmt == "json" else [
        json.loads(line) for line in second.stdout.splitlines()]
    # README: the rest are fetched by the next run: 5 others, none of the first 5.
    assert len(again) == 5, second.stdout[:500]
    assert {r["article_id"] for r in again}.isdisjoint(r["article_id"] for r in records)
    for record in records + again:
        check_record(record)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_appending_a_document_format_is_refused_before_any_request(
        server: SiteServer, tmp_path: Path, fmt: str) -> None:
    existing = tmp_path / f"out.{fmt}"
    existing.write_text("[]" if fmt == "json" else "<items></items>", encoding="utf-8")
    run = _crawl(server, tmp_path, existing, fmt, "-s", f"LOG_FILE={tmp_path / 'crawl.log'}")
    assert run.returncode == EXIT_USAGE
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert str(existing) in lines[0] and "-O" in lines[0] and "jsonl" in lines[0]
    assert list(server.hits.paths()) == []
    assert existing.read_text(encoding="utf-8") in ("[]", "<items></items>")


def test_killed_json_run_counts_nothing_and_the_next_run_exports_all(
        site: Site, server: SiteServer, tmp_path: Path) -> None:
    """A JSON array cut by kill -9 is not a document: none of its articles may count."""
    killed = tmp_path / "killed.json"
    command = crawl_command(server.base_url + "/bnews/", killed, tmp_path / "state", fmt="json",
                            settings={"CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                                      "DOWNLOAD_DELAY": "0.02"})
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline and not (
            killed.exists() and b'"article_id"' in killed.read_bytes()):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the run ended before it was killed"
    assert b'"article_id"' in killed.read_bytes(), "killed before the file held an article"
    with pytest.raises(ValueError):
        json.loads(killed.read_text("utf-8"))  # torn: no closing bracket
    rerun = _crawl(server, tmp_path, tmp_path / "rerun.json", "json")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    ids = _ids(tmp_path / "rerun.json", "json")
    expected = set(site.expected_records(server.base_url)) - set(site.republished)
    assert len(ids) == len(set(ids)) and expected <= set(ids)


def _xml_value(element: ET.Element) -> object:
    """A field of Scrapy's XML export: a list as <value> children, a dict as named children."""
    children = list(element)
    if not children:
        return element.text
    if all(child.tag == "value" for child in children):
        return [_xml_value(child) for child in children]
    return {child.tag: _xml_value(child) for child in children}


def test_nested_fields_in_every_format(site: Site, server: SiteServer, tmp_path: Path) -> None:
    """One crawl into JSON Lines, CSV, JSON and XML: each carries media (and every nested
    field) so that its own reader gets the record back; CSV cells of JSON text."""
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("jsonl", "csv", "json", "xml")}
    command = crawl_command(server.base_url + "/bnews/", outputs["jsonl"], tmp_path / "state",
                            fmt="jsonl")
    for fmt in ("csv", "json", "xml"):
        command += ["-o", f"{outputs[fmt]}:{fmt}"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180,
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    expected = site.expected_records(server.base_url)
    with_media = {i for i, record in expected.items() if record["media"]}
    assert len(with_media) >= 3, "the copy embeds media in some articles"
    nested = ("authors", "tags", "images", "media", "related")
    jsonl = {r["article_id"]: r for r in map(json.loads, outputs["jsonl"].read_text("utf-8")
                                              .splitlines())}
    documents = {r["article_id"]: r for r in json.loads(outputs["json"].read_text("utf-8"))}
    with outputs["csv"].open(newline="", encoding="utf-8") as file:
        rows = {row["article_id"]: {name: json.loads(row[name]) for name in nested}
                for row in csv.DictReader(file)}
    xml = {item.findtext("article_id"): {name: _xml_value(item.find(name))
                                         if item.find(name) is not None else None
                                         for name in nested}
           for item in ET.parse(outputs["xml"]).getroot()}
    assert set(jsonl) == set(documents) == set(rows) == set(xml) >= with_media
    for article_id in jsonl:
        want = {name: expected[article_id][name] for name in nested}
        for fmt, got in (("jsonl", jsonl), ("json", documents), ("csv", rows)):
            assert {name: got[article_id][name] for name in nested} == want, (fmt, article_id)
        # XML has no null and no empty list: a null caption is an empty element (read back as
        # None), an empty list an element without children
        for name in nested:
            values = xml[article_id][name]
            if want[name]:
                assert values == want[name], (name, article_id)
            else:
                assert values in (None, ""), (name, article_id)
