#!/usr/bin/env python3
"""The benchmark: ingest, page latency and throughput on a generated archive, as one table and JSON.

    make bench          # 100,000 articles   (or: scripts/localenv.py -- .venv/bin/python scripts/bench.py)
    make bench-quick    # 10,000 articles

1. Corpus: scripts/generate_corpus.py writes --articles deterministic articles (--seed)
   into var/bench/corpus-N (--workdir instead of var/bench), reused when already generated with the same arguments
   (kept with --keep-corpus, otherwise removed at the end), or --corpus DIR reads one
   generated before (never written to).
2. Ingest: scripts/bench_ingest.py recreates the database (default postgres:///newsroom_bench
   on the server of DATABASE_URL, or BENCH_DATABASE_URL: IT IS WIPED) and times
   `ingest_seeds --no-ner --workers 2` over the corpus (articles/s, peak memory), then
   NER on the first --ner-slice articles at 1 and 2 workers beside the model's own speed
   (in <database>_ner, also wiped), and `relink_entities`. --skip-ingest reuses a
   database loaded by an earlier run.
3. Latency: each page is requested --requests times (after a warm-up) through Django's
   full stack in this process (the test client: routing, middleware, queries, templates;
   no network), "cold" with the cache cleared before each request (django.core.cache.cache
   .clear(): the real work) and "warm" as served; median and p95 ms, and the query count
   and SQL time of one cold request.
   Pages: home, a deep home page, an article mentioning the most frequent entity, the
   most used tag, the author with most articles, the most frequent entity (timeline and
   "appears with"), its busiest month's archive, a search for a common word, the feed,
   the trends of the five most frequent entities and of the common word.
4. Throughput: gunicorn serves the site exactly as the README does (`gunicorn
   newsroom.wsgi`, gunicorn.conf.py, DEBUG off, HTTPS=0) and wrk (installed with apt-get
   when missing and running as root) drives --connections for --duration seconds at the
   home page and at article pages; then the same gunicorn settings serve a minimal Django
   view (newsroom/bench_wsgi.py: full middleware, no query) as the ceiling. Each page's
   requests/s is shown as a ratio to it. Non-2xx answers and socket errors are errors.
5. Prints one table and writes everything (with the machine: cores, load, date, commit,
   corpus size) as JSON to --output (default var/bench/bench-<articles>.json).

Exit status 0 when nothing failed (no failed file, every page 200, no wrk error), 1
otherwise, 2 for usage errors. Times vary on shared machines: compare medians and ratios.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_ingest  # noqa: E402 - the scripts folder is on the path only now
import loadtest  # noqa: E402
import localenv  # noqa: E402

DATABASE_NAME = "newsroom_bench"
COMMON_WORD = "government"  # in a third of the generated articles: the estimated-count path


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def default_database_url():
    """BENCH_DATABASE_URL, else newsroom_bench on the server DATABASE_URL names (as localenv set it)."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL") or localenv.DEFAULT_URL
    return bench_ingest.with_database_name(base, DATABASE_NAME)


# --- 1. corpus ----------------------------------------------------------------------------


def ensure_corpus(folder, articles, seed):
    """Generate the corpus into `folder` unless a complete one with the same arguments is there."""
    stamp = folder / ".generated.json"
    wanted = {"articles": articles, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        log(f"reusing the corpus in {folder}")
        return
    if folder.exists():
        shutil.rmtree(folder)
    log(f"generating {articles:,} articles (seed {seed}) into {folder}")
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "scripts/generate_corpus.py", "--articles", str(articles), "--seed", str(seed)]
        + ["--output", str(folder), "--quiet"],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(json.dumps(wanted))
    log(f"generated in {time.monotonic() - started:.0f}s")


# --- 2. ingest ----------------------------------------------------------------------------


def run_ingest_bench(corpus, database_url, ner_slice, workers, out):
    subprocess.run(
        [PYTHON, "scripts/bench_ingest.py", "--corpus", str(corpus), "--database-url", database_url]
        + ["--ner-slice", str(ner_slice), "--workers", str(workers), "--json", str(out)],
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.read_text())


# --- 3. latency ---------------------------------------------------------------------------


