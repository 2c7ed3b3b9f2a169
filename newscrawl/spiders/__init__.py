"""Spiders of newscrawl."""
