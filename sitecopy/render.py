"""Path → (status, headers, body): every page of the copy, rendered on request.

Pure functions of the model and the server's base URL, except the transient 503s, which need
memory of past requests and are the server's. Nothing is pre-rendered: a 20,000-article site
is served from its model alone.
"""

from __future__ import annotations

import re
from html import escape

from sitecopy import discovery, pages, redesign, removals, words
from sitecopy.data import Response
from sitecopy.markup import Markup
from sitecopy.minify import minify
from sitecopy.model import Article, Site
from sitecopy.pages import Ctx
from sitecopy.paths import (
    PREFIX,
    TRADITIONAL,
    Route,
    coin,
    listing_path,
    lower_escapes,
    route,
)
from sitecopy.words import to_traditional

HTML = "text/html; charset=UTF-8"
ROBOTS = ("User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
          "Disallow: /bnews/fq/\n")
ADS = (
    '<div style="margin-bottom:5px;padding-bottom:5px;clear:both"> <div id="archive-pix-1" '
    'class="banner-ads"> <!-- AuctionX Display platform tag START --> <div id="27602x728x90x621x'
    '_ADSLOT1" clicktrack="%%CLICK_URL_ESC%%"></div>  <!-- AuctionX Display platform tag END -->'
    ' </div> <div id="archive-pix-2" class="banner-ads"> <div id="27556x300x250x621x_ADSLOT1" '
    'clicktrack="%%CLICK_URL_ESC%%" style="margin:0 auto;text-align:center"></div> </div> </div>'
    '  <div id="archive-pix-1" class="banner-ads"> <div id="27603x728x90x621x_ADSLOT1" '
    'clicktrack="%%CLICK_URL_ESC%%"></div> </div> '
)
PROMO_LINKS = (
    ("https://github.com/bannedbook/fanqiang/wiki/V2ray%E6%9C%BA%E5%9C%BA",
     "🔥", "解锁ChatGPT|全平台高速翻墙:高清视频秒开,超低延迟"),
    ("https://github.com/bannedbook/fanqiang/wiki/%E7%A6%81%E9%97%BB%E7%BD%91%E5%AE%89%E5%8D"
     "%93%E7%BF%BB%E5%A2%99%E6%96%B0%E9%97%BBAPP", "", "免费PC翻墙、安卓VPN翻墙APP"),
)
CHALLENGE = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta '
    b'http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" '
    b'content="noindex,nofollow"></head><body><div class="main-wrapper" role="main"><div '
    b'class="main-content"><h1 class="zone-name-title h1">www.bannedbook.org</h1><h2 class="h2" '
    b'id="challenge-running">Checking if the site connection is secure</h2><noscript><div>Enable '
    b"JavaScript and cookies to continue</div></noscript></div></div><script>window._cf_chl_opt="
    b"{cvId: '2',cType: 'managed'};</script></body></html>"
)
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")  # smallest JFIF shell


def render(site: Site, path: str, base_url: str) -> Response:
    """The response to GET `path` (query and fragment ignored) on a server at `base_url`;
    HTML minified when `site.minified`."""
    found = _render(site, path, base_url)
    if site.minified and "html" in dict(found.headers).get("Content-Type", ""):
        return found._replace(body=minify(found.body))
    return found


def _render(site: Site, path: str, base_url: str) -> Response:
    base = base_url.rstrip("/")
    if site.down:  # the whole site, for one run (sitecopy.removals)
        return removals.UNAVAILABLE
    amp = _AMP.search(path.split("?", 1)[0])
    if amp and site.amp:
        return _amp(site, path[:amp.start()], base)
    where = route(path)
    if where.kind == "other":
        return _other(site, where, base)
    with site.lock:  # add_articles may run in another thread
        if where.kind == "article":
            return _article(site, where, base)
        return _listing(site, where, base)


_AMP = re.compile(r"(?<=\.html)/amp/?$")


def _amp(site: Site, path: str, base: str) -> Response:
    """An article's AMP copy: other markup, its canonical link naming the article."""
    where = route(path)
    with site.lock:
        article = site.articles.get(where.article_id) if where.kind == "article" else None
        if article is None or where.article_id in site.unservable:
            return _not_found(site, base, where.lang)
        text = (f'<!doctype html><html amp lang="zh"><head><meta charset="utf-8"><title>'
                f'{escape(article.title)}</title><link rel="canonical" href="{base}{path}">'
                '<style amp-boilerplate>body{visibility:hidden}</style></head><body>'
                f'<header class="amp-wp-header"><a href="{base}/bnews/">{pages.SITE_NAME}</a>'
                f'</header><article class="amp-wp-article"><h1 class="amp-wp-title">'
                f'{escape(article.title)}</h1><div class="amp-wp-article-content"><p>'
                f'{escape(article.lead)}</p></div></article></body></html>')
    return _html(text, where.lang)


def _html(text: str, lang: str, status: int = 200) -> Response:
    if lang == TRADITIONAL:
        text = to_traditional(text)
    return Response(status, [("Content-Type", HTML)], text.encode("utf-8"))


