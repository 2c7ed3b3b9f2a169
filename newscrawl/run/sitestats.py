"""The stats keys under which components say what the site is (``newscrawl/site/...``).

Each is set by the component that knows, and read in one place, newscrawl/reporting/site.py,
which assembles the ``site`` section of last-run.json (docs/site-report.md):

- the sitemap reader (discovery/sitemap_reader.py): robots.txt read or not, its ``Sitemap:``
  lines, sitemap files read and the newest ``lastmod`` in them;
- the spider (spiders/bannedbook.py): feeds read or missing, whether the front page has a
  next page, article pages parsed whole and whether they carried the END ENTRY comment;
- the drift monitor (quality/drift.py): articles counted and, per field, those that have it.

Challenge pages are the reasons table's counter (``newscrawl/not_article/challenge``).
"""

from __future__ import annotations

PREFIX = "newscrawl/site/"
ROBOTS = PREFIX + "robots"  # "read" or "unreadable": robots.txt as fetched
ROBOTS_SITEMAPS = PREFIX + "robots_sitemaps"  # list[str]: its Sitemap: lines
SITEMAP_FILES = PREFIX + "sitemap_files"  # int: sitemap files (indexes included) read
SITEMAP_NEWEST = PREFIX + "sitemap_newest_lastmod"  # float: POSIX seconds
FEEDS_READ = PREFIX + "feeds_read"  # list[str]: feed URLs that answered
FEEDS_MISSING = PREFIX + "feeds_missing"  # int: feed URLs that did not
FRONT_PAGE_PAGES = PREFIX + "front_page_pages"  # bool: page 1 of a start listing links page 2
WHOLE_PAGES = PREFIX + "whole_pages"  # int: article pages parsed whole (an article)
WITH_END_MARKER = PREFIX + "whole_with_end_marker"  # int: of those, with <!--END ENTRY-->
ARTICLES = PREFIX + "articles"  # int: articles counted for field coverage
COVERED = PREFIX + "covered/"  # + field: int, articles where the field is non-empty
