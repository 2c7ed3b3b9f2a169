"""Writing a run's files so that a kill loses nothing already recorded as written.

Shared by the JSON Lines exporter (newscrawl.output.export) and the WARC capture
(newscrawl.capture.warc): both record in the state how far a file is written only after
``write_through`` returned, and the next run recovers whatever lies past that.
"""

from __future__ import annotations

import os
from typing import IO


def write_through(file: IO[bytes], data: bytes, *, fsync: bool) -> None:
    """Write `data`, flush it to the kernel and, with `fsync`, to the disk (a process killed
    after this returns loses nothing of it; power loss only without fsync). Raises OSError."""
    file.write(data)
    file.flush()
    if fsync:
        os.fsync(file.fileno())
