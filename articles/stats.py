"""Reader statistics: the counts, timelines and co-occurrences the public pages show.

Public pages never COUNT or GROUP BY over the articles table; they read small
tables kept current here (see the "Reader statistics" models in models.py):

    PublicArticle / PublicMention / PublicTagging   snapshot of what was counted
    MonthCount, AuthorStats, TagStats, EntityStats  article counts
    EntityMonth                                     an entity's mentions per month
    EntityPair                                      entities mentioned together

`refresh_reader_stats(article_ids)` compares the snapshot of those articles with
their current state and applies the difference (signed deltas) to every count,
in a handful of set-based statements, and returns the public listings the
difference touches (for the page cache). It is one step of the change path:
writers call `articles.changes.apply()`, which calls it.

Articles scheduled for later become public with no write at all.
`catch_up_reader_stats()` counts such articles once their time has come
(`changes.catch_up()` calls it when a reader's request finds one due).
`rebuild_reader_stats()` recomputes everything from scratch (the
`rebuild_reader_stats` command).

This is SQL on purpose: a refresh after a 5,000-article ingest chunk touches
hundreds of thousands of count rows, which only set-based statements do in
reasonable time. The visibility rule comes from `models.public_sql()`.
"""

from django.conf import settings
from django.db import connection, transaction

from .models import (
    Article,
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
    TaggedArticle,
    TagStats,
    public_sql,
)

# Serialises every refresh, so two writers never apply deltas from the same snapshot.
LOCK_KEY = 4_157_202_611


def take_lock():
    """Wait for the statistics' lock and hold it to the end of the transaction. Writers that will
    refresh the statistics (an ingest batch, its finisher) take it before any row, so that they
    never wait on each other in a cycle."""
    with connection.cursor() as cursor:
        _lock(cursor, wait=True)


def _lock(cursor, *, wait):
    """Take the statistics' lock to the end of the transaction: wait for it, or only if it is free
    (returns whether it was taken)."""
    cursor.execute(f"SELECT {'pg_advisory_xact_lock' if wait else 'pg_try_advisory_xact_lock'}(%s)", [LOCK_KEY])
    return wait or cursor.fetchone()[0]


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
    "reader_moved",
    "reader_delta",
]

_ARTICLE = Article._meta.db_table
_MENTION = Mention._meta.db_table
_TAGGING = TaggedArticle._meta.db_table
_STATE = ReaderStatsState._meta.db_table
_SNAPSHOT = (PublicArticle, PublicMention, PublicTagging)
_COUNTS = (MonthCount, AuthorStats, TagStats, EntityStats, EntityMonth, EntityPair)


def refresh_reader_stats(article_ids):
    """Bring the reader statistics up to date for the given articles (ids); return the listings touched.

    Safe to call with any ids, any number of times: articles that did not change
    contribute nothing; ids of deleted articles subtract what they had counted.
    Also counts every scheduled article whose time has come. Runs in its own
    savepoint, under a transaction-level advisory lock. Returns page-cache keys
    (see articles.pagecache) of the public listings whose content the difference
    changes: "home", "month:2024-06", "entity-list:12"…
    """
    ids = sorted({int(pk) for pk in article_ids})
    with transaction.atomic(), connection.cursor() as cursor:
        take_lock()
        return _refresh(cursor, ids)


