"""Cloudflare's challenge and block pages, served in place of chosen posts (issue 17).

`Site.challenges` maps a post id to a `Challenge`: the status it is served with (200, 403,
429, 503), whether the response carries ``cf-mitigated: challenge``, its wording (a key of
WORDINGS) and for how many requests of the post it is served before the article is (`times`;
the server counts, sitecopy.server), answering with `headers` and the wording's page. The
wordings are the titles and texts the site and Cloudflare have served (the site notes;
Cloudflare's challenge, block and 1015/1020 error pages), in the letter case each page uses;
``unknown`` is a page no rule knows, recognisable by the header alone.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = (200, 403, 429, 503)


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html lang="en-US"><head><title>{title}</title><meta '
            'http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" '
            f'content="noindex,nofollow"></head><body>{body}</body></html>').encode()


WORDINGS: dict[str, bytes] = {
    # The managed challenge served for /bnews/sohnews/page/2/ in 2023.
    "just-a-moment": _page(
        "Just a moment...",
        '<div class="main-wrapper" role="main"><h1 class="zone-name-title h1">www.bannedbook.org'
        '</h1><h2 class="h2" id="challenge-running">Checking if the site connection is secure'
        "</h2><noscript><div>Enable JavaScript and cookies to continue</div></noscript></div>"
        "<script>window._cf_chl_opt={cvId: '3',cType: 'managed'};var a=document.createElement("
        "'script');a.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1';</script>"),
    # What archiving bots got in 2022.
    "please-wait": _page(
        "Please Wait... | Cloudflare",
        '<div id="cf-wrapper"><h1 data-translate="challenge_headline">One more step</h1><h2>'
        "We are checking your browser... www.bannedbook.org</h2><h2>Why do I have to complete "
        "a CAPTCHA?</h2></div>"),
    "attention-required": _page(
        "Attention Required! | Cloudflare",
        '<div id="cf-wrapper"><h1>Sorry, you have been blocked</h1><h2>You are unable to access'
        " bannedbook.org</h2></div>"),
    "access-denied": _page(
        "Access denied | www.bannedbook.org used Cloudflare to restrict access",
        '<div id="cf-wrapper"><h1><span>Error</span> <span class="cf-error-code">1020</span>'
        "</h1><h2>Access denied</h2></div>"),
    "rate-limited": _page(
        "Rate limited",
        '<div id="cf-wrapper"><h1><span>Error</span><span class="cf-error-code">1015</span>'
        "</h1><h2>You are being rate limited</h2></div>"),
    "checking-upper": _page(
        "www.bannedbook.org",
        "<h1>CHECKING YOUR BROWSER BEFORE ACCESSING www.bannedbook.org.</h1>"
        "<p>This process is automatic.</p>"),
    "verifying": _page(
        "www.bannedbook.org",
        "<h1>www.bannedbook.org</h1><p>Verifying you are human. This may take a few seconds."
        "</p>"),
    "unknown": _page("One moment, please", "<h1>Please stand by</h1>"),
}
HEADER_ONLY = frozenset({"unknown"})  # only the cf-mitigated header tells these apart


@dataclass(frozen=True)
class Challenge:
    """A challenge served for a post's first `times` requests (see the module)."""

    status: int = 503
    header: bool = True
    wording: str = "just-a-moment"
    times: int = 1_000_000  # "always", for a run

    def __post_init__(self) -> None:
        if self.wording not in WORDINGS:
            raise ValueError(f"unknown wording {self.wording!r}: use {sorted(WORDINGS)}")
        if self.wording in HEADER_ONLY and not self.header:
            raise ValueError(f"{self.wording!r} is a challenge by its header only")


def variants() -> list[Challenge]:
    """Every status × header × wording a challenge can be served with (HEADER_ONLY wordings
    with the header only)."""
    return [Challenge(status, header, wording) for wording in WORDINGS
            for status in STATUSES for header in (True, False)
            if header or wording not in HEADER_ONLY]


def headers(challenge: Challenge) -> list[tuple[str, str]]:
    """The response headers serving `challenge`: Cloudflare's own, and its cf-mitigated."""
    found = [("Content-Type", "text/html; charset=UTF-8"), ("Server", "cloudflare"),
             ("CF-RAY", "8abc1234def56789-HKG"), ("Cache-Control", "no-store")]
    return found + ([("cf-mitigated", "challenge")] if challenge.header else [])
