"""Gzip members of a ``.warc.gz``: each record is one member, so a file is whole up to a member.

Uses only zlib (stdlib): finding where the last whole member ends needs no WARC parsing, and
it also finds a member cut in the middle of its deflate stream, which a reader may take for a
short record.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"  # how every capture file's name ends (newscrawl.capture.warc)
GZIP_WBITS = zlib.MAX_WBITS | 16  # a gzip header and trailer around the deflate stream
_CHUNK = 1 << 20


def gzip_member(data: bytes, level: int) -> bytes:
    """``data`` as one complete gzip member compressed at ``level`` (0-9)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, GZIP_WBITS)
    return compressor.compress(data) + compressor.flush()


def whole_members_end(path: Path, start: int = 0) -> int:
    """Byte offset where the last complete gzip member at or after ``start`` ends.

    ``start`` itself when no whole member follows it. Bytes after the returned offset are a
    member a killed writer (or a full disk) left unfinished, or garbage.
    """
    end = position = start
    decompressor = zlib.decompressobj(GZIP_WBITS)
    with path.open("rb") as file:
        file.seek(start)
        while chunk := file.read(_CHUNK):
            data = chunk
            while data:
                try:
                    # The output is not needed, only where each member ends; cap it per call.
                    decompressor.decompress(data, _CHUNK)
                    while decompressor.unconsumed_tail and not decompressor.eof:
                        decompressor.decompress(decompressor.unconsumed_tail, _CHUNK)
                except zlib.error:
                    return end
                if decompressor.eof:
                    consumed = len(data) - len(decompressor.unused_data)
                    position += consumed
                    end = position
                    data = decompressor.unused_data
                    decompressor = zlib.decompressobj(GZIP_WBITS)
                else:
                    position += len(data)
                    data = b""
    return end


def cut_torn_tail(path: Path, start: int = 0) -> bool:
    """Cut what follows the last whole member; True when something was cut.

    Raises OSError when the file cannot be read or truncated.
    """
    end = whole_members_end(path, start)
    size = path.stat().st_size
    if end >= size:
        return False
    with path.open("r+b") as file:
        file.truncate(end)
    logger.warning("repaired %s: cut a torn WARC record (%d bytes at byte %d) left by a killed"
                   " run", path, size - end, end)
    return True
