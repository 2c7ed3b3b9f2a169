"""What a command checks before its first request, and the help text listing it all.

Reusable by every command of the project that crawls or writes articles: ``check_run``
raises BadArgument (exit status 2) for a bad spider argument, setting, output or LOG_FILE,
and returns warnings (unknown NEWSCRAWL_* names) for the command to announce.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from newscrawl.output.feeds import check_feeds
from newscrawl.run.arguments import ARGUMENTS
from newscrawl.run.config import SETTINGS, check_settings
from newscrawl.run.errors import EXIT_MEANINGS, BadArgument


def check_log_file(settings: BaseSettings) -> None:
    """A LOG_FILE whose directory is missing or read-only: refused, not a traceback."""
    log_file = settings.get("LOG_FILE")
    if not log_file:
        return
    directory = Path(log_file).expanduser().resolve().parent
    if not directory.is_dir():
        raise BadArgument(f"bad setting LOG_FILE={log_file!r}: directory {directory} does not"
                          f" exist (create it once: mkdir -p {directory})")
    if not os.access(directory, os.W_OK):
        raise BadArgument(f"bad setting LOG_FILE={log_file!r}: directory {directory} is not"
                          " writable")


def check_run(settings: BaseSettings, spider: str | None, spargs: dict[str, Any]) -> list[str]:
    """Check everything a run was given; return warnings. Raises BadArgument on the first
    spider argument, setting, output (-o of a JSON/XML document onto a non-empty file) or
    LOG_FILE that cannot be honoured."""
    check_log_file(settings)
    warnings = check_settings(settings)
    if spider is not None:
        try:
            spidercls = get_spider_loader(settings).load(spider)
        except KeyError:
            spidercls = None  # Scrapy's own error follows
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            check(spargs)
    check_feeds(settings.getdict("FEEDS"))
    return warnings


def help_text(width: int = 100) -> str:
    """The arguments, settings and exit statuses, for `scrapy crawl -h`."""

    def rows(pairs: list[tuple[str, str]]) -> list[str]:
        lines = []
        for name, text in pairs:
            lines.append(f"  {name}")
            lines += textwrap.wrap(text, width, initial_indent=" " * 6,
                                   subsequent_indent=" " * 6)
        return lines

    lines = ["Spider arguments of bannedbook (-a NAME=VALUE):"]
    lines += rows([(f"{a.name}={a.example}", a.meaning) for a in ARGUMENTS.values()])
    lines += ["", "Settings (-s NAME=VALUE; all in docs/settings.md):"]
    lines += rows([(f"{s.name}={'' if s.default is None else s.default}",
                    f"{s.meaning} [{s.accepts.text}]") for s in SETTINGS.values()])
    lines += ["", "Exit statuses:"]
    lines += [f"  {code:>2}  {meaning}" for code, meaning in EXIT_MEANINGS.items()]
    lines += ["", *textwrap.wrap(
        "Output: -o FILE appends, -O FILE replaces; by default one new JSON Lines file per run"
        " under output/ in the project root. Every article is written once, in every format"
        " (docs/cron.md).", width)]
    return "\n".join(lines) + "\n"
