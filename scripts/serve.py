#!/usr/bin/env python3
"""Serve the site and process its background jobs: gunicorn and `manage.py worker`, together.

    python scripts/serve.py            # what `make run` and `make serve` start

Both run in the foreground of one terminal, with their logs interleaved on standard
output. Ctrl-C (or SIGTERM) stops both (the worker finishes the parts it is running);
if either one exits, the other is stopped and its exit status is returned. The
worker's size is WORKER_CONCURRENCY (default: the number of cores); set
WORKER_CONCURRENCY=0 to serve without a worker (when workers run elsewhere).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def start():
    processes = {"web": subprocess.Popen([str(BIN / "gunicorn"), "newsroom.wsgi"], cwd=ROOT)}
    concurrency = os.environ.get("WORKER_CONCURRENCY", "")
    if concurrency != "0":
        command = [sys.executable, "manage.py", "worker"] + (["--concurrency", concurrency] if concurrency else [])
        processes["worker"] = subprocess.Popen(command, cwd=ROOT)
    return processes


def stop(processes, deadline=30):
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    until = time.monotonic() + deadline
    for process in processes.values():
        try:
            process.wait(max(0.1, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    processes = start()
    print(
        f"serve: web (gunicorn) pid {processes['web'].pid}"
        + (f", worker pid {processes['worker'].pid}" if "worker" in processes else ", no worker"),
        file=sys.stderr,
        flush=True,
    )
    status = 0
    while not stopping:
        ended = [name for name, process in processes.items() if process.poll() is not None]
        if ended:
            status = processes[ended[0]].returncode
            print(f"serve: {ended[0]} exited with status {status}; stopping the rest", file=sys.stderr, flush=True)
            break
        time.sleep(0.5)
    stop(processes)
    return status


if __name__ == "__main__":
    sys.exit(main())
