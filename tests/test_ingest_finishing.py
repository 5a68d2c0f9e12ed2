"""Ingest finishes new articles (search entries, reader statistics) a chunk at a time, after their batches.

Whatever the chunking, in line or on a second connection, and after a run killed
before finishing, the result is what finishing each article at once would give.
"""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

import articles.ingest
import articles.writes
from articles.ingest import ingest_paths
from articles.models import Article, SearchEntry
from articles.writes import refresh_search_entries

from .conftest import PROJECT_SEEDS, write_seeds
from .test_stats import assert_matches_rebuild


def search_entries():
    return sorted(
        SearchEntry.objects.values_list(
            "article_id", "status", "published_at", "author_id", "document", "rank_vector", "tag_ids", "entity_ids"
        )
    )


def assert_finished():
    """Every article has its search entry, as a refresh from scratch writes it, and statistics that match a rebuild."""
    assert SearchEntry.objects.count() == Article.objects.count()
    entries = search_entries()
    refresh_search_entries(Article.objects.values_list("pk", flat=True))
    assert entries == search_entries()
    assert_matches_rebuild()


@pytest.mark.django_db
def test_chunks_smaller_and_larger_than_batches_give_the_same_entries_and_counts():
    report = ingest_paths([PROJECT_SEEDS], workers=1, batch_size=3, finish_chunk=4)
    assert report.created >= 10 and report.failed == []
    assert_finished()
    word = Article.objects.order_by("id").first().title.split()[0]
    assert SearchEntry.objects.filter(document=SearchQuery(word, config="newsroom_english")).exists()


@pytest.mark.django_db
def test_a_run_killed_before_finishing_is_finished_by_the_next(monkeypatch, tmp_path):
    seeds = write_seeds(tmp_path / "seeds", 12)
    with monkeypatch.context() as patched:
        patched.setattr(articles.ingest, "finish_articles", lambda ids: None)  # the run dies before finishing
        patched.setattr(articles.ingest, "link_new_entities", lambda known, **options: 0)  # and before its end
        first = ingest_paths([seeds], workers=1, batch_size=5)
    assert first.created == 12
    assert SearchEntry.objects.count() == 0

    second = ingest_paths([seeds], workers=1)
    assert (second.created, second.unchanged) == (0, 12)
    assert_finished()


@pytest.mark.django_db
def test_updated_articles_are_finished_with_their_batch(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", 6)
    ingest_paths([seeds], workers=1)
    (seeds / "0003.txt").write_text(
        "Harbour story number 3\n\nA new dek.\n\nThe plan was dropped in Berlin.\n\nAuthor: Writer 3\n",
        encoding="utf-8",
    )
    report = ingest_paths([seeds], workers=1)
    assert (report.updated, report.unchanged) == (1, 5)
    assert SearchEntry.objects.filter(document=SearchQuery("dropped", config="newsroom_english")).count() == 1
    assert_finished()


# A second connection (the finisher thread) only sees committed rows: real transactions here.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_big_run_finishes_its_chunks_on_a_second_connection(tmp_path, monkeypatch):
    threads = []
    original = articles.ingest.Finisher.start

    def start(finisher):
        threads.append(finisher)
        original(finisher)

    monkeypatch.setattr(articles.ingest.Finisher, "start", start)
    seeds = write_seeds(tmp_path / "seeds", 45)
    report = ingest_paths([seeds], workers=2, batch_size=5, finish_chunk=10)
    assert report.created == 45 and report.failed == []
    assert len(threads) == 1 and not threads[0].is_alive()
    assert_finished()
    assert not connection.in_atomic_block

    again = ingest_paths([seeds], workers=2, batch_size=5, finish_chunk=10)
    assert (again.created, again.unchanged) == (0, 45)
    assert_finished()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_finisher_takes_what_was_committed_whenever_it_is_free(tmp_path, monkeypatch):
    """A slow writer (the statistical model) does not leave thousands of articles off the site until the end."""
    chunks = []
    original = articles.ingest.finish_articles

    def finish(ids):
        chunks.append(len(ids))
        original(ids)

    monkeypatch.setattr(articles.ingest, "finish_articles", finish)
    seeds = write_seeds(tmp_path / "seeds", 45)
    report = ingest_paths([seeds], workers=2, batch_size=5, finish_chunk=100)
    assert report.created == 45
    # Two batches (a tenth of a chunk), as soon as they were committed: the finisher was free.
    assert chunks[0] == 10
    assert sum(chunks) == 45 and len(chunks) > 1
    assert_finished()


@pytest.mark.django_db
def test_a_run_leaves_the_search_indexes_no_pending_list_to_read_on_every_search(monkeypatch):
    merged = []
    real = articles.writes.merge_search_pending
    monkeypatch.setattr(articles.writes, "merge_search_pending", lambda: merged.append(real()) or merged[-1])
    report = ingest_paths([PROJECT_SEEDS], workers=1)
    assert report.created >= 10 and len(merged) == 1
    assert merged[0] > 0  # the new entries' words were pending in the GIN indexes, now merged into them
    assert real() == 0
    ingest_paths([PROJECT_SEEDS], workers=1)  # nothing new: nothing to merge, no call
    assert len(merged) == 1
