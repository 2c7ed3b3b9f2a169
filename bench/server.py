"""The synthetic site, served by `python -m sitecopy serve` in a process of its own.

A separate process keeps the server's CPU (it renders every page on request) out of the
crawl's process and off its interpreter lock; on two cores, server and crawler get one each.

`python -m bench.server ARGS` is `python -m sitecopy serve ARGS` with a deeper listen
backlog. http.server keeps socketserver's 5: when the crawler opens its 8 connections at
once, the kernel drops the SYNs past 5 (ListenOverflows in /proc/net/netstat) and the
client resends them only after its 1 s initial retransmission timeout. Every crawl then
stalls about a second at its start: noise in a full crawl, most of an incremental one
(1.3 s instead of 0.4 s at 2,000 articles). A real site's server has a deep backlog.
"""

from __future__ import annotations

import subprocess
import sys
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
LISTEN_BACKLOG = 128


class SiteProcess:
    """`with SiteProcess(2000, seed=1) as site:` serves a clean copy at site.base_url."""

    def __init__(self, articles: int, seed: int = 1) -> None:
        self.articles = articles
        self.seed = seed
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def front_page(self) -> str:
        return self.base_url + "/bnews/"

    def start(self) -> SiteProcess:
        command = [sys.executable, "-m", "bench.server", "--articles", str(self.articles),
                   "--seed", str(self.seed), "--no-faults", "--port", "0"]
        # stderr: sitecopy's one-line banner; not needed, and a pipe nobody reads could fill.
        self._process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()  # the base URL, once it listens
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"sitecopy serve did not start (said {line!r})")
        self.base_url = line
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()  # SIGTERM: sitecopy shuts its server down and exits
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    def __enter__(self) -> SiteProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


if __name__ == "__main__":
    from sitecopy.__main__ import main

    # Only in this process, before sitecopy builds its server (see the module docstring).
    ThreadingHTTPServer.request_queue_size = LISTEN_BACKLOG
    sys.exit(main(["serve", *sys.argv[1:]]))
