"""Search entries: the index articles/search.py reads, written for the articles the change path names.

`refresh_search_entries(ids)` writes the SearchEntry of each article in one
statement: its weighted document (headline A, dek and tag names B, body C,
author D), the small ranking vector, copies of its status, date and author, its
tag and entity ids (facet keys) and its sample bucket (see SearchEntry). Only
`articles.changes.apply()` calls it, after any write that changes one of those.

SQL on purpose: PostgreSQL builds the text-search vectors, and one set-based
statement over 5,000 ingested articles costs far less per article than 5,000.
"""

from django.db import connection

from .models import Article, Author, Mention, SearchEntry, Tag, TaggedArticle

CONFIG = "newsroom_english"  # the text search configuration (migration 0006_search): English, accents ignored

_REFRESH_SQL = f"""
    WITH labels AS (
        SELECT ta.content_object_id AS id, string_agg(t.name, ' , ' ORDER BY t.name) AS tags
          FROM {TaggedArticle._meta.db_table} ta
          JOIN {Tag._meta.db_table} t ON t.id = ta.tag_id
         WHERE ta.content_object_id = ANY(%(ids)s)
         GROUP BY ta.content_object_id
    ), parts AS MATERIALIZED (  -- each body parsed once, though used twice below
        SELECT a.id, a.status, a.published_at, a.author_id,
               setweight(to_tsvector(%(config)s::regconfig, a.title), 'A')
               || setweight(to_tsvector(%(config)s::regconfig, a.dek), 'B')
               || setweight(to_tsvector(%(config)s::regconfig, coalesce(l.tags, '')), 'B')
               || setweight(to_tsvector(%(config)s::regconfig, coalesce(au.name, '')), 'D') AS head,
               to_tsvector(%(config)s::regconfig, a.body) AS body
          FROM {Article._meta.db_table} a
          LEFT JOIN {Author._meta.db_table} au ON au.id = a.author_id
          LEFT JOIN labels l ON l.id = a.id
         WHERE a.id = ANY(%(ids)s)
    )
    INSERT INTO {SearchEntry._meta.db_table} AS s
           (article_id, status, published_at, author_id, document, rank_vector, tag_ids, entity_ids, bucket)
    SELECT p.id, p.status, p.published_at, p.author_id,
           p.head || setweight(p.body, 'C'),
           p.head || array_to_tsvector(ARRAY(
               SELECT w.lexeme FROM unnest(p.body) AS w
                ORDER BY cardinality(w.positions) DESC, w.lexeme LIMIT 12)),
           ARRAY(SELECT ta.tag_id FROM {TaggedArticle._meta.db_table} ta WHERE ta.content_object_id = p.id ORDER BY 1),
           ARRAY(SELECT m.entity_id FROM {Mention._meta.db_table} m WHERE m.article_id = p.id ORDER BY 1),
           hashint8(p.id) & 63
      FROM parts p
    ON CONFLICT (article_id) DO UPDATE
       SET status = EXCLUDED.status, published_at = EXCLUDED.published_at, author_id = EXCLUDED.author_id,
           document = EXCLUDED.document, rank_vector = EXCLUDED.rank_vector,
           tag_ids = EXCLUDED.tag_ids, entity_ids = EXCLUDED.entity_ids
"""


def refresh_search_entries(article_ids):
    """Write the search entries of the given articles (ids; deleted ones are skipped); returns how many."""
    ids = sorted({int(pk) for pk in article_ids})
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_SQL, {"ids": ids, "config": CONFIG})
        return cursor.rowcount


def articles_of(*, authors=(), tags=()):
    """Ids of the articles by these authors or carrying these tags: their names are in the search entries."""
    ids = set()
    if authors:
        ids |= set(Article.objects.filter(author_id__in=list(authors)).values_list("id", flat=True))
    if tags:
        ids |= set(
            TaggedArticle.objects.filter(tag_id__in=list(tags)).values_list("content_object_id", flat=True).distinct()
        )
    return ids
