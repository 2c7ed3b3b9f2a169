"""Signals of newscrawl's own, sent with crawler.signals."""

# A fetched article URL gave no article. Arguments: url (str), reason (NotAnArticle reason
# or "http_<status>"). The incremental layer remembers it, so a dead link is not refetched forever.
article_failed = object()

# A run's state is open (and, for SQLite, locked): components that must work on it before
# the run does (newscrawl.output.recovery.OutputRecovery) do it now. Sent by
# newscrawl.state.keeper.StateKeeper while Scrapy builds the extensions, so only an extension
# built before the keeper (lower in EXTENSIONS) hears it; an exception a handler raises fails
# the run's start. Arguments: state (newscrawl.state.base.State).
state_opened = object()

# The run is about to be judged (sent by newscrawl.reporting.report.RunReport at spider_closed,
# before it reads the stats): a component may still record a failure (runtime.record_failure).
# Arguments: reason (the close reason).
run_ending = object()

# Scrapy's robots.txt middleware could not read robots.txt (the host refused, did not resolve,
# timed out, after the retries): Scrapy sends no robots_parsed then, and whoever waits for its
# `Sitemap:` lines (newscrawl.discovery.sitemap_reader) must not fetch it a second time.
# Sent by newscrawl.transport.robots.RobotsTxtOnce. Arguments: netloc (host[:port]).
robots_failed = object()
# A watched article was refetched (newscrawl.discovery.revisits): its article came back, or an
# answer that may be a removal. The removal ledger (newscrawl.output.ledger) judges it at the
# run's end. Arguments: answer (newscrawl.discovery.removal.Answer).
revisit_answered = object()
