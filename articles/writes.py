"""The writers' set-based SQL: every statement that writes many rows at once, and the finds they need.

Ingest, the admin, merges, re-linking, imports and the change path store tags,
mentions, articles and search entries for many articles at once, a few
statements per call. These functions only write the rows; the caller then tells
the change path what changed (`articles.changes.apply`), which brings search
entries, reader statistics and cached pages up to date:

    with changes.atomic():
        replace_tags({article.pk: ["energy", "Europe"]})
        changes.apply(articles=[article.pk])

In order: an article's tags, mentions and model readings; rows found or created by
name (`find_or_create`, `add_entities`); ingest's batches; the import's rows; merges'
moves; the search entries (`refresh_search_entries`, called by the change path);
re-linking's finders (the articles whose text may name an entity).

Names are matched by PostgreSQL's lower(), the same function the case-blind
unique constraints use, so no spelling can slip between them.

Why SQL here (and where the ORM is used instead): an ingest batch writes 250
articles with their tags, mentions and files; one `INSERT … SELECT FROM
unnest(arrays)` per table sends a column as one array parameter, where the ORM's
bulk_create builds a model object and a parameter per value, and the ORM cannot
say `ON CONFLICT DO NOTHING RETURNING` (races between concurrent ingests are
settled by the unique constraints), `UPDATE … FROM` a set of rows, or "keep the
handle already set"; PostgreSQL builds the search entries' text-search vectors
itself; re-linking's finders scan the articles once for many LIKE patterns and
look phrases up in the search entries' index. Deletes, locks and the model's
readings, which the ORM states as clearly in the same single statement, go
through the ORM.
"""

import json

from django.db import DatabaseError, connection

from .entities import VOCABULARY
from .entities.junk import junk_reason
from .models import (
    SEARCH_CONFIG,
    Article,
    Author,
    Entity,
    Mention,
    ModelReading,
    SearchEntry,
    SeedFile,
    SlugRedirect,
    Tag,
    TaggedArticle,
    free_slugs,
    make_slug,
)

TAG_SLUG_LENGTH = 90


def insert_rows(model, columns, rows, *, then=""):
    """Insert `rows` (tuples, in the order of `columns`: column -> SQL type) into `model`'s table in
    one statement, `INSERT … SELECT * FROM unnest(%s::type[], …)`, followed by `then` (an ON
    CONFLICT clause, a RETURNING list). Returns the RETURNING rows, if any.

    One array parameter per column: three times as fast as bulk_create(ignore_conflicts=True)
    for an ingest batch's 750 taggings (56 against 145 ms, median of 40 alternated runs, load
    ~21), nearly twice for its 250 model readings (98 against 173 ms); and every column is
    written as given, where bulk_create would stamp auto_now columns with the present time.
    """
    if not rows:
        return []
    names = ", ".join(columns)
    arrays = ", ".join(f"%s::{kind}[]" for kind in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({names}) SELECT * FROM unnest({arrays}) {then}",
            [list(values) for values in zip(*rows, strict=True)],
        )
        return cursor.fetchall() if cursor.description else []


def replace_tags(tags_by_article):
    """Set each article's tags to exactly the given names (article id -> list of names).

    Tags are found or created case-blind, so "russia" and "Russia" are one tag.
    """
    if not tags_by_article:
        return
    names = {tag for tags in tags_by_article.values() for tag in tags}
    tag_ids = find_or_create(
        Tag, {name: (name, None) for name in names}, fallback_prefix="tag", slug_length=TAG_SLUG_LENGTH
    )
    pairs = {(article_id, tag_ids[tag]) for article_id, tags in tags_by_article.items() for tag in tags}
    TaggedArticle.objects.filter(content_object_id__in=list(tags_by_article)).delete()
    insert_rows(
        TaggedArticle, {"content_object_id": "bigint", "tag_id": "bigint"}, pairs, then="ON CONFLICT DO NOTHING"
    )


