"""HTML of the copy's pages: the chrome every page shares, article pages, listings.

Pages are built in Simplified Chinese with the links of their language; `render` converts the
whole text of a zh-tw page at the end (URLs are ASCII and stay as they are).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sitecopy import taggraph, words
from sitecopy.content import Figure, KeywordLink, Para, TagLink
from sitecopy.data import Missing
from sitecopy.model import Article, Site
from sitecopy.paths import PREFIX, SIMPLIFIED, TRADITIONAL, coin, listing_path, tag_path

SITE_NAME = "禁闻网"
UTM = "?utm_source={}&amp;utm_medium={}"


@dataclass(frozen=True)
class Ctx:
    site: Site
    base: str  # scheme://host:port of the server, no trailing slash
    lang: str
    path: str  # this page's path in `lang`

    @property
    def faults(self) -> bool:
        return self.site.faults_enabled

    def other_language_path(self) -> str:
        """The same page in the other language (zh-Hans ↔ zh-Hant)."""
        rest = self.path[len(PREFIX[self.lang]):]
        return PREFIX[SIMPLIFIED if self.lang == TRADITIONAL else TRADITIONAL] + rest

    def tag_url(self, tag: str, *, lower: bool = False) -> str:
        return self.base + tag_path(tag, self.lang, lower=lower and self.faults)

    def article_url(self, target: Article | Missing, *, utm: str = "") -> str:
        url = self.base + target.path(self.lang)
        return url + (UTM.format("bnews", utm) if utm and self.faults else "")


def _text(text: str) -> str:
    return escape(text, quote=False).replace("\n", "<br />").replace("\xa0", "&nbsp;")


def _tag_anchor(ctx: Ctx, tag: str, salt: str) -> str:
    url = ctx.tag_url(tag, lower=bool(coin(salt, tag)))
    return (f'<a href="{url}" class="st_tag internal_tag" rel="tag" '
            f'title="标签 {escape(tag)} 下的日志">{escape(tag)}</a>')


def para_html(ctx: Ctx, para: Para, salt: str) -> str:
    out = []
    for seg in para:
        if isinstance(seg, str):
            out.append(_text(seg))
        elif isinstance(seg, TagLink):
            out.append(_tag_anchor(ctx, seg.tag, salt))
        elif isinstance(seg, KeywordLink):
            out.append("<span class='wp_keywordlink_affiliate'><a href=\"https://www.bannedbook"
                       f".org/\" title=\"{seg.word}\" target=\"_blank\">{seg.word}</a></span>")
    return "".join(out)


def head(ctx: Ctx, title: str, charset: str = "UTF-8", extra: str = "") -> str:
    lang = "zh-TW" if ctx.lang == TRADITIONAL else "zh-CN"
    alternate = ""
    if ctx.faults:
        hreflang = SIMPLIFIED if ctx.lang == TRADITIONAL else TRADITIONAL
        alternate = (f'<link rel="alternate" hreflang="{hreflang}" '
                     f'href="{ctx.base}{ctx.other_language_path()}" />\n')
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
            f"<title>{escape(title, quote=False)} - {SITE_NAME}</title>\n"
            f'<meta name="author" content="编辑团队">\n{extra}{alternate}'
            f'<meta property="og:site_name" content="{SITE_NAME}" />\n'
            '<base target="_blank">\n</head>\n<body>\n')


def menu(ctx: Ctx) -> str:
    """The site menu: categories, a few tags, forums, other hosts, fq pages, mailto, js."""
    prefix = PREFIX[ctx.lang]
    home = f"{ctx.base}{prefix}" + (UTM.format("menu", "nav") if ctx.faults else "")
    items = [f'<li><a href="{home}">首页</a></li>']
    # A copy whose front page does not page has a tag menu: no category listing is linked.
    for path, name in words.CATEGORIES if ctx.site.front_pages else ():  # root-relative
        cls = ' class="sub"' if "/" in path else ""
        items.append(f'<li{cls}><a href="{prefix}{path}/">{name}</a></li>')
    for tag in ctx.site.menu_tags[:6]:
        items.append(f'<li><a href="{ctx.tag_url(tag, lower=True)}">{escape(tag)}</a></li>')
    items += [
        f'<li><a href="{ctx.base}/forum23/">禁闻论坛</a></li>',
        f'<li><a href="{ctx.base}/forum32/page1.html">翻墙交流</a></li>',
        '<li><a href="https://blog.bannedbook.org/">博客</a></li>',
        '<li><a href="https://github.com/bannedbook/fanqiang">翻墙软件</a></li>',
        '<li><a href="https://www.youtube.com/channel/UCcMS6ypeZtN0u3PUwJ2h3ww">视频</a></li>',
        f'<li><a href="{ctx.base}/bnews/fq/">翻墙教程</a></li>',
        f'<li><a href="{ctx.base}/bnews/fq/20230101/v2ray.html">V2ray</a></li>',
        '<li><a href="mailto:contact@bannedbook.org">联系我们</a></li>',
        '<li><a href="javascript:void(0)" onclick="window.print()">打印</a></li>',
    ]
    if ctx.faults:
        other = "简体" if ctx.lang == TRADITIONAL else "正体"
        items.append(f'<li><a href="{ctx.base}{ctx.other_language_path()}">{other}</a></li>')
        items.append(f'<li><a href="{ctx.base}{prefix}#top">顶部</a></li>')
        alias = localhost_alias(ctx.base)
        if alias:
            items.append(f'<li><a href="{alias}/bnews/">镜像站</a></li>')
    return ('<div id="header"><div class="logo"><a href="/bnews/" target="_self">'
            f'{SITE_NAME}</a></div>\n<ul id="menu" class="menu">' + "".join(items)
            + "</ul></div>\n")


def localhost_alias(base: str) -> str | None:
    """The same server under its other loopback name: links to it are off-site."""
    if "//127.0.0.1" in base:
        return base.replace("//127.0.0.1", "//localhost", 1)
    if "//localhost" in base:
        return base.replace("//localhost", "//127.0.0.1", 1)
    return None


def footer(ctx: Ctx) -> str:
    return (f'<div id="footer">© 2023 {SITE_NAME} | <a href="{ctx.base}/bnews/fq/">翻墙</a> | '
            '<a href="mailto:contact@bannedbook.org">contact@bannedbook.org</a></div>\n'
            "</body>\n</html>\n")


def sidebar(ctx: Ctx) -> str:
    tags = "".join(f'<li><a href="{ctx.tag_url(tag)}">{escape(tag)}</a></li>'
                   for tag in ctx.site.menu_tags)
    return (f'<div id="sidebar"><h2>热门标签</h2><ul>{tags}</ul><h2>翻墙</h2><ul>'
            f'<li><a href="{ctx.base}/bnews/fq/">翻墙软件下载</a></li></ul></div>\n')


def related_title(target: Article | Missing) -> str:
    """The target's title with its tag highlighted, 「普京向<b>习近平</b>索要…」."""
    title = escape(target.title, quote=False)
    if isinstance(target, Article):
        word = escape(target.tags[1] if target.split_tag else target.tags[0], quote=False)
        title = title.replace(word, f"<b>{word}</b>")
    return title


