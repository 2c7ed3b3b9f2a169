"""newscrawl: archive the news of www.bannedbook.org into JSON Lines."""
