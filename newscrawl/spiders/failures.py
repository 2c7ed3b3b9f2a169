"""What a page or request that gave no article is counted as, and what the log says of it.

The reasons and their flags are newscrawl.reasons'; this is only the spider's logging policy:
a refusal's own sentence, a challenge page, an article's extraction failure at WARNING; any
other page that held no content at INFO. An article's failure is also sent as the
``article_failed`` signal (newscrawl.run.signals), under its post's URL for a later page of a
multi-page post, so the state counts it toward giving up when its reason says so.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler

from newscrawl.discovery.requests import for_article, post_of
from newscrawl.reasons import CHALLENGE, STAT_PREFIX
from newscrawl.run.signals import article_failed

logger = logging.getLogger("newscrawl.spiders.bannedbook")  # where these lines always came from


def count_not_article(crawler: Crawler, request: Request | None, url: str, reason: str,
                      message: str | None = None) -> None:
    """Count `reason` (a name of newscrawl.reasons) for the page at `url`, and log it once."""
    is_article = request is not None and for_article(request)
    assert crawler.stats is not None
    crawler.stats.inc_value(STAT_PREFIX + reason)
    if is_article:  # a page of a multi-page post fails its post: no record, as any failure
        crawler.signals.send_catch_log(article_failed, url=post_of(request) or url,
                                       reason=reason)
    if message is not None:
        logger.warning("%s", message)
    elif reason == CHALLENGE.name:
        logger.warning("challenge page instead of content at %s", url)
    elif is_article:
        logger.warning("extraction failure (%s) at article URL %s", reason, url)
    else:
        logger.info("no content (%s) at %s", reason, url)