def replace_mentions(entities_by_article, readings=None):
    """Set each article's mentions to the given FoundEntity lists (article id -> list).

    `readings` (article id -> `ner.Reading`; missing or None for an extraction
    without the model) are stored with them: re-linking replays them. Articles whose entities an
    editor pinned are left exactly as they are. Entities are found or created by
    case-blind name and kind. Each mention records whether the vocabulary found it
    or only the model did, and whether only the byline and bio name it. Returns the ids
    of the articles written.
    """
    if not entities_by_article:
        return []
    pinned = set(
        Article.objects.filter(id__in=list(entities_by_article), entities_pinned=True).values_list("id", flat=True)
    )
    targets = {pk: found for pk, found in entities_by_article.items() if pk not in pinned}
    if not targets:
        return []
    pairs = {(e.name, e.kind) for found in targets.values() for e in found}
    entity_ids = find_or_create(Entity, {pair: pair for pair in pairs}, fallback_prefix="entity")
    rows = []
    for article_id, found in targets.items():
        counts = mention_counts(found, lambda entity: entity_ids.get((entity.name, entity.kind)))
        rows.extend((article_id, entity_id, *stored) for entity_id, stored in counts.items())
    write_mentions(list(targets), rows)
    write_readings({pk: (readings or {}).get(pk) for pk in targets})
    return list(targets)


def mention_counts(found, entity_id):
    """{entity id: (count, source, byline_only)} for FoundEntity items; `entity_id(item)` is None for a
    refused (junk) name.

    Two names of one entity add up; the vocabulary's source wins over the model's, and a name in
    the article's text over one only its byline and bio give. Ingest, re-extraction and
    re-linking all store what this gives.
    """
    counts = {}
    for entity in found:
        pk = entity_id(entity)
        if pk is None:
            continue
        count, source, byline_only = counts.get(pk, (0, None, True))
        found_by = getattr(entity, "source", VOCABULARY)
        counts[pk] = (
            count + entity.count,
            VOCABULARY if VOCABULARY in (source, found_by) else found_by,
            byline_only and getattr(entity, "byline_only", False),
        )
    return counts


def write_readings(readings_by_article):
    """Store each article's `ner.Reading` (article id -> Reading, or None: no reading, any old one deleted)."""
    kept = {pk: reading for pk, reading in readings_by_article.items() if reading is not None}
    gone = [pk for pk in readings_by_article if pk not in kept]
    if gone:
        ModelReading.objects.filter(article_id__in=gone).delete()
    insert_rows(
        ModelReading,
        {"article_id": "bigint", "sha256": "text", "spans": "jsonb"},
        [(pk, r.sha256, json.dumps(r.stored_spans(), separators=(",", ":"))) for pk, r in kept.items()],
        then="ON CONFLICT (article_id) DO UPDATE SET sha256 = EXCLUDED.sha256, spans = EXCLUDED.spans",
    )


MENTION_COLUMNS = {
    "article_id": "bigint",
    "entity_id": "bigint",
    "count": "int",
    "source": "text",
    "byline_only": "boolean",
}


def write_mentions(article_ids, rows):
    """Set the mentions of `article_ids` to `rows` of (article id, entity id, count, source, byline_only).

    A pair that stays keeps its row and id, its count, source and byline_only updated in place; only pairs no
    longer found are deleted, and new ones inserted. The ids matter: an editor's change form posts
    them, and a re-extraction between two saves of one page must not make them vanish (the form
    would fail on rows that no longer exist). The articles' rows are locked first, in id order: two
    writers setting one article's mentions at once (two ingests' end-of-run re-linking) then take
    turns, and the second's insert never meets the first's new row unawares.
    """
    article_ids = list(article_ids)
    locked = Article.objects.filter(id__in=article_ids).order_by("id").select_for_update(no_key=True)
    list(locked.values_list("id", flat=True))
    wanted = {(row[0], row[1]) for row in rows}
    held = Mention.objects.filter(article_id__in=article_ids).values_list("id", "article_id", "entity_id")
    gone = [pk for pk, article_id, entity_id in held if (article_id, entity_id) not in wanted]
    if gone:
        Mention.objects.filter(id__in=gone).delete()
    table = Mention._meta.db_table
    recount = (
        "ON CONFLICT ON CONSTRAINT mention_unique_pair DO UPDATE "
        "SET count = EXCLUDED.count, source = EXCLUDED.source, byline_only = EXCLUDED.byline_only "
        f"WHERE ({table}.count, {table}.source, {table}.byline_only) "
        "IS DISTINCT FROM (EXCLUDED.count, EXCLUDED.source, EXCLUDED.byline_only)"
    )
    insert_rows(Mention, MENTION_COLUMNS, rows, then=recount)


