"""newscrawl: archive the news of www.bannedbook.org into JSON Lines."""

__version__ = "0.1.0"
