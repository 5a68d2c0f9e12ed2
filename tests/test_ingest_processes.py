"""Ingest as operators run it: real `manage.py ingest_seeds` processes against the test database."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from articles.ingest import ingest_paths
from articles.models import Article, SeedFile

from .conftest import TEST_SECRET_KEY, test_database_url, write_seeds

ROOT = Path(__file__).resolve().parents[1]

# serialized_rollback restores the data migrations load (the starter vocabulary) after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def start_ingest(*args):
    env = {**os.environ, "DATABASE_URL": test_database_url(), "SECRET_KEY": TEST_SECRET_KEY}
    return subprocess.Popen(
        [sys.executable, "manage.py", "ingest_seeds", *args, "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_runs_store_each_article_exactly_once(tmp_path):
    write_seeds(tmp_path / "seeds", 300)
    runs = [start_ingest(str(tmp_path / "seeds"), "--batch-size", "20", "--workers", "1") for _ in range(2)]
    summaries = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        summaries.append(json.loads(out.strip().splitlines()[-1]))

    assert Article.objects.count() == 300
    assert Article.objects.values("source_sha256").distinct().count() == 300
    assert SeedFile.objects.count() == 300
    assert sum(s["created"] for s in summaries) == 300
    for summary in summaries:
        assert summary["failed"] == []
        assert summary["created"] + summary["unchanged"] + summary["duplicates"] == 300


def test_an_ingest_killed_half_way_leaves_no_half_written_article_and_a_rerun_completes(tmp_path):
    write_seeds(tmp_path / "seeds", 1500)
    run = start_ingest(str(tmp_path / "seeds"), "--batch-size", "25", "--workers", "1")
    # Kill it with SIGKILL once some batches are committed and more are in flight.
    deadline = time.monotonic() + 120
    while Article.objects.count() < 200 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    run.kill()
    run.wait()
    stored = Article.objects.count()
    assert 0 < stored < 1500, "the kill should land half-way"

    # Every stored article is whole: its provenance, author, tags and mentions were written with it.
    assert SeedFile.objects.count() == stored
    assert Article.objects.filter(author__isnull=True).count() == 0
    assert Article.objects.filter(taggings__isnull=True).count() == 0
    assert Article.objects.filter(mentions__isnull=True).count() == 0

    rerun = start_ingest(str(tmp_path / "seeds"), "--workers", "1")
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["created"], summary["unchanged"]) == (1500 - stored, stored)
    assert Article.objects.count() == 1500
    assert Article.objects.values("source_sha256").distinct().count() == 1500


def test_a_run_with_nothing_to_extract_never_loads_the_model(tmp_path):
    """Unchanged files and refused ones need no statistical model (loading it takes seconds)."""
    folder = write_seeds(tmp_path / "seeds", 3)
    ingest_paths([str(folder)], ner=False, workers=1)
    (folder / "0003.txt").write_bytes(b"")  # refused: empty
    env = {**os.environ, "DATABASE_URL": test_database_url(), "SECRET_KEY": TEST_SECRET_KEY}
    script = (
        "from articles.ingest import ingest_paths; from articles.entities import ner; "
        f"report = ingest_paths([{str(folder)!r}], workers=2); "
        "print(report.unchanged, len(report.failed), ner.model_loaded())"
    )
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-3:] == ["3", "1", "False"]
