"""A local HTTP server for a Site: ThreadingHTTPServer in a background thread.

It renders every request from the model, answers the site's transient paths with a 503 the
first time, and records the Host header and path of every request (`hits`), so that tests can
assert what a crawler did and did not ask for.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import unquote, urlsplit

from sitecopy import challenges
from sitecopy.model import Site
from sitecopy.paths import route
from sitecopy.removals import NO_ANSWER, TIMEOUT_SECONDS
from sitecopy.render import Response, render

UNAVAILABLE = Response(503, [("Content-Type", "text/html; charset=UTF-8"), ("Retry-After", "1")],
                       b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")


class Hits:
    """Every request as (Host header, path with query), in arrival order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[tuple[str, str]] = []

    def add(self, host: str, path: str) -> None:
        with self._lock:
            self._items.append((host, path))

    def reset(self) -> None:
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._items)

    def hosts(self) -> Counter[str]:
        return Counter(host for host, _ in self.snapshot())

    def paths(self) -> Counter[str]:
        """Requests per path, query string dropped."""
        return Counter(urlsplit(path).path for _, path in self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[tuple[str, str]]:  # over a snapshot: safe while serving
        return iter(self.snapshot())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a crawler reuses its connections
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server_version = "nginx"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection frees its thread after this

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the test output

    def _respond(self, send_body: bool) -> None:
        owner: SiteServer = self.server.owner  # type: ignore[attr-defined]
        owner.hits.add(self.headers.get("Host", ""), self.path)
        with owner._lock:
            owner.user_agents[self.headers.get("User-Agent", "")] += 1
        try:
            if owner.first_request_of_transient(self.path):
                response = UNAVAILABLE
            elif (challenge := owner.challenge_of(self.path)) is not None:
                response = Response(challenge.status, challenges.headers(challenge),
                                    challenges.WORDINGS[challenge.wording])
            else:
                response = render(owner.site, self.path, owner.base_url)
        except Exception:  # a renderer bug: say so loudly, answer 500, keep serving
            traceback.print_exc(file=sys.stderr)
            response = Response(500, [("Content-Type", "text/plain")], b"internal error")
        if response.status == NO_ANSWER:  # a post timing out (sitecopy.removals)
            time.sleep(TIMEOUT_SECONDS)
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)


class _HTTPServer(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops the SYNs of a crawler opening 8 connections
    # at once; the kernel's 1 s retransmission then stalls every crawl's start. A real
    # site's server has a deep backlog.
    request_queue_size = 128


class SiteServer:
    """Serves `site` on host:port (0: any free port) once started; a context manager."""

    handler_class: type[BaseHTTPRequestHandler] = _Handler  # sitecopy.misbehave swaps it

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.host = host
        self.port = port
        self.hits = Hits()
        self.user_agents: Counter[str] = Counter()  # the User-Agent header of every request
        self._seen_transient: set[str] = set()
        self._challenged: Counter[str] = Counter()  # challenges served, by post id
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://HOST:PORT, what the site's links and canonical URLs start with."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SiteServer:
        httpd = _HTTPServer((self.host, self.port), self.handler_class)
        httpd.daemon_threads = True
        httpd.owner = self  # type: ignore[attr-defined]
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"sitecopy:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Block until stopped from another thread (or the process is killed)."""
        if self._thread is None:
            self.start()
        assert self._thread is not None
        while self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def reset(self) -> None:
        """Forget the hits and re-arm the transient 503s (for a second crawl). Challenges
        served are not forgotten: a challenge that cleared stays cleared."""
        with self._lock:
            self._seen_transient.clear()
        self.hits.reset()

    def first_request_of_transient(self, raw_path: str) -> bool:
        path = unquote(urlsplit(raw_path).path)
        if path not in self.site.transient:
            return False
        with self._lock:
            if path in self._seen_transient:
                return False
            self._seen_transient.add(path)
            return True

    def challenge_of(self, raw_path: str) -> challenges.Challenge | None:
        """The challenge to serve for `raw_path` now (counted), or None: a post of
        `site.challenges` answers with it for its first `times` requests (any URL of it)."""
        where = route(raw_path)
        challenge = self.site.challenges.get(where.article_id)
        if where.kind != "article" or challenge is None:
            return None
        with self._lock:
            if self._challenged[where.article_id] >= challenge.times:
                return None
            self._challenged[where.article_id] += 1
            return challenge

    def __enter__(self) -> SiteServer:
        return self if self._httpd is not None else self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def serve(site: Site, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Start serving `site` in a background thread; stop() it or use it in a `with`."""
    return SiteServer(site, host, port).start()