def due_articles_exist():
    """Whether a scheduled article's time has come since the statistics last counted (one indexed query)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS ({due_sql()})")
        return cursor.fetchone()[0]


def due_sql():
    """SELECT of the articles public now but not when the statistics last counted."""
    return f"SELECT 1 FROM {_ARTICLE} a WHERE {_due('a')}"


def _due(alias, *, at=None, horizon=f"(SELECT horizon FROM {_STATE} WHERE id = 1)"):
    """Articles (the table known as `alias`) public at `at` (default now) and published after
    `horizon` (SQL; default the one the statistics last counted up to): those to count."""
    return f"{public_sql(alias, at=at)} AND {alias}.published_at > COALESCE({horizon}, '-infinity'::timestamptz)"


def catch_up_reader_stats():
    """Count scheduled articles whose publication time has passed since the last refresh.

    Returns the listings touched (see refresh_reader_stats), or None when there was
    nothing to count or another process holds the lock (it is counting right now).
    """
    if not due_articles_exist():
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        if not _lock(cursor, wait=False):
            return None
        return _refresh(cursor, [])


def rebuild_reader_stats():
    """Recompute every reader statistic from the articles as they are. Returns the public article count."""
    with transaction.atomic(), connection.cursor() as cursor:
        take_lock()
        for model in (*_SNAPSHOT, *_COUNTS, ReaderStatsState):
            # DELETE, not TRUNCATE: it refuses tables with pending deferred FK checks.
            model.objects.all().delete()
        _refresh(cursor, [])  # without a horizon, every public article is due
        return PublicArticle.objects.count()


def _refresh(cursor, ids):
    cursor.execute(f"SELECT clock_timestamp(), (SELECT horizon FROM {_STATE} WHERE id = 1)")
    as_of, horizon = cursor.fetchone()
    params = {"ids": ids, "as_of": as_of, "horizon": horizon, "tz": settings.TIME_ZONE}
    _drop(cursor, _TEMP_TABLES)
    _read_snapshots(cursor, params)
    keys = _touched_listings(cursor)
    keys |= _apply_counts(cursor, params)
    _replace_snapshot(cursor)
    cursor.execute(
        f"""INSERT INTO {_STATE} (id, horizon) VALUES (1, %s)
            ON CONFLICT (id) DO UPDATE SET horizon = GREATEST({_STATE}.horizon, EXCLUDED.horizon)""",
        [as_of],
    )
    _drop(cursor, _TEMP_TABLES)
    return keys


def _read_snapshots(cursor, params):
    """Temporary tables: the articles to refresh, what was counted for them (old) and what should be (new)."""
    # Those asked for, and every scheduled one that is now due.
    _temp(
        cursor,
        "reader_ids",
        f"""
        SELECT unnest(%(ids)s::bigint[]) AS article_id
         UNION
        SELECT a.id FROM {_ARTICLE} a WHERE {_due("a", at=params["as_of"], horizon="%(horizon)s::timestamptz")}
        """,
        params,
    )
    _analyze(cursor, ["reader_ids"])
    _temp(
        cursor,
        "reader_old_a",
        f"""SELECT p.article_id, p.published_at, p.month, p.author_id FROM {PublicArticle._meta.db_table} p
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
         WHERE {public_sql("a", at=params["as_of"])}
        """,
        params,
    )
    # Before the links are read by joining them: unanalysed, reader_new_a is planned as a
    # table of thousands of rows, and one article's mentions were found by hashing every
    # mention (0.4-0.7 s of an admin save at 100,000 articles).
    _analyze(cursor, ["reader_old_a", "reader_new_a"])
    _read_links(cursor, params)
    _analyze(cursor, _TEMP_TABLES[3:-2])


def _read_links(cursor, params):
    """The old and new entity and tag links of the refreshed articles."""
    _temp(
        cursor,
        "reader_old_m",
        f"""SELECT p.article_id, p.entity_id, p.byline_only FROM {PublicMention._meta.db_table} p
            JOIN reader_ids USING (article_id)""",
        params,
    )
    _temp(
        cursor,
        "reader_new_m",
        f"SELECT m.article_id, m.entity_id, m.byline_only FROM {_MENTION} m JOIN reader_new_a USING (article_id)",
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


# Which public listings the difference touches. An article "moved" when it entered or left
# the public snapshot, or changed date or author there: every listing it was or is in changed
# (order or membership). Otherwise only links that came or went matter; for entities, every
# entity of an article whose entity links changed, since "appears with" pairs them.
_TOUCHED_SQL = """
    SELECT DISTINCT 'author-list:' || author_id FROM (
        SELECT article_id, author_id FROM reader_old_a UNION ALL SELECT article_id, author_id FROM reader_new_a
    ) x WHERE author_id IS NOT NULL AND article_id IN (SELECT article_id FROM reader_moved)
    UNION
    SELECT DISTINCT 'month:' || to_char(month, 'YYYY-MM') FROM (
        SELECT article_id, month FROM reader_old_a UNION ALL SELECT article_id, month FROM reader_new_a
    ) x WHERE article_id IN (SELECT article_id FROM reader_moved)
    UNION
    SELECT DISTINCT 'tag-list:' || tag_id FROM (
        (SELECT * FROM reader_old_t EXCEPT SELECT * FROM reader_new_t)
        UNION ALL (SELECT * FROM reader_new_t EXCEPT SELECT * FROM reader_old_t)
        UNION ALL SELECT * FROM reader_old_t WHERE article_id IN (SELECT article_id FROM reader_moved)
        UNION ALL SELECT * FROM reader_new_t WHERE article_id IN (SELECT article_id FROM reader_moved)
    ) x
    UNION
    SELECT DISTINCT 'entity-list:' || entity_id FROM (
        SELECT * FROM reader_old_m UNION ALL SELECT * FROM reader_new_m
    ) x WHERE article_id IN (
        SELECT article_id FROM reader_moved
        UNION ALL SELECT article_id FROM (SELECT * FROM reader_old_m EXCEPT SELECT * FROM reader_new_m) d
        UNION ALL SELECT article_id FROM (SELECT * FROM reader_new_m EXCEPT SELECT * FROM reader_old_m) d
    )
