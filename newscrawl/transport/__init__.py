"""What servers and networks do wrong, handled between the downloader and the spider.

Downloader middlewares: redirects (`redirects`), whole responses only (`completeness`),
Retry-After back-off (`backoff`); `refusals` names every way a request is given up and
`outcomes` turns a run's counters into the one sentence that says what the server did.
"""
