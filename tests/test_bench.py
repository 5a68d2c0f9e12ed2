"""`scripts/bench.py` end to end at a tiny size: every row of the report is there and nothing failed.

Times are never asserted (shared machines); the full and quick runs are `make bench` and
`make bench-quick`. The benchmark wipes and fills its own databases: here, throwaway ones
named after the test database.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from tests.conftest import TEST_SECRET_KEY, test_database_url

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "home",
    "article (mentions top entity)",
    "tag (most used)",
    "author (most articles)",
    "entity (most frequent)",
    "month archive (busiest)",
    "search 'government'",
    "search 'government', page=last",
    "home, page=last",
    "tag (most used), page=last",
    "feed (RSS)",
    "API articles (20)",
    "API article",
    "trends (5 top entities)",
    "trends 'government'",
]


def drop_databases(*names):
    db = connection.settings_dict
    conn = psycopg2.connect(dbname="postgres", host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"])
    conn.autocommit = True
    with conn.cursor() as cursor:
        for name in names:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()


@pytest.fixture
def bench_database_url(db):
    name = connection.settings_dict["NAME"] + "_bench"
    yield urlsplit(test_database_url())._replace(path="/" + name).geturl()
    drop_databases(name, name + "_ner")


def test_bench_end_to_end_at_a_tiny_size(bench_database_url, tmp_path):
    # wrk is installed by the benchmark when missing (as root); only without it is throughput skipped.
    with_wrk = bool(shutil.which("wrk")) or os.geteuid() == 0
    output = tmp_path / "bench.json"
    command = [sys.executable, "scripts/bench.py", "--articles", "100", "--ner-slice", "4", "--requests", "2"]
    command += [
        "--warmup",
        "1",
        "--duration",
        "1",
        "--connections",
        "8",
        "--workdir",
        str(tmp_path),
        "--output",
        str(output),
    ]
    command += ["--database-url", bench_database_url]
    command += ["--crawl-ingest", "20", "--crawl-connections", "4"] if with_wrk else ["--skip-throughput"]
    env = {**os.environ, "SECRET_KEY": TEST_SECRET_KEY}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    report = json.loads(output.read_text())
    assert report["errors"] == 0
    assert {"cores", "date", "git_commit", "postgresql", "load_average_1m"} <= report["machine"].keys()
    assert report["corpus"]["articles"] == report["corpus"]["published_articles"] == 100

    ingest = report["ingest"]
    assert ingest["ingest_no_ner"]["articles"] == 100
    assert ingest["ingest_no_ner"]["failed"] == 0
    assert ingest["ingest_no_ner"]["articles_per_s"] > 0
    assert ingest["ingest_no_ner"]["peak_rss_mib"] > 0
    assert [run["workers"] for run in ingest["ner"]["runs"]] == [1, 2]
    for run in ingest["ner"]["runs"]:
        assert run["articles"] == 4
        assert run["model_words_per_s"] > 0
        assert run["share_of_model"] > 0
    assert ingest["relink"]["seconds"] > 0
    assert ingest["related"]["seconds"] > 0

    jobs = report["jobs"]  # scripts/bench_jobs.py: saves answered, their jobs done, web memory, queued ingest
    assert jobs["saves"]["relink_job"]["state"] == "done" and jobs["saves"]["alias_save_seconds"] > 0
    assert jobs["saves"]["spacy_in_this_process"] is False
    assert jobs["memory"]["saves"] == 50 and jobs["memory"]["spacy_mapped"] is False
    assert set(jobs["ingest"]["words_per_s"]) >= {"direct-2", "queued-1", "queued-2"}
    assert jobs["curation"]["merge"]["job"]["state"] == "done"
    assert {run["job"]["state"] for run in jobs["curation"]["bulk"].values()} == {"done"}

    pages = report["latency"]["pages"]
    # those above and deep pages of the home list, an entity, a search, and the middle pages of the
    # most used tag and the author with most articles (43283ec)
    assert len(pages) == len(PAGES) + 5
    assert set(PAGES) <= pages.keys()
    deep_pages = ("home, page ", "entity (most frequent), page ", "search 'government', page ")
    for deep in (*deep_pages, "tag (most used), page ", "author (most articles), page "):
        assert any(name.startswith(deep) and "last" not in name for name in pages), deep
    for row in pages.values():
        assert row["cold"]["statuses"] == row["warm"]["statuses"] == [200]
        assert row["cold"]["median_ms"] <= row["cold"]["p95_ms"]
        assert row["queries_cold"] > 0
        # Django logs query times rounded to the millisecond: at this size a page whose few
        # queries each take under half a millisecond (the trends) reads 0.
        assert row["query_ms_cold"] >= 0
    assert sum(row["query_ms_cold"] for row in pages.values()) > 0

    if with_wrk:
        throughput = report["throughput"]
        long_tail_seen = "long tail, each page asked for once before"
        assert set(throughput) == {
            "home",
            "article",
            "long tail (100 articles)",
            long_tail_seen,
            "minimal view",
            "bare Django view",
        }
        for row in throughput.values():
            assert row["requests"] > 0
            assert row["errors_total"] == 0
            assert row["ratio_to_minimal"] > 0 and row["ratio_to_bare"] > 0
        assert throughput["minimal view"]["ratio_to_minimal"] == throughput["bare Django view"]["ratio_to_bare"] == 1
        # The page cache's hits and misses, from gunicorn's access log; the ceilings are not cached.
        assert throughput["long tail (100 articles)"]["cache"].get("miss", 0) > 0
        # Every page of the second crawl was rendered and stored once before: the store serves it.
        assert throughput[long_tail_seen]["cache"].get("hit", 0) > 0
        assert 0 <= throughput["home"]["hit_rate"] <= 1
        assert throughput["bare Django view"]["hit_rate"] is None
        assert "long tail (100 articles)" in done.stdout and "bare Django view" in done.stdout
        crawl = report["crawl"]  # the long tail again, quiet and while 20 new articles are ingested
        assert crawl["new_articles"] == 20 and crawl["urls"] == 100
        for phase in ("quiet", "during ingest"):
            assert crawl[phase]["requests"] > 0 and crawl[phase]["errors_total"] == 0
        assert "during ingest of 20 articles" in done.stdout
    else:
        assert report["throughput"] is None and report["crawl"] is None

    # The table names every row.
    for name in [*PAGES, "--no-ner", "NER, --workers 2", "relink_entities", "refresh_articles --related", "errors: 0"]:
        assert name in done.stdout
    # The generated corpus is removed unless --keep-corpus.
    assert not (tmp_path / "corpus-100").exists()
