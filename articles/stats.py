"""Reader statistics: the counts, timelines and co-occurrences the public pages show.

Public pages never COUNT or GROUP BY over the articles table; they read small
tables kept current here (see the "Reader statistics" models in models.py):

    PublicArticle / PublicMention / PublicTagging   snapshot of what was counted
    MonthCount, AuthorStats, TagStats, EntityStats  article counts
    EntityMonth                                     an entity's mentions per month
    EntityPair                                      entities mentioned together

`refresh_reader_stats(article_ids)` compares the snapshot of those articles with
their current state and applies the difference (signed deltas) to every count,
in a handful of set-based statements. Call it after any write that may change
what the public sees of an article: its status, date, author, tags or entities,
or its deletion. The ingest workflow calls it after each batch, the admin after
each save and delete.

Articles scheduled for later become public with no write at all.
`catch_up_reader_stats()`, called by every public page, costs one indexed query
and counts such articles once their time has come. `rebuild_reader_stats()`
recomputes everything from scratch (the `rebuild_reader_stats` command).
"""

from django.conf import settings
from django.db import connection, transaction

from .models import (
    Article,
    Author,
    AuthorStats,
    Entity,
    EntityMonth,
    EntityPair,
    EntityStats,
    Mention,
    MonthCount,
    PublicArticle,
    PublicMention,
    PublicTagging,
    ReaderStatsState,
    Tag,
    TaggedArticle,
    TagStats,
)

# Serialises every refresh, so two writers never apply deltas from the same snapshot.
LOCK_KEY = 4_157_202_611

# Temporary tables live until the end of the transaction; they are dropped first in
# case one transaction refreshes twice.
_TEMP_TABLES = [
    "reader_ids",
    "reader_old_a",
    "reader_new_a",
    "reader_old_m",
    "reader_new_m",
    "reader_old_t",
    "reader_new_t",
    "reader_delta",
]

_ARTICLE = Article._meta.db_table
_MENTION = Mention._meta.db_table
_TAGGING = TaggedArticle._meta.db_table
_STATE = ReaderStatsState._meta.db_table


def refresh_reader_stats(article_ids):
    """Bring the reader statistics up to date for the given articles (ids).

    Safe to call with any ids, any number of times: articles that did not change
    contribute nothing; ids of deleted articles subtract what they had counted.
    Also counts every scheduled article whose time has come. Runs in its own
    savepoint, under a transaction-level advisory lock.
    """
    ids = sorted({int(pk) for pk in article_ids})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        _refresh(cursor, ids)


def catch_up_reader_stats():
    """Count scheduled articles whose publication time has passed since the last refresh.

    One indexed query when there are none (the usual case). Returns True if it counted any.
    If another process holds the lock (it is counting right now), does nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT EXISTS (
                SELECT 1 FROM {_ARTICLE}
                 WHERE status = %s AND published_at <= now()
                   AND published_at > COALESCE((SELECT horizon FROM {_STATE} WHERE id = 1), '-infinity')
            )
            """,
            [Article.Status.PUBLISHED],
        )
        if not cursor.fetchone()[0]:
            return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return False
        _refresh(cursor, [])
    return True