def find_or_create(model, wanted, *, fallback_prefix, slug_length=None):
    """Find or create rows of `model` by case-blind name (and kind, for entities).

    `wanted` maps a caller's key to (name, kind); kind is None for models without
    one. Returns key -> id. A name that editors merged into another author or tag
    resolves to the survivor. Raises DatabaseError if a row cannot be stored.
    Entity names that are junk (`entities.junk`: numbers, handles, single
    letters) are refused: their keys are left out of the result.
    """
    if model is Entity:
        wanted = {key: value for key, value in wanted.items() if junk_reason(*value) is None}
    ids = {}
    merged = _merged_into(model, wanted)
    for _attempt in range(5):  # concurrent writers may create the same names: find them next round
        keys = [key for key in wanted if key not in ids]
        if not keys:
            break
        ids.update(_find(model, wanted, keys))
        missing = [key for key in keys if key not in ids and key not in merged]
        ids.update({key: merged[key] for key in keys if key not in ids and key in merged})
        if missing:
            ids.update(_create(model, wanted, missing, fallback_prefix=fallback_prefix, slug_length=slug_length))
    missing = [key for key in wanted if key not in ids]
    if missing:
        raise DatabaseError(f"could not store {model._meta.verbose_name} {wanted[missing[0]][0]!r}")
    return ids


def _with_kind(wanted):
    return any(kind is not None for _, kind in wanted.values())


def _find(model, wanted, keys):
    with_kind = _with_kind(wanted)
    kind_type, kind_column = (", %s::text[]", ", kind") if with_kind else ("", "")
    kind_join = " AND t.kind = v.kind" if with_kind else ""
    kinds = [[wanted[key][1] for key in keys]] if with_kind else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT v.i, t.id
              FROM unnest(%s::text[], %s::int[]{kind_type}) AS v(name, i{kind_column})
              JOIN {model._meta.db_table} AS t ON lower(t.name) = lower(v.name){kind_join}
            """,
            [[wanted[key][0] for key in keys], list(range(len(keys))), *kinds],
        )
        return {keys[index]: pk for index, pk in cursor.fetchall()}


def _create(model, wanted, keys, *, fallback_prefix, slug_length):
    """Insert the rows for `keys` with free slugs; returns key -> id of those this call inserted."""
    with_kind = _with_kind(wanted)
    kind_select, kind_type, kind_column = (", v.kind", ", %s::text[]", ", kind") if with_kind else ("", "", "")
    extra_columns, extra_values = _extra_columns(model)
    slug_kwargs = {"max_length": slug_length} if slug_length else {}
    slugs = free_slugs(
        model, [make_slug(wanted[key][0], fallback_prefix=fallback_prefix, **slug_kwargs) for key in keys]
    )
    kinds = [[wanted[key][1] for key in keys]] if with_kind else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {model._meta.db_table} (name, slug{kind_column}{extra_columns})
            SELECT v.name, v.slug{kind_select}{extra_values}
              FROM unnest(%s::text[], %s::text[]{kind_type}) AS v(name, slug{kind_column})
            ON CONFLICT DO NOTHING
            RETURNING id, name{kind_column}
            """,
            [[wanted[key][0] for key in keys], slugs, *kinds],
        )
        inserted = {tuple(row[1:]): row[0] for row in cursor.fetchall()}
    found = {}
    for key in keys:
        name, kind = wanted[key]
        pk = inserted.get((name, kind) if with_kind else (name,))
        if pk is not None:
            found[key] = pk
    return found


