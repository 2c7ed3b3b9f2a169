"""The export ledger and the committing feed exporters as Scrapy components.

Built by from_crawler on a crawler from get_crawler with newscrawl's StateKeeper (SQLite state
in a tmp dir); items built by hand; the one-document formats go through a real Scrapy FeedSlot
and FileFeedStorage. Rules: newscrawl/output/feeds.py and export.py, docs/cron.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedSlot, FileFeedStorage, ItemFilter
from scrapy.utils.conf import feed_complete_default_values_from_settings

from newscrawl.output.export import CommittingJsonLinesExporter
from newscrawl.output.feeds import CommittingCsvExporter, CommittingJsonExporter, ExportLedger
from newscrawl.state.base import Known
from newscrawl.state.keeper import StateKeeper, state_of
from tests.components import article, crawler_with_state

HASH = "ab" * 32
FIELDS = ["article_id", "title"]


@pytest.fixture
def crawler(tmp_path: Path) -> Iterator[Crawler]:
    made = crawler_with_state(tmp_path, NEWSCRAWL_STATE_ENABLED=True)
    yield made
    keeper = made.get_extension(StateKeeper)
    assert keeper is not None
    keeper.engine_stopped()  # closes the state, releases its lock


def feeds(*uris: str) -> dict[str, dict[str, str]]:
    return {uri: {"format": uri.rsplit(".", 1)[1]} for uri in uris}


def test_the_ledger_records_an_article_once_every_feed_wrote_it(tmp_path: Path) -> None:
    made = crawler_with_state(tmp_path, FEEDS=feeds("a.jsonl", "b.csv"))
    ledger = ExportLedger.of(made)
    assert ExportLedger.of(made) is ledger  # one per crawl, shared by its feeds
    item = article("100", content_hash=HASH)
    ledger.written(item)
    assert state_of(made).lookup("zh-Hans:100") is None  # one feed of two: not yet
    assert made.stats.get_value("newscrawl/exported") is None
    ledger.written(item)
    assert state_of(made).lookup("zh-Hans:100") == Known("exported", HASH, 1)
    assert made.stats.get_value("newscrawl/exported") == 1


def test_with_no_feed_configured_one_write_records(crawler: Crawler) -> None:
    ExportLedger.of(crawler).written(article("100", content_hash=HASH, version=3))
    assert state_of(crawler).lookup("zh-Hans:100") == Known("exported", HASH, 3)


def test_jsonl_records_each_line_with_the_file_length(crawler: Crawler, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"article_id": "1"}\n')  # a line of an earlier run: -o appends
    with path.open("ab") as file:
        exporter = CommittingJsonLinesExporter.from_crawler(crawler, file,
                                                            fields_to_export=FIELDS)
        exporter.start_exporting()
        # Journaled before the first line, at the length the file had (docs/cron.md).
        assert state_of(crawler).open_outputs() == {str(path): 20}
        exporter.export_item(article("100", title="标题", content_hash=HASH))
        line = '{"article_id": "100", "title": "标题"}\n'  # ensure_ascii off: UTF-8 text
        assert path.read_text(encoding="utf-8") == '{"article_id": "1"}\n' + line
        assert state_of(crawler).lookup("zh-Hans:100") == Known("exported", HASH, 1)
        assert state_of(crawler).open_outputs() == {str(path): 20 + len(line.encode())}
        assert crawler.stats.get_value("newscrawl/lines_written") == 1
        exporter.finish_exporting()
    assert state_of(crawler).open_outputs() == {}  # closed whole: nothing to recover


def test_csv_rows_are_recorded_and_appending_adds_no_header(crawler: Crawler,
                                                            tmp_path: Path) -> None:
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    old.write_bytes(b"article_id,title\r\n1,a\r\n")
    for path in (new, old):
        with path.open("ab") as file:
            exporter = CommittingCsvExporter.from_crawler(crawler, file, fields_to_export=FIELDS)
            exporter.start_exporting()
            exporter.export_item(article(path.stem, title="标题", content_hash=path.stem * 32))
            exporter.finish_exporting()
    assert new.read_bytes() == "article_id,title\r\nnew,标题\r\n".encode()
    assert old.read_bytes() == "article_id,title\r\n1,a\r\nold,标题\r\n".encode()
    assert state_of(crawler).lookup("zh-Hans:new") == Known("exported", "new" * 32, 1)
    assert state_of(crawler).lookup("zh-Hans:old") == Known("exported", "old" * 32, 1)


def json_slot(crawler: Crawler, path: Path) -> FeedSlot:
    """A real Scrapy FeedSlot for a JSON feed at `path`, as FeedExporter builds one."""
    uri = path.as_uri()
    options = feed_complete_default_values_from_settings(
        {"format": "json", "fields": FIELDS}, crawler.settings)
    spider = crawler._create_spider()
    return FeedSlot(FileFeedStorage(uri, feed_options=options), uri, "json", False, 1, uri,
                    ItemFilter(options), options, spider, {"json": CommittingJsonExporter},
                    crawler.settings, crawler)


def close_slot(crawler: Crawler, slot: FeedSlot) -> None:
    """What FeedExporter does at the end: finish, store, then send feed_slot_closed."""
    slot.finish_exporting()
    assert slot.file is not None
    slot.storage.store(slot.file)
    crawler.signals.send_catch_log(signals.feed_slot_closed, slot=slot)


def test_a_json_document_counts_only_once_stored(crawler: Crawler, tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    slot = json_slot(crawler, path)
    slot.start_exporting()
    assert slot.exporter is not None
    slot.exporter.export_item(article("100", title="标题", content_hash=HASH))
    slot.itemcount += 1
    # Written but not a valid document yet: a run killed now exports it again next run.
    assert state_of(crawler).lookup("zh-Hans:100") is None
    close_slot(crawler, slot)
    assert json.loads(path.read_text(encoding="utf-8")) == [
        {"article_id": "100", "title": "标题"}]
    assert state_of(crawler).lookup("zh-Hans:100") == Known("exported", HASH, 1)
    assert crawler.stats.get_value("newscrawl/exported") == 1


def test_a_json_document_a_feed_failed_to_store_stays_unexported(crawler: Crawler,
                                                                  tmp_path: Path) -> None:
    slot = json_slot(crawler, tmp_path / "out.json")
    slot.start_exporting()
    assert slot.exporter is not None
    slot.exporter.export_item(article("100", content_hash=HASH))
    slot.finish_exporting()
    # FeedExporter counts a storage failure before it sends feed_slot_closed.
    crawler.stats.inc_value("feedexport/failed_count/FileFeedStorage")
    crawler.signals.send_catch_log(signals.feed_slot_closed, slot=slot)
    assert state_of(crawler).lookup("zh-Hans:100") is None
    assert crawler.stats.get_value("newscrawl/exported") is None
