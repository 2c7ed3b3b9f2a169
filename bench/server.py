"""The synthetic site, served by `python -m sitecopy serve` in a process of its own.

A separate process keeps the server's CPU (it renders every page on request) out of the
crawl's process and off its interpreter lock; on two cores, server and crawler get one each.

(sitecopy's server listens with a backlog of 128: with http.server's default of 5 the
kernel drops the SYNs of the crawler's 8 first connections and every crawl stalls a second.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent


class SiteProcess:
    """`with SiteProcess(2000, seed=1) as site:` serves a clean copy at site.base_url."""

    def __init__(self, articles: int, seed: int = 1, sitemaps: bool = False) -> None:
        self.articles = articles
        self.seed = seed
        self.sitemaps = sitemaps  # Yoast sitemaps and the feeds, as the real site has
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def front_page(self) -> str:
        return self.base_url + "/bnews/"

    def start(self) -> SiteProcess:
        command = [sys.executable, "-m", "sitecopy", "serve", "--articles", str(self.articles),
                   "--seed", str(self.seed), "--no-faults", "--port", "0",
                   *(["--sitemaps"] if self.sitemaps else [])]
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

