"""Faults survived with real processes, under one running gunicorn that is never restarted:
the database going away and coming back, its connections being cut, a worker killed."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from . import pgcluster
from .conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not pgcluster.available(), reason="PostgreSQL server binaries are not installed")


def get(url, with_headers=False):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            result = response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        result = error.code, error.read().decode(), error.headers
    return result if with_headers else result[:2]


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    return predicate()


@pytest.fixture
def cluster():
    cluster = pgcluster.TemporaryCluster()
    cluster.start()
    cluster.create_database()
    yield cluster
    cluster.destroy()


def test_pages_answer_503_while_the_database_is_down_and_recover_without_restart(cluster, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "DEBUG": "",
        "PORT": str(pgcluster._free_port()),
        "WEB_CONCURRENCY": "2",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "ingest_seeds", "seeds/", "--workers", "1"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "newsroom.wsgi"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        assert wait_for(lambda: _status(base + "/healthz") == 200), (tmp_path / "gunicorn.log").read_text()
        assert get(base + "/")[0] == 200

        cluster.stop()
        for path in [
            "/",
            "/healthz",
            "/articles/lelei-breaks-zurich-marathon-course-record-on-unseasonably-warm-morning/",
            "/search/?q=marathon",
            "/feed/",
        ]:
            status, body, headers = get(base + path, with_headers=True)
            assert status == 503, (path, body)
            assert "Traceback" not in body and "psycopg2" not in body and str(ROOT) not in body
            assert "Content-Security-Policy" in headers
            if path != "/healthz":  # the health check answers JSON, for a load balancer
                assert headers["Retry-After"] == "30"

        cluster.start()
        # The same gunicorn, not restarted, serves again once the database is back.
        assert wait_for(lambda: _status(base + "/healthz") == 200)
        assert wait_for(lambda: _status(base + "/") == 200)
        assert server.poll() is None

        # The database cuts every connection (a failover, an operator's pg_terminate_backend): the
        # workers' persistent connections are checked before use, so no reader sees an error.
        cluster.terminate_connections()
        for _ in range(6):
            assert get(base + "/")[0] == 200

        # A worker killed outright: the master starts another, and pages keep coming meanwhile.
        workers = _children(server.pid)
        os.kill(workers[0], signal.SIGKILL)
        assert all(get(base + "/")[0] == 200 for _ in range(6))
        assert wait_for(lambda: len(_children(server.pid)) == len(workers) and workers[0] not in _children(server.pid))
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    # What an operator reads: one key=value line per event, the failures findable by grep.
    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    unavailable = [line for line in lines if "logger=newsroom.errors" in line and "database unavailable" in line]
    assert unavailable and all(line.startswith("time=") and "level=error" in line for line in unavailable)
    assert any(
        "logger=gunicorn.access" in line and "status=503" in line and 'path="/healthz"' in line for line in lines
    )
    assert any("logger=gunicorn.access" in line and "status=200" in line for line in lines)


def _children(pid):
    """The PIDs of a process's children (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def _status(url):
    try:
        return get(url)[0]
    except OSError:
        return None