def _not_found(site: Site, base: str, lang: str) -> Response:
    ctx = Ctx(site, base, lang, PREFIX[lang])
    text = (pages.head(ctx, "页面未找到") + pages.menu(ctx)
            + '<div id="content"><h2>404 页面未找到</h2></div>\n' + pages.footer(ctx))
    return _html(text, lang, 404)


def _removed(site: Site, article_id: str, base: str, lang: str) -> Response | None:
    """How a removed or flaky post answers (sitecopy.removals), None for an ordinary one."""
    how = site.removals.get(article_id)
    if how in ("404", "410", "soft404"):
        page = _not_found(site, base, lang)
        return Response({"404": 404, "410": 410}.get(how, 200), page.headers, page.body)
    if how == "trash":
        return Response(301, [("Location", base + PREFIX[lang])], b"")
    if how in ("503", "403"):
        return Response(int(how), [("Content-Type", HTML)], b"<html><body>busy</body></html>")
    if how == "challenge":
        return Response(503, [("Content-Type", HTML), ("Server", "cloudflare")], CHALLENGE)
    if how == "timeout":
        return Response(removals.NO_ANSWER, [], b"")
    return None


def _other(site: Site, where: Route, base: str) -> Response:
    path = where.rest
    if path == "/robots.txt":
        text = ROBOTS + discovery.robots_lines(site, base)
        return Response(200, [("Content-Type", "text/plain; charset=utf-8")], text.encode())
    found = discovery.render(site, path, base)
    if found is not None:
        return found
    if path.startswith("/wp-content/uploads/") and path.endswith(".jpg"):
        return Response(200, [("Content-Type", "image/jpeg")], JPEG)
    if path.startswith("/wp-admin/"):
        return Response(403, [("Content-Type", HTML)], b"<html><body>Forbidden</body></html>")
    kinds = {"/": "禁闻网首页", "/bnews/fq/": "翻墙教程", "/forum": "禁闻论坛"}
    for prefix, title in kinds.items():
        if path == prefix or (prefix != "/" and path.startswith(prefix)):
            # Not news: the crawler may see these (forums), must not (fq: robots.txt).
            ctx = Ctx(site, base, where.lang, PREFIX[where.lang])
            text = (pages.head(ctx, title) + pages.menu(ctx)
                    + f'<div id="content"><h2>{title}</h2><p>{title}</p></div>\n'
                    + pages.footer(ctx))
            return _html(text, where.lang)
    return _not_found(site, base, where.lang)


def _article(site: Site, where: Route, base: str) -> Response:
    article = site.articles.get(where.article_id)
    if article is None or (article.category, article.date) != (where.category, where.date) or (
            where.part > 1 and (article.id not in site.multipage or where.part > 2)):
        return _not_found(site, base, where.lang)
    removed = _removed(site, article.id, base, where.lang)
    if removed is not None:
        return removed
    if article.id == site.cloudflare:
        return Response(503, [("Content-Type", HTML), ("Server", "cloudflare"),
                              ("CF-RAY", "7abc1234def56789-HKG")], CHALLENGE)
    if article.id == site.empty:
        return Response(200, [("Content-Type", HTML)], b"")
    if article.id == site.not_html:
        return Response(200, [("Content-Type", "application/pdf")], PDF)
    ctx = Ctx(site, base, where.lang, article.path(where.lang))
    if article.id != site.gbk:
        return _html(article_page(ctx, article, "UTF-8", where.part), where.lang)
    text = article_page(ctx, article, "gbk")
    if where.lang == TRADITIONAL:
        text = to_traditional(text)
    # Charset only in <meta>; characters GBK lacks (the 🔥) become character references.
    return Response(200, [("Content-Type", "text/html")], text.encode("gbk", "xmlcharrefreplace"))


