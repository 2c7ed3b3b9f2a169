"""The site's language copies: the tag a record carries, and the names a user gives them.

The ground every layer shares: the record's ``language`` field (newscrawl.article), the
``-a lang=`` argument (newscrawl.run.arguments) and the URL rules of each copy's path
(newscrawl.discovery.urls) all use these.
"""

from __future__ import annotations

SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"
ENGLISH = "en"

# `-a lang=` values users type, mapped to the language tag of the record. Not "en": the
# English copy's pages are not the Chinese articles the extractor and schema describe.
LANG_ARGUMENT = {"zh-cn": SIMPLIFIED, "zh-hans": SIMPLIFIED, "zh-tw": TRADITIONAL,
                 "zh-hant": TRADITIONAL}
