"""Signals of newscrawl's own, sent with crawler.signals."""

# A fetched article URL gave no article. Arguments: url (str), reason (NotAnArticle reason
# or "http_<status>"). The incremental layer remembers it, so a dead link is not refetched forever.
article_failed = object()

# The run is about to be judged (sent by newscrawl.run.report.RunReport at spider_closed, before it
# reads the stats): a component may still record a failure (runtime.record_failure).
# Arguments: reason (the close reason).
run_ending = object()
