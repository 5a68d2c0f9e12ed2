#!/usr/bin/env python3
"""Count the CPU instructions one request costs in the Django process: a measure no load moves.

    scripts/localenv.py -- .venv/bin/python scripts/count_instructions.py [--wsgi MODULE] [PATH ...]

For each PATH (default: the minimal view, /minimal/ of newsroom.bench_wsgi, and the bare view,
/bare/ of newsroom.bench_bare_wsgi), runs this script under `valgrind --tool=cachegrind` twice,
once serving the path --few times and once --few + --many times through the WSGI application
(as gunicorn calls it, with the Host header wrk sends; no network, no gunicorn), and prints
the difference divided by --many: the instructions of one request, start-up and first-request
work (imports, the first query's connection, lazy set-up) left out. PYTHONHASHSEED is fixed.
Work done in other processes (PostgreSQL's side of a query) is not counted; the client's is.

A PATH may name its WSGI module: `newsroom.wsgi:/articles/some-slug/` counts the site itself
(a page already in the page cache counts a hit; the first request stores it when it is not).
With --cold every request finds the page cache empty (`pagecache.clear()` before each, counted
too: one query), as the benchmark's "cold" column: the page rendered and stored each time.
On wall-clock throughput under gunicorn, see docs/scaling.md ("The minimal view").
"""

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = ("newsroom.bench_wsgi:/minimal/", "newsroom.bench_bare_wsgi:/bare/")


def environ(path, host):
    """A WSGI environ as gunicorn builds it for `GET path` from wrk (Host header only)."""
    path, _, query = path.partition("?")
    name, _, port = host.partition(":")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "RAW_URI": path + ("?" + query if query else ""),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": name,
        "SERVER_PORT": port or "80",
        "SERVER_SOFTWARE": "gunicorn",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "HTTP_HOST": host,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": __import__("io").BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def serve(target, count, host, *, cold=False):
    """Serve `target` ("module:path") `count` times (the page cache emptied before each when
    `cold`); fail on anything but a 200."""
    module, _, path = target.rpartition(":")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    application = __import__(module, fromlist=["application"]).application
    gc.freeze()  # as gunicorn.conf.py has the master do before it forks a worker
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    clear = __import__("articles.pagecache", fromlist=["clear"]).clear if cold else None
    for _ in range(count):
        if clear:
            clear()
        body = application(environ(path, host), start_response)
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()
    bad = [status for status in statuses if not status.startswith(("200", "304"))]
    if bad:
        sys.exit(f"count_instructions: {target} answered {bad[0]}")


def instructions(target, count, host, *, cold=False):
    """Instructions cachegrind counts for this script serving `target` `count` times."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "cachegrind.out"
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}"]
        command += [sys.executable, __file__, "--serve", target, "--count", str(count), "--host", host]
        command += ["--cold"] if cold else []
        result = subprocess.run(
            command, env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            sys.exit(f"count_instructions: {target} failed under valgrind:\n{result.stderr[-2000:]}")
        summary = re.search(r"^summary:\s+(\d+)", out.read_text(), re.MULTILINE)
        return int(summary.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", metavar="PATH", help="[MODULE:]PATH (default: minimal and bare views)")
    parser.add_argument("--wsgi", default="newsroom.wsgi", help="module of a PATH naming none (newsroom.wsgi)")
    parser.add_argument("--few", type=int, default=100, help="requests of the run subtracted (default 100)")
    parser.add_argument("--many", type=int, default=1000, help="requests counted (default 1,000)")
    parser.add_argument("--host", default="127.0.0.1:8000", help="the Host header (default 127.0.0.1:8000)")
    parser.add_argument("--cold", action="store_true", help="empty the page cache before each request")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.count, args.host, cold=args.cold)
        return
    targets = [path if ":" in path.partition("/")[0] else f"{args.wsgi}:{path}" for path in args.paths]
    for target in targets or DEFAULT_PATHS:
        few = instructions(target, args.few, args.host, cold=args.cold)
        many = instructions(target, args.few + args.many, args.host, cold=args.cold)
        print(f"{target:60} {(many - few) / args.many:>12,.0f} instructions per request", flush=True)


if __name__ == "__main__":
    main()
