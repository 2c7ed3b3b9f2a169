"""A copy of the site whose server misbehaves in one chosen way (a switch per fault).

    from sitecopy.misbehave import misbehave
    with misbehave(build_site(12, seed=3, faults=False), "redirect-category") as server:
        ...  # crawl server.base_url + "/bnews/"; server.victim is the article it concerns

Faults that concern one article act on `victim` (a listed article; its URL is the one the
listings link); the others act on the front page or on every page. The server keeps a
`timeline` of (time.monotonic(), path, status) for every request it answered (status 0:
served as usual).
"""

from __future__ import annotations

import email.utils
import functools
import threading
import time
import zlib
from dataclasses import dataclass

from sitecopy.model import Site
from sitecopy.paths import listing_path, route
from sitecopy.render import HTML, Response, render
from sitecopy.server import SiteServer, _Handler

FAULTS = {
    "none": "every page as usual (switch a server to it to see what the next run does)",
    "redirect-category": "the victim's URL answers 301 to the same post under another category",
    "redirect-query": "the victim's URL answers 302 to itself with a query string",
    "moved-port": "every article URL answers 301 to the same path on another port (a second"
                  " server of the same site), as a move to https would",
    "moved-host": "every article URL answers 301 to the same path on another host name"
                  " (a second server of the same site at http://localhost:PORT)",
    "redirect-offsite": "the victim's URL answers 301 to a page of another host",
    "redirect-loop": "the victim's URL answers 302 to ?loop=1, which answers 302 back",
    "redirect-front": "the victim's URL answers 301 to the front page",
    "short-length": "the victim's Content-Length is half its page: only that half is sent",
    "body-cut": "the victim's full Content-Length is sent, half the body, then the connection"
                " is closed",
    "chunked-cut": "the victim is sent chunked, its first half only, without the last chunk",
    "no-html-end": "the victim's page ends before </body></html> (Content-Length matches)",
    "retry-after-seconds": "the front page's first request answers 429, Retry-After: 2",
    "retry-after-date": "the front page's first request answers 503, Retry-After: an HTTP-date"
                        " 3 s ahead",
    "retry-after-long": "every page answers 429, Retry-After: 3600",
    "status-403": "every page (robots.txt aside) answers 403",
    "status-503": "every page (robots.txt aside) answers 503",
    "robots-disallow": "robots.txt is 'User-agent: *' 'Disallow: /'",
    "robots-503": "robots.txt answers 503 every time; every other page as usual",
    "gzip-bomb": "the victim is 1 GiB of zeros, gzip-encoded (about 1 MB on the wire)",
    "many-links": "the front page carries 200,000 more links, to tag archives, at its end",
}
BOMB_BYTES = 1 << 30
MANY_LINKS = 200_000