def setup_django(env):
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "SECRET_KEY", "HTTPS", "DEBUG", "STATIC_ROOT")})
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["API_RATE_LIMIT"] = str(10**9)  # one client asks the API thousands of times
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def bench_pages():
    """The pages to time, chosen from the loaded archive: {name: path}, and facts about the archive."""
    from django.conf import settings

    from articles.models import Article, Author, Entity, MonthCount, Tag
    from articles.views import archive_path

    published = Article.objects.published()
    top_entities = list(Entity.objects.in_use().order_by("-stats__article_count", "pk")[:5])
    entity = top_entities[0] if top_entities else None
    tag = Tag.objects.in_use().order_by("-stats__article_count", "pk").first()
    author = Author.objects.in_use().order_by("-stats__article_count", "pk").first()
    busiest = MonthCount.objects.order_by("-count", "-month").first()
    total = published.count()
    if not (entity and tag and author and busiest and total):
        sys.exit("bench: the database holds no published articles with entities, tags and authors")
    article = published.filter(mentions__entity=entity).newest_first().first()
    deep = max(1, math.ceil(total / settings.ARTICLES_PER_PAGE) // 2)
    pages = {
        "home": "/",
        f"home, page {deep:,}": f"/?page={deep}",
        "article (mentions top entity)": article.get_absolute_url(),
        "tag (most used)": tag.get_absolute_url(),
        "author (most articles)": author.get_absolute_url(),
        "entity (most frequent)": entity.get_absolute_url(),
        "month archive (busiest)": archive_path(busiest.month.year, busiest.month.month),
        f"search {COMMON_WORD!r}": f"/search/?q={COMMON_WORD}",
        "feed (RSS)": "/feed/",
        "API articles (20)": "/api/v1/articles/?page_size=20",
        "API article": f"/api/v1/articles/{article.slug}/",
        "trends (5 top entities)": "/trends/?" + "&".join(f"entity={e.slug}" for e in top_entities),
        f"trends {COMMON_WORD!r}": f"/trends/?q={COMMON_WORD}",
    }
    facts = {
        "published_articles": total,
        "top_entity": {"name": entity.name, "articles": entity.stats.article_count},
        "top_tag": {"name": tag.name, "articles": tag.stats.article_count},
        "top_author": {"name": author.name, "articles": author.stats.article_count},
        "busiest_month": {"month": f"{busiest.month:%Y-%m}", "articles": busiest.count},
    }
    return pages, facts


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def time_page(client, url, requests, warmup, *, cold):
    from django.core.cache import cache

    timings, statuses = [], set()
    for number in range(warmup + requests):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(response.status_code)
        if number >= warmup:
            timings.append(elapsed)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "statuses": sorted(statuses),
    }


def bench_latency(pages, requests, warmup):
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        # As autovacuum would have by now on a live site: statistics, and the visibility map
        # that lets deep list pages read their ids from the index alone.
        cursor.execute("VACUUM (ANALYZE)")
    client = Client()
    rows = {}
    for name, url in pages.items():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Now: the log these read is reset by the next request.
        queries = len(captured)
        query_ms = round(sum(float(query["time"]) for query in captured.captured_queries) * 1000, 2)
        cold = time_page(client, url, requests, warmup, cold=True)
        warm = time_page(client, url, requests, warmup, cold=False)
        rows[name] = {"url": url, "queries_cold": queries, "query_ms_cold": query_ms, "cold": cold, "warm": warm}
        log(
            f"{name}: cold median {cold['median_ms']} ms, p95 {cold['p95_ms']} ms; "
            f"warm median {warm['median_ms']} ms ({queries} queries)"
        )
    backend = settings.CACHES["default"]["BACKEND"]
    return {"requests": requests, "warmup": warmup, "cache_backend": backend, "pages": rows}


# --- 4. throughput ------------------------------------------------------------------------


def article_sample(size, seed):
    from articles.models import Article

    slugs = list(Article.objects.published().order_by("pk").values_list("slug", flat=True))
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    return [f"/articles/{slug}/" for slug in rng.sample(slugs, min(size, len(slugs)))]


def serve(wsgi, env, workdir):
    """Start gunicorn on a free loopback port with gunicorn.conf.py; (process, base URL, log path)."""
    port = loadtest.free_port()
    log_path = workdir / f"gunicorn-{wsgi.rsplit('.', 1)[-1]}.log"
    with open(log_path, "w") as log_file:
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), wsgi],
            cwd=ROOT,
            env={**env, "PORT": str(port), "BIND_HOST": "127.0.0.1"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return server, f"http://127.0.0.1:{port}", log_path


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def drive(wrk, server, base, log_path, targets, args, workdir):
    """Warm up and run wrk against each target ({name: [paths]}); {name: summary}."""
    deadline = time.monotonic() + 60
    probe = next(iter(targets.values()))[0]
    while loadtest.fetch(base + probe, timeout=5) != 200:
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"bench: gunicorn did not start or {probe} does not answer 200; see {log_path}")
        time.sleep(0.3)
    script = workdir / "urls.lua"
    script.write_text(loadtest.WRK_SCRIPT)
    wrk_args = types.SimpleNamespace(
        threads=args.threads, connections=args.connections, duration=args.duration, timeout=10
    )
    results = {}
    for name, paths in targets.items():
        broken = {path: status for path in paths if (status := loadtest.fetch(base + path)) != 200}
        urls = workdir / "urls.txt"
        urls.write_text("\n".join(paths) + "\n")
        log(f"wrk: {name} ({len(paths)} URL(s)), {args.connections} connections for {args.duration}s")
        offset = log_path.stat().st_size
        summary = loadtest.wrk_run(wrk, base, script, urls, wrk_args, args.seed)
        summary["urls"] = len(paths)
        summary["warmup_not_200"] = broken
        # wrk counts only 4xx/5xx as errors; a redirect is not the page either.
        summary["not_2xx"] = loadtest.failing_paths(log_path, offset, ok=("2",))
        summary["errors_total"] += len(broken) + sum(
            count for line, count in summary["not_2xx"].items() if not line.startswith(("4", "5"))
        )
        results[name] = summary
        log(f"wrk: {name}: {summary['rps']} requests/s, {summary['errors_total']} errors")
    return results


