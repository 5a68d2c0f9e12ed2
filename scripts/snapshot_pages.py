#!/usr/bin/env python3
"""Render a fixed set of public pages and compare them with an earlier rendering, byte for byte.

    # before a change (e.g. on main), then after it, on the same database:
    scripts/localenv.py -- .venv/bin/python scripts/snapshot_pages.py --output var/snapshot-before
    scripts/localenv.py -- .venv/bin/python scripts/snapshot_pages.py --output var/snapshot-after \\
        --compare var/snapshot-before

The pages, chosen from the archive in DATABASE_URL (only read; pages rendered go to the page store): --articles
article pages (a reproducible random sample, --seed), and for the home list, the most used
tags, the authors with most articles and the most mentioned entities their first, second,
a middle and last page; the archive index and the busiest month; searches for common words
(first, second and last page) and with a filter; the index pages; the feeds (the site's and
those tags', authors' and entities') and sitemaps; the JSON API's article lists (newest,
oldest, the second page, with bodies, filtered by each of those tags, authors and entities,
searched), its first 100 sampled articles and its lists and details of tags, authors and
entities.
Each is requested through Django's full stack (the test client) with the page cache
emptied first, so it is rendered by the code checked out. The bodies are written to
--output (one file per page, and manifest.json: path -> SHA-256 and status).

With --compare, prints the pages whose bodies differ (or that are missing on one side)
and exits 1 if there is any; 0 when every page is the same. Run both renderings with no
writes in between (an ingest, the admin): a write changes pages for real.
"""

import argparse
import hashlib
import json
import math
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMMON_WORDS = ["government", "minister", "market"]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["API_RATE_LIMIT"] = str(10**9)  # one client asks the API hundreds of times
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES = {  # no manifest needed: the pages name static files as they are
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def listing_pages(path, total, per_page):
    """The first, second, a middle and the last page of a listing of `total` items."""
    last = max(1, math.ceil(total / per_page))
    numbers = sorted({1, min(2, last), max(1, last // 2), last})
    return [path if n == 1 else f"{path}?page={n}" for n in numbers] + [f"{path}?page=last"]


def choose_pages(articles, seed):
    from django.conf import settings
    from django.urls import reverse

    from articles.models import Article, Author, Entity, MonthCount, Tag
    from articles.views import archive_path

    per_page = settings.ARTICLES_PER_PAGE
    published = Article.objects.published()
    slugs = list(published.order_by("pk").values_list("slug", flat=True))
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    pages = [f"/articles/{slug}/" for slug in rng.sample(slugs, min(articles, len(slugs)))]
    pages += listing_pages("/", len(slugs), per_page)
    api = ["/api/v1/articles/", "/api/v1/articles/?page_size=100", "/api/v1/articles/?order=oldest"]
    api += ["/api/v1/articles/?fields=body&page_size=5", "/api/v1/articles/?from=2020-01-01&to=2021-06-30"]
    api += [f"/api/v1/articles/?page_size=7&cursor={cursor}" for cursor in api_cursors()]
    api += [f"/api/v1{page}" for page in pages[:100]]  # /api/v1/articles/<slug>/
    for model, plural in ((Tag, "tags"), (Author, "authors"), (Entity, "entities")):
        name = model._meta.model_name
        for row in model.objects.in_use().order_by("-stats__article_count", "pk")[:3]:
            pages += listing_pages(row.get_absolute_url(), row.stats.article_count, per_page)
            api += [f"/api/v1/articles/?{name}={row.slug}", f"/api/v1/{plural}/{row.slug}/"]
            pages += [reverse(f"articles:{name}_feed_{kind}", kwargs={"slug": row.slug}) for kind in ("rss", "atom")]
        api += [f"/api/v1/{plural}/", f"/api/v1/{plural}/?page=2"]
    busiest = MonthCount.objects.order_by("-count", "-month").first()
    if busiest:
        pages += listing_pages(archive_path(busiest.month.year, busiest.month.month), busiest.count, per_page)
        pages.append(archive_path(busiest.month.year))
    for word in COMMON_WORDS:
        pages += [f"/search/?q={word}", f"/search/?q={word}&page=2", f"/search/?q={word}&page=last"]
        pages.append(f"/search/?q={word}&sort=newest")
        api += [f"/api/v1/articles/?q={word}", f"/api/v1/articles/?q={word}&order=newest"]
    pages += ["/archive/", "/tags/", "/authors/", "/entities/", "/entities/?kind=people", "/entities/?kind=places"]
    pages += ["/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-articles.xml", "/robots.txt"]
    return pages + api


def api_cursors():
    """The cursors of the API's second pages of 7 articles, newest and oldest first (as its `next` links give them)."""
    from articles.api.queries import encode_cursor
    from articles.models import Article

    cursors = []
    for order, fields in (("newest", ("-published_at", "-id")), ("oldest", ("published_at", "id"))):
        seventh = Article.objects.published().order_by(*fields).values_list("published_at", "pk")[6:7]
        cursors += [encode_cursor(order, row) + ("&order=oldest" if order == "oldest" else "") for row in seventh]
    return cursors


def render(pages, output):
    from django.test import Client

    from articles import pagecache

    output.mkdir(parents=True, exist_ok=True)
    client = Client()
    manifest = {}
    for number, path in enumerate(pages):
        pagecache.clear()
        response = client.get(path)
        body = response.content
        (output / f"{number:05d}.html").write_bytes(body)
        manifest[path] = {"status": response.status_code, "sha256": hashlib.sha256(body).hexdigest(), "file": number}
    (output / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def compare(manifest, other_dir):
    other = json.loads((other_dir / "manifest.json").read_text())
    different = []
    for path in sorted(set(manifest) | set(other)):
        mine, theirs = manifest.get(path), other.get(path)
        if mine is None or theirs is None:
            different.append(f"{path}: only in {'the other' if mine is None else 'this'} rendering")
        elif (mine["status"], mine["sha256"]) != (theirs["status"], theirs["sha256"]):
            different.append(f"{path}: {theirs['status']} -> {mine['status']}, the bodies differ")
    return different


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--output", type=Path, required=True, help="folder for the rendered pages")
    parser.add_argument("--compare", type=Path, help="an earlier --output to compare with")
    parser.add_argument("--articles", type=int, default=1000, help="article pages in the sample (default 1,000)")
    parser.add_argument("--seed", type=int, default=1, help="sample seed (default 1)")
    args = parser.parse_args(argv)
    setup_django()
    pages = choose_pages(args.articles, args.seed)
    manifest = render(pages, args.output)
    statuses = {}
    for row in manifest.values():
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    print(f"{len(manifest):,} pages rendered into {args.output} (statuses {statuses})")
    if args.compare is None:
        return 0
    different = compare(manifest, args.compare)
    for line in different:
        print(line)
    print(f"{len(manifest) - len(different):,} of {len(manifest):,} pages the same byte for byte")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