def rebuild_reader_stats():
    """Recompute every reader statistic from the articles as they are. Returns the public article count."""
    tables = [
        model._meta.db_table
        for model in (
            PublicArticle,
            PublicMention,
            PublicTagging,
            MonthCount,
            AuthorStats,
            TagStats,
            EntityStats,
            EntityMonth,
            EntityPair,
            ReaderStatsState,
        )
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        for table in tables:  # not TRUNCATE: it refuses tables with pending deferred FK checks
            cursor.execute(f"DELETE FROM {table}")
        _refresh(cursor, [])  # without a horizon, every public article is due
        cursor.execute(f"SELECT count(*) FROM {PublicArticle._meta.db_table}")
        return cursor.fetchone()[0]


def _refresh(cursor, ids):
    cursor.execute(f"SELECT clock_timestamp(), (SELECT horizon FROM {_STATE} WHERE id = 1)")
    as_of, horizon = cursor.fetchone()
    published = Article.Status.PUBLISHED
    params = {"ids": ids, "as_of": as_of, "horizon": horizon, "published": published, "tz": settings.TIME_ZONE}

    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(_TEMP_TABLES))
    # The articles to refresh: those asked for, and every scheduled one that is now due.
    _temp(
        cursor,
        "reader_ids",
        f"""
        SELECT unnest(%(ids)s::bigint[]) AS article_id
         UNION
        SELECT id FROM {_ARTICLE}
         WHERE status = %(published)s AND published_at <= %(as_of)s
           AND published_at > COALESCE(%(horizon)s, '-infinity'::timestamptz)
        """,
        params,
    )
    cursor.execute("ANALYZE reader_ids")  # temporary tables have no statistics until analysed
    # What was counted for them, and what should be now.
    _temp(
        cursor,
        "reader_old_a",
        f"""SELECT p.article_id, p.month, p.author_id FROM {PublicArticle._meta.db_table} p
            JOIN reader_ids USING (article_id)""",
        params,
    )
    _temp(
        cursor,
        "reader_new_a",
        f"""
        SELECT a.id AS article_id, a.published_at, a.author_id,
               date_trunc('month', a.published_at AT TIME ZONE %(tz)s)::date AS month
          FROM {_ARTICLE} a JOIN reader_ids i ON i.article_id = a.id
         WHERE a.status = %(published)s AND a.published_at <= %(as_of)s
        """,
        params,
    )
    _temp(
        cursor,
        "reader_old_m",
        f"SELECT p.article_id, p.entity_id FROM {PublicMention._meta.db_table} p JOIN reader_ids USING (article_id)",
        params,
    )
    _temp(
        cursor,
        "reader_new_m",
        f"SELECT m.article_id, m.entity_id FROM {_MENTION} m JOIN reader_new_a USING (article_id)",
        params,
    )
    _temp(
        cursor,
        "reader_old_t",
        f"SELECT p.article_id, p.tag_id FROM {PublicTagging._meta.db_table} p JOIN reader_ids USING (article_id)",
        params,
    )
    _temp(
        cursor,
        "reader_new_t",
        f"""SELECT t.content_object_id AS article_id, t.tag_id FROM {_TAGGING} t
            JOIN reader_new_a a ON a.article_id = t.content_object_id""",
        params,
    )
    cursor.execute("ANALYZE " + ", ".join(_TEMP_TABLES[1:-1]))

    # Counts with a "last changed" time: every key the refreshed articles touch is stamped.
    _apply_delta(
        cursor,
        AuthorStats,
        ["author_id"],
        "article_count",
        f"""SELECT x.author_id, sum(x.d) AS d FROM (
                SELECT author_id, -1 AS d FROM reader_old_a UNION ALL SELECT author_id, 1 FROM reader_new_a
            ) x JOIN {Author._meta.db_table} t ON t.id = x.author_id GROUP BY x.author_id""",
        params,
    )
    _apply_delta(
        cursor,
        TagStats,
        ["tag_id"],
        "article_count",
        f"""SELECT x.tag_id, sum(x.d) AS d FROM (
                SELECT tag_id, -1 AS d FROM reader_old_t UNION ALL SELECT tag_id, 1 FROM reader_new_t
            ) x JOIN {Tag._meta.db_table} t ON t.id = x.tag_id GROUP BY x.tag_id""",
        params,
    )
    _apply_delta(
        cursor,
        EntityStats,
        ["entity_id"],
        "article_count",
        f"""SELECT x.entity_id, sum(x.d) AS d FROM (
                SELECT entity_id, -1 AS d FROM reader_old_m UNION ALL SELECT entity_id, 1 FROM reader_new_m
            ) x JOIN {Entity._meta.db_table} t ON t.id = x.entity_id GROUP BY x.entity_id""",
        params,
    )
    # Plain counts: only keys whose count changes.
    _apply_delta(
        cursor,
        MonthCount,
        ["month"],
        "count",
        """SELECT month, sum(d) AS d FROM (
               SELECT month, -1 AS d FROM reader_old_a UNION ALL SELECT month, 1 FROM reader_new_a
           ) x GROUP BY month HAVING sum(d) <> 0""",
        params,
    )
    _apply_delta(
        cursor,
        EntityMonth,
        ["entity_id", "month"],
        "count",
        f"""SELECT x.entity_id, x.month, sum(x.d) AS d FROM (
                SELECT m.entity_id, a.month, -1 AS d FROM reader_old_m m JOIN reader_old_a a USING (article_id)
                UNION ALL
                SELECT m.entity_id, a.month, 1 FROM reader_new_m m JOIN reader_new_a a USING (article_id)
            ) x JOIN {Entity._meta.db_table} t ON t.id = x.entity_id
            GROUP BY x.entity_id, x.month HAVING sum(x.d) <> 0""",
        params,
    )
    _apply_delta(
        cursor,
        EntityPair,
        ["entity_id", "other_id"],
        "count",
        f"""SELECT x.entity_id, x.other_id, sum(x.d) AS d FROM (
                SELECT a.entity_id, b.entity_id AS other_id, -1 AS d
                  FROM reader_old_m a JOIN reader_old_m b ON a.article_id = b.article_id AND a.entity_id <> b.entity_id
                UNION ALL
                SELECT a.entity_id, b.entity_id, 1
                  FROM reader_new_m a JOIN reader_new_m b ON a.article_id = b.article_id AND a.entity_id <> b.entity_id
            ) x
            JOIN {Entity._meta.db_table} e ON e.id = x.entity_id
            JOIN {Entity._meta.db_table} o ON o.id = x.other_id
            GROUP BY x.entity_id, x.other_id HAVING sum(x.d) <> 0""",
        params,
    )

    # Replace the snapshot of the refreshed articles.
    for model in (PublicArticle, PublicMention, PublicTagging):
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE article_id IN (SELECT article_id FROM reader_ids)")
    cursor.execute(
        f"""INSERT INTO {PublicArticle._meta.db_table} (article_id, published_at, month, author_id)
            SELECT article_id, published_at, month, author_id FROM reader_new_a"""
    )
    cursor.execute(
        f"""INSERT INTO {PublicMention._meta.db_table} (entity_id, article_id, published_at)
            SELECT m.entity_id, m.article_id, a.published_at
              FROM reader_new_m m JOIN reader_new_a a USING (article_id)"""
    )
    cursor.execute(
        f"""INSERT INTO {PublicTagging._meta.db_table} (tag_id, article_id, published_at)
            SELECT t.tag_id, t.article_id, a.published_at FROM reader_new_t t JOIN reader_new_a a USING (article_id)"""
    )
    cursor.execute(
        f"""INSERT INTO {_STATE} (id, horizon) VALUES (1, %s)
            ON CONFLICT (id) DO UPDATE SET horizon = GREATEST({_STATE}.horizon, EXCLUDED.horizon)""",
        [as_of],
    )
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(_TEMP_TABLES))