def article_page(ctx: Ctx, article: Article, charset: str, part: int = 1) -> str:
    """An article page; for a post of site.multipage, its page `part` (1 or 2): page 1 the
    byline and the first half of the blocks, page 2 the rest and the paragraph after the promo
    block, each with the related list, the promo block and the wp_link_pages links."""
    site = ctx.site
    content = site.content(article.id)
    split = max(1, len(content.head) // 2) if article.id in site.multipage else None
    head = content.head if split is None else (
        content.head[:split] if part == 1 else content.head[split:])
    url = ctx.base + ctx.path
    title = escape(article.title, quote=False)
    hour = 8 + int(article.id) % 12
    extra = (f'<meta name="description" content="{escape(article.lead)}" />\n'
             f'<link rel="canonical" href="{url}" />\n'
             + (f'<link rel="amphtml" href="{url}/amp/" />\n' if site.amp else "")
             + '<meta property="og:type" content="article" />\n'
             f'<meta property="og:title" content="{escape(article.title)}" />\n'
             f'<meta property="og:url" content="{url}" />\n'
             f'<meta property="article:published_time" '
             f'content="{article.published}T{hour:02d}:00:00+08:00" />\n')
    salt = article.id
    cat_url = ctx.base + PREFIX[ctx.lang] + article.category + "/"
    parts = [pages.head(ctx, article.title, charset, extra), pages.menu(ctx),
             f'<div id="content"><div class="post" id="post-{article.id}">\n'
             f'<div class="breadcrumb"><a href="{ctx.base}{PREFIX[ctx.lang]}">首页</a> » '
             f'<a href="{cat_url}">{words.CATEGORY_NAMES[article.category]}</a></div>\n'
             f" <!-- 面包屑导航 --> <h2>{title}</h2> {words.NOTICE}  <div class=\"entry\"> ",
             pages.byline(ctx, article) if part == 1 else "", " "]
    if article.authors and article.byline != "inline" and part == 1:
        parts.append("<ul> " + "".join(f"<li> {escape(name)} </li> " for name in article.authors)
                     + "</ul> ")
    for block in head:
        if isinstance(block, tuple):
            parts.append(f"<p>{pages.para_html(ctx, block, salt)}</p> ")
        elif isinstance(block, Markup):
            parts.append(block.render(ctx.base) + " ")
        else:
            parts.append(pages.figure_html(ctx, block, salt) + " ")
    parts.append('<!--<div id="taboola-mid-1"></div>-->')
    if article.related:
        parts.append("<ul class='op-related-articles' title='相关阅读'> ")
        for index, target_id in enumerate(article.related):
            target = site.articles.get(target_id) or site.missing[target_id]
            link = ctx.article_url(target, utm="related" if index % 3 == 2 else "")
            if site.amp and index % 3 != 2:  # the AMP copy's two URL forms
                link += "/amp/" if index % 3 == 0 else "?amp=1"
            parts.append(f"<li><a href='{link}' target='_blank'>"
                         f"{pages.related_title(target)}</a></li> ")
        parts.append("</ul>")
    parts.append(' <p class="texttj"> ')
    promos = [(ctx.article_url(site.articles[i], utm="promo"), "🔥", site.articles[i].title)
              for i in site.promos]
    for href, mark, text in (*promos[:2], PROMO_LINKS[0], *promos[2:], PROMO_LINKS[1]):
        parts.append(f'{mark}<a href="{href}" target="_blank">{escape(text)}</a><br/> ')
    parts += ["</p>", f"<p>{pages.para_html(ctx, content.tail, salt)}</p>" if part == 2 or (
        split is None) else "", "<a name='sharetosocial'></a> ", ADS,
              "" if split is None else _page_links(url, part),
              "</div><!--END ENTRY-->\n</div></div>\n",
              pages.sidebar(ctx), pages.footer(ctx)]
    return redesign.apply("".join(parts), site.redesign)


def _page_links(url: str, part: int) -> str:
    """wp_link_pages' links of a two-page post, on its page `part`."""
    one, two = (f'<span class="post-page-numbers current" aria-current="page">{n}</span>'
                for n in (1, 2))
    if part == 1:
        two = f'<a href="{url}/2" class="post-page-numbers">2</a>'
    else:
        one = f'<a href="{url}" class="post-page-numbers">1</a>'
    return f'<p class="post-nav-links">页面： {one} {two}</p>'


def _listing(site: Site, where: Route, base: str) -> Response:
    section = where.section
    moved = site.moved_listings.get(section)
    if moved is not None and where.page == 1:
        return Response(301, [("Location", base + listing_path(moved, where.lang))], b"")
    if section in site.challenged_listings:
        return Response(200, [("Content-Type", HTML)], CHALLENGE)
    result = site.page(section, where.page)
    if result is None:
        return _not_found(site, base, where.lang)
    ids, pages_count = result
    ctx = Ctx(site, base, where.lang, listing_path(section, where.lang, where.page))
    canonical = ctx.base + ctx.path
    if section.startswith("tag/") and site.faults_enabled and coin(section, "canonical"):
        canonical = lower_escapes(canonical)
    if section.startswith("tag/"):
        heading = f"标签 {section[4:]} 下的日志"
    else:
        heading = words.CATEGORY_NAMES.get(section, "最新禁闻")
    title = heading + (f" - 第{where.page}页" if where.page > 1 else "")
    extra = f'<link rel="canonical" href="{canonical}" />\n'
    if where.page > 1:
        extra += (f'<link rel="prev" href="'
                  f'{ctx.base}{listing_path(section, where.lang, where.page - 1)}" />\n')
    if where.page < pages_count:
        extra += (f'<link rel="next" href="'
                  f'{ctx.base}{listing_path(section, where.lang, where.page + 1)}" />\n')
    extra += (f'<meta property="og:type" content="website" />\n'
              f'<meta property="og:url" content="{canonical}" />\n')
    parts = [pages.head(ctx, title, extra=extra), pages.menu(ctx),
             pages.related_tags(ctx, section),
             f'<div id="content"><h1 class="archive-title">{escape(heading)}</h1>\n']
    for index, article_id in enumerate(ids):
        parts.append(pages.listing_item(ctx, site.articles[article_id]))
        if index % 5 == 4:
            parts.append(f'<div class="banner-ads" id="list-ad-{index // 5}"><div '
                         'clicktrack="%%CLICK_URL_ESC%%"></div></div>\n')
    parts += [pages.pagenavi(ctx, section, where.page, pages_count), "</div>\n",
              pages.footer(ctx)]
    return _html("".join(parts), where.lang)
