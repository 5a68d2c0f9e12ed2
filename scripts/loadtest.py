#!/usr/bin/env python3
"""Load test: mixed traffic against gunicorn on the loopback, twice, with zero errors and flat memory.

    make loadtest                     # or: .venv/bin/python scripts/loadtest.py [options]

1. Prepares its own database (default postgres:///newsroom_loadtest, created if
   missing): migrates, and when it holds fewer articles than --articles, loads the
   sample seeds plus a corpus from scripts/generate_corpus.py (vocabulary first,
   then `ingest_seeds --no-ner`). Later runs reuse it.
2. Builds the URL mix from the database (real slugs): home and deep pages, articles,
   tags, authors, entities, archive years and months, feeds of each kind, sitemaps,
   searches (words, phrases, filters, later pages), robots.txt and /healthz; every URL
   is requested once first (warm-up) and must answer 200.
3. Starts gunicorn (gunicorn.conf.py, DEBUG off, HTTPS=0) on 127.0.0.1 and runs wrk
   (Debian's `wrk`; installed with apt-get when missing and running as root) twice in a
   row: --connections (64) for --duration (60 s) each, picking URLs at random.
4. Reports requests served, errors (non-2xx/3xx answers, socket errors, timeouts) and
   each gunicorn worker's resident memory (RSS) before, between and after the runs.

Passes (exit 0) when both runs have zero errors, no worker was replaced, and no worker's
RSS grew from the end of the first run to the end of the second by more than
--rss-threshold-mib (default 8 MiB) or 5%, whichever is larger: the first run may fill
per-process caches, the second must not keep growing. Exit 1 otherwise, 2 for usage errors.
Traffic goes only to 127.0.0.1; each run stops by itself.
"""

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "loadtest"
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import localenv  # noqa: E402 - the scripts folder is on the path only now

DEFAULT_DATABASE_URL = "postgres:///newsroom_loadtest"

# Picks a URL at random per request; reports wrk's summary as one JSON line.
WRK_SCRIPT = r"""
local urls = {}
local threads = {}
local counter = 0

setup = function(thread)
    counter = counter + 1
    thread:set("id", counter)
    table.insert(threads, thread)
end

init = function(args)
    for line in io.lines(args[1]) do
        if #line > 0 then urls[#urls + 1] = line end
    end
    math.randomseed(tonumber(args[2]) * 1000 + id)
end

request = function()
    return wrk.format("GET", urls[math.random(#urls)])
end

done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, ' ..
        '"write": %d, "status": %d, "timeout": %d}, "latency_ms": {"p50": %.1f, "p90": %.1f, ' ..
        '"p99": %.1f, "max": %.1f}}\n',
        summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000))
end
"""


def log(message):
    print(f"loadtest: {message}", flush=True)