def _temp(cursor, name, select, params):
    cursor.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select}", params)


def _apply_delta(cursor, model, keys, count_column, delta_select, params):
    """Add the signed deltas of `delta_select` (columns: *keys, d) to `model`; delete rows that reach 0."""
    table = model._meta.db_table
    stamped = any(f.name == "updated_at" for f in model._meta.fields)
    cursor.execute("DROP TABLE IF EXISTS reader_delta")
    _temp(cursor, "reader_delta", delta_select, params)
    cursor.execute("ANALYZE reader_delta")
    columns = ", ".join(keys)
    stamp_column = ", updated_at" if stamped else ""
    stamp_value = ", %(as_of)s" if stamped else ""
    stamp_update = ", updated_at = EXCLUDED.updated_at" if stamped else ""
    cursor.execute(
        f"""
        INSERT INTO {table} ({columns}, {count_column}{stamp_column})
        SELECT {columns}, d{stamp_value} FROM reader_delta ORDER BY {columns}
        ON CONFLICT ({columns}) DO UPDATE
           SET {count_column} = {table}.{count_column} + EXCLUDED.{count_column}{stamp_update}
        """,
        params,
    )
    # Only a key whose count went down can have reached 0.
    matches = " AND ".join(f"t.{key} = d.{key}" for key in keys)
    cursor.execute(f"DELETE FROM {table} t USING reader_delta d WHERE d.d < 0 AND {matches} AND t.{count_column} <= 0")