def _merged_into(model, wanted):
    """Keys of `wanted` whose name is the old name of an author or tag that editors merged
    into another, or renamed (`former_names`): key -> the row's id. Used only where no row
    has the name itself."""
    kind = {Author: SlugRedirect.Kind.AUTHOR, Tag: SlugRedirect.Kind.TAG}.get(model)
    if kind is None:
        return {}
    names = [name for name, _ in wanted.values()]
    merged = SlugRedirect.objects.names_merged_into(kind, names)
    merged.update(_renamed_from(model, names))
    return {key: merged[name.lower()] for key, (name, _) in wanted.items() if name.lower() in merged}


def _renamed_from(model, names):
    """lower(former name) -> id of the author or tag an editor renamed from it, for `names`.
    (Raw SQL: a case-blind match inside an array; the few renamed rows are read.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT lower(former.name), t.id
              FROM {model._meta.db_table} AS t, unnest(t.former_names) AS former(name)
             WHERE t.former_names <> '{{}}' AND lower(former.name) = ANY(%s::text[])
             ORDER BY t.id
            """,
            [sorted({name.lower() for name in names})],
        )
        return dict(reversed(cursor.fetchall()))  # the oldest row, should two share a former name


def _extra_columns(model):
    """Columns a raw INSERT must fill that Django would otherwise fill from field defaults."""
    defaults = {
        Author: {"bio": "''", "twitter": "''", "created_at": "now()", "updated_at": "now()"},
        Entity: {"aliases": "'{}'::varchar[]", "created_at": "now()", "updated_at": "now()"},
    }.get(model, {})
    return "".join(f", {c}" for c in defaults), "".join(f", {v}" for v in defaults.values())


def add_entities(entries):
    """Add curated entities (name, kind, aliases) to the vocabulary; returns (created ids, ids that gained aliases).

    Existing entities (same name, case-blind, and kind) keep their name and slug and
    gain any aliases they lack. Used to load an entity list before a bulk ingest.
    """
    entries = [(" ".join(name.split()), kind, [a for a in aliases if a.strip()]) for name, kind, aliases in entries]
    kinds = set(Entity.Kind.values)
    for name, kind, _ in entries:
        if not name or kind not in kinds:
            raise ValueError(f"entity {name!r}: kind must be one of {', '.join(sorted(kinds))}, not {kind!r}")
        reason = junk_reason(name, kind)
        if reason is not None:
            raise ValueError(f"entity {name!r}: not a name ({reason})")
    existing = {(name.lower(), kind) for name, kind in Entity.objects.values_list("name", "kind")}
    ids = find_or_create(Entity, {(name, kind): (name, kind) for name, kind, _ in entries}, fallback_prefix="entity")
    created = {ids[(name, kind)] for name, kind, _ in entries if (name.lower(), kind) not in existing}
    aliases = {}
    for name, kind, forms in entries:
        aliases.setdefault(ids[(name, kind)], []).extend(forms)
    rows = [{"id": pk, "aliases": forms} for pk, forms in aliases.items() if forms]
    gained = set()
    if rows:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {Entity._meta.db_table} AS e
                   SET aliases = ARRAY(SELECT DISTINCT unnest(e.aliases || v.aliases::varchar[]) ORDER BY 1),
                       updated_at = now()
                  FROM json_to_recordset(%s::json) AS v(id bigint, aliases text[])
                 WHERE e.id = v.id AND NOT e.aliases @> v.aliases::varchar[]
                RETURNING e.id
                """,
                [json.dumps(rows)],
            )
            gained = {pk for (pk,) in cursor.fetchall() if pk not in created}
    return created, gained


# Ingest's statements (articles/ingest.py decides what each seed file is; these store it).


def commit_without_waiting_for_disk():
    """Let the current transaction's COMMIT return before its WAL reaches the disk.

    Only for writes that can be made again from their source (an ingest batch from its
    files, the finishing of its articles): on a crash PostgreSQL may lose the last few
    committed transactions (never half of one), and a re-run stores them again. Not waiting
    for each commit's flush makes bulk loads much faster.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def ingest_candidates(*, paths, shas, titles):
    """Every article a batch of seed files could be, in one statement (one consistent snapshot,
    even while a concurrent run commits): rows of (how, key 1, key 2, article id, slug, edited_at,
    ingested_at), `how` being "file" (path, sha256 of the file ingested there), "sha" (the
    article's source sha256) or "key" (lower(headline), lower(author name)); `titles` lower-cased."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH candidates AS (
                SELECT 'file' AS how, f.path AS k1, f.sha256 AS k2, f.article_id FROM {SeedFile._meta.db_table} f
                 WHERE f.path = ANY(%s)
                UNION ALL
                SELECT 'sha', a.source_sha256, '', a.id FROM {Article._meta.db_table} a
                 WHERE a.source_sha256 = ANY(%s)
                UNION ALL
                SELECT 'key', lower(a.title), lower(coalesce(au.name, '')), a.id FROM {Article._meta.db_table} a
                  LEFT JOIN {Author._meta.db_table} au ON au.id = a.author_id
                 WHERE lower(a.title) = ANY(%s)
            )
            SELECT c.how, c.k1, c.k2, a.id, a.slug, a.edited_at, a.ingested_at
              FROM candidates c JOIN {Article._meta.db_table} a ON a.id = c.article_id
             ORDER BY a.id
            """,
            [paths, shas, titles],
        )
        return cursor.fetchall()


