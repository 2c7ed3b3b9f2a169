"""Signals of newscrawl's own, sent with crawler.signals."""

# A fetched article URL gave no article. Arguments: url (str), reason (NotAnArticle reason
# or "http_<status>"). The incremental layer remembers it, so a dead link is not refetched forever.
article_failed = object()
