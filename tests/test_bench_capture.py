"""The capture benchmark runs and reports every figure (never whether a target is met)."""

from __future__ import annotations

from pathlib import Path

from bench import capture


def test_capture_benchmark_reports_cost_and_size(tmp_path: Path) -> None:
    result = capture.measure(40, seed=1, repeats=1, levels=[1], work=tmp_path)
    off, gzip1 = capture.summarize(result)
    assert (off["capture"], gzip1["capture"]) == ("off", "gzip-1")
    assert off["pages_per_second"] > 0 and gzip1["pages_per_second"] > 0
    assert gzip1["warc_bytes_per_article"] > 1000, "a page and its request, compressed"
    [incremental] = result["incremental"]
    assert 0 < incremental["warc_bytes"] < gzip1["warc_bytes_per_article"] * 40