def listing_item(ctx: Ctx, article: Article) -> str:
    url = ctx.article_url(article)
    title = escape(article.title, quote=False)
    day = f"{article.date[:4]}年{article.date[4:6]}月{article.date[6:]}日"
    cat_url = f"{ctx.base}{listing_path(article.category, ctx.lang)}"
    cats = (f'<a href="{cat_url}" rel="category tag">'
            f"{words.CATEGORY_NAMES[article.category]}</a>")
    if coin(article.id, "headline") and article.category != "headline":  # several categories
        cats += f', <a href="{ctx.base}{PREFIX[ctx.lang]}headline/" rel="category tag">头条</a>'
    comments = f' | <a href="{url}#comments">评论</a>' if ctx.faults else ""
    return (f'<div class="postlist">\n<h4><a href="{url}">{title}</a><span><a href="{url}" '
            f'rel="nofollow">阅读全文»</a></span></h4>\n'
            f'<div class="thumbnail"><a href="{ctx.article_url(article, utm="thumbnail")}">'
            f'<img src="{ctx.base}/wp-content/uploads/thumbs/{article.id}.jpg" '
            f'alt="{escape(title)}" width="150" height="100" /></a></div>\n'
            f'<div class="postcontent">{_text(article.lead[:60])} [&hellip;]</div>\n'
            f'<div class="postmeat">日期：{day} | 分类：{cats}{comments}</div>\n</div>\n')


def pagenavi(ctx: Ctx, section: str, page: int, pages: int) -> str:
    def url(number: int) -> str:
        return ctx.base + listing_path(section, ctx.lang, number)

    parts = []
    if page > 1:  # page 1 shows no page numbers, only the next link
        parts.append(f'<a href="{url(page - 1)}"><b>上一页</b></a>')
        for number in sorted({1, page - 1, page, page + 1, pages}):
            if 1 <= number <= pages:
                parts.append(f'<span class="current">{number}</span>' if number == page
                             else f'<a class="page" href="{url(number)}">{number}</a>')
    if page < pages:
        parts.append(f'<a href="{url(page + 1)}"><b>下一页</b></a>')
    return '<div class="wp-pagenavi">' + " ".join(parts) + "</div>\n"


def related_tags(ctx: Ctx, section: str) -> str:
    """Plain links to other tag archives (sitecopy.taggraph); never to the site's inner tags."""
    own = section[4:] if section.startswith("tag/") else None
    links = " ".join(f'<a href="{ctx.tag_url(tag)}">{escape(tag)}</a>'
                     for tag in taggraph.related(ctx.site, own))
    return f'<div class="related-tags"><b>相关标签：</b>{links}</div>\n'


def byline(ctx: Ctx, article: Article) -> str:
    """The entry's first <p>, in the forms NOTES.md lists."""
    if article.byline == "split":
        assert article.split_tag and article.source
        before, _, after = article.source.partition(article.split_tag)
        return (f"<p>来源：{escape(before)}{_tag_anchor(ctx, article.split_tag, article.id)}"
                f"{escape(after)}, <strong>{words.DISCLAIMER}</strong></p>")
    if article.byline == "strong":
        return f"<p>来源：{escape(article.source or '')}, <strong>{words.DISCLAIMER}</strong></p>"
    if article.byline == "plain":
        return f"<p>来源：{escape(article.source or '')}, 文章内容并不代表本网立场。</p>"
    if article.byline == "inline":
        return (f"<p>作者：{escape(article.authors[0])}，来源：{escape(article.source or '')}，"
                f"{words.DISCLAIMER}</p>")
    return f"<p>{words.NETWORK_BYLINE}</p>"


def figure_html(ctx: Ctx, fig: Figure, salt: str) -> str:
    img = ""
    if fig.src:
        src = ctx.base + fig.src if fig.src.startswith("/") else fig.src
        img = f'<img src="{src}" alt="" width="800" height="450" /> '
    caption = (f"<figcaption> {para_html(ctx, fig.caption, salt)}</figcaption>"
               if fig.caption else "")
    return f"<figure> {img}{caption}</figure>"
