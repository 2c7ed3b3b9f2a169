"""The recovery of a killed run's outputs, as the project's extensions run it (no crawl).

The extensions are built as Scrapy builds them at a run's start (get_crawler builds those of the
project's EXTENSIONS): the state keeper opens and locks the state, and the recovery extension,
hearing state_opened, reconciles the files a killed run left, under that lock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawl import settings as project
from newscrawl.run.errors import AlreadyRunning, OutputError
from newscrawl.spiders.bannedbook import BannedbookSpider
from newscrawl.state.base import Known
from newscrawl.state.keeper import RunLock, StateKeeper
from newscrawl.state.sqlite import SqliteState

TEXT = "b" * 64
LINE = (b'{"article_id": "1862899", "language": "zh-Hans", "content_hash": "'
        + TEXT.encode() + b'", "version": 1}\n')


def _killed_run(state_dir: Path, output: Path, tail: bytes) -> None:
    """A run that journaled `output` at offset 0, wrote `tail` and was killed (no record)."""
    state_dir.mkdir()
    state = SqliteState(state_dir / "state.sqlite3")
    state.open_output(str(output), 0)
    state.close()
    if tail:
        output.write_bytes(tail)


def _start(state_dir: Path) -> StateKeeper:
    crawler = get_crawler(BannedbookSpider, {"EXTENSIONS": project.EXTENSIONS,
                                             "NEWSCRAWL_STATE_ENABLED": True,
                                             "NEWSCRAWL_STATE_DIR": str(state_dir)})
    keeper = crawler.get_extension(StateKeeper)
    assert keeper is not None
    return keeper


def test_a_killed_runs_lines_are_recorded_before_the_run_starts_under_the_lock(
        tmp_path: Path) -> None:
    state_dir, output = tmp_path / "state", tmp_path / "out.jsonl"
    _killed_run(state_dir, output, LINE + b'{"article_id": "18629')
    keeper = _start(state_dir)
    try:
        assert keeper.state.lookup("zh-Hans:1862899") == Known("exported", TEXT, 1)
        assert output.read_bytes() == LINE, "the torn line is cut, the whole one kept"
        assert keeper.state.open_outputs() == {}
        with pytest.raises(AlreadyRunning):  # recovered while the keeper holds the lock
            RunLock(state_dir / "run.lock").acquire()
    finally:
        keeper.engine_stopped()


def test_a_file_that_cannot_be_repaired_fails_the_start_and_frees_the_lock(
        tmp_path: Path) -> None:
    state_dir, capture = tmp_path / "state", tmp_path / "capture.warc.gz"
    _killed_run(state_dir, capture, b"")
    capture.mkdir()  # where the WARC file was: cannot be opened to cut its tail
    with pytest.raises(OutputError, match="cannot repair the WARC file"):
        _start(state_dir)
    lock = RunLock(state_dir / "run.lock")
    lock.acquire()  # the failed start let go of the state
    lock.release()
