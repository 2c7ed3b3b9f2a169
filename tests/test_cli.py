"""The command line: arguments refused at once in one line, one place for state and output,
a new state announced, the help text, the demo."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.run.errors import EXIT_MEANINGS, EXIT_USAGE
from sitecopy.server import SiteServer
from tests.crawling import FAST, ROOT, crawl_command, run_crawl


@pytest.mark.parametrize(("args", "named"), [
    (["-a", "max_articles=abc"], "max_articles='abc'"),
    (["-a", "max_articles=-5"], "max_articles='-5'"),
    (["-a", "since=yesterday"], "since='yesterday'"),
    (["-a", "lang=en"], "lang='en'"),
    (["-a", "lang=fr"], "lang='fr'"),  # was a weaker copy in test_failures.py (exit != 0)
    (["-a", "max_article=5"], "did you mean max_articles?"),
    (["-s", "NEWSCRAWL_MAX_ATTEMPTS=many"], "NEWSCRAWL_MAX_ATTEMPTS='many'"),
    (["-s", "NEWSCRAWL_REDIS_URL=localhost:6379"], "NEWSCRAWL_REDIS_URL='localhost:6379'"),
    (["-s", "LOG_FILE={tmp}/no-such-dir/crawl.log"], "no-such-dir does not exist"),
])
def test_bad_argument_exits_2_with_one_line_before_any_request(
        server: SiteServer, tmp_path: Path, args: list[str], named: str) -> None:
    command = crawl_command(server.base_url + "/bnews/", tmp_path / "out.jsonl",
                            tmp_path / "state",
                            settings={"LOG_FILE": str(tmp_path / "crawl.log")})
    command += [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == EXIT_USAGE
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert named in lines[0]
    assert any(word in lines[0] for word in ("expected", "known arguments", "mkdir"))
    assert list(server.hits.paths()) == []
    assert not (tmp_path / "state").exists()


def test_unknown_setting_is_warned_with_closest_name_and_new_state_announced(
        server: SiteServer, tmp_path: Path) -> None:
    log = {"LOG_FILE": str(tmp_path / "crawl.log")}
    first = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", "max_articles=3",
                      settings={**log, "NEWSCRAWL_STAT_DIR": "x"})
    assert first.returncode == 0, first.stderr[-2000:]
    lines = first.stderr.strip().splitlines()
    assert len(lines) == 2, first.stderr
    assert "unknown setting NEWSCRAWL_STAT_DIR (did you mean NEWSCRAWL_STATE_DIR?)" in lines[0]
    state = str((tmp_path / "state").resolve())
    assert "new state at " + state in lines[1]
    assert first.summary["state_created"] is True and first.summary["state_dir"] == state
    second = run_crawl(server.base_url + "/bnews/", tmp_path, "-a", "max_articles=3",
                       settings=log)
    assert second.returncode == 0 and second.stderr == ""
    assert second.summary["state_created"] is False


def test_run_from_a_subdirectory_uses_the_project_root(
        server: SiteServer, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = newscrawl.settings\n")
    command = [sys.executable, "-m", "scrapy", "crawl", "bannedbook",
               "-a", f"start_urls={server.base_url}/bnews/", "-a", "max_articles=3"]
    for name, value in FAST.items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(command, cwd=project / "sub", capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    state = project.resolve() / ".scrapy" / "newscrawl"
    outputs = list((project / "output" / "bannedbook").glob("*.jsonl"))
    assert (state / "state.sqlite3").exists() and len(outputs) == 1
    assert list((project / "sub").iterdir()) == []
    places = next(line for line in done.stderr.splitlines() if "newscrawl: state " in line)
    assert str(state) in places and str(project.resolve() / "output" / "bannedbook") in places
    summary = json.loads((state / "last-run.json").read_text(encoding="utf-8"))
    assert summary["state_dir"] == str(state)
    assert summary["outputs"] == [str(outputs[0].resolve())]
    assert summary["feeds"] == [str(project.resolve() / "output/bannedbook/%(time)s.jsonl")]


def test_failure_line_and_summary_count_failed_requests_alike(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = run_crawl(f"http://127.0.0.1:{port}/bnews/", tmp_path,
                    settings={"LOG_FILE": str(tmp_path / "crawl.log"), "RETRY_TIMES": "0"})
    assert run.returncode == 1
    failed = run.summary["failed_requests"]
    # docs/failures.md: unreachable, the front page is the one failed request (robots.txt,
    # sitemap and feed probes that fail are not counted).
    assert failed == 1, run.summary
    assert f"failed_requests={failed}" in run.stderr.strip().splitlines()[-1]


def test_help_lists_arguments_settings_and_exit_statuses() -> None:
    from newscrawl.run.arguments import ARGUMENTS
    from newscrawl.run.config import SETTINGS

    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "bannedbook", "-h"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    for name in [*ARGUMENTS, *SETTINGS]:
        assert f"  {name}=" in done.stdout, name
    for code, meaning in EXIT_MEANINGS.items():
        assert f"{code:>2}  {meaning}" in done.stdout


def test_demo_says_its_faults_continues_and_prints_the_readme_numbers(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "sitecopy", "demo", "--articles", "200", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=180,
                           check=False, env=env) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[1].stderr[-2000:]
    assert "faults on purpose" in runs[0].stdout and "- cloudflare" in runs[0].stdout
    assert "JSONL written to" in runs[0].stdout
    assert "nothing new to write" in runs[1].stdout
    # The copy's captures stay with its state, never among the live archive's.
    assert list((tmp_path / "output" / "demo").rglob("warc/*.warc.gz"))
    assert "Traceback" not in runs[1].stderr and "Connection refused" not in runs[1].stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"summary: (new=.*?requests=\d+)", runs[0].stdout)
    second = re.search(r"summary: new=0, .*?requests=(\d+)", runs[1].stdout)
    assert first and second, runs[1].stdout
    assert f"summary: {first[1]}," in readme
    assert f"costs {second[1]} requests" in readme
