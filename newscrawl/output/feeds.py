"""Where a run writes and when an article counts as exported, for every feed format.

Shared by every command that writes articles (`scrapy crawl`, later `scrapy reparse`):

- ``default_feed``: the output when neither -o nor -O is given, under the project root;
- ``check_feeds``: refuses, before the first request, to append a JSON array or XML document
  to a non-empty file (the result would not parse);
- ``ExportLedger``: an article is recorded exported once every configured feed has written
  it. JSON Lines and CSV feeds write it when its line is flushed; a JSON array, an XML
  document, pickle or marshal only when the whole file is closed and stored (before that the
  file is not a valid document, so a killed run's articles are exported again next run).
"""

from __future__ import annotations

import json
import logging
import weakref
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exporters import (
    CsvItemExporter,
    JsonItemExporter,
    MarshalItemExporter,
    PickleItemExporter,
    XmlItemExporter,
)

from newscrawl.run.errors import BadArgument, OutputError, RunError
from newscrawl.run.places import local_path
from newscrawl.run.runtime import fail_run
from newscrawl.state.base import article_key
from newscrawl.state.keeper import state_of

logger = logging.getLogger(__name__)

EXPORTED_STAT = "newscrawl/exported"  # articles written by every feed and recorded
# Formats whose file is one document: appending a second run's makes it unreadable.
NOT_APPENDABLE = frozenset({"json", "xml"})


def check_feeds(feeds: dict[str, dict[str, Any]]) -> None:
    """Refuse -o (append) of a one-document format onto a non-empty file; raises BadArgument."""
    for uri, options in feeds.items():
        path = local_path(str(uri))
        format_ = options.get("format")
        if (format_ in NOT_APPENDABLE and not options.get("overwrite") and path is not None
                and "%(" not in str(uri) and path.is_file() and path.stat().st_size > 0):
            raise BadArgument(
                f"output -o {uri}: a {format_.upper()} file holds one document and {path} is"
                f" not empty; appending would make it unreadable. Use -O {uri} to replace it,"
                " a new file name, or JSON Lines (-o FILE.jsonl), which can be appended to")


# One ledger per crawl, shared by its feeds' exporters.
_LEDGERS: weakref.WeakKeyDictionary[Crawler, ExportLedger] = weakref.WeakKeyDictionary()


class ExportLedger:
    """Counts, per article, the feeds that wrote it; records it exported once all have."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.feeds = max(1, len(crawler.settings.getdict("FEEDS")))
        self._written: dict[str, int] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> ExportLedger:
        if crawler not in _LEDGERS:
            _LEDGERS[crawler] = cls(crawler)
        return _LEDGERS[crawler]

    def written(self, item: Any, output: str | None = None, offset: int = 0) -> None:
        """One feed wrote ``item`` (to ``output`` up to ``offset``, for JSON Lines recovery).

        Raises RunError (StateError, FrontierError) when the state cannot record it.
        """
        article = ItemAdapter(item)
        key = article_key(article["language"], article["article_id"])
        count = self._written.pop(key, 0) + 1
        if count < self.feeds:
            self._written[key] = count
            return
        state_of(self.crawler).record_export(key, article["content_hash"], article["version"],
                                             output, offset)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(EXPORTED_STAT)


def _failed_feeds(crawler: Crawler) -> int:
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    return sum(v for k, v in stats.items() if k.startswith("feedexport/failed_count/"))


class _RecordsWhenStored:
    """Mixin for one-document formats: articles count once the file is stored whole."""

    def __init__(self, file: IO[bytes], *, crawler: Crawler, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)  # type: ignore[call-arg]
        self._file = file  # the XML exporter keeps no reference of its own
        self._crawler = crawler
        self._items: list[Any] = []
        self._failed_before = 0
        crawler.signals.connect(self._slot_closed, signal=signals.feed_slot_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: IO[bytes], **kwargs: Any) -> Any:
        return cls(file, crawler=crawler, **kwargs)

    def export_item(self, item: Any) -> None:
        super().export_item(item)  # type: ignore[misc]
        self._items.append(item)

    def finish_exporting(self) -> None:
        super().finish_exporting()  # type: ignore[misc]
        self._file.flush()
        self._failed_before = _failed_feeds(self._crawler)

    def _slot_closed(self, slot: Any) -> None:
        if getattr(slot, "exporter", None) is not self:
            return
        self._crawler.signals.disconnect(self._slot_closed, signal=signals.feed_slot_closed)
        if _failed_feeds(self._crawler) > self._failed_before:
            # Some feed could not be stored (maybe this one): not exported, fetched again.
            logger.error("%s: its %d article(s) stay unexported", slot.uri, len(self._items))
            return
        ledger = ExportLedger.of(self._crawler)
        try:
            for item in self._items:
                ledger.written(item)
        except RunError as exc:
            fail_run(self._crawler, exc)


class CommittingJsonExporter(_RecordsWhenStored, JsonItemExporter):
    """A JSON array; its articles count as exported once the closed file is stored."""


class CommittingXmlExporter(_RecordsWhenStored, XmlItemExporter):
    """An XML document; its articles count as exported once the closed file is stored.

    A null (source, a caption) is an empty element, not Scrapy's text "None": the record
    never holds an empty string there, so an empty element reads back as null (docs/record.md).
    """

    def _export_xml_field(self, name: str, serialized_value: Any, depth: int) -> None:
        super()._export_xml_field(name, "" if serialized_value is None else serialized_value,
                                  depth)


class CommittingPickleExporter(_RecordsWhenStored, PickleItemExporter):
    """Pickles; counted when the file is stored."""


class CommittingMarshalExporter(_RecordsWhenStored, MarshalItemExporter):
    """Marshal records; counted when the file is stored."""


class CommittingCsvExporter(CsvItemExporter):
    """CSV rows, each recorded once flushed; no second header when -o appends to a file.

    A nested field (a list: tags, authors, images, media, related) is one cell of JSON text
    (UTF-8, not escaped), which any JSON reader takes back (docs/record.md); Scrapy's default
    would write a Python repr or join strings with commas that names may hold themselves.
    """

    def __init__(self, file: IO[bytes], *, crawler: Crawler, **kwargs: Any) -> None:
        try:
            appending = file.tell() > 0
        except (OSError, ValueError, AttributeError):
            appending = False
        if appending:
            kwargs["include_headers_line"] = False
        super().__init__(file, **kwargs)
        self._crawler = crawler
        self._failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: IO[bytes], **kwargs: Any
                     ) -> CommittingCsvExporter:
        return cls(file, crawler=crawler, **kwargs)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, list | tuple | dict):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)

    def export_item(self, item: Any) -> None:
        if self._failed:
            return
        try:
            super().export_item(item)
            self.stream.flush()  # the text wrapper flushes the file under it
        except OSError as exc:
            self._failed = True
            fail_run(self._crawler, OutputError(
                f"cannot write the CSV output: {exc}; articles not written stay unexported"
                " for the next run"))
            return
        try:
            ExportLedger.of(self._crawler).written(item)
        except RunError as exc:
            self._failed = True
            fail_run(self._crawler, exc)

