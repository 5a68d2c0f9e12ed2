#!/usr/bin/env python3
"""Measure the search page's server time against the database at DATABASE_URL.

    python scripts/localenv.py -- python scripts/bench_search.py [--runs 20] [--query WORDS ...] [--json]

Each query is requested through Django's full stack in this process (URL routing,
middleware, the view, every SQL query, template rendering) with the test client:
what a gunicorn worker spends on the request, without the network. After warm-up
runs, it reports per query the number of hits, the SQL queries issued, and the
median and 95th-percentile time over the runs, then the median over all queries, with
the home page's median and the machine's load average for reference. Times vary
between runs on shared machines: compare medians, not single numbers.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# One- and two-word queries of every frequency, as readers type them; a phrase; names and aliases.
TYPICAL = [
    {"q": "government"},
    {"q": "market"},
    {"q": "energy"},
    {"q": "inflation"},
    {"q": "sanctions"},
    {"q": "court ruling"},
    {"q": "oil gas"},
    {"q": "election reform"},
    {"q": "lithium battery"},
    {"q": "glacier"},
    {"q": "lighthouse"},
    {"q": "sao paulo"},
    {"q": "Putin"},
    {"q": "EU"},
    {"q": "interest rate"},
    {"q": '"central bank"'},
    {"q": "energy", "sort": "newest"},
    {"q": "sanctions", "tag": "sanctions"},
    {"q": "vaccine", "year": "2019"},
    {"q": "Lukashanko"},
]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_page(client, path, runs, warmup):
    """Median milliseconds for `path`: the same machine's reference for what a page costs."""
    for _ in range(warmup):
        client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def measure(client, params, runs, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment

    for _ in range(warmup):
        response = client.get("/search/", params)
        if response.status_code != 200:
            raise SystemExit(f"{params}: status {response.status_code}")
    times, sql_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/search/", params)
        times.append((time.perf_counter() - started) * 1000)
    # One more request, untimed, recording its SQL queries and the template context.
    setup_test_environment()
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", params)
    finally:
        teardown_test_environment()
    sql_times = [float(q["time"]) * 1000 for q in queries.captured_queries]
    results = response.context["results"]
    return {
        "params": params,
        "hits": results.total,
        "estimated_facets": results.approximate_facets,
        "queries": len(queries.captured_queries),
        "sql_ms": [round(t, 1) for t in sql_times],
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2])
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--runs", type=int, default=20, metavar="N", help="timed requests per query (default 20)")
    parser.add_argument("--warmup", type=int, default=2, metavar="N", help="untimed requests first (default 2)")
    parser.add_argument(
        "--query", action="append", metavar="WORDS", help="a query to time instead of the built-in set (repeatable)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from articles.models import Article

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    articles = Article.objects.published().count()
    client = Client()
    queries = [{"q": q} for q in args.query] if args.query else TYPICAL
    home_before = time_page(client, "/", args.runs, args.warmup)
    rows = [measure(client, params, args.runs, args.warmup) for params in queries]
    home_after = time_page(client, "/", args.runs, args.warmup)
    summary = {
        "published_articles": articles,
        "runs": args.runs,
        "load_average": os.getloadavg()[0],
        "home_page_median_ms": [home_before, home_after],
        "median_of_medians_ms": round(statistics.median(r["median_ms"] for r in rows), 1),
        "worst_median_ms": max(r["median_ms"] for r in rows),
        "queries": rows,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    print(f"{articles:,} published articles; {args.runs} timed runs per query after {args.warmup} warm-up runs")
    print(f"{'query':34} {'hits':>7} {'sql':>4} {'median ms':>10} {'p95 ms':>8}  per-query SQL ms")
    for row in rows:
        label = " ".join(f"{k}={v}" if k != "q" else v for k, v in row["params"].items())
        hits = f"{row['hits']:,}" + ("*" if row["estimated_facets"] else "")
        print(
            f"{label[:34]:34} {hits:>7} {row['queries']:>4} {row['median_ms']:>10} {row['p95_ms']:>8}  "
            + " ".join(str(t) for t in row["sql_ms"])
        )
    print(f"median of the medians: {summary['median_of_medians_ms']} ms; worst median: {summary['worst_median_ms']} ms")
    print(
        f"for reference, the home page (20 article cards): {home_before} ms before, {home_after} ms after; "
        f"load average {summary['load_average']:.2f} on {os.cpu_count()} cores"
    )
    print("* many hits: the count and facets are estimated from a sample, the most recent ~2,000 are ranked")


if __name__ == "__main__":
    main()
