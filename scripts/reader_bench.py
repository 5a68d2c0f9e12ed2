#!/usr/bin/env python3
"""Time the public pages on a generated corpus: server time per page and query counts.

    DATABASE_URL=postgres:///newsroom_bench .venv/bin/python scripts/localenv.py -- \\
        .venv/bin/python scripts/reader_bench.py --articles 5000 [--repeat 30] [--cold] [--explain]

Migrates the database at DATABASE_URL (use a throwaway one), tops it up to
--articles generated articles (tests/corpus.py), then requests each page through
Django's test client in this process: the time is the server's (routing, queries,
templates), not the network's. Prints one line per page: queries, median and p95
milliseconds. Pages come from the anonymous page cache after the first request
(warm); --cold empties the cache before every timed request, so each one renders
the page. --explain adds the plan and time of each page's slowest query.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="corpus size to reach (default 5000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--cold", action="store_true", help="empty the page cache before every timed request")
    parser.add_argument("--explain", action="store_true", help="show the plan of each page's slowest query")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles import pagecache
    from articles.models import Article, Author, Entity, Tag
    from tests.corpus import generate_corpus

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    have = Article.objects.count()
    if have < args.articles:
        started = time.monotonic()
        generate_corpus(args.articles - have, seed=have + 1)
        print(f"generated {args.articles - have} articles in {time.monotonic() - started:.1f}s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    published = Article.objects.published()
    us = Entity.objects.get(name="United States")
    us_article = published.filter(mentions__entity=us).newest_first().first()
    rare = Entity.objects.in_use().order_by("stats__article_count", "pk").first()
    tag = Tag.objects.in_use().order_by("-stats__article_count").first()
    author = Author.objects.in_use().order_by("-stats__article_count").first()
    newest = published.newest_first().first().published_at
    deep_page = max(1, (published.count() + settings.ARTICLES_PER_PAGE - 1) // settings.ARTICLES_PER_PAGE)
    print(
        f"articles: {Article.objects.count()} ({published.count()} public); "
        f"United States in {us.stats.article_count}; tag {tag.name!r} on {tag.stats.article_count}",
        flush=True,
    )
    pages = {
        "home": "/",
        "home, page 50": "/?page=50",
        f"home, page {min(2000, deep_page)}": f"/?page={min(2000, deep_page)}",
        "article (mentions United States)": us_article.get_absolute_url(),
        "article (oldest)": published.order_by("published_at").first().get_absolute_url(),
        "tags index": "/tags/",
        "tag (most used)": tag.get_absolute_url(),
        "authors index": "/authors/",
        "author (most articles)": author.get_absolute_url(),
        "entities index": "/entities/",
        "entities: places": "/entities/?kind=places",
        "entity: United States": us.get_absolute_url(),
        "entity: United States, page 20": us.get_absolute_url() + "?page=20",
        "entity (rarest)": rare.get_absolute_url(),
        "archive": "/archive/",
        "archive year": f"/archive/{newest:%Y}/",
        "archive month": f"/archive/{newest:%Y/%m}/",
        "feed (RSS)": "/feed/",
        "entity feed: United States (Atom)": us.get_absolute_url() + "feed/atom/",
        "sitemap index": "/sitemap.xml",
        "sitemap: articles": "/sitemap-articles.xml",
        "search: election": "/search/?q=election",
        "robots.txt": "/robots.txt",
    }
    client = Client()
    mode = "cold: page cache emptied before each request" if args.cold else "warm: from the page cache"
    if not settings.PAGE_CACHE_ENABLED:
        mode = "page cache switched off"
    print(mode)
    print(f"{'page':40} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for name, url in pages.items():
        for _ in range(3):  # warm caches and the connection
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(args.repeat):
            if args.cold:
                pagecache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        print(f"{name:40} {len(queries):>7} {statistics.median(timings):>10.1f} {p95:>8.1f}", flush=True)
        if args.explain and queries.captured_queries:
            slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                plan = [row[0] for row in cursor.fetchall()]
            print("    slowest query: " + slowest["sql"][:160].replace("\n", " "))
            for line in plan:
                print("      " + line)


if __name__ == "__main__":
    main()
