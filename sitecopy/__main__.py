"""Command line: serve a copy, or dump the records a crawl of it must produce.

    python -m sitecopy serve --articles 2000 --seed 1 --port 8000 [--no-faults]
        [--tags 1500] [--sitemaps [--per-file 1000]] [--minified] [--challenged 8 [--times 1]]
        [--redesign entry,tags] [--front-without-pager] [--amp]
    python -m sitecopy expected --articles 2000 --seed 1 --base http://127.0.0.1:8000 > exp.jsonl
    python -m sitecopy faults --articles 40
    python -m sitecopy demo --articles 200     # serve it on 127.0.0.1:8765 and crawl it

`serve` prints the base URL (one line, flushed) and serves until killed (SIGINT or SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType

from sitecopy import challenges, discovery, redesign
from sitecopy.demo import DEFAULT_PORT, run_demo
from sitecopy.model import Site, build_site
from sitecopy.paths import SIMPLIFIED, TRADITIONAL
from sitecopy.server import SiteServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sitecopy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "serve the copy until killed"),
                       ("expected", "print the expected records as JSON Lines"),
                       ("faults", "print the site's deliberate faults as JSON Lines"),
                       ("demo", "serve the copy and crawl it with newscrawl; print the JSONL")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--articles", type=int, default=40)
        command.add_argument("--seed", type=int, default=1)
        command.add_argument("--no-faults", dest="faults", action="store_false",
                             help="a clean site (for throughput measurements)")
        if name == "serve":
            command.add_argument("--tags", type=int, help="size of the tag vocabulary")
            command.add_argument("--sitemaps", action="store_true",
                                 help="serve Yoast sitemaps and the RSS feeds")
            command.add_argument("--per-file", type=int, default=1000,
                                 help="posts per sitemap file (with --sitemaps)")
            command.add_argument("--minified", action="store_true",
                                 help="every HTML page minified: no comment, white space "
                                      "collapsed (sitecopy.minify)")
            command.add_argument("--challenged", type=int, default=0, metavar="N",
                                 help="N listed posts answer Cloudflare challenges, every "
                                      "status x header x wording in turn (sitecopy.challenges)")
            command.add_argument("--times", type=int, default=1,
                                 help="requests of a challenged post answered with the "
                                      "challenge before the article is")
            command.add_argument("--redesign", type=_changes, default=frozenset(),
                                 help="markup changes in force from the first request"
                                      " (sitecopy.redesign: entry, tags; comma-separated)")
            command.add_argument("--front-without-pager", dest="front_pages",
                                 action="store_false",
                                 help="the front page shows the newest posts only, no pager")
            command.add_argument("--amp", action="store_true",
                                 help="articles link their AMP copy (and some pages link AMP)")
            command.add_argument("--host", default="127.0.0.1")
            command.add_argument("--port", type=int, default=0, help="0: any free port")
        if name == "demo":
            command.add_argument("--port", type=int, default=DEFAULT_PORT,
                                 help="fixed, so that a second run continues the first")
        if name == "expected":
            command.add_argument("--base", required=True,
                                 help="the server's base URL, e.g. http://127.0.0.1:8000")
            command.add_argument("--lang", choices=(SIMPLIFIED, TRADITIONAL), default=SIMPLIFIED)
    return parser


def _changes(text: str) -> frozenset[str]:
    changes = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not changes <= redesign.CHANGES:
        raise argparse.ArgumentTypeError(f"use {', '.join(sorted(redesign.CHANGES))}")
    return changes


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # let `serve` leave through its finally


def _challenge(site: Site, count: int, times: int) -> None:
    """Challenge `count` listed posts of no other fault (sitecopy.challenges.variants in turn),
    each for its first `times` requests; the ids chosen are printed to stderr."""
    faults = {*site.unservable, *(site.republished or ()), site.gbk}
    plain = [i for i, a in site.articles.items() if a.listed and i not in faults
             and a.path() not in site.transient]
    kinds = challenges.variants()
    site.challenges = {post: replace(kinds[index % len(kinds)], times=times)
                       for index, post in enumerate(plain[:count])}
    for post, challenge in site.challenges.items():
        print(f"sitecopy: {post} challenged: {challenge}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        return run_demo(args.articles, args.seed, Path("output/demo"), port=args.port,
                        faults=args.faults)
    started = time.perf_counter()
    site = build_site(args.articles, args.seed, faults=args.faults,
                      tags=getattr(args, "tags", None))
    if getattr(args, "sitemaps", False):
        discovery.enable(site, per_file=args.per_file)
    site.minified = getattr(args, "minified", False)
    _challenge(site, getattr(args, "challenged", 0), getattr(args, "times", 1))
    site.redesign = getattr(args, "redesign", frozenset())
    site.front_pages = getattr(args, "front_pages", True)
    site.amp = getattr(args, "amp", False)
    built = time.perf_counter() - started
    if args.command == "expected":
        for record in site.expected_records(args.base, args.lang).values():
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return 0
    if args.command == "faults":
        for fault in site.faults:
            sys.stdout.write(json.dumps(fault.__dict__, ensure_ascii=False) + "\n")
        return 0
    server = SiteServer(site, args.host, args.port).start()
    try:
        # Inside the try: the server's thread answers as soon as the URL is printed, so a
        # SIGTERM may come before serve_forever; its KeyboardInterrupt must still be caught.
        signal.signal(signal.SIGTERM, _stop)
        print(server.base_url, flush=True)
        print(f"sitecopy: {len(site.articles)} articles (seed {args.seed}, faults "
              f"{'on' if args.faults else 'off'}) built in {built:.2f}s; "
              f"front page {server.base_url}/bnews/", file=sys.stderr, flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
