"""Every NEWSCRAWL_* default lives once, in the registry (newscrawl/run/config.py): settings.py
takes it from there, components read it through `setting`, and nobody writes it again."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

import newscrawl.settings as project_settings
from newscrawl.capture.warc import WarcCapture
from newscrawl.discovery.incremental import IncrementalMiddleware
from newscrawl.discovery.links import RequestedLinksMiddleware, RunLinks
from newscrawl.distribution.frontier import RedisFrontier
from newscrawl.pipelines.limit import ArticleLimitPipeline
from newscrawl.quality.drift import DriftMonitor
from newscrawl.run.config import SETTINGS, setting
from newscrawl.run.places import in_project
from newscrawl.transport.backoff import RetryAfterMiddleware
from newscrawl.transport.completeness import WholeResponseMiddleware
from tests.crawling import ROOT

REGISTRY = {"newscrawl/run/config.py", "newscrawl/settings.py"}
NOT_YET: set[tuple[str, str]] = set()  # defaults still written outside the registry: none
GETTERS = {"get", "getint", "getbool", "getfloat", "getlist", "getdict", "setting"}


def _modules() -> list[tuple[str, ast.Module]]:
    return [(path.relative_to(ROOT).as_posix(), ast.parse(path.read_text("utf-8")))
            for path in sorted((ROOT / "newscrawl").rglob("*.py"))
            if path.relative_to(ROOT).as_posix() not in REGISTRY]


def _read(node: ast.AST) -> str | None:
    """The NEWSCRAWL_* name a settings read (``s.getint(NAME)``, ``setting(s, NAME)``) asks."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in GETTERS:
        return None
    named = [arg.value for arg in node.args if isinstance(arg, ast.Constant)
             and isinstance(arg.value, str) and arg.value.startswith("NEWSCRAWL_")]
    return named[0] if named else None


def _defaults_written(tree: ast.Module) -> set[str]:
    """What in a module gives a NEWSCRAWL_* setting a default of its own: a read with a second
    argument or an ``or <literal>``, or a DEFAULT_*/NEWSCRAWL_* constant equal to a registry
    default."""
    defaults = [s.default for s in SETTINGS.values() if s.default is not None]
    found = set()
    for node in ast.walk(tree):
        name = _read(node)
        if name is not None:
            assert isinstance(node, ast.Call)
            given = len(node.args) - (1 if isinstance(node.func, ast.Attribute) else 2)
            if given > 0 or node.keywords:
                found.add(name)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            first = _read(node.values[0])
            if first is not None and isinstance(node.values[1], ast.Constant):
                found.add(first)
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            for target in targets:
                if (isinstance(target, ast.Name)
                        and target.id.startswith(("DEFAULT_", "NEWSCRAWL_"))
                        and any(type(value) is type(d) and value == d for d in defaults)):
                    found.add(target.id)
    return found


def test_no_default_outside_the_registry() -> None:
    written = {(path, name) for path, tree in _modules() for name in _defaults_written(tree)}
    assert written == NOT_YET, "read setting(settings, NAME); the default is the registry's"


def test_every_name_read_is_registered_and_every_registered_one_is_read() -> None:
    used = {node.value for _, tree in _modules() for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and re.fullmatch(r"NEWSCRAWL_[A-Z_]*[A-Z]", node.value)}
    assert used - set(SETTINGS) == set(), "add a Setting(...) line to newscrawl/run/config.py"
    assert set(SETTINGS) - used == set(), "a registered setting no code reads"


def test_settings_py_sets_every_registered_default() -> None:
    for name, entry in SETTINGS.items():
        assert hasattr(project_settings, name), name
        assert getattr(project_settings, name) == entry.default, name


@pytest.mark.parametrize("name", list(SETTINGS))
def test_setting_falls_back_to_the_registry(name: str) -> None:
    default = SETTINGS[name].default
    assert setting(Settings(), name) == default
    assert type(setting(Settings({name: None}), name)) is type(default)


