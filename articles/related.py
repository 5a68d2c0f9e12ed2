"""Related articles, chosen when an article is written and stored ready to serve.

An article's related articles are the public articles sharing the most entities and
tags with it (entities its text names: not one only its byline and the author's bio
give, as "follow her on X"), newest first among equals: the ranking is `candidates_sql()`, which
`ArticleQuerySet.related_to()` runs live for one article and `choose_related()` for
many. Working that out reads a hundred index entries per entity and tag, a few
milliseconds: most of what an uncached article page cost. So the change
path (`changes.apply()`) chooses them for the articles it is told changed, set-based,
and stores the ordered ids in `RelatedArticles`; the article page reads one row.

What this means for readers: an article's list is as of its last write (or the last
`manage.py refresh_articles`). A newer article that would now rank among them joins it
only when the article is written again; that is what keeps an old article's page
cached while an ingest adds articles about the same people. The list keeps a few
spare ids, and the page shows only those still public (published() at read time), so
unpublishing or deleting an article takes it off every list at once; the page also
declares the related articles' page-cache keys, so such a change re-renders it.

SQL on purpose: the ranking takes the newest public articles of each entity and tag with
a LATERAL join bounded per facet (an index range each), which the ORM cannot say, and
`choose_related()` ranks thousands of articles in one statement. The visibility rule is
`models.public_sql()`, compiled from published().
"""

import datetime
import functools

from django.db import connection
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

from .models import Article, Mention, PublicMention, PublicTagging, RelatedArticles, TaggedArticle, public_sql

SHOWN = 5  # related articles on an article page
KEPT = SHOWN + 5  # ids stored: spares for articles unpublished after the list was chosen


def candidates_sql(article, limit):
    """The ranking of related articles, as SQL: the subquery of (article_id, shared,
    published_at) rows for the article whose id is the SQL expression `article`, best first,
    at most `limit` (SQL too) of them. ArticleQuerySet.related_to() runs it for one article,
    _choose_sql() for many in one statement; the ranking is written here only.

    Candidates are the %(per_facet)s newest articles of the public snapshot (PublicMention,
    PublicTagging) for each of the article's entities and tags; ranked by how many they share,
    then by the dates the snapshot carries.
    """
    return f"""
        SELECT candidate.article_id, count(*) AS shared, max(candidate.published_at) AS published_at
          FROM (
                SELECT p.article_id, p.published_at
                  FROM {Mention._meta.db_table} m
                 CROSS JOIN LATERAL (
                       SELECT article_id, published_at FROM {PublicMention._meta.db_table}
                        WHERE entity_id = m.entity_id
                        ORDER BY published_at DESC, article_id DESC
                        LIMIT %(per_facet)s
                 ) p
                 WHERE m.article_id = {article} AND NOT m.byline_only  -- "find her on X": not what it is about
                UNION ALL
                SELECT p.article_id, p.published_at
                  FROM {TaggedArticle._meta.db_table} t
                 CROSS JOIN LATERAL (
                       SELECT article_id, published_at FROM {PublicTagging._meta.db_table}
                        WHERE tag_id = t.tag_id
                        ORDER BY published_at DESC, article_id DESC
                        LIMIT %(per_facet)s
                 ) p
                 WHERE t.content_object_id = {article}
               ) candidate
         WHERE candidate.article_id <> {article}
         GROUP BY candidate.article_id
         ORDER BY shared DESC, published_at DESC, candidate.article_id DESC
         LIMIT {limit}
    """


@functools.cache
def _choose_sql():
    # The candidates of many articles in one statement. They come from the public snapshot,
    # which the reader statistics brought up to date just before in the same transaction:
    # all public now.
    return f"""
        INSERT INTO {RelatedArticles._meta.db_table} (article_id, related_ids)
        SELECT src.id, coalesce(chosen.ids, '{{}}')
          FROM {Article._meta.db_table} src
          LEFT JOIN LATERAL (
                SELECT array_agg(c.article_id ORDER BY c.shared DESC, c.published_at DESC, c.article_id DESC) AS ids
                  FROM ({candidates_sql("src.id", "%(kept)s")}) c
          ) chosen ON true
         WHERE src.id = ANY(%(ids)s)
            ON CONFLICT (article_id) DO UPDATE SET related_ids = EXCLUDED.related_ids
    """


