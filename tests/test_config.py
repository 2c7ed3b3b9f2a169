"""The settings registry is complete, agrees with settings.py, and docs/settings.md shows it."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from scrapy.settings import Settings

import newscrawl.settings as project_settings
from newscrawl.article import Article
from newscrawl.run.arguments import ARGUMENTS, parse_arguments
from newscrawl.run.config import SETTINGS, check_settings, settings_markdown
from newscrawl.run.errors import BadArgument
from tests.crawling import ROOT


def test_every_setting_the_code_reads_is_registered() -> None:
    named = {name for path in (ROOT / "newscrawl").rglob("*.py")
             for name in re.findall(r"\bNEWSCRAWL_[A-Z_]*[A-Z]\b", path.read_text("utf-8"))}
    assert named - set(SETTINGS) == set(), "add a Setting(...) line to newscrawl/run/config.py"


def test_registered_defaults_are_those_of_settings_py() -> None:
    for name, setting in SETTINGS.items():
        if hasattr(project_settings, name):
            assert getattr(project_settings, name) == setting.default, name


def test_docs_list_every_setting() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text("utf-8")
    assert settings_markdown() in docs, "regenerate with: python -m newscrawl.run.config"


def test_defaults_are_accepted_and_typos_get_the_closest_name() -> None:
    settings = Settings({name: s.default for name, s in SETTINGS.items()})
    settings.set("NEWSCRAWL_FSNYC", "1")
    assert check_settings(settings) == [
        "unknown setting NEWSCRAWL_FSNYC (did you mean NEWSCRAWL_FSYNC?): it is ignored"]


@pytest.mark.parametrize(("given", "parsed"), [
    ({"lang": "ZH-TW"}, {"lang": "zh-Hant"}),
    ({"since": "2023-03-01"}, {"since": "2023-03-01"}),
    ({"max_articles": "7"}, {"max_articles": 7}),
    ({"refresh": "yes"}, {"refresh": True}),
    ({"start_urls": "http://a/bnews/, https://b/"}, {"start_urls": ["http://a/bnews/",
                                                                     "https://b/"]}),
])
def test_arguments_parse(given: dict[str, str], parsed: dict[str, object]) -> None:
    assert {k: v for k, v in parse_arguments(given).items() if v is not None} == parsed


@pytest.mark.parametrize("given", [{"lang": "en"}, {"max_articles": "0"}, {"refresh": "maybe"},
                                   {"start_urls": "ftp://a/"}, {"since": "2023-13-01"}])
def test_arguments_refused(given: dict[str, str]) -> None:
    with pytest.raises(BadArgument, match=f"-a {next(iter(given))}="):
        parse_arguments(given)


def test_record_docs_list_fields_in_output_order() -> None:
    docs = (ROOT / "docs" / "record.md").read_text("utf-8")
    table = re.findall(r"^\| `([a-z_]+)` \|", docs, flags=re.MULTILINE)
    assert table == [field.name for field in dataclasses.fields(Article)]


def test_readme_lists_every_argument() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in ARGUMENTS:
        assert f"`{name}=" in readme, name


def test_readme_record_is_a_valid_record_in_the_documented_order() -> None:
    """The README's "real line" is what a newcomer copies: it must be a record as runs write
    them (a field missing from it, `media`, went unnoticed once)."""
    from tests.crawling import check_record

    readme = (ROOT / "README.md").read_text("utf-8")
    line = next(line for line in readme.splitlines() if line.startswith('{"url": '))
    check_record(json.loads(line))


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    command = next(line for line in readme.splitlines() if line.endswith(".venv/bin/pytest"))
    assert command in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()


def test_settings_module_assigns_each_name_once() -> None:
    # A second DOWNLOADER_MIDDLEWARES = {...} silently drops the first one's components.
    import ast
    import collections

    tree = ast.parse((ROOT / "newscrawl" / "settings.py").read_text(encoding="utf-8"))
    names = [target.id for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    assert [name for name, n in collections.Counter(names).items() if n > 1] == []
