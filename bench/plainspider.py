"""The plain spider: what a 20-line Scrapy spider costs to fetch the same pages.

The honest throughput baseline of `python -m bench`: no project code at all (the benchmark
runs it outside the project, so Scrapy's default settings, default request fingerprinter,
no pipelines, no feed), following the site's article and listing URLs matched by simple
regexes. It is not meant to be correct (it fetches a post once per URL form it meets): it
is what Scrapy itself costs per page.

    python -m scrapy runspider bench/plainspider.py -a start_urls=http://127.0.0.1:8000/bnews/
"""

import re

import scrapy

ARTICLE = re.compile(r"/bnews/(?!zh-tw/|en/)[\w-]+(?:/[\w-]+)*/\d{8}/\d+\.html$")
LISTING = re.compile(r"/bnews/(?!zh-tw/|en/|fq/|xml/|feed/|wp-)(?:tag/[^/]+/|[\w-]+/)*$")
# Article pages fetched, so the report gives articles/s for the baselines too (null spider too).
ARTICLE_PAGES_STAT = "bench/article_pages"


class PlainSpider(scrapy.Spider):
    name = "bench-plain"

    def __init__(self, start_urls: str = "", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start_urls]
        self.allowed_domains = [start_urls.split("/")[2].split(":")[0]]

    def parse(self, response):
        if ARTICLE.search(response.url):
            self.crawler.stats.inc_value(ARTICLE_PAGES_STAT)
        for href in response.css("a::attr(href)").getall():
            path = href.split("#", 1)[0].split("?", 1)[0]
            if ARTICLE.search(path) or LISTING.search(path):
                yield response.follow(href, callback=self.parse)