def update_bios(rows):
    """Give authors the bio of their latest article: rows of (author id, bio, twitter handle or "").
    A handle already set is kept, and so are the bio and handle of an author an editor edited them
    for (`bio_edited_at`)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Author._meta.db_table} AS a
               SET bio = v.bio,
                   twitter = CASE WHEN a.twitter = '' THEN v.twitter ELSE a.twitter END,
                   updated_at = now()
              FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, bio, twitter)
             WHERE a.id = v.id AND a.bio_edited_at IS NULL
               AND (a.bio IS DISTINCT FROM v.bio OR (a.twitter = '' AND v.twitter <> ''))
            """,
            [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
        )


_ARTICLE_COLUMNS = {
    "title": "text",
    "slug": "text",
    "dek": "text",
    "body": "text",
    "author_id": "bigint",
    "published_at": "timestamptz",
    "source_path": "text",
    "source_sha256": "text",
}


def _arrays(rows, columns):
    """The rows' values column by column, for `unnest(%s::type[], …)`."""
    return [[row[column] for row in rows] for column in columns]


def insert_articles(rows, *, now):
    """Insert published articles from seed files (dicts of _ARTICLE_COLUMNS), created, updated and
    ingested `now`. A row whose text (source_sha256) or slug is taken meanwhile is skipped:
    returns source sha256 -> id of those inserted."""
    names = ", ".join(_ARTICLE_COLUMNS)
    types = ", ".join(f"%s::{kind}[]" for kind in _ARTICLE_COLUMNS.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Article._meta.db_table} ({names}, status, created_at, updated_at, ingested_at,
                                                 entities_pinned)
            SELECT v.*, %s, %s, %s, %s, false FROM unnest({types}) AS v({names})
            ON CONFLICT DO NOTHING
            RETURNING source_sha256, id
            """,
            [Article.Status.PUBLISHED, now, now, now, *_arrays(rows, _ARTICLE_COLUMNS)],
        )
        return dict(cursor.fetchall())


def update_articles(rows, *, now):
    """Write seed files' new text over their articles (dicts of "id" and _ARTICLE_COLUMNS but the
    slug, which stays); a row without a publication date keeps the article's."""
    columns = {"id": "bigint", **{c: t for c, t in _ARTICLE_COLUMNS.items() if c != "slug"}}
    names = ", ".join(columns)
    types = ", ".join(f"%s::{kind}[]" for kind in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Article._meta.db_table} AS a
               SET title = v.title, dek = v.dek, body = v.body, author_id = v.author_id,
                   published_at = COALESCE(v.published_at, a.published_at),
                   source_path = v.source_path, source_sha256 = v.source_sha256,
                   ingested_at = %s, updated_at = %s
              FROM unnest({types}) AS v({names})
             WHERE a.id = v.id
            """,
            [now, now, *_arrays(rows, columns)],
        )


SEED_FILE_COLUMNS = {"path": "text", "sha256": "text", "article_id": "bigint", "ingested_at": "timestamptz"}


def record_seed_files(rows, *, now):
    """Record each seed file as ingested `now`: rows of (path, sha256 of its text, article id)."""
    insert_rows(
        SeedFile,
        SEED_FILE_COLUMNS,
        [(*row, now) for row in rows],
        then="ON CONFLICT (path) DO UPDATE SET sha256 = EXCLUDED.sha256, article_id = EXCLUDED.article_id, "
        "ingested_at = EXCLUDED.ingested_at",
    )


# The import's statements (articles/restore.py).


def lowered(names):
    """name -> PostgreSQL's lower(name), for every name: the key the case-blind unique indexes use."""
    names = sorted(names)
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT v.name, lower(v.name) FROM unnest(%s::text[]) AS v(name)", [names])
        return dict(cursor.fetchall())


