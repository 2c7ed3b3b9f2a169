"""One place for a run: state and default output resolve against the project root.

The project root is the directory of the project's scrapy.cfg, found upwards from the current
directory as Scrapy finds the project (the current directory when there is none), so a run
started from a subdirectory continues the same archive. Paths given with -o are the user's own
and stay relative to the current directory, as in any command.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.utils.conf import closest_scrapy_cfg


def project_root() -> Path:
    """Where state and default output live: the directory of the project's scrapy.cfg.

    Found upwards from the current directory, as Scrapy finds the project; the current
    directory when there is none. Running from a subdirectory continues the same archive.
    """
    cfg = closest_scrapy_cfg()
    return Path(cfg).resolve().parent if cfg else Path.cwd().resolve()


def in_project(path: str | os.PathLike[str]) -> Path:
    """An absolute path: ``path`` as given if absolute, else under the project root."""
    given = Path(path).expanduser()
    return given if given.is_absolute() else project_root() / given


def local_path(uri: str) -> Path | None:
    """The absolute local path a feed URI writes to; None for stdout and remote storage."""
    if uri in ("-", "stdout:") or ("://" in uri and not uri.startswith("file://")):
        return None
    return Path(uri.removeprefix("file://")).expanduser().resolve()


def default_feed_uri(settings: BaseSettings) -> str | None:
    """NEWSCRAWL_DEFAULT_FEED made absolute against the project root (None when unset).

    Read as set, without the registry's fallback: settings.py always sets it, and settings
    without it (Scrapy's get_crawler, a bench's None) mean no default output file.
    """
    default = settings.get("NEWSCRAWL_DEFAULT_FEED")
    if not default:
        return None
    return default if "://" in default else str(in_project(default))


def default_feed(settings: BaseSettings) -> None:
    """Add the default JSON Lines output when neither -o nor -O gave one (spider priority)."""
    uri = default_feed_uri(settings)
    if uri and not settings.getdict("FEEDS"):
        settings.set("FEEDS", {uri: {"format": "jsonlines"}}, priority="spider")


def describe_outputs(settings: BaseSettings, spider: str) -> list[str]:
    """The run's outputs as absolute paths, %(name)s filled in (stdout, remote URIs as given)."""
    uris = [str(uri).replace("%(name)s", spider) for uri in settings.getdict("FEEDS")]
    return [str(local_path(uri) or uri) for uri in uris]


STAMP = "%Y-%m-%dT%H-%M-%SZ"  # a run's files: its JSONL, its WARC, `run` in last-run.json


def run_stamp(moment: dt.datetime | None = None) -> str:
    """The one timestamp of a run's files (UTC, safe in file names): 2026-12-05T10-35-03Z."""
    moment = moment or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime(STAMP)


def started(crawler: Any) -> dt.datetime:
    """When the run started: Scrapy's `start_time` stat once set, else now."""
    stats = getattr(crawler, "stats", None)
    value = stats.get_value("start_time") if stats is not None else None
    return value if isinstance(value, dt.datetime) else dt.datetime.now(dt.timezone.utc)


def feed_uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """FEED_URI_PARAMS: %(time)s in an output's name is the run's stamp (run_stamp), the
    WARC's, not Scrapy's own ("2026-12-05T10-35-03+00-00")."""
    return {**params, "time": run_stamp(started(getattr(spider, "crawler", None)))}
