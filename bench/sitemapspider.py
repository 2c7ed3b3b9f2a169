"""The sitemap baseline: Scrapy's own SitemapSpider, taking the title of every article.

What a user's first alternative costs for a sitemap-driven first crawl (`python -m bench
--sitemaps`): robots.txt's `Sitemap:` lines, every sub-sitemap, every article URL the sitemaps
list, one `h1` per page; Scrapy's default settings, as for the plain spider.

    python -m scrapy runspider bench/sitemapspider.py -a start_urls=http://127.0.0.1:8000/bnews/
"""

from typing import ClassVar

from scrapy.spiders import SitemapSpider

from bench.plainspider import ARTICLE, ARTICLE_PAGES_STAT


class SitemapBaseline(SitemapSpider):
    name = "bench-sitemap"
    sitemap_rules: ClassVar = [(ARTICLE, "parse_article")]  # read by SitemapSpider.__init__

    def __init__(self, start_urls: str = "", **kwargs):
        super().__init__(**kwargs)
        root = "/".join(start_urls.split("/")[:3])
        self.sitemap_urls = [f"{root}/robots.txt"]
        self.allowed_domains = [start_urls.split("/")[2].split(":")[0]]

    def parse_article(self, response):
        self.crawler.stats.inc_value(ARTICLE_PAGES_STAT)
        yield {"url": response.url, "title": response.css("h1::text").get()}