def ranked_live(article_id, *, limit, per_facet):
    """ArticleQuerySet.related_to(): the ranking run for one article now, its public winners as
    Article rows (with `shared`). Ranked with the dates the snapshot carries; only the winners'
    rows are read (a few spare in case one was unpublished since it was counted)."""
    sql = f"""
        SELECT a.id, a.title, a.slug, a.dek, a.published_at, c.shared
          FROM ({candidates_sql("%(article)s", "%(limit)s + 5")}) c
          JOIN {Article._meta.db_table} a ON a.id = c.article_id
         WHERE {public_sql("a")}
         ORDER BY c.shared DESC, a.published_at DESC, a.id DESC
         LIMIT %(limit)s
    """
    return Article.objects.raw(sql, {"article": article_id, "per_facet": per_facet, "limit": limit})


def choose_related(article_ids):
    """Choose and store the related articles of the given articles (ids; deleted ones are skipped).

    One statement for all of them (called by `changes.apply()` in the writer's
    transaction). Returns how many lists were written.
    """
    from .models import RELATED_CANDIDATES_PER_FACET

    ids = sorted({int(pk) for pk in article_ids})
    if not ids:
        return 0
    with connection.cursor() as cursor:
        if not _table_exists(cursor):
            return 0
        # Without the JIT compiler: the planner guesses thousands of mentions per article, and
        # compiling the statement took 0.3-0.6 s of an admin save for 2 ms of work (100,000 articles).
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        jit = cursor.fetchone()[0]
        cursor.execute(_choose_sql(), {"ids": ids, "per_facet": RELATED_CANDIDATES_PER_FACET, "kept": KEPT})
        written = cursor.rowcount
        cursor.execute("SELECT set_config('jit', %s, true)", [jit])  # the rest of the writer's transaction
        return written


def without_list(article_ids):
    """Those of these article ids that have no related articles stored."""
    listed = RelatedArticles.objects.filter(article_id__in=list(article_ids)).values_list("article_id", flat=True)
    return set(article_ids) - set(listed)


_table_seen = []  # [True] once this process has seen the table


def _table_exists(cursor):
    """Whether migration 0013 made the table yet: the data migration before it (0012) writes
    through the change path with today's code. Asked once per process, until the answer is yes."""
    if not _table_seen:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [RelatedArticles._meta.db_table])
        if cursor.fetchone()[0]:
            _table_seen.append(True)
    return bool(_table_seen)


def related_rows():
    """The related articles an article page shows, as a column of for_detail()'s query: a JSON
    array of the stored list's public entries (id, title, slug, date), in its order."""
    return RawSQL(_related_rows_sql(), [SHOWN], output_field=JSONField())  # noqa: S611 - our SQL; SHOWN a parameter


@functools.cache
def _related_rows_sql():
    article = Article._meta.db_table
    return f"""
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'title', x.title, 'slug', x.slug,
                                                     'published_at', x.published_at) ORDER BY x.n), '[]')
          FROM (SELECT a.id, a.title, a.slug, a.published_at, u.n
                  FROM {RelatedArticles._meta.db_table} r
                 CROSS JOIN LATERAL unnest(r.related_ids) WITH ORDINALITY AS u(id, n)
                  JOIN {article} a ON a.id = u.id
                 WHERE r.article_id = {article}.id AND {public_sql("a")}
                 ORDER BY u.n
                 LIMIT %s) x
    """


def related_articles(article):
    """The related articles an article page shows: the stored list's public ones, in its order.

    From the column for_detail() reads (no query); an article with no list stored (written
    outside the change path, before `manage.py refresh_articles`) has them worked out live.
    """
    try:
        article.related_list  # noqa: B018 - whether a list is stored (joined by for_detail())
    except RelatedArticles.DoesNotExist:
        return list(Article.objects.related_to(article, limit=SHOWN))
    rows = getattr(article, "related_rows", None)
    if rows is None:  # an article read without for_detail()
        rows = Article.objects.filter(pk=article.pk).values_list(related_rows(), flat=True).get()
    return [
        Article(
            id=row["id"],
            title=row["title"],
            slug=row["slug"],
            published_at=datetime.datetime.fromisoformat(row["published_at"]),
        )
        for row in rows
    ]
