"""No silent loss: what the body leaves out, counted per rule, and when a rule leaves out more
than it usually does (docs/extraction.md, "No silent loss").

Per page (`count`, called by the spider for every article page): the elements and visible
characters each rule left out, the entry's visible characters (body + left out + unclaimed),
and per rule the page where it left out the largest share (the sample a warning names).
Per run (`summary`, called by the RunReport for last-run.json): the share of the run's entry
text each rule left out, and the rules whose share is far above their usual share.

"Usual" is a shipped table, USUAL_SHARE: per rule, the share of entry text it leaves out
across the project's fixture pages (tests/fixtures/pages: real captured markup and the cases
it met) or across the synthetic site's articles (sitecopy, 200 articles), whichever is larger,
rounded up; tests/test_loss.py measures both again and fails when the table falls below
them. A table and not the state's run history: a first run has no history, and a history
that learns from broken runs would call a broken page usual.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.statscollectors import StatsCollector

from newscrawl.extraction.body import visible_chars
from newscrawl.extraction.extract import Extraction

logger = logging.getLogger(__name__)

DROPPED = "newscrawl/extraction/dropped/"  # + rule: elements left out
DROPPED_CHARS = "newscrawl/extraction/dropped_chars/"  # + rule: their visible characters
ENTRY_CHARS = "newscrawl/extraction/entry_chars"  # visible characters of every entry read
UNCLAIMED_CHARS = "newscrawl/extraction/unclaimed_chars"
UNCLAIMED_PAGES = "newscrawl/extraction/unclaimed_pages"
SAMPLE = "left_out_sample/"  # + rule: (largest share of one page, its URL); not a counter

# Share of the entry text each rule leaves out across the fixture pages, rounded up.
USUAL_SHARE: dict[str, float] = {
    "byline": 0.05, "authors": 0.01, "caption": 0.06, "caption_shortcode": 0.02,
    "embed": 0.02, "non_text": 0.02, "promo": 0.19, "related": 0.18, "ads": 0.01,
    "share": 0.01, "notice": 0.01, "page_links": 0.01, "hidden": 0.01,
}
UNKNOWN_RULE_SHARE = 0.01  # a rule the table does not know is taken to leave out little
# "Much more than usual": twice the usual share and 5 points above it, over a run that read
# enough entry text to tell (about ten articles): one odd page does not make a run's share.
FACTOR, MARGIN, MIN_ENTRY_CHARS = 2.0, 0.05, 10_000


def count(stats: StatsCollector, url: str, found: Extraction) -> None:
    """Count what the body of the page at `url` left out, per rule (stats above)."""
    dropped = found.dropped
    entry = visible_chars(found.article.body) + found.unclaimed_chars + sum(
        chars for _, chars in dropped.values())
    stats.inc_value(ENTRY_CHARS, entry)
    for rule, (elements, chars) in dropped.items():
        stats.inc_value(DROPPED + rule, elements)
        stats.inc_value(DROPPED_CHARS + rule, chars)
        share = chars / entry if entry else 0.0
        sample = stats.get_value(SAMPLE + rule)
        if chars and (sample is None or share > sample[0]):
            stats.set_value(SAMPLE + rule, (share, url))
    if found.unclaimed_chars:
        stats.inc_value(UNCLAIMED_CHARS, found.unclaimed_chars)
    if found.substantial_unclaimed:
        stats.inc_value(UNCLAIMED_PAGES)
        logger.warning("text in the entry that no rule placed in the body or left out "
                       "(%d characters: %s…) at %s", found.unclaimed_chars,
                       found.unclaimed_sample, url)


def limit(rule: str) -> float:
    """The share of a run's entry text above which `rule` leaves out much more than usual."""
    usual = USUAL_SHARE.get(rule, UNKNOWN_RULE_SHARE)
    return max(FACTOR * usual, usual + MARGIN)


def summary(stats: dict[str, Any]) -> dict[str, Any]:
    """For last-run.json: {"entry_chars", "share": {rule: share of the entry text, 4 places},
    "unusual": {rule: {"share", "usual", "sample"}}} (unusual only over MIN_ENTRY_CHARS)."""
    entry = stats.get(ENTRY_CHARS, 0)
    share = {key[len(DROPPED_CHARS):]: round(value / entry, 4) if entry else 0.0
             for key, value in sorted(stats.items()) if key.startswith(DROPPED_CHARS)}
    unusual = {rule: {"share": value, "usual": USUAL_SHARE.get(rule, UNKNOWN_RULE_SHARE),
                      "sample": (stats.get(SAMPLE + rule) or (0, None))[1]}
               for rule, value in share.items()
               if entry >= MIN_ENTRY_CHARS and value > limit(rule)}
    return {"entry_chars": entry, "share": share, "unusual": unusual}


def warn(left_out: dict[str, Any]) -> None:
    """One warning for the run, naming each rule that left out much more than usual."""
    unusual = left_out["unusual"]
    if unusual:
        logger.warning("the body left out much more text than usual (rule: share of the "
                       "run's entry text, usual share, a page): %s; see docs/extraction.md",
                       "; ".join(f"{rule}: {v['share']:.0%}, usual {v['usual']:.0%}, "
                                 f"{v['sample']}" for rule, v in unusual.items()))