# Merges' statements (articles/merge.py chooses what moves).


def move_mentions(survivor_id, other_ids, article_ids):
    """Move the mentions of the entities `other_ids` in `article_ids` to the entity `survivor_id`;
    returns how many mentions of the survivor were written.

    One row per article: the counts of every merged entity are added to the survivor's own,
    and a moved mention keeps the strongest provenance it had: an editor's, then the
    vocabulary's, and is only the byline's if every merged one was (SQL: an INSERT … SELECT …
    GROUP BY that adds to rows already there)."""
    table = Mention._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (article_id, entity_id, count, source, byline_only)
            SELECT article_id, %s, SUM(count),
                   CASE WHEN bool_or(source = 'editor') THEN 'editor'
                        WHEN bool_or(source = 'vocabulary') THEN 'vocabulary'
                        ELSE 'model' END,
                   bool_and(byline_only)
              FROM {table}
             WHERE entity_id = ANY(%s) AND article_id = ANY(%s)
             GROUP BY article_id
            ON CONFLICT (article_id, entity_id) DO UPDATE
               SET count = {table}.count + EXCLUDED.count,
                   byline_only = {table}.byline_only AND EXCLUDED.byline_only
            """,
            [survivor_id, list(other_ids), list(article_ids)],
        )
        moved = cursor.rowcount
    Mention.objects.filter(entity_id__in=list(other_ids), article_id__in=list(article_ids)).delete()
    return moved


def move_taggings(survivor_id, other_ids, article_ids):
    """Give the articles `article_ids` tagged with one of `other_ids` the tag `survivor_id` instead
    (once, whether or not they had it)."""
    table = TaggedArticle._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (content_object_id, tag_id)
            SELECT DISTINCT content_object_id, %s FROM {table} WHERE tag_id = ANY(%s) AND content_object_id = ANY(%s)
            ON CONFLICT DO NOTHING
            """,
            [survivor_id, list(other_ids), list(article_ids)],
        )
    TaggedArticle.objects.filter(tag_id__in=list(other_ids), content_object_id__in=list(article_ids)).delete()


# Search entries (the index articles/search.py reads), written for the articles the change path names.
#
# `refresh_search_entries(ids)` writes the SearchEntry of each article in one statement: its
# weighted document (headline A, dek and tag names B, body C, author D), the small ranking
# vector, copies of its status, date and author, its tag and entity ids (facet keys) and its
# sample bucket (see SearchEntry). Only `articles.changes.apply()` calls it (and the import,
# which rebuilds everything), after any write that changes one of those. SQL on purpose:
# PostgreSQL builds the text-search vectors, and one set-based statement over 5,000 ingested
# articles costs far less per article than 5,000.

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
        cursor.execute(_REFRESH_SQL, {"ids": ids, "config": SEARCH_CONFIG})
        return cursor.rowcount