"""


def _touched_listings(cursor):
    """Page-cache keys of the public listings whose content the refresh changes."""
    _temp(
        cursor,
        "reader_moved",
        """SELECT coalesce(o.article_id, n.article_id) AS article_id
             FROM reader_old_a o FULL JOIN reader_new_a n USING (article_id)
            WHERE o.article_id IS NULL OR n.article_id IS NULL
               OR (o.published_at, o.author_id) IS DISTINCT FROM (n.published_at, n.author_id)""",
        {},
    )
    cursor.execute(_TOUCHED_SQL)
    keys = {key for (key,) in cursor.fetchall()}
    keys |= {f"year:{k[6:10]}" for k in keys if k.startswith("month:")}
    if any(k.startswith("month:") for k in keys):
        keys.add("home")  # every public article is on the home page's list and in the main feeds
    return keys


# The page listing every row of a kind with its count, by the count table it shows.
_COUNT_PAGES = {AuthorStats: "authors", TagStats: "tags", EntityStats: "entities", MonthCount: "archive"}


def _apply_counts(cursor, params):
    """Add the difference between the old and the new snapshot to every count table.

    Returns the keys of the pages that list the counts which changed ("tags", "archive"…).
    """
    keys = set()
    # Counts with a "last changed" time: every key the refreshed articles touch is stamped.
    for model, key, old, new in (
        (AuthorStats, "author_id", "reader_old_a", "reader_new_a"),
        (TagStats, "tag_id", "reader_old_t", "reader_new_t"),
        (EntityStats, "entity_id", "reader_old_m", "reader_new_m"),
    ):
        target = model._meta.get_field(key.removesuffix("_id")).related_model._meta.db_table
        changed = _apply_delta(
            cursor,
            model,
            [key],
            "article_count",
            f"""SELECT x.{key}, sum(x.d) AS d FROM (
                    SELECT {key}, -1 AS d FROM {old} UNION ALL SELECT {key}, 1 FROM {new}
                ) x JOIN {target} t ON t.id = x.{key} GROUP BY x.{key}""",
            params,
        )
        if changed:
            keys.add(_COUNT_PAGES[model])
    # Plain counts: only keys whose count changes.
    if _apply_delta(
        cursor,
        MonthCount,
        ["month"],
        "count",
        """SELECT month, sum(d) AS d FROM (
               SELECT month, -1 AS d FROM reader_old_a UNION ALL SELECT month, 1 FROM reader_new_a
           ) x GROUP BY month HAVING sum(d) <> 0""",
        params,
    ):
        keys.add(_COUNT_PAGES[MonthCount])
    _apply_delta(cursor, EntityMonth, ["entity_id", "month"], "count", _ENTITY_MONTH_DELTA, params)
    _apply_delta(cursor, EntityPair, ["entity_id", "other_id"], "count", _ENTITY_PAIR_DELTA, params)
    return keys


_ENTITY = Entity._meta.db_table

_ENTITY_MONTH_DELTA = f"""
    SELECT x.entity_id, x.month, sum(x.d) AS d FROM (
        SELECT m.entity_id, a.month, -1 AS d FROM reader_old_m m JOIN reader_old_a a USING (article_id)
        UNION ALL
        SELECT m.entity_id, a.month, 1 FROM reader_new_m m JOIN reader_new_a a USING (article_id)
    ) x JOIN {_ENTITY} t ON t.id = x.entity_id
    GROUP BY x.entity_id, x.month HAVING sum(x.d) <> 0
