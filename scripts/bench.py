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
   (in <database>_ner, also wiped), and `relink_entities`; then `refresh_articles --related`
   chooses the related articles the ingest leaves out. --skip-ingest reuses a database
   loaded by an earlier run.
3. Latency: each page is requested --requests times (after a warm-up) through Django's
   full stack in this process (the test client: routing, middleware, queries, templates;
   no network), "cold" with the page cache emptied before each request (pagecache.clear(), both
   stores: the real work) and "warm" as served; median and p95 ms, and the query count
   and SQL time of one cold request.
   Pages: home, a deep home page and its last, an article mentioning the most frequent
   entity, the most used tag (and its last and middle pages), the author with most articles
   (and its middle page: listings are read from the nearer end, so the middle is the deepest),
   the most frequent entity (timeline and "appears with"; and a page three quarters deep), its
   busiest month's archive, a search for a common word (and its 50th, deepest, page and
   ?page=last), the feed, the API, the trends of the five most frequent entities and of the
   common word. --skip-latency leaves this step out.
4. Throughput: gunicorn serves the site exactly as the README does (`gunicorn
   newsroom.wsgi`, gunicorn.conf.py, DEBUG off, HTTPS=0) and wrk (installed with apt-get
   when missing and running as root) drives --connections for --duration seconds at the
   home page, at 50 article pages, and at the long tail: --long-tail distinct article
   pages (default 3,000), the archive's old articles as search engines and shared links
   reach them, mostly not in the page cache (its hit rate, from gunicorn's access log, is
   shown beside each row), and the long tail again once each of its pages has been asked for
   once (what it costs when a page is rendered once for the site). The page cache is emptied
   first (its database store outlives the server). Then the same gunicorn settings serve two ceilings: the
   project's minimal view (newsroom/bench_wsgi.py: the site's middleware, no query) and a
   bare Django view (newsroom/bench_bare_wsgi.py: no middleware, no project). Each row's
   requests/s is shown as a ratio to both. Non-2xx answers and socket errors are errors.
   --crawl-ingest N then crawls the long tail quiet and while `ingest_seeds` adds N new
   articles (generated with the next seed) to the database (scripts/bench_crawl.py): with
   invalidation per object the old articles' pages stay cached during the ingest.
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

import bench_crawl  # noqa: E402 - the scripts folder is on the path only now
import bench_ingest  # noqa: E402
import loadtest  # noqa: E402
import localenv  # noqa: E402

DATABASE_NAME = "newsroom_bench"
BARE_WSGI, BARE = "newsroom.bench_bare_wsgi", "bare Django view"
LONG_TAIL_SEEN = "long tail, each page asked for once before"
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