def merge_search_pending():
    """Merge the pending lists of the search entries' GIN indexes into the indexes; returns the pages merged.

    The indexes collect new entries in a pending list (up to models.BULK_GIN_PENDING_KB each)
    so an ingest does not update the index per article; but every search reads the whole
    list, and the planner, costing it, reads the archive sequentially instead: after a bulk
    load of 100,000 articles (17 MB pending per index), a search took 2-3 s, a word
    matching nothing 1 s. An ingest or import calls this at its end, off the readers' path.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT coalesce(sum(gin_clean_pending_list(i.indexrelid::regclass)), 0)::bigint
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
             WHERE i.indrelid = %s::regclass AND a.amname = 'gin'
            """,
            [SearchEntry._meta.db_table],
        )
        return cursor.fetchone()[0]


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


# Re-linking's finders (articles/entities/relink.py): the articles whose text may name an entity.


def unpinned_articles_holding(patterns, *, or_mentioning):
    """Sorted ids of the articles whose entities are not pinned and whose headline, dek, body,
    byline or author's bio (lower-cased) is LIKE one of `patterns`, or that mention one of the
    entities `or_mentioning` now (an alias may have been removed). One scan of the articles:
    the ORM would need an OR of a LIKE per pattern."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id
              FROM {Article._meta.db_table} AS a
              LEFT JOIN {Author._meta.db_table} AS u ON u.id = a.author_id
             WHERE NOT a.entities_pinned
               AND (lower(a.title || ' ' || a.dek || ' ' || a.body || ' ' || coalesce(u.name, '') || ' '
                          || coalesce(u.bio, '')) LIKE ANY (%s)
                    OR a.id IN (SELECT article_id FROM {Mention._meta.db_table} WHERE entity_id = ANY (%s)))
             ORDER BY a.id
            """,
            [patterns, list(or_mentioning)],
        )
        return [row[0] for row in cursor.fetchall()]


def articles_with_phrases(forms, *, not_mentioning=False):
    """Sorted ids of the articles whose text may hold one of `forms`, (entity id, form, LIKE pattern
    of the lower-cased form): each form's words in order in the search entries (their GIN index,
    stemmed as search matches them), the pattern in the authors' bios, and, for a form of stop
    words only ("US", "IT"), the pattern in the raw text. With `not_mentioning`, an article that
    mentions the form's entity already and has no model reading is left out (see
    relink.articles_naming)."""
    mentioned = f"""
        AND (EXISTS (SELECT 1 FROM {ModelReading._meta.db_table} r WHERE r.article_id = found.article_id)
             OR NOT EXISTS (SELECT 1 FROM {Mention._meta.db_table} m
                             WHERE m.article_id = found.article_id AND m.entity_id = found.entity_id))"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH forms AS MATERIALIZED (
                SELECT v.entity_id, v.pattern, phraseto_tsquery(%(config)s::regconfig, v.form) AS query
                  FROM unnest(%(ids)s::bigint[], %(forms)s::text[], %(patterns)s::text[]) AS v(entity_id, form, pattern)
            ), stop_words AS MATERIALIZED (
                SELECT * FROM forms WHERE numnode(query) = 0
            ), found AS (
                SELECT f.entity_id, s.article_id
                  FROM forms f JOIN {SearchEntry._meta.db_table} s ON s.document @@ f.query
                 WHERE numnode(f.query) > 0
                 UNION
                SELECT f.entity_id, a.id
                  FROM forms f
                  JOIN {Author._meta.db_table} u ON lower(u.bio) LIKE f.pattern
                  JOIN {Article._meta.db_table} a ON a.author_id = u.id
                 UNION
                SELECT f.entity_id, a.id
                  FROM stop_words f
                  JOIN {Article._meta.db_table} a ON lower(a.title || ' ' || a.dek || ' ' || a.body) LIKE f.pattern
            )
            SELECT DISTINCT found.article_id FROM found
             WHERE true {mentioned if not_mentioning else ""}
             ORDER BY 1
            """,
            {
                "config": SEARCH_CONFIG,
                "ids": [pk for pk, _, _ in forms],
                "forms": [form for _, form, _ in forms],
                "patterns": [pattern for _, _, pattern in forms],
            },
        )
        return [pk for (pk,) in cursor.fetchall()]
