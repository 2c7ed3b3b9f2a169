"""The four item pipelines as Scrapy components: built by from_crawler, fed items by hand.

Expected values are written from the documented rules (docs/record.md, the pipelines'
docstrings), never computed by the code under test.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.clean import CleanPipeline
from newscrawl.pipelines.dedupe import DedupePipeline
from newscrawl.pipelines.limit import ArticleLimitPipeline
from newscrawl.pipelines.validate import ValidatePipeline
from newscrawl.spiders.bannedbook import BannedbookSpider
from newscrawl.state.base import Known
from newscrawl.state.keeper import state_of
from tests.components import article, crawler_with_state


def sha256(text: str) -> str:
    """docs/record.md: content_hash is the SHA-256 of the normalized title, a line break, and
    the body (paragraphs joined by a blank line), in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_clean_pipeline_applies_the_text_contract() -> None:
    item = article(
        title="  习近平\u200b  访俄\u00a0 ",  # a zero-width space (format character), NBSP
        source="  美国之音 ", authors=[" 金谷 ", "金谷", "  "],
        tags=["中国", " 中国 ", "俄罗斯\u200d"],  # a joiner outside an emoji is dropped
        body="第一段\u0007 文字\n\n\n\n  \n\n第二段 \n 第二行\n\ncafe\u0301",
        images=[{"url": "https://h/i.jpg", "caption": " \u200b "}],
        related=[{"url": "https://h/a.html", "title": " 相关\t标题 "}])
    cleaned = CleanPipeline().process_item(item)
    assert cleaned is item
    assert item.title == "习近平 访俄"
    assert item.source == "美国之音"
    assert item.authors == ["金谷"]
    assert item.tags == ["中国", "俄罗斯"]
    # Paragraphs are kept, empty ones dropped; line breaks inside one kept; NFC: é composed.
    assert item.body == "第一段 文字\n\n第二段\n第二行\n\ncaf\u00e9"
    assert item.images == [{"url": "https://h/i.jpg", "caption": None}]
    assert item.related == [{"url": "https://h/a.html", "title": "相关 标题"}]


def test_clean_pipeline_keeps_a_literal_angle_bracket() -> None:
    item = CleanPipeline().process_item(article(title="a <b> c", source="  "))
    assert item.title == "a <b> c"
    assert item.source is None  # a source of white space only is no source


def test_validate_pipeline_hashes_the_cleaned_text(tmp_path: Path) -> None:
    crawler = get_crawler(BannedbookSpider)
    pipeline = ValidatePipeline.from_crawler(crawler)
    item = pipeline.process_item(article(title="标题", body="一段\n\n二段", content_hash="x"))
    assert item.content_hash == sha256("标题\n一段\n\n二段")
    assert crawler.stats.get_value("newscrawl/invalid") is None


@pytest.mark.parametrize(("fields", "reason"), [
    ({"title": ""}, "missing_title"),
    ({"body": ""}, "missing_body"),
    ({"title": "", "body": ""}, "missing_title_body"),
    ({"url": "", "article_id": ""}, "missing_url_article_id"),
])
def test_validate_pipeline_drops_a_half_filled_record(fields: dict, reason: str) -> None:
    crawler = get_crawler(BannedbookSpider)
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=f"invalid article \\({reason}\\)"):
        pipeline.process_item(article(**fields))
    assert crawler.stats.get_value(f"newscrawl/invalid/{reason}") == 1
    assert crawler.stats.get_value("newscrawl/invalid") == 1


def open_dedupe(tmp_path: Path) -> tuple[DedupePipeline, object]:
    crawler = crawler_with_state(tmp_path)
    pipeline = DedupePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline, crawler


def test_dedupe_pipeline_passes_a_new_article_and_claims_its_text(tmp_path: Path) -> None:
    pipeline, crawler = open_dedupe(tmp_path)
    item = pipeline.process_item(article("100", content_hash="aa" * 32))
    assert item.version == 1
    # The text is now owned by post 100: the same text under post 101 is a copy.
    with pytest.raises(DropItem, match="repeats the text of post zh-Hans:100"):
        pipeline.process_item(article("101", content_hash="aa" * 32))
    assert state_of(crawler).lookup("zh-Hans:101") == Known("copy", "aa" * 32)
    assert crawler.stats.get_value("newscrawl/dropped/republished_copy") == 1


def test_dedupe_pipeline_drops_a_post_seen_twice_in_a_run(tmp_path: Path) -> None:
    pipeline, crawler = open_dedupe(tmp_path)
    pipeline.process_item(article("100", content_hash="aa" * 32))
    with pytest.raises(DropItem, match="post zh-Hans:100 seen twice this run"):
        pipeline.process_item(article("100", content_hash="bb" * 32))
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_id") == 1


def test_dedupe_pipeline_unchanged_and_edited_exports(tmp_path: Path) -> None:
    pipeline, crawler = open_dedupe(tmp_path)
    state = state_of(crawler)
    state.record_export("zh-Hans:100", "aa" * 32, 1, None, 0)
    state.record_export("zh-Hans:200", "cc" * 32, 3, None, 0)
    with pytest.raises(DropItem, match="unchanged since an earlier run"):
        pipeline.process_item(article("100", content_hash="aa" * 32))
    edited = pipeline.process_item(article("200", content_hash="dd" * 32))
    assert edited.version == 4  # the next version after the exported 3
    assert crawler.stats.get_value("newscrawl/dropped/unchanged") == 1
    assert crawler.stats.get_value("newscrawl/updated") == 1


def test_dedupe_pipeline_a_known_copy_with_the_same_text_is_unchanged(tmp_path: Path) -> None:
    pipeline, crawler = open_dedupe(tmp_path)
    state_of(crawler).record_copy("zh-Hans:300", "ee" * 32)
    with pytest.raises(DropItem, match="unchanged since an earlier run"):
        pipeline.process_item(article("300", content_hash="ee" * 32))


@pytest.mark.parametrize("limit", [None, "0", "-1"])
def test_limit_pipeline_is_off_without_a_positive_limit(limit: str | None) -> None:
    settings = {} if limit is None else {"NEWSCRAWL_MAX_ARTICLES": limit}
    with pytest.raises(NotConfigured):
        ArticleLimitPipeline.from_crawler(get_crawler(BannedbookSpider, settings))


def test_limit_pipeline_passes_articles_below_the_limit() -> None:
    # Reaching the limit closes the spider through the running engine: what is dropped past
    # it is checked by the crawl test of max_articles (tests/test_crawl.py).
    crawler = get_crawler(BannedbookSpider, {"NEWSCRAWL_MAX_ARTICLES": "3"})
    pipeline = ArticleLimitPipeline.from_crawler(crawler)
    assert pipeline.limit == 3
    first, second = article("1"), article("2")
    assert pipeline.process_item(first) is first
    assert pipeline.process_item(second) is second
    assert pipeline.passed == 2
