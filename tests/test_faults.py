"""Faults survived with real processes: the database going away under a running gunicorn."""

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

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not pgcluster.available(), reason="PostgreSQL server binaries are not installed")


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


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
        "SECRET_KEY": "test-only",
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
        ]:
            status, body = get(base + path)
            assert status == 503, (path, body)
            assert "Traceback" not in body and "psycopg2" not in body and "/work/" not in body

        cluster.start()
        # The same gunicorn, not restarted, serves again once the database is back.
        assert wait_for(lambda: _status(base + "/healthz") == 200)
        assert wait_for(lambda: _status(base + "/") == 200)
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _status(url):
    try:
        return get(url)[0]
    except OSError:
        return None