def run(args, env, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def manage(env, *args, quiet=True):
    return run([PYTHON, "manage.py", *args], env, stdout=subprocess.DEVNULL if quiet else None)


def ensure_wrk():
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("loadtest: wrk is not installed; install it with `apt-get install wrk` (as root), then re-run.")
    log("installing wrk (apt-get install wrk)")
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("loadtest: wrk could not be installed")


def prepare_database(env, articles, seed):
    """Migrate; load the sample seeds and a generated corpus until the archive has `articles` articles."""
    manage(env, "migrate", "--noinput")
    count = int(
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", "from articles.models import Article; print(Article.objects.count())"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
    )
    if count >= articles:
        log(f"the database already holds {count:,} articles")
        return count
    corpus = VAR / f"corpus-{articles}-seed{seed}"
    if not (corpus / "entities.json").exists():
        log(f"generating {articles:,} articles into {corpus.relative_to(ROOT)}")
        run(
            [PYTHON, "scripts/generate_corpus.py", "--articles", str(articles), "--seed", str(seed)]
            + ["--output", str(corpus), "--quiet"],
            env,
        )
    log("loading the vocabulary and ingesting the sample seeds and the corpus (--no-ner)")
    manage(env, "load_entities", str(corpus / "entities.json"))
    workers = str(max(1, min(2, os.cpu_count() or 1)))
    manage(env, "ingest_seeds", "seeds/", str(corpus), "--no-ner", "--workers", workers, "--json")
    return prepare_database(env, 0, seed)


def build_urls(env, seed):
    """The URL mix: (path, weight) pairs, read from the database through the site's own QuerySets."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "HTTPS")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings

    from articles.models import Article, Author, Entity, MonthCount, Tag
    from articles.views import archive_path

    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    per_page = settings.ARTICLES_PER_PAGE
    total = sum(MonthCount.objects.values_list("count", flat=True))
    pages = max(1, -(-total // per_page))
    slugs = list(Article.objects.published().values_list("slug", flat=True))
    articles = rng.sample(slugs, min(400, len(slugs)))
    tags = list(Tag.objects.in_use().order_by("-stats__article_count").values_list("slug", "stats__article_count"))
    authors = list(Author.objects.in_use().values_list("slug", "stats__article_count"))
    entities = list(
        Entity.objects.in_use().order_by("-stats__article_count").values_list("slug", "stats__article_count")
    )
    months = list(MonthCount.objects.filter(count__gt=0).values_list("month", flat=True))

    def deep(path, count):
        last = max(1, -(-count // per_page))
        return [path] + (
            [f"{path}?page=2", f"{path}?page={max(2, last // 2)}", f"{path}?page=last"] if last > 1 else []
        )

    groups = {
        # weight of the group in the mix (percent): its URLs
        "home and deep pages": (10, ["/"] + [f"/?page={p}" for p in sorted({2, 3, pages // 2, pages}) if p > 1]),
        "articles": (35, [f"/articles/{slug}/" for slug in articles]),
        "tags": (
            8,
            [u for slug, n in tags[:15] + rng.sample(tags, min(10, len(tags))) for u in deep(f"/tags/{slug}/", n)],
        ),
        "entities": (
            10,
            [
                u
                for slug, n in entities[:10] + rng.sample(entities, min(30, len(entities)))
                for u in deep(f"/entities/{slug}/", n)
            ],
        ),
        "authors": (
            5,
            [u for slug, n in rng.sample(authors, min(20, len(authors))) for u in deep(f"/authors/{slug}/", n)],
        ),
        "archive": (
            5,
            ["/archive/"]
            + sorted({archive_path(m.year) for m in months})
            + [archive_path(m.year, m.month) for m in rng.sample(months, min(24, len(months)))],
        ),
        "feeds": (
            10,
            ["/feed/", "/feed/atom/"]
            + [f"/tags/{slug}/feed/" for slug, _ in tags[:10]]
            + [f"/authors/{slug}/feed/atom/" for slug, _ in authors[:5]]
            + [f"/entities/{slug}/feed/" for slug, _ in entities[:10]],
        ),
        "search": (
            12,
            [
                "/search/?q=energy",
                "/search/?q=government",
                "/search/?q=%22central+bank%22",
                "/search/?q=oil+OR+gas",
                "/search/?q=election+-president",
                "/search/?q=minister&sort=newest",
                "/search/?q=talks&page=2",
                "/search/?q=xylophonist",
            ]
            + [f"/search/?tag={slug}" for slug, _ in tags[:3]]
            + [f"/search/?q=report&entity={slug}" for slug, _ in entities[:3]]
            + [f"/search/?q=week&year={months[0].year}" if months else "/search/?q=week"],
        ),
        "lists and the rest": (
            5,
            ["/tags/", "/authors/", "/entities/", "/entities/?kind=people", "/entities/?kind=places&page=2"]
            + ["/robots.txt", "/healthz"],
        ),
        # Crawlers read sitemaps rarely; a section renders up to 5,000 addresses (seconds under load).
        "sitemaps": (0.5, ["/sitemap.xml", "/sitemap-articles.xml", "/sitemap-tags.xml", "/sitemap-entities.xml"]),
    }
    return groups


def weighted_lines(groups, size=2000):
    """About `size` lines where each group's share is its weight (URLs within a group equally likely)."""
    lines = []
    for weight, urls in groups.values():
        repeats = max(1, round(size * weight / 100 / len(urls)))
        lines += [url for url in urls for _ in range(repeats)]
    return lines


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return f"{type(error).__name__}: {error}"


def workers_of(master):
    """PIDs of the gunicorn master's worker processes."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk_run(wrk, base, script, urls_file, args, seed):
    command = [wrk, "--threads", str(args.threads), "--connections", str(args.connections)]
    command += ["--duration", f"{args.duration}s", "--timeout", f"{args.timeout}s", "--script", str(script), base]
    command += ["--", str(urls_file), str(seed)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120)
    if result.returncode != 0:
        sys.exit(f"loadtest: wrk failed: {result.stderr.strip() or result.stdout.strip()}")
    line = [text for text in result.stdout.splitlines() if text.startswith("{")][-1]
    summary = json.loads(line)
    summary["errors_total"] = sum(summary["errors"].values())
    summary["rps"] = round(summary["requests"] / (summary["duration_us"] / 1e6), 1)
    return summary


def failing_paths(access_log, start_offset, *, ok=("1", "2", "3")):
    """{"status path": count} of the answers whose status starts with none of `ok` (by default:
    the 4xx and 5xx) since `start_offset` in gunicorn's access log (logfmt lines)."""
    failures = {}
    with open(access_log, encoding="utf-8", errors="replace") as log_file:
        log_file.seek(start_offset)
        for line in log_file:
            if "logger=gunicorn.access" not in line:
                continue
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            status = fields.get("status", "")
            if status and not status.startswith(ok):
                key = f"{status} {fields.get('path', '?')}"
                failures[key] = failures.get(key, 0) + 1
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--articles", type=int, default=6000, help="generated articles to load (default 6,000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus and URL-mix random seed (default 1)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (default 60)")
    parser.add_argument("--runs", type=int, default=2, help="consecutive runs (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's, 2 per core + 1)")
    parser.add_argument("--rss-threshold-mib", type=float, default=8.0, help="allowed RSS growth per worker, MiB")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = parser.parse_args(argv)
    if args.connections < 1 or args.duration < 1 or args.runs < 1 or args.articles < 0:
        parser.error("--connections, --duration and --runs must be positive, --articles not negative")

    wrk = ensure_wrk()
    VAR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["DATABASE_URL"] = localenv.ensure_postgres(args.database_url)
    env["SECRET_KEY"] = env.get("SECRET_KEY") or localenv.ensure_secret_key()
    env.update(HTTPS="0", DEBUG="", ALLOWED_HOSTS="127.0.0.1", STATIC_ROOT=str(VAR / "static"))
    prepare_database(env, args.articles, args.seed)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")

    groups = build_urls(env, args.seed)
    urls_file = VAR / "urls.txt"
    lines = weighted_lines(groups)
    urls_file.write_text("\n".join(lines) + "\n")
    script = VAR / "mix.lua"
    script.write_text(WRK_SCRIPT)
    unique = sorted({url for _, urls in groups.values() for url in urls})
    log(f"{len(unique):,} distinct URLs in {len(groups)} groups, {len(lines):,} weighted lines in {urls_file}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_env = {**env, "PORT": str(port), "BIND_HOST": "127.0.0.1"}
    if args.workers:
        server_env["WEB_CONCURRENCY"] = str(args.workers)
    access_log = VAR / "gunicorn.log"
    with open(access_log, "w") as log_file:
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "newsroom.wsgi"],
            cwd=ROOT,
            env=server_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while fetch(f"{base}/healthz", timeout=2) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"loadtest: gunicorn did not start; see {access_log}")
            time.sleep(0.3)
        log(f"gunicorn on {base}, warming up: every URL once")
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses = dict(zip(unique, pool.map(lambda u: fetch(base + u), unique), strict=True))
        broken = {url: status for url, status in statuses.items() if status != 200}
        if broken:
            for url, status in list(broken.items())[:20]:
                log(f"warm-up: {url} answered {status}")
            sys.exit(f"loadtest: {len(broken)} URLs of the mix do not answer 200; fix them first")
        workers = workers_of(server.pid)
        memory = {"before": {pid: rss_mib(pid) for pid in workers}}
        runs = []
        for number in range(1, args.runs + 1):
            offset = access_log.stat().st_size
            log(f"run {number}: {args.connections} connections for {args.duration}s")
            summary = wrk_run(wrk, base, script, urls_file, args, args.seed + number)
            summary["failing"] = failing_paths(access_log, offset)
            runs.append(summary)
            latency = summary["latency_ms"]
            log(
                f"run {number}: {summary['requests']:,} requests ({summary['rps']}/s), "
                f"{summary['errors_total']} errors, latency p50 {latency['p50']} ms, p99 {latency['p99']} ms"
            )
            memory["between" if number < args.runs else "after"] = {pid: rss_mib(pid) for pid in workers_of(server.pid)}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    report = evaluate(runs, memory, workers, args)
    if args.json:
        print(json.dumps(report))
    else:
        print_report(report)
    return 0 if report["passed"] else 1


def evaluate(runs, memory, workers, args):
    problems = []
    for number, summary in enumerate(runs, start=1):
        if summary["errors_total"]:
            problems.append(f"run {number}: {summary['errors_total']} errors {summary['errors']} {summary['failing']}")
    after = memory.get("after", {})
    middle = memory.get("between", memory["before"])
    if sorted(after) != workers:
        problems.append(f"workers were replaced during the runs: {workers} -> {sorted(after)}")
    growth = {}
    for pid in workers:
        if pid in after and pid in middle:
            grew = after[pid] - middle[pid]
            allowed = max(args.rss_threshold_mib, middle[pid] * 0.05)
            growth[pid] = round(grew, 1)
            if grew > allowed:
                problems.append(f"worker {pid} grew {grew:.1f} MiB between the last two runs (allowed {allowed:.1f})")
    return {
        "connections": args.connections,
        "duration_s": args.duration,
        "runs": runs,
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors_total"] for r in runs),
        "rss_mib": {stage: {str(pid): round(v, 1) for pid, v in values.items()} for stage, values in memory.items()},
        "rss_growth_last_run_mib": {str(pid): v for pid, v in growth.items()},
        "rss_threshold_mib": f"max({args.rss_threshold_mib}, 5% of the worker's RSS)",
        "problems": problems,
        "passed": not problems,
    }


def print_report(report):
    print()
    for number, run in enumerate(report["runs"], start=1):
        print(
            f"run {number}: {run['requests']:,} requests in {run['duration_us'] / 1e6:.0f}s ({run['rps']}/s), "
            f"errors {run['errors_total']} {run['errors']}, latency p50 {run['latency_ms']['p50']} ms "
            f"p90 {run['latency_ms']['p90']} ms p99 {run['latency_ms']['p99']} ms max {run['latency_ms']['max']} ms"
        )
    print(f"requests served: {report['requests']:,}; errors: {report['errors']}")
    stages = list(report["rss_mib"])
    print("worker RSS (MiB): pid  " + "  ".join(stages) + "  growth in the last run")
    for pid in report["rss_mib"]["before"]:
        values = "  ".join(f"{report['rss_mib'][stage].get(pid, float('nan')):7.1f}" for stage in stages)
        print(f"  {pid:>7}  {values}  {report['rss_growth_last_run_mib'].get(pid, float('nan')):+.1f}")
    print(f"threshold: {report['rss_threshold_mib']} per worker")
    for problem in report["problems"]:
        print(f"FAILED: {problem}")
    print("PASSED" if report["passed"] else "FAILED")


if __name__ == "__main__":
    sys.exit(main())
