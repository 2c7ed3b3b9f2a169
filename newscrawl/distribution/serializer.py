"""Requests in the shared Redis queue as JSON: what decodes as anything else runs nothing.

scrapy-redis pickles requests by default, so anyone who can write to the Redis could run code
in every worker (a pickle's __reduce__ runs on load). Here a queue entry is the JSON of
`Request.to_dict` (Scrapy's own request <-> dict, callbacks by name), with bytes and tuples
written as tagged objects; `loads` refuses anything that is not such JSON (`Refused`), and
the scheduler (newscrawl.distribution.frontier.RoundScheduler) drops and logs it. The module
is the `serializer` scrapy-redis takes: any object with `loads` and `dumps`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

BYTES, TUPLE = "__bytes__", "__tuple__"  # tags of what JSON has no type for


class Refused(ValueError):
    """A queue entry that is not a request as this module writes it."""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {TUPLE: [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {(k.decode("latin-1") if isinstance(k, bytes) else str(k)): _encode(v)
                for k, v in value.items()}
    return value  # str, int, float, bool, None; anything else fails in json.dumps


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and BYTES in value:
            return base64.b64decode(value[BYTES], validate=True)
        if len(value) == 1 and TUPLE in value:
            return tuple(_decode(v) for v in value[TUPLE])
        return {k: _decode(v) for k, v in value.items()}
    return value


def dumps(request: dict[str, Any]) -> str:
    """A request's dict (Request.to_dict) as JSON text; TypeError for a value JSON cannot
    hold (a meta value that is no str, number, bool, None, bytes, list, tuple or dict)."""
    return json.dumps(_encode(request), ensure_ascii=False, separators=(",", ":"))


def loads(data: bytes | str) -> dict[str, Any]:
    """The request dict of a queue entry; Refused for anything else (a pickle, garbage)."""
    try:
        obj = _decode(json.loads(data))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(f"not a JSON request ({exc.__class__.__name__})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("url"), str):
        raise Refused("JSON, but not a request")
    return obj
