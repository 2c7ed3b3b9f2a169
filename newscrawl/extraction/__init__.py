"""Extraction: pure functions from a page's bytes and URL to an Article."""
