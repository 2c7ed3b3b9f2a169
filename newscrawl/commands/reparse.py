"""`scrapy reparse PATH...`: today's parser over captured article pages, no network.

PATH is a ``.warc.gz`` file or a directory of them. The latest capture of every article goes
through the crawl's own parser, pipelines, state and outputs (see newscrawl/capture/replay.py):
an article never exported is exported, one whose text changed since its last export is
exported as its next version, an unchanged one writes nothing. ``-o``/``-O``, the default
output and the exit statuses are the crawl's.
"""

from __future__ import annotations

import argparse

from scrapy.exceptions import UsageError

from newscrawl.capture.members import WARC_SUFFIX
from newscrawl.capture.replay import ReparseSpider, warc_files
from newscrawl.commands.crawl import Command as CrawlCommand


class Command(CrawlCommand):
    def syntax(self) -> str:
        return "[options] PATH [PATH ...]"

    def short_desc(self) -> str:
        return "Re-extract captured articles (WARC files) without fetching anything"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("name at least one .warc.gz file or directory of them")
        try:
            files = warc_files(args)
        except FileNotFoundError as exc:
            raise UsageError(str(exc)) from exc
        if not files:
            raise UsageError(f"no {WARC_SUFFIX} file in {' '.join(args)}")
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(ReparseSpider)
        paths = [str(file) for file in files]
        self.exitcode = self.run_crawler(crawler, {**opts.spargs, "warc_paths": paths})
