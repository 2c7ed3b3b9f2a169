"""State shared by workers on several machines, in one Redis.

Imported only when NEWSCRAWL_REDIS_URL is set. Every call goes through the worker's
`RedisLink` (newscrawl.state.redis_link: key names, worker id, Redis going away).
`RedisState` keeps what SqliteState keeps, laid out for memory:

    <ns>:a:<language>:<id // 100>   hash  id % 100 -> status, version, attempts, content hash
    <ns>:c:<hash[:3]>               hash  content hash bits 16-80 -> key of the article owning it
    <ns>:pending                    hash  article key -> URL, while the article is pending
    <ns>:walked                     set   listings once paged to their end
    <ns>:outputs:<hostname>         hash  output path -> "<bytes recorded> <worker id>"
    <ns>:alive:<worker id>          string with a TTL, refreshed by the worker's heartbeat
    <ns>:layout                     string "1": the layout version of these keys
    <ns>:site                       string the site the state belongs to (claim_site)
    (and the keys of newscrawl.state.redis_discovery, redis_capture and redis_watch)

Many articles to one small hash let Redis keep it as a listpack (no per-entry pointers):
measured, ~75 bytes an article where one big hash of keys and hex hashes takes ~300.
"""

from __future__ import annotations

import contextlib
import zlib
from typing import Any

from scrapy.crawler import Crawler

from newscrawl.run.errors import FrontierError
from newscrawl.state.base import Known
from newscrawl.state.redis_capture import RedisCaptureQuality
from newscrawl.state.redis_discovery import RedisDiscovery
from newscrawl.state.redis_link import RedisLink
from newscrawl.state.redis_watch import RedisWatch

BUCKET = 100  # ids per article hash: < 128, Redis' default hash-max-listpack-entries

# Atomic: the article row and its pending URL appear together or not at all, so a worker
# killed between the two cannot leave an article pending with no URL to resume it by.
_RECORD_PENDING = """
if redis.call('HSETNX', KEYS[1], ARGV[1], 'p') == 1 then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
end"""
# Atomic: of two workers claiming one text at once, exactly one owns it (HSETNX).
_CLAIM = """
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HGET', KEYS[1], ARGV[1])"""
# As SqliteState: counts attempts of pending or failed articles, never demotes another status.
_RECORD_FAILURE = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v or v == 'p' then
  redis.call('HSET', KEYS[1], ARGV[1], 'f1')
elseif string.sub(v, 1, 1) == 'f' then
  redis.call('HSET', KEYS[1], ARGV[1], 'f' .. (tonumber(string.sub(v, 2)) + 1))
else
  return 0