@functools.cache
def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """`size` zero bytes, gzip-compressed (~1/1000 of `size`); built once per process."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join([*parts, packer.flush()])


@dataclass(frozen=True)
class Wire:
    """How a response goes out: ``length`` (Content-Length) or chunked, and what is sent."""

    response: Response
    mode: str = "normal"  # normal, short-length, body-cut, chunked-cut


def _status(status: int, extra: tuple[tuple[str, str], ...] = ()) -> Response:
    body = f"<html><body><h1>{status}</h1></body></html>".encode()
    return Response(status, [("Content-Type", HTML), *extra], body)


def _redirect(status: int, location: str) -> Response:
    return Response(status, [("Location", location), ("Content-Type", HTML)],
                    b"<html><body>moved</body></html>")


class _MisbehavingHandler(_Handler):
    def _respond(self, send_body: bool) -> None:
        owner: MisbehavingServer = self.server.owner  # type: ignore[attr-defined]
        wire = owner.answer(self.path)
        if wire is None:
            owner.note(self.path, 0)
            super()._respond(send_body)
            return
        owner.note(self.path, wire.response.status)
        owner.hits.add(self.headers.get("Host", ""), self.path)
        response, body = wire.response, wire.response.body
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if wire.mode == "chunked-cut":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = len(body) // 2 if wire.mode == "short-length" else len(body)
            self.send_header("Content-Length", str(length))
        if wire.mode != "normal":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not send_body:
            return
        half = body[:len(body) // 2]
        if wire.mode == "normal":
            self.wfile.write(body)
        elif wire.mode in ("short-length", "body-cut"):
            self.wfile.write(half)
        else:  # one chunk, then the connection closes without the terminating 0 chunk
            self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
        self.wfile.flush()


class MisbehavingServer(SiteServer):
    """A SiteServer answering as `fault` (one of FAULTS) says; see the module."""

    handler_class = _MisbehavingHandler

    def __init__(self, site: Site, fault: str, host: str = "127.0.0.1", port: int = 0) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}: one of {', '.join(FAULTS)}")
        super().__init__(site, host, port)
        self.fault = fault
        listed = [a for a in site.articles.values() if a.listed and a.id not in site.unservable]
        self.victim = listed[len(listed) // 2]
        self.moved: SiteServer | None = None  # the new home of "moved-port", "moved-host"
        self.timeline: list[tuple[float, str, int]] = []
        self._answered: set[str] = set()
        self._timeline_lock = threading.Lock()

    def start(self) -> MisbehavingServer:
        if self.fault in ("moved-port", "moved-host"):
            host = "localhost" if self.fault == "moved-host" else self.host
            self.moved = SiteServer(self.site, host).start()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        if self.moved is not None:
            self.moved.stop()

    def note(self, path: str, status: int) -> None:
        with self._timeline_lock:
            self.timeline.append((time.monotonic(), path, status))

    def _first(self, path: str) -> bool:
        with self._timeline_lock:
            first = path not in self._answered
            self._answered.add(path)
            return first

    @property
    def other_category_path(self) -> str:
        """Where "redirect-category" says the victim lives now."""
        other = "worldnews" if self.victim.category != "worldnews" else "sohnews"
        return f"/bnews/{other}/{self.victim.date}/{self.victim.id}.html"

    def answer(self, raw_path: str) -> Wire | None:
        """The misbehaving answer to `raw_path`, or None to serve the page as usual."""
        fault, path, query = self.fault, raw_path.split("?", 1)[0], "?" in raw_path
        victim = self.victim.path()
        if path == "/robots.txt":
            if fault == "robots-disallow":
                return Wire(Response(200, [("Content-Type", "text/plain")],
                                     b"User-agent: *\nDisallow: /\n"))
            if fault == "robots-503":
                return Wire(_status(503))
            return None
        if fault in ("status-403", "status-503"):
            return Wire(_status(int(fault[-3:])))
        if fault == "retry-after-long":
            return Wire(_status(429, (("Retry-After", "3600"),)))
        if fault.startswith("retry-after") and path == listing_path("") and self._first(path):
            if fault == "retry-after-seconds":
                return Wire(_status(429, (("Retry-After", "2"),)))
            when = email.utils.formatdate(time.time() + 3, usegmt=True)
            return Wire(_status(503, (("Retry-After", when),)))
        if fault == "many-links" and path == listing_path(""):
            page = render(self.site, raw_path, self.base_url)
            links = "".join(f'<a href="/bnews/tag/x{n}/">{n}</a>' for n in range(MANY_LINKS))
            body = page.body.replace(b"</body>", links.encode() + b"</body>")
            return Wire(Response(200, page.headers, body))
        if fault in ("moved-port", "moved-host") and route(raw_path).kind == "article":
            assert self.moved is not None
            return Wire(_redirect(301, self.moved.base_url + raw_path))
        if fault == "redirect-category" and path == self.other_category_path:
            return Wire(render(self.site, victim, self.base_url))
        if path != victim:
            return None
        return self._victim(raw_path, query)

    def _victim(self, raw_path: str, query: bool) -> Wire | None:
        fault, victim = self.fault, self.victim.path()
        if fault == "redirect-category":
            return Wire(_redirect(301, self.base_url + self.other_category_path))
        if fault == "redirect-query":
            return None if query else Wire(_redirect(302, victim + "?replytocom=1"))
        if fault == "redirect-offsite":
            return Wire(_redirect(301, "http://elsewhere.invalid/landing/"))
        if fault == "redirect-loop":
            return Wire(_redirect(302, victim if query else victim + "?loop=1"))
        if fault == "redirect-front":
            return Wire(_redirect(301, self.base_url + listing_path("")))
        page = render(self.site, raw_path, self.base_url)
        if fault in ("short-length", "body-cut", "chunked-cut"):
            return Wire(page, fault)
        if fault == "no-html-end":
            return Wire(Response(200, page.headers, page.body[:page.body.rindex(b"</body>")]))
        if fault == "gzip-bomb":
            return Wire(Response(200, [*page.headers, ("Content-Encoding", "gzip")],
                                 gzip_bomb()))
        return None


def misbehave(site: Site, fault: str) -> MisbehavingServer:
    """Start serving `site` misbehaving as `fault`; stop() it or use it in a `with`."""
    return MisbehavingServer(site, fault).start()
