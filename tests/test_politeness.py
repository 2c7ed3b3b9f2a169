"""What the site sees of us: who we are, and that we keep to robots.txt."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from newscrawl import __version__
from newscrawl.spiders.bannedbook import BannedbookSpider
from sitecopy.server import SiteServer
from tests.crawling import ROOT, crawl_command


def _settings_of(*overrides: tuple[str, str]) -> Settings:
    """The project's settings as a crawl sees them, with `-s NAME=VALUE` overrides."""
    settings = get_project_settings()
    for name, value in overrides:
        settings.set(name, value, priority="cmdline")
    BannedbookSpider.update_settings(settings)
    return settings


def test_polite_defaults() -> None:
    settings = _settings_of()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert 503 in settings.getlist("RETRY_HTTP_CODES")
    assert settings.getint("RETRY_TIMES") == 3  # docs/failures.md, newscrawl/settings.py
    assert settings["USER_AGENT"].startswith("newscrawl/")
    assert settings["NEWSCRAWL_CONTACT_URL"] in settings["USER_AGENT"]


def test_user_agent_follows_contact_setting_and_can_be_replaced() -> None:
    ours = _settings_of(("NEWSCRAWL_CONTACT_URL", "mailto:archive@example.org"))
    assert "+mailto:archive@example.org" in ours["USER_AGENT"]
    assert _settings_of(("USER_AGENT", "mine/1.0"))["USER_AGENT"] == "mine/1.0"


def test_crawl_sends_user_agent_and_reads_robots_first(server: SiteServer, tmp_path: Path
                                                       ) -> None:
    command = crawl_command(server.base_url + "/bnews/", tmp_path / "out.jsonl",
                            tmp_path / "state", "-a", "max_articles=1")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    first_path = server.hits.snapshot()[0][1]
    assert first_path == "/robots.txt"
    # docs/settings.md: `newscrawl/VERSION (news archiver; +URL)`, the default contact URL.
    assert dict(server.user_agents) == {
        f"newscrawl/{__version__} (news archiver; +https://github.com/newscrawl/newscrawl#contact)":
        len(server.hits)}
