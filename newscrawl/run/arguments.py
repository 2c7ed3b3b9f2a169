"""The bannedbook spider's arguments (``-a NAME=VALUE``): one table, parsed before the crawl.

The crawl command parses them before the first request (a bad one: exit status 2, one line on
stderr naming it, the value and what is accepted); the spider parses them again with the same
function, so `scrapy crawl` and code that builds the spider agree. ``scrapy crawl -h`` and the
README's table are written from ARGUMENTS.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newscrawl.languages import LANG_ARGUMENT
from newscrawl.run.errors import BadArgument

DEFAULT_LANG = "zh-cn"


@dataclass(frozen=True)
class Argument:
    name: str
    example: str  # shown as NAME=EXAMPLE
    accepted: str  # what is accepted, for the error line
    parse: Callable[[str], Any]  # raises ValueError when the value is not accepted
    meaning: str


def _comma_list(value: str | list[str]) -> list[str]:
    parts = value if isinstance(value, list) else str(value).split(",")
    found = [part.strip() for part in parts if part.strip()]
    if not found or not all(urlsplit(part).scheme.lower() in ("http", "https")
                            for part in found):
        raise ValueError
    return found


def _lang(value: str) -> str:
    return LANG_ARGUMENT[str(value).strip().lower()]  # KeyError is a ValueError below


def _date(value: str) -> str:
    return dt.date.fromisoformat(str(value).strip()).isoformat()


def _positive(value: str | int) -> int:
    number = int(str(value).strip())
    if number < 1:
        raise ValueError
    return number


def _flag(value: str) -> bool:
    text = str(value).strip().lower()
    if text not in ("1", "true", "yes", "0", "false", "no"):
        raise ValueError
    return text in ("1", "true", "yes")


ARGUMENTS: dict[str, Argument] = {a.name: a for a in (
    Argument("start_urls", "URL[,URL…]", "http(s) URLs separated by commas", _comma_list,
             "start here instead of https://www.bannedbook.org/bnews/; the hosts of these"
             " URLs are the only hosts crawled (a mirror, a local copy)"),
    Argument("lang", "zh-tw", ", ".join(LANG_ARGUMENT) + " (the /en/ copy is not archived)",
             _lang,
             "zh-tw (or zh-hant): crawl the Traditional copy /bnews/zh-tw/ instead of the"
             " Simplified one (zh-cn, zh-hans: the default); the /en/ copy is not archived"),
    Argument("since", "YYYY-MM-DD", "a date YYYY-MM-DD", _date,
             "skip articles dated earlier without fetching them, and stop paging a listing"
             " once a page holds only older ones"),
    Argument("max_articles", "N", "a whole number ≥ 1", _positive,
             "stop after exactly N articles (the rest are fetched by the next run)"),
    Argument("refresh", "1", "1/0, true/false, yes/no", _flag,
             "fetch known articles again; export those whose text changed, version + 1"),
)}


def parse_arguments(given: dict[str, Any]) -> dict[str, Any]:
    """The parsed value of every argument given (None for those not given).

    Raises BadArgument naming the first argument that is unknown or not accepted.
    """
    parsed: dict[str, Any] = dict.fromkeys(ARGUMENTS)
    for name, value in given.items():
        argument = ARGUMENTS.get(name)
        if argument is None:
            close = difflib.get_close_matches(name, ARGUMENTS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}? " if close else ""
            raise BadArgument(f"unknown argument -a {name}={value}: {hint}known arguments:"
                              f" {', '.join(ARGUMENTS)}")
        if value is None:
            continue
        try:
            parsed[name] = argument.parse(value)
        except (ValueError, KeyError, TypeError):
            raise BadArgument(f"bad argument -a {name}={value!r}: expected"
                              f" {argument.accepted}") from None
    return parsed
