"""Real-world post markup in the copy's articles, and what a reader gets from each form.

The site reposts articles pasted in whatever markup the source used (docs/extraction.md).
Some articles of the copy carry one or two such blocks after their lead: paragraphs written
into a <div> and split by <br><br>, lists (nested, items in <p>), tables, block quotes,
invisible characters (a NUL, zero-width spaces, soft hyphens, a stray BOM), and images the
classic and lazy ways (data-srcset, div.wp-caption, <noscript> fallbacks, <picture>), embedded
players and video files (the record's media).

Each block carries its HTML and, written beside it by hand, what a reader sees: its body
paragraphs and its images. sitecopy.expected takes those, never the parser's output; the
end-to-end crawls compare. Blocks hold no tag links, so the tags of an article are unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from sitecopy.words import CAPTION_CREDITS, FILLERS, PLACES, SAYS, SUBJECTS, TOPICS

BASE = "{base}"  # the server's base URL, filled in by render()
PLACEHOLDER_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
LAZY_PLACEHOLDER = BASE + "/wp-content/plugins/a3-lazy-load/assets/images/lazy_placeholder.gif"


@dataclass(frozen=True, slots=True)
class Markup:
    """A block of the entry: `html` (BASE for the site's URL), the body paragraphs a reader
    reads from it, its images as (url with BASE, caption or None) and its media as
    (kind, url with BASE, caption or None)."""

    html: str
    paragraphs: tuple[str, ...] = ()
    images: tuple[tuple[str, str | None], ...] = ()
    media: tuple[tuple[str, str, str | None], ...] = ()
    form: str = ""  # the name of the FORMS function that made it

    def render(self, base: str) -> str:
        return self.html.replace(BASE, base)


def _sentence(rng: random.Random) -> str:
    return (rng.choice(SUBJECTS) + rng.choice(SAYS) + "，" + rng.choice(FILLERS) + "在"
            + rng.choice(PLACES) + "的" + rng.choice(TOPICS) + "问题上态度强硬。")


def _item(rng: random.Random) -> str:
    return rng.choice(FILLERS) + "关注" + rng.choice(TOPICS)


def _upload(key: str, name: str) -> str:
    date, _, post = key.partition("/")
    return f"{BASE}/wp-content/uploads/{date[:4]}/{date[4:6]}/{post}-{name}"


def _caption(rng: random.Random, key: str) -> str:
    date = key.partition("/")[0]
    return f"{rng.choice(PLACES)}街头。（{rng.choice(CAPTION_CREDITS)}{date[:4]}年）"


def div_br(rng: random.Random, key: str) -> Markup:
    one, two, three = (_sentence(rng) for _ in range(3))
    return Markup(f"<div>{one}<br />\n<br />\n{two}<br />\n{three}</div>", (one, f"{two}\n{three}"))


def lists(rng: random.Random, key: str) -> Markup:
    lead = rng.choice(SUBJECTS) + "列出的要点包括："
    a, b, c, d, e = (_item(rng) for _ in range(5))
    html = (f"<p>{lead}</p>\n<ol>\n<li>{a}</li>\n<li><p>{b}</p></li>\n"
            f"<li>{c}<ul><li>{d}</li><li>{e}</li></ul></li>\n</ol>")
    return Markup(html, (lead, "\n".join((a, b, c, d, e))))


def table(rng: random.Random, key: str) -> Markup:
    rows = [(place, str(rng.randint(10, 999))) for place in rng.sample(PLACES, 2)]
    caption = f"各地{rng.choice(TOPICS)}统计"
    cells = "".join(f"<tr><td>{place}</td><td>{count}</td></tr>\n" for place, count in rows)
    html = (f"<table>\n<caption>{caption}</caption>\n<tbody>\n"
            f"<tr><th>地区</th><th>人数</th></tr>\n{cells}</tbody>\n</table>")
    lines = [caption, "地区 | 人数", *(f"{place} | {count}" for place, count in rows)]
    return Markup(html, ("\n".join(lines),))


def quote(rng: random.Random, key: str) -> Markup:
    one, two = _sentence(rng), _sentence(rng)
    return Markup(f"<blockquote><p>{one}</p>\n<p>{two}</p></blockquote>", (one, two))


def invisible(rng: random.Random, key: str) -> Markup:
    # No C1 controls here: the GBK page writes what GBK lacks as &#NNN;, and HTML reads
    # &#133; as "…" (windows-1252), not as U+0085. The fixtures cover C1.
    a, b = _sentence(rng), _sentence(rng)
    cut = len(a) // 2
    dirty = f"\ufeff{a[:cut]}\u200b{a[cut:]}\x00 inter\u00adnational {b[:2]}\u2060{b[2:]}"
    return Markup(f"<p>{dirty}</p>", (f"{a} international {b}",))


def images(rng: random.Random, key: str) -> Markup:
    caption = _caption(rng, key)
    wide, lazy, classic = (_upload(key, f"{name}.jpg") for name in ("1600w", "lazy", "wp"))
    small = _upload(key, "800w.jpg")
    html = (f'<figure><img src="{PLACEHOLDER_GIF}" data-srcset="{small} 800w, {wide} 1600w" />'
            f"<figcaption>{caption}</figcaption></figure>\n"
            f'<figure><img class="lazyload" src="{LAZY_PLACEHOLDER}" />'
            f'<noscript><img src="{lazy}" /></noscript></figure>\n'
            f'<div class="wp-caption aligncenter" style="width: 610px"><img src="{classic}" '
            f'width="600" height="400" /><p class="wp-caption-text">{caption}</p></div>')
    return Markup(html, (), ((wide, caption), (lazy, None), (classic, caption)))


def embeds(rng: random.Random, key: str) -> Markup:
    """A Gutenberg YouTube embed with its caption, a sentence, a <video> file without one."""
    video_id = f"v{key.partition('/')[2]:0>10}"[-11:]
    caption = f"视频：“{rng.choice(PLACES)}”现场, 画面（YouTube）"  # a quote and a comma for CSV
    sentence = _sentence(rng)
    clip = _upload(key, "clip.mp4")
    html = ('<figure class="wp-block-embed is-type-video is-provider-youtube '
            'wp-block-embed-youtube"><div class="wp-block-embed__wrapper">\n'
            f'<iframe title="video" src="https://www.youtube.com/embed/{video_id}?feature=oembed"'
            f' allowfullscreen></iframe>\n</div><figcaption>{caption}</figcaption></figure>\n'
            f'<p>{sentence}</p>\n'
            f'<figure class="wp-block-video"><video controls src="{clip}"></video></figure>')
    return Markup(html, (sentence,), (), (
        ("video", f"https://www.youtube.com/watch?v={video_id}", caption), ("video", clip, None)))


FORMS: tuple[Callable[[random.Random, str], Markup], ...] = (
    div_br, lists, table, quote, invisible, images, embeds)


def blocks(seed: int, key: str, revision: int) -> list[Markup]:
    """The markup blocks of one article: none for about half, else one or two forms.

    The first form goes by the post id, so that any dozen articles in a row show every form
    (the crawl tests' small copies do); a second one, for a third of them, by chance.
    """
    rng = random.Random(f"{seed}:{key}:{revision}:markup")  # its own stream: text unchanged
    post = int(key.partition("/")[2] or 0)
    if post % 2:
        return []
    forms = [FORMS[post // 2 % len(FORMS)]]
    if rng.random() < 1 / 3:
        forms.append(rng.choice([form for form in FORMS if form is not forms[0]]))
    return [replace(form(rng, key), form=form.__name__) for form in forms]