def bench_throughput(env, articles, args, workdir):
    wrk = loadtest.ensure_wrk()
    server_env = {**env, "ALLOWED_HOSTS": "127.0.0.1"}
    rows = {}
    # The site, served as the README serves it.
    server, base, log_path = serve("newsroom.wsgi", server_env, workdir)
    try:
        rows.update(drive(wrk, server, base, log_path, {"home": ["/"], "article": articles}, args, workdir))
    finally:
        stop(server)
    # The ceiling: the same gunicorn settings and middleware, one view without queries or templates.
    server, base, log_path = serve("newsroom.bench_wsgi", server_env, workdir)
    try:
        rows.update(drive(wrk, server, base, log_path, {"minimal view": ["/minimal/"]}, args, workdir))
    finally:
        stop(server)
    ceiling = rows["minimal view"]["rps"]
    for summary in rows.values():
        summary["ratio_to_minimal"] = round(summary["rps"] / ceiling, 3) if ceiling else None
    return rows


# --- 5. report ----------------------------------------------------------------------------


def machine_info():
    def git(*args):
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None

    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), None
    )
    memory = next((int(line.split()[1]) // 1024 for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_mib": memory,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def _lines(path):
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def postgres_version():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def count_errors(result):
    errors = 0
    if result["ingest"]:
        errors += result["ingest"]["ingest_no_ner"]["failed"]
        for run in (result["ingest"]["ner"] or {}).get("runs", []):
            errors += run["failed"]
    for row in result["latency"]["pages"].values():
        errors += sum(1 for status in row["cold"]["statuses"] + row["warm"]["statuses"] if status != 200)
    for row in (result["throughput"] or {}).values():
        errors += row["errors_total"]
    return errors


def print_table(result):
    lines = []
    corpus = result["corpus"]
    machine = result["machine"]
    lines.append(
        f"Newsroom benchmark: {corpus['articles']:,} articles, {machine['cores']} cores, "
        f"{machine['date']}, commit {(machine['git_commit'] or '?')[:10]}, load {machine['load_average_1m']}"
    )
    width = 44
    ingest = result["ingest"]
    if ingest:
        plain = ingest["ingest_no_ner"]
        lines.append("")
        lines.append(f"{'ingest':{width}} {'articles/s':>11} {'seconds':>9} {'peak MiB':>9}  notes")
        label = f"--no-ner, --workers {plain['workers']}, {plain['articles']:,} articles"
        lines.append(
            f"{label:{width}} "
            f"{plain['articles_per_s']:>11,.1f} {plain['seconds']:>9,.1f} {plain['peak_rss_mib']:>9,.0f}  "
            f"{plain['failed']} failed"
        )
        for run in (ingest["ner"] or {}).get("runs", []):
            label = f"NER, --workers {run['workers']}, {run['articles']:,} articles"
            lines.append(
                f"{label:{width}} "
                f"{run['articles_per_s']:>11,.1f} {run['seconds']:>9,.1f} {run['peak_rss_mib']:>9,.0f}  "
                f"{run['words_per_s']:,} words/s = {run['share_of_model']:.0%} of the model's "
                f"{run['model_words_per_s']:,}"
            )
        if ingest["ner"] and ingest["ner"]["speedup"]:
            lines.append(f"{'NER speed-up, 2 workers over 1':{width}} {ingest['ner']['speedup']:>11.2f}x")
        relink = ingest["relink"]
        lines.append(f"{'relink_entities':{width}} {'':>11} {relink['seconds']:>9,.1f} {relink['peak_rss_mib']:>9,.0f}")
    latency = result["latency"]
    lines.append("")
    lines.append(
        f"{'page (server time, ms; ' + str(latency['requests']) + ' requests)':{width}} "
        f"{'queries':>7} {'SQL ms':>7} {'cold med':>9} {'cold p95':>9} {'warm med':>9} {'warm p95':>9}"
    )
    for name, row in latency["pages"].items():
        lines.append(
            f"{name:{width}} {row['queries_cold']:>7} {row['query_ms_cold']:>7.1f} "
            f"{row['cold']['median_ms']:>9.1f} {row['cold']['p95_ms']:>9.1f} "
            f"{row['warm']['median_ms']:>9.1f} {row['warm']['p95_ms']:>9.1f}"
        )
    if result["throughput"]:
        lines.append("")
        lines.append(
            f"{'throughput (gunicorn, wrk -c' + str(result['settings']['connections']) + ')':{width}} "
            f"{'req/s':>9} {'ratio':>7} {'errors':>7} {'p50 ms':>7} {'p99 ms':>7}"
        )
        for name, row in result["throughput"].items():
            lines.append(
                f"{name:{width}} {row['rps']:>9,.1f} {row['ratio_to_minimal']:>7.2f} {row['errors_total']:>7} "
                f"{row['latency_ms']['p50']:>7.1f} {row['latency_ms']['p99']:>7.1f}"
            )
    lines.append("")
    lines.append(f"errors: {result['errors']}")
    print("\n".join(lines), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--articles", type=int, default=100_000, help="corpus size (default 100,000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus and sample random seed (default 1)")
    parser.add_argument("--corpus", type=Path, help="an already generated corpus to read (default: generate one)")
    parser.add_argument("--keep-corpus", action="store_true", help="keep the generated corpus for later runs")
    parser.add_argument("--ner-slice", type=int, help="articles ingested with NER (default a tenth; 0 skips)")
    parser.add_argument("--workers", type=int, default=2, help="ingest workers (default 2)")
    parser.add_argument("--skip-ingest", action="store_true", help="reuse the database an earlier run loaded")
    parser.add_argument("--database-url", default=default_database_url(), help="benchmark database (WIPED)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and mode (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (default 5)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--duration", type=int, default=30, help="wrk seconds per page (default 30)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--skip-throughput", action="store_true", help="no gunicorn/wrk step (when wrk is missing)")
    parser.add_argument("--output", type=Path, help="JSON report (default var/bench/bench-<articles>.json)")
    parser.add_argument("--workdir", type=Path, default=VAR, help="corpus, logs and static files (default var/bench)")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.requests < 1 or args.connections < 1 or args.duration < 1 or args.workers < 1:
        parser.error("--articles, --requests, --connections, --duration and --workers must be positive")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    if args.ner_slice is None:
        args.ner_slice = min(10_000, args.articles // 10)
    output = args.output or args.workdir / f"bench-{args.articles}.json"
    workdir = args.workdir / f"run-{args.articles}"
    workdir.mkdir(parents=True, exist_ok=True)

    machine = machine_info()
    env = dict(os.environ)
    env["DATABASE_URL"] = localenv.ensure_postgres(args.database_url)
    env["SECRET_KEY"] = env.get("SECRET_KEY") or localenv.ensure_secret_key()
    env.update(HTTPS="0", DEBUG="", STATIC_ROOT=str(args.workdir / "static"))

    generated = None
    ingest = None
    if not args.skip_ingest:
        corpus = args.corpus.resolve() if args.corpus else args.workdir.resolve() / f"corpus-{args.articles}"
        if not args.corpus:
            ensure_corpus(corpus, args.articles, args.seed)
            generated = corpus
        elif not (corpus / "entities.json").exists():
            parser.error(f"{corpus} is not a generated corpus (no entities.json)")
        try:
            out = workdir / "ingest.json"
            ingest = run_ingest_bench(corpus, env["DATABASE_URL"], args.ner_slice, args.workers, out)
        finally:
            if generated and not args.keep_corpus:
                shutil.rmtree(generated)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )

    setup_django(env)
    pages, facts = bench_pages()
    log(f"{facts['published_articles']:,} published articles; timing {len(pages)} pages")
    latency = bench_latency(pages, args.requests, args.warmup)
    articles = article_sample(50, args.seed)
    if pages["article (mentions top entity)"] not in articles:
        articles[0] = pages["article (mentions top entity)"]
    throughput = None if args.skip_throughput else bench_throughput(env, articles, args, workdir)

    machine["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    machine["postgresql"] = postgres_version()
    result = {
        "machine": machine,
        "corpus": {"articles": args.articles, "seed": args.seed, **facts},
        "settings": {
            "requests": args.requests,
            "warmup": args.warmup,
            "connections": args.connections,
            "duration_s": args.duration,
            "wrk_threads": args.threads,
            "ingest_workers": args.workers,
            "ner_slice": args.ner_slice,
            "gunicorn_workers": int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1),
        },
        "ingest": ingest,
        "latency": latency,
        "throughput": throughput,
    }
    result["errors"] = count_errors(result)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"written to {output}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
