"""The memory, reparse and resume benchmarks (issue 20): their arithmetic, what they count, and
a tiny reparse run end to end. Never asserts a memory target: those are for the report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench import memory, reparse, resume


def test_the_line_between_two_sizes_and_its_2m_extrapolation() -> None:
    small = {"posts": 10_000, "peak": 100_000_000}
    large = {"posts": 60_000, "peak": 104_000_000}
    line = memory.line(small, large, limit_mb=8.0)
    # 4,000,000 bytes over 50,000 posts: 80 B a post; at 2M posts 104e6 + 80 × 1,940,000
    # = 259,200,000 bytes = 247.2 MiB.
    assert line == {"difference_mb": 4.0, "bytes_per_post": 80.0, "at_2m_posts_mib": 247.2,
                    "limit_mb": 8.0, "met": True}
    assert not memory.line(small, {"posts": 60_000, "peak": 108_000_001}, 8.0)["met"]


def test_lines_are_counted_as_the_file_grows(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    counter = memory.LineCounter(path)
    assert counter.count() == 0  # not written yet
    path.write_bytes(b'{"a": 1}\n{"a": 2}\n{"a"')
    assert counter.count() == 2
    with path.open("ab") as file:
        file.write(b': 3}\n')
    assert counter.count() == 3


def test_resume_counts_whole_lines_and_article_pages_only(tmp_path: Path) -> None:
    path = tmp_path / "killed.jsonl"
    path.write_bytes(b'{"article_id": "7"}\n{"article_id": "9"}\n{"article_')  # torn tail
    assert resume.article_ids(path) == ["7", "9"]
    assert resume.article_ids(tmp_path / "none.jsonl") == []
    hits = Counter({"/bnews/sohnews/20230322/1862877.html": 2, "/robots.txt": 3,
                    "/bnews/sohnews/": 2, "/sitemap_index.xml": 1})
    assert resume.article_hits(hits) == Counter({"/bnews/sohnews/20230322/1862877.html": 2})


def test_reparse_benchmark_reparses_every_capture_it_wrote(tmp_path: Path) -> None:
    result = reparse.measure_size(40, seed=1, work=tmp_path, every=1.0)
    assert (result["posts"], result["captured"]) == (40, 40)
    assert result["reparse"]["articles"] == 40
    assert result["reparse"]["max_rss_bytes"] > 50 * 2**20  # Python, Scrapy and lxml at least
    lines = (tmp_path / "40" / "reparse" / "articles.jsonl").read_text("utf-8").splitlines()
    assert len({json.loads(line)["article_id"] for line in lines}) == 40


def test_a_peak_is_the_process_own_not_its_parents(tmp_path: Path) -> None:
    """Linux keeps ru_maxrss across fork and exec: a crawl started by a grown parent (as
    bench.reparse, which builds the copy in its own process) reported the parent's peak. The
    stats file gives the process's own (bench.statsdump reads its VmHWM)."""
    import subprocess
    import sys

    stats = tmp_path / "stats.json"
    script = ("from scrapy.utils.test import get_crawler; from bench.statsdump import DumpingStats;"
              f" crawler = get_crawler(settings_dict={{'BENCH_STATS_FILE': {str(stats)!r}}});"
              " DumpingStats(crawler)._persist_stats({})")
    grown = bytearray(300 * 2**20)  # the parent resident at 300 MiB more
    for offset in range(0, len(grown), 4096):
        grown[offset] = 1
    subprocess.run([sys.executable, "-c", script], check=True, cwd=memory.ROOT)
    del grown
    peak = json.loads(stats.read_text(encoding="utf-8"))["bench/max_rss_bytes"]
    assert 20 * 2**20 < peak < 250 * 2**20, "Python and Scrapy's own, not the parent's 300 MiB"
