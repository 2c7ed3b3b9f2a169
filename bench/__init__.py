"""Benchmarks of newscrawl: throughput, extraction cost, incremental cost, memory.

`python -m bench --help` from the repository root; method and figures: docs/benchmarks.md.
"""