"""

# "Appears with": two entities the article's text names (not only its byline and the author's bio, which
# would pair "Twitter" of "follow her on Twitter" with everything the author writes about).
_ENTITY_PAIR_DELTA = f"""
    SELECT x.entity_id, x.other_id, sum(x.d) AS d FROM (
        SELECT a.entity_id, b.entity_id AS other_id, -1 AS d
          FROM reader_old_m a JOIN reader_old_m b ON a.article_id = b.article_id AND a.entity_id <> b.entity_id
         WHERE NOT a.byline_only AND NOT b.byline_only
        UNION ALL
        SELECT a.entity_id, b.entity_id, 1
          FROM reader_new_m a JOIN reader_new_m b ON a.article_id = b.article_id AND a.entity_id <> b.entity_id
         WHERE NOT a.byline_only AND NOT b.byline_only
    ) x
    JOIN {_ENTITY} e ON e.id = x.entity_id
    JOIN {_ENTITY} o ON o.id = x.other_id
    GROUP BY x.entity_id, x.other_id HAVING sum(x.d) <> 0
"""


def _replace_snapshot(cursor):
    """The snapshot of the refreshed articles becomes what was just counted."""
    for model in _SNAPSHOT:
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE article_id IN (SELECT article_id FROM reader_ids)")
    cursor.execute(
        f"""INSERT INTO {PublicArticle._meta.db_table} (article_id, published_at, month, author_id)
            SELECT article_id, published_at, month, author_id FROM reader_new_a"""
    )
    cursor.execute(
        f"""INSERT INTO {PublicMention._meta.db_table} (entity_id, article_id, published_at, byline_only)
            SELECT m.entity_id, m.article_id, a.published_at, m.byline_only
              FROM reader_new_m m JOIN reader_new_a a USING (article_id)"""
    )
    cursor.execute(
        f"""INSERT INTO {PublicTagging._meta.db_table} (tag_id, article_id, published_at)
            SELECT t.tag_id, t.article_id, a.published_at FROM reader_new_t t JOIN reader_new_a a USING (article_id)"""
    )


def _temp(cursor, name, select, params):
    cursor.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select}", params)


def _analyze(cursor, tables):
    """Temporary tables have no statistics until analysed: planned blind, a table of a few rows is
    taken for thousands, and joins against it hash whole tables."""
    cursor.execute("ANALYZE " + ", ".join(tables))


def _drop(cursor, tables):
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(tables))


def _apply_delta(cursor, model, keys, count_column, delta_select, params):
    """Add the signed deltas of `delta_select` (columns: *keys, d) to `model`; delete rows that reach 0.

    Returns whether any count changed.
    """
    table = model._meta.db_table
    stamped = any(f.name == "updated_at" for f in model._meta.fields)
    _drop(cursor, ["reader_delta"])
    _temp(cursor, "reader_delta", delta_select, params)
    _analyze(cursor, ["reader_delta"])
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
    cursor.execute("SELECT EXISTS (SELECT 1 FROM reader_delta WHERE d <> 0)")
    return cursor.fetchone()[0]
