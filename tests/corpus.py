"""A generated corpus for measuring the public pages at scale.

`generate_corpus(n)` writes `n` articles with set-based inserts (no per-row ORM
saves), shaped like a real archive: a few very common entities (United States in
about a third of all articles), a long tail of rare ones, 1–3 tags each, ten years
of dates, some drafts and scheduled articles. Then it rebuilds the reader
statistics, as an ingest would have kept them.

Used by tests/test_scale.py (a small corpus) and scripts/reader_bench.py (large).
"""

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone
from psycopg2.extras import execute_values

from articles.models import Article, Author, Entity, Mention, Tag, TaggedArticle
from articles.stats import rebuild_reader_stats

WORDS = [
    "minister",
    "talks",
    "border",
    "trade",
    "energy",
    "prices",
    "election",
    "court",
    "ruling",
    "rates",
    "inflation",
    "storm",
    "harbour",
    "summit",
    "protest",
    "budget",
    "vaccine",
    "strike",
    "pipeline",
    "drought",
    "harvest",
    "treaty",
    "market",
    "shares",
    "union",
    "league",
]


def _zipf_pick(rng, items, weights_cum, k):
    """`k` distinct items, chosen with the (cumulative) weights given."""
    chosen = set()
    while len(chosen) < min(k, len(items)):
        chosen.add(rng.choices(items, cum_weights=weights_cum)[0])
    return chosen


def generate_corpus(n_articles, *, n_entities=2000, n_authors=200, n_tags=60, seed=7, batch=5000):
    """Insert `n_articles` generated articles (and their people, tags, entities); return the new ids."""
    rng = random.Random(seed)
    now = timezone.now()
    prefix = f"g{seed}"
    with transaction.atomic():
        authors = Author.objects.bulk_create(
            Author(name=f"Writer {prefix}-{i}", slug=f"writer-{prefix}-{i}", bio=f"Writer {i} covers the world.")
            for i in range(n_authors)
        )
        tags = Tag.objects.bulk_create(
            Tag(name=f"topic {prefix}-{i}", slug=f"topic-{prefix}-{i}") for i in range(n_tags)
        )
        kinds = list(Entity.Kind.values)
        new_entities = Entity.objects.bulk_create(
            Entity(name=f"Entity {prefix}-{i}", slug=f"entity-{prefix}-{i}", kind=kinds[i % 3])
            for i in range(n_entities)
        )
        common = [Entity.objects.get(name=name) for name in ("United States", "European Union", "China", "Russia")]
        entity_ids = [e.pk for e in new_entities]
        entity_cum = []
        total = 0.0
        for rank in range(len(entity_ids)):
            total += 1 / (rank + 1) ** 1.1
            entity_cum.append(total)
        tag_ids = [t.pk for t in tags]
        tag_cum = []
        total = 0.0
        for rank in range(len(tag_ids)):
            total += 1 / (rank + 1)
            tag_cum.append(total)

        created = []
        for start in range(0, n_articles, batch):
            rows = []
            for i in range(start, min(start + batch, n_articles)):
                roll = rng.random()
                status = Article.Status.DRAFT if roll < 0.02 else Article.Status.PUBLISHED
                if roll > 0.99:
                    published = now + datetime.timedelta(days=rng.randint(1, 30))  # scheduled
                else:
                    published = now - datetime.timedelta(minutes=rng.randint(10, 10 * 365 * 24 * 60))
                headline = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
                rows.append(
                    (
                        f"{headline} {prefix}-{i}",
                        f"gen-{prefix}-{i}",
                        "A generated one-line summary of the story.",
                        "Generated paragraph one.\n\nGenerated paragraph two.",
                        rng.choice(authors).pk,
                        status,
                        published,
                        now,
                        now,
                    )
                )
            with connection.cursor() as cursor:
                ids = execute_values(
                    cursor,
                    f"""INSERT INTO {Article._meta.db_table}
                        (title, slug, dek, body, author_id, status, published_at, created_at, updated_at,
                         entities_pinned, source_path, source_sha256)
                        VALUES %s RETURNING id""",
                    rows,
                    template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, false, '', '')",
                    page_size=1000,
                    fetch=True,
                )
                ids = [row[0] for row in ids]
                mentions, taggings = [], []
                for article_id in ids:
                    picked = _zipf_pick(rng, entity_ids, entity_cum, rng.randint(5, 10))
                    for entity, share in zip(common, (0.35, 0.2, 0.12, 0.1), strict=False):
                        if rng.random() < share:
                            picked.add(entity.pk)
                    mentions.extend((article_id, entity_id, rng.randint(1, 6)) for entity_id in picked)
                    taggings.extend(
                        (article_id, tag_id) for tag_id in _zipf_pick(rng, tag_ids, tag_cum, rng.randint(1, 3))
                    )
                execute_values(
                    cursor,
                    f"INSERT INTO {Mention._meta.db_table} (article_id, entity_id, count) VALUES %s",
                    mentions,
                    page_size=5000,
                )
                execute_values(
                    cursor,
                    f"INSERT INTO {TaggedArticle._meta.db_table} (content_object_id, tag_id) VALUES %s",
                    taggings,
                    page_size=5000,
                )
            created.extend(ids)
        rebuild_reader_stats()
    return created
