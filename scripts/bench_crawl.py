#!/usr/bin/env python3
"""The page cache under writes: a long-tail crawl's hit rate, quiet and while an ingest runs.

    scripts/localenv.py -- .venv/bin/python scripts/bench_crawl.py --database-url postgres:///newsroom_bench \\
        --new-corpus var/bench/corpus-new [--urls 3000] [--duration 20]

gunicorn serves the site on the given database exactly as the README does (gunicorn.conf.py;
DATABASE_URL is NOT wiped, but the ingest adds articles to it), and wrk crawls --urls
distinct article pages, chosen at random among the published ones, in three phases:

1. warm-up: --duration seconds, so that every worker's cache holds what it can;
2. quiet: --duration seconds, nothing else running;
3. ingest: `ingest_seeds --no-ner` of --new-corpus into the same database runs, and wrk crawls
   in rounds of --duration seconds until it ends.

For each phase, requests/s and the share of the crawl's answers that the page cache served
(gunicorn's access log, cache=hit or cache=miss, see gunicorn.conf.py). With invalidation per
object the ingest phase keeps near the quiet rate: new articles only re-render the pages that
show them (listings, their authors', tags' and entities' pages), not the old articles crawled
here. Prints one JSON object; scripts/bench.py calls crawl_during_ingest() for its table.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import loadtest  # noqa: E402 - the scripts folder is on the path only now
import localenv  # noqa: E402


def cache_counts(access_log, start_offset):
    """{"hit": n, "miss": n, "-": n} of the access log's lines since `start_offset`."""
    counts = {}
    with open(access_log, encoding="utf-8", errors="replace") as log_file:
        log_file.seek(start_offset)
        for line in log_file:
            if "logger=gunicorn.access" in line:
                fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
                state = fields.get("cache", "-")
                counts[state] = counts.get(state, 0) + 1
    return counts


def _phase(wrk, base, script, urls_file, log_path, seconds, args):
    offset = log_path.stat().st_size
    wrk_args = types.SimpleNamespace(threads=args.threads, connections=args.connections, duration=seconds, timeout=10)
    summary = loadtest.wrk_run(wrk, base, script, urls_file, wrk_args, args.seed)
    time.sleep(0.5)  # the access log is written after the answer
    return summary, cache_counts(log_path, offset)


def _row(summaries, counts):
    requests = sum(s["requests"] for s in summaries)
    seconds = sum(s["duration_us"] for s in summaries) / 1e6
    answered = counts.get("hit", 0) + counts.get("miss", 0)
    return {
        "rps": round(requests / seconds, 1) if seconds else 0,
        "requests": requests,
        "errors_total": sum(s["errors_total"] for s in summaries),
        "hits": counts.get("hit", 0),
        "misses": counts.get("miss", 0),
        "hit_rate": round(counts.get("hit", 0) / answered, 3) if answered else None,
    }


def _add(total, counts):
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value


def crawl_during_ingest(env, paths, new_corpus, workdir, args, serve, stop):
    """{"quiet": row, "during ingest": row, "ingest_seconds": s}; `serve`/`stop` start and stop gunicorn."""
    wrk = loadtest.ensure_wrk()
    script = workdir / "urls.lua"
    script.write_text(loadtest.WRK_SCRIPT)
    urls_file = workdir / "crawl-urls.txt"
    urls_file.write_text("\n".join(paths) + "\n")
    server, base, log_path = serve("newsroom.wsgi", {**env, "ALLOWED_HOSTS": "127.0.0.1"}, workdir)
    try:
        deadline = time.monotonic() + 60
        while loadtest.fetch(base + paths[0], timeout=5) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"bench_crawl: gunicorn did not start or {paths[0]} does not answer 200; see {log_path}")
            time.sleep(0.3)
        _phase(wrk, base, script, urls_file, log_path, args.duration, args)  # warm-up
        quiet, quiet_counts = _phase(wrk, base, script, urls_file, log_path, args.duration, args)
        started = time.monotonic()
        ingest = subprocess.Popen(
            [PYTHON, "manage.py", "ingest_seeds", str(new_corpus), "--no-ner", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rounds, counts = [], {}
        while ingest.poll() is None:
            summary, round_counts = _phase(wrk, base, script, urls_file, log_path, min(args.duration, 10), args)
            rounds.append(summary)
            _add(counts, round_counts)
        ingest_seconds = round(time.monotonic() - started, 1)
        if ingest.returncode != 0:
            sys.exit(f"bench_crawl: ingest_seeds {new_corpus} failed (exit {ingest.returncode})")
    finally:
        stop(server)
    return {
        "urls": len(paths),
        "quiet": _row([quiet], quiet_counts),
        "during ingest": _row(rounds, counts),
        "ingest_seconds": ingest_seconds,
    }


def main(argv=None):
    import bench

    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", required=True, help="a loaded archive (the ingest adds to it)")
    parser.add_argument("--new-corpus", type=Path, required=True, help="seed files to ingest during the crawl")
    parser.add_argument("--urls", type=int, default=3000, help="distinct article URLs crawled (default 3,000)")
    parser.add_argument("--duration", type=int, default=20, help="wrk seconds per phase (default 20)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="URL sample and wrk random seed (default 1)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench", help="logs (default var/bench)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env["DATABASE_URL"] = localenv.ensure_postgres(args.database_url)
    env["SECRET_KEY"] = env.get("SECRET_KEY") or localenv.ensure_secret_key()
    env.update(HTTPS="0", DEBUG="", STATIC_ROOT=str(args.workdir / "static"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    bench.setup_django(env)
    paths = bench.article_sample(args.urls, args.seed)
    result = crawl_during_ingest(env, paths, args.new_corpus.resolve(), args.workdir, args, bench.serve, bench.stop)
    print(json.dumps(result, indent=2))
    return 1 if result["quiet"]["errors_total"] or result["during ingest"]["errors_total"] else 0


if __name__ == "__main__":
    sys.exit(main())