@pytest.mark.parametrize(("name", "given", "value"), [
    ("NEWSCRAWL_MAX_ATTEMPTS", "5", 5),
    ("NEWSCRAWL_FSYNC", "true", True),
    ("NEWSCRAWL_STATE_ENABLED", "0", False),
    ("NEWSCRAWL_REDIS_TIMEOUT", "2.5", 2.5),
    ("NEWSCRAWL_WARC_DIR", "", ""),  # empty: no capture, not the default
    ("NEWSCRAWL_STATE_DIR", "/srv/state", "/srv/state"),
])
def test_setting_reads_what_was_given(name: str, given: str, value: Any) -> None:
    assert setting(Settings({name: given}), name) == value


def _default(name: str) -> Any:
    return SETTINGS[name].default


def test_components_outside_the_project_settings_see_the_registry_defaults() -> None:
    crawler = get_crawler(settings_dict={})
    incremental = IncrementalMiddleware.from_crawler(crawler)
    assert (incremental.max_attempts, incremental.refresh) == (
        _default("NEWSCRAWL_MAX_ATTEMPTS"), _default("NEWSCRAWL_REFRESH"))
    drift = DriftMonitor.from_crawler(crawler)
    assert (drift.min_pages, drift.min_history, drift.accept) == (
        _default("NEWSCRAWL_DRIFT_MIN_PAGES"), _default("NEWSCRAWL_DRIFT_MIN_HISTORY"),
        _default("NEWSCRAWL_DRIFT_ACCEPT"))
    whole = WholeResponseMiddleware.from_crawler(crawler)
    assert whole.require_html_end is _default("NEWSCRAWL_REQUIRE_HTML_END")
    assert RetryAfterMiddleware.from_crawler(crawler).max_wait == _default(
        "NEWSCRAWL_RETRY_AFTER_MAX")
    capture = WarcCapture.from_crawler(crawler)
    assert capture.level == _default("NEWSCRAWL_WARC_GZIP_LEVEL")
    assert capture.fsync is _default("NEWSCRAWL_FSYNC")
    assert capture.directory == in_project(
        _default("NEWSCRAWL_WARC_DIR") % {"name": crawler.spidercls.name})
    frontier = RedisFrontier(crawler)
    assert (frontier.idle, frontier.round_ttl) == (
        _default("NEWSCRAWL_REDIS_IDLE_SECONDS"), _default("NEWSCRAWL_REDIS_ROUND_TTL"))
    with pytest.raises(NotConfigured):  # 0: no limit
        ArticleLimitPipeline.from_crawler(crawler)
    crawler.spider = SimpleNamespace(links=RunLinks(lambda url: True))  # type: ignore[assignment]
    requested = RequestedLinksMiddleware.from_crawler(crawler).requested
    assert requested.size == _default("NEWSCRAWL_LINK_MEMORY")


def test_scan_sees_a_default_written_again(tmp_path: Path) -> None:
    # The scan itself: each way of giving a default twice is found.
    source = '''
DEFAULT_MAX_WAIT = 300
NEWSCRAWL_LINK_MEMORY = 5_000
DEFAULT_LANG = "zh-cn"  # not a registry default
def f(settings):
    settings.getint("NEWSCRAWL_MAX_ATTEMPTS", 3)
    settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl"
    setting(settings, "NEWSCRAWL_FSYNC", default=True)
    setting(settings, "NEWSCRAWL_REFRESH")
    settings.getbool("NEWSCRAWL_STATE_ENABLED")
'''
    assert _defaults_written(ast.parse(source)) == {
        "DEFAULT_MAX_WAIT", "NEWSCRAWL_LINK_MEMORY", "NEWSCRAWL_MAX_ATTEMPTS",
        "NEWSCRAWL_REDIS_PREFIX", "NEWSCRAWL_FSYNC"}