def choose_related_lists(env):
    """`refresh_articles --related` after the ingest (which leaves related articles out): {"seconds"}."""
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", "refresh_articles", "--related"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return {"seconds": round(time.monotonic() - started, 1)}


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
    entity_deep = max(1, math.ceil(entity.stats.article_count / settings.ARTICLES_PER_PAGE) * 3 // 4)
    # Tag and author pages read from the nearer end (paginator.FromEitherEnd): the middle is the deepest.
    tag_middle = max(1, math.ceil(tag.stats.article_count / settings.ARTICLES_PER_PAGE) // 2)
    author_middle = max(1, math.ceil(author.stats.article_count / settings.ARTICLES_PER_PAGE) // 2)
    search_deep = deepest_search_page(COMMON_WORD)
    pages = {
        "home": "/",
        f"home, page {deep:,}": f"/?page={deep}",
        "home, page=last": "/?page=last",
        "article (mentions top entity)": article.get_absolute_url(),
        "tag (most used)": tag.get_absolute_url(),
        "tag (most used), page=last": f"{tag.get_absolute_url()}?page=last",
        f"tag (most used), page {tag_middle:,} (the middle)": f"{tag.get_absolute_url()}?page={tag_middle}",
        "author (most articles)": author.get_absolute_url(),
        f"author (most articles), page {author_middle:,} (the middle)": (
            f"{author.get_absolute_url()}?page={author_middle}"
        ),
        "entity (most frequent)": entity.get_absolute_url(),
        f"entity (most frequent), page {entity_deep:,}": f"{entity.get_absolute_url()}?page={entity_deep}",
        "month archive (busiest)": archive_path(busiest.month.year, busiest.month.month),
        f"search {COMMON_WORD!r}": f"/search/?q={COMMON_WORD}",
        f"search {COMMON_WORD!r}, page {search_deep} (the deepest)": f"/search/?q={COMMON_WORD}&page={search_deep}",
        f"search {COMMON_WORD!r}, page=last": f"/search/?q={COMMON_WORD}&page=last",
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


def deepest_search_page(word):
    """The deepest page a search for `word` shows (search.MAX_PAGES, or fewer when it matches less)."""
    from django.conf import settings
    from django.http import QueryDict

    from articles import search

    total = search.Search(search.read_request(QueryDict(f"q={word}"))).run(1).total
    return max(1, min(getattr(search, "MAX_PAGES", 50), math.ceil(total / settings.ARTICLES_PER_PAGE)))


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def time_page(client, url, requests, warmup, *, cold):
    from articles import pagecache

    timings, statuses = [], set()
    for number in range(warmup + requests):
        if cold:
            pagecache.clear()
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
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles import pagecache

    with connection.cursor() as cursor:
        # As autovacuum would have by now on a live site: statistics, and the visibility map
        # that lets deep list pages read their ids from the index alone.
        cursor.execute("VACUUM (ANALYZE)")
    client = Client()
    rows = {}
    for name, url in pages.items():
        pagecache.clear()
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
    backend = settings.PAGE_CACHE_STORE + " / " + settings.CACHES["default"]["BACKEND"]
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


def drive(wrk, server, base, log_path, targets, args, workdir, *, check_each=True):
    """Warm up and run wrk against each target ({name: [paths]}); {name: summary}.

    Before each run every path is fetched once to check it answers 200 (`check_each`),
    except for the long tail, whose pages would then be in the cache before the crawl.
    """
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
        checked = paths if check_each else []
        broken = {path: status for path in checked if (status := loadtest.fetch(base + path)) != 200}
        urls = workdir / "urls.txt"
        urls.write_text("\n".join(paths) + "\n")
        log(f"wrk: {name} ({len(paths)} URL(s)), {args.connections} connections for {args.duration}s")
        offset = log_path.stat().st_size
        summary = loadtest.wrk_run(wrk, base, script, urls, wrk_args, args.seed)
        time.sleep(0.5)  # the access log is written after the answer
        summary["urls"] = len(paths)
        summary["warmup_not_200"] = broken
        # wrk counts only 4xx/5xx as errors; a redirect is not the page either.
        summary["not_2xx"] = loadtest.failing_paths(log_path, offset, ok=("2",))
        summary["errors_total"] += len(broken) + sum(
            count for line, count in summary["not_2xx"].items() if not line.startswith(("4", "5"))
        )
        summary["cache"] = bench_crawl.cache_counts(log_path, offset)  # the page cache's hits and misses
        answered = summary["cache"].get("hit", 0) + summary["cache"].get("miss", 0)
        summary["hit_rate"] = round(summary["cache"].get("hit", 0) / answered, 3) if answered else None
        results[name] = summary
        log(f"wrk: {name}: {summary['rps']} requests/s, {summary['errors_total']} errors, hits {summary['hit_rate']}")
    return results


def bench_throughput(env, articles, long_tail, args, workdir):
    """The site's pages, then the two ceilings, under wrk; each row with its ratio to both ceilings."""
    from articles import pagecache

    wrk = loadtest.ensure_wrk()
    server_env = {**env, "ALLOWED_HOSTS": "127.0.0.1"}
    rows = {}
    pagecache.clear()  # the database store outlives the server: no page of an earlier run
    # The site, served as the README serves it.
    server, base, log_path = serve("newsroom.wsgi", server_env, workdir)
    try:
        rows.update(drive(wrk, server, base, log_path, {"home": ["/"], "article": articles}, args, workdir))
        if long_tail:
            name = f"long tail ({len(long_tail):,} articles)"
            rows.update(drive(wrk, server, base, log_path, {name: long_tail}, args, workdir, check_each=False))
            # The same crawl once every page has been asked for (the check): what a long tail
            # costs when each page is rendered once for the whole site, not once per worker.
            rows.update(drive(wrk, server, base, log_path, {LONG_TAIL_SEEN: long_tail}, args, workdir))
    finally:
        stop(server)
    # The project's ceiling: the same gunicorn settings and middleware, one view without queries or templates.
    # Django's: the same gunicorn settings, a bare view with no middleware and no project at all.
    for wsgi, name, path in (("newsroom.bench_wsgi", "minimal view", "/minimal/"), (BARE_WSGI, BARE, "/bare/")):
        server, base, log_path = serve(wsgi, server_env, workdir)
        try:
            rows.update(drive(wrk, server, base, log_path, {name: [path]}, args, workdir))
        finally:
            stop(server)
    for summary in rows.values():
        for key, ceiling in (("ratio_to_minimal", rows["minimal view"]["rps"]), ("ratio_to_bare", rows[BARE]["rps"])):
            summary[key] = round(summary["rps"] / ceiling, 3) if ceiling else None
    return rows


def bench_crawl_during_ingest(env, long_tail, args, workdir):
    """The long tail's hit rate, quiet and while `ingest_seeds` adds --crawl-ingest new articles
    (scripts/bench_crawl.py); the new articles are generated with the next seed."""
    corpus = workdir.resolve() / f"crawl-corpus-{args.crawl_ingest}"
    ensure_corpus(corpus, args.crawl_ingest, args.seed + 1)
    crawl_args = types.SimpleNamespace(
        threads=args.threads, connections=args.crawl_connections, duration=min(args.duration, 20), seed=args.seed
    )
    try:
        result = bench_crawl.crawl_during_ingest(env, long_tail, corpus, workdir, crawl_args, serve, stop)
    except SystemExit as exc:  # the ingest failed: report it with everything measured before
        log(str(exc))
        return {"error": str(exc)}
    finally:
        if not args.keep_corpus:
            shutil.rmtree(corpus)
    result["new_articles"] = args.crawl_ingest
    result["connections"] = args.crawl_connections
    return result


# --- 5. report ----------------------------------------------------------------------------


def bench_jobs(env, workdir, *, files, saves):
    """scripts/bench_jobs.py on the loaded database: it prints its own lines; its numbers go in the JSON."""
    out = workdir / "jobs.json"
    log("background jobs: admin saves, merges, bulk actions and their jobs, web memory, queued ingest (bench_jobs.py)")
    subprocess.run(
        [PYTHON, "scripts/bench_jobs.py", "--database-url", env["DATABASE_URL"], "--workdir", str(workdir)]
        + ["--ingest-files", str(files), "--part-size", str(max(1, files // 8)), "--saves", str(saves)]
        + ["--json", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(out.read_text())


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
    for row in (result["latency"] or {"pages": {}})["pages"].values():
        errors += sum(1 for status in row["cold"]["statuses"] + row["warm"]["statuses"] if status != 200)
    for row in (result["throughput"] or {}).values():
        errors += row["errors_total"]
    crawl = result.get("crawl") or {}
    errors += sum(crawl[phase]["errors_total"] for phase in ("quiet", "during ingest") if phase in crawl)
    errors += 1 if "error" in crawl else 0
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
        if ingest.get("related"):
            lines.append(f"{'refresh_articles --related':{width}} {'':>11} {ingest['related']['seconds']:>9,.1f}")
    if result["latency"]:
        lines += _latency_lines(result["latency"], width)
    if result["throughput"]:
        lines += _throughput_lines(result["throughput"], result["settings"]["connections"], width)
    if result.get("crawl"):
        lines += _crawl_lines(result["crawl"], width)
    lines.append("")
    lines.append(f"errors: {result['errors']}")
    print("\n".join(lines), flush=True)


def _latency_lines(latency, width):
    lines = [
        "",
        f"{'page (server time, ms; ' + str(latency['requests']) + ' requests)':{width}} "
        f"{'queries':>7} {'SQL ms':>7} {'cold med':>9} {'cold p95':>9} {'warm med':>9} {'warm p95':>9}",
    ]
    for name, row in latency["pages"].items():
        lines.append(
            f"{name:{width}} {row['queries_cold']:>7} {row['query_ms_cold']:>7.1f} "
            f"{row['cold']['median_ms']:>9.1f} {row['cold']['p95_ms']:>9.1f} "
            f"{row['warm']['median_ms']:>9.1f} {row['warm']['p95_ms']:>9.1f}"
        )
    return lines


def _throughput_lines(throughput, connections, width):
    lines = [
        "",
        f"{'throughput (gunicorn, wrk -c' + str(connections) + ')':{width}} "
        f"{'req/s':>9} {'÷ bare':>7} {'÷ min.':>7} {'hits':>6} {'errors':>7} {'p50 ms':>7} {'p99 ms':>7}",
    ]
    for name, row in throughput.items():
        hit_rate = "" if row.get("hit_rate") is None else f"{row['hit_rate']:.0%}"
        lines.append(
            f"{name:{width}} {row['rps']:>9,.1f} {row['ratio_to_bare']:>7.2f} {row['ratio_to_minimal']:>7.2f} "
            f"{hit_rate:>6} {row['errors_total']:>7} {row['latency_ms']['p50']:>7.1f} {row['latency_ms']['p99']:>7.1f}"
        )
    return lines


def _crawl_lines(crawl, width):
    if "error" in crawl:
        return ["", f"long tail while ingesting: {crawl['error']}"]
    title = f"long tail while ingesting (wrk -c{crawl['connections']}, {crawl['urls']:,} URLs)"
    lines = ["", f"{title:{width}} {'req/s':>9} {'hits':>7} {'errors':>7}"]
    for phase, label in (("quiet", "quiet"), ("during ingest", f"during ingest of {crawl['new_articles']:,} articles")):
        row = crawl[phase]
        hit_rate = "-" if row["hit_rate"] is None else f"{row['hit_rate']:.0%}"
        lines.append(f"{label:{width}} {row['rps']:>9,.1f} {hit_rate:>7} {row['errors_total']:>7}")
    return lines


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
    parser.add_argument("--skip-latency", action="store_true", help="no page timing in this process")
    parser.add_argument(
        "--long-tail",
        type=int,
        default=3000,
        help="distinct article URLs of the long-tail crawl (default 3,000; 0 skips)",
    )
    parser.add_argument(
        "--crawl-ingest",
        type=int,
        default=0,
        help="crawl the long tail while ingesting this many new articles into the database (default 0: skipped)",
    )
    parser.add_argument("--crawl-connections", type=int, default=16, help="wrk connections of that crawl (default 16)")
    parser.add_argument(
        "--skip-jobs",
        action="store_true",
        help="no background-job step (scripts/bench_jobs.py: admin saves and their jobs, web memory, queued ingest)",
    )
    parser.add_argument("--output", type=Path, help="JSON report (default var/bench/bench-<articles>.json)")
    parser.add_argument("--workdir", type=Path, default=VAR, help="corpus, logs and static files (default var/bench)")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.requests < 1 or args.connections < 1 or args.duration < 1 or args.workers < 1:
        parser.error("--articles, --requests, --connections, --duration and --workers must be positive")
    if args.warmup < 0 or args.long_tail < 0 or args.crawl_ingest < 0:
        parser.error("--warmup, --long-tail and --crawl-ingest must not be negative")
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
        ingest["related"] = choose_related_lists(env)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )

    setup_django(env)
    pages, facts = bench_pages()
    log(f"{facts['published_articles']:,} published articles; timing {len(pages)} pages")
    latency = None if args.skip_latency else bench_latency(pages, args.requests, args.warmup)
    articles = article_sample(50, args.seed)
    if pages["article (mentions top entity)"] not in articles:
        articles[0] = pages["article (mentions top entity)"]
    long_tail = article_sample(args.long_tail, args.seed + 1)
    throughput = None if args.skip_throughput else bench_throughput(env, articles, long_tail, args, workdir)
    crawl = bench_crawl_during_ingest(env, long_tail, args, workdir) if args.crawl_ingest and long_tail else None
    jobs = (
        None
        if args.skip_jobs
        else bench_jobs(env, workdir, files=min(400, args.ner_slice), saves=min(50, args.articles))
    )

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
        "crawl": crawl,
        "jobs": jobs,
    }
    result["errors"] = count_errors(result)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"written to {output}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