end
redis.call('HDEL', KEYS[2], ARGV[2])
return 1"""


def _encode_hash(content_hash: str) -> bytes:
    try:
        raw = bytes.fromhex(content_hash)
    except ValueError:
        raw = b""
    return b"h" + raw if len(raw) == 32 else b"t" + content_hash.encode()  # sha256: 32 bytes


def _decode_hash(value: bytes) -> str:
    return value[1:].hex() if value[:1] == b"h" else value[1:].decode()


def _decode(value: bytes | None) -> Known | None:
    if value is None:
        return None
    status, rest = value[:1], value[1:]
    if status == b"p":
        return Known("pending")
    if status == b"f":
        return Known("failed", attempts=int(rest))
    version, _, encoded = rest.partition(b"|")
    if status == b"e":
        return Known("exported", _decode_hash(encoded), int(version))
    return Known("copy", _decode_hash(encoded))


class RedisState(RedisDiscovery, RedisCaptureQuality, RedisWatch):
    def __init__(self, link: RedisLink) -> None:
        self.link = link
        self._init_discovery()
        self._init_capture_quality()
        self._init_watch()
        client = link.client
        self._record_pending = client.register_script(_RECORD_PENDING)
        self._claim = client.register_script(_CLAIM)
        self._record_failure = client.register_script(_RECORD_FAILURE)
        self._pending = link.key("pending")
        self._walked = link.key("walked")
        self._outputs = link.key("outputs", link.host)  # paths are per machine

    @classmethod
    def from_crawler(cls, crawler: Crawler, url: str) -> RedisState:
        return cls(RedisLink.connect(crawler, url))

    def _article(self, key: str) -> tuple[str, str]:
        """The hash holding an article, and its field there."""
        language, _, article_id = key.rpartition(":")
        if article_id.isdigit():
            number = int(article_id)
            return self.link.key("a", language, str(number // BUCKET)), str(number % BUCKET)
        return self.link.key("a", language, f"s{zlib.crc32(article_id.encode()) % 4096}"), \
            article_id

    def _content(self, encoded: bytes) -> tuple[str, bytes]:
        """The hash naming a text's owner (4096 of them), and the text's field there.

        A SHA-256 is named by its first 12 bits (the hash) and next 64 (the field): two
        texts that share 76 bits are not expected among billions, and 8 bytes, not 32, a
        text save a third of the memory.
        """
        bucket = self.link.key("c", encoded[1:3].hex()[:3])
        return bucket, (encoded[3:11] if encoded[:1] == b"h" else encoded)

    def claim_site(self, site: str) -> str:
        key, client = self.link.key("site"), self.link.client

        def claim() -> bytes:
            client.set(key, site, nx=True)  # the first run's, for good
            return client.get(key)

        return self.link.run(claim).decode()

    def move_site(self, site: str) -> None:
        self.link.run(lambda: self.link.client.set(self.link.key("site"), site))

    def lookup(self, key: str) -> Known | None:
        bucket, field = self._article(key)
        return _decode(self.link.run(lambda: self.link.client.hget(bucket, field)))

    def record_pending(self, key: str, url: str) -> None:
        bucket, field = self._article(key)
        self.link.run(lambda: self._record_pending(
            keys=[bucket, self._pending], args=[field, key, url]))

    def pending(self, cursor: str, limit: int) -> tuple[list[str], str]:
        # HSCAN, not HVALS: a big pending set must not block the server for other workers. Its
        # cursor 0 begins and ends a pass; COUNT is a hint, so a page may be a little longer
        # (and a hash small enough for one listpack, 512 entries by default, comes whole).
        after, page = self.link.run(lambda: self.link.client.hscan(
            self._pending, cursor=int(cursor or 0), count=limit))
        return [url.decode() for url in page.values()], str(after) if after else ""

    def claim(self, key: str, content_hash: str) -> str:
        bucket, text = self._content(_encode_hash(content_hash))
        owner: bytes = self.link.run(lambda: self._claim(keys=[bucket], args=[text, key]))
        return owner.decode()

    def record_export(self, key: str, content_hash: str, version: int,
                      output: str | None, offset: int) -> None:
        bucket, field = self._article(key)
        encoded = _encode_hash(content_hash)
        owners, text = self._content(encoded)

        def write() -> None:
            # MULTI/EXEC: the article and the output's recorded length move together.
            pipe = self.link.client.pipeline(transaction=True)
            pipe.hset(bucket, field, b"e%d|" % version + encoded)
            pipe.hdel(self._pending, key)
            pipe.hsetnx(owners, text, key)
            if output is not None:
                pipe.hset(self._outputs, output, f"{offset} {self.link.worker}")
            pipe.execute()

        self.link.run(write)

    def record_copy(self, key: str, content_hash: str) -> None:
        bucket, field = self._article(key)

        def write() -> None:
            pipe = self.link.client.pipeline(transaction=True)
            pipe.hset(bucket, field, b"c|" + _encode_hash(content_hash))
            pipe.hdel(self._pending, key)
            pipe.execute()

        self.link.run(write)

    def record_failure(self, key: str) -> None:
        bucket, field = self._article(key)
        self.link.run(lambda: self._record_failure(
            keys=[bucket, self._pending], args=[field, key]))

    def archive_walked(self, archive: str) -> bool:
        return bool(self.link.run(lambda: self.link.client.sismember(self._walked, archive)))

    def mark_archive_walked(self, archive: str) -> None:
        self.link.run(lambda: self.link.client.sadd(self._walked, archive))

    def open_output(self, output: str, offset: int) -> None:
        self.link.run(lambda: self.link.client.hset(
            self._outputs, output, f"{offset} {self.link.worker}"))

    def open_outputs(self) -> dict[str, int]:
        """Unclosed outputs of this machine whose writer is dead: never a live worker's file."""
        client = self.link.client
        entries: dict[Any, Any] = self.link.run(lambda: client.hgetall(self._outputs))
        found: dict[str, int] = {}
        for path, value in entries.items():
            offset, _, writer = value.decode().partition(" ")
            if writer and writer != self.link.worker and self.link.run(
                    lambda w=writer: client.exists(self.link.key("alive", w))):
                continue
            found[path.decode()] = int(offset)
        return found

    def close_output(self, output: str) -> None:
        # With Redis gone the entry stays: the next run on this machine checks the file.
        with contextlib.suppress(FrontierError):
            self.link.run(lambda: self.link.client.hdel(self._outputs, output))

    def close(self) -> None:
        self.link.close()
