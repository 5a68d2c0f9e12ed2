"""Set-based writes every writer shares: an article's tags and mentions, rows found or created by name.

Ingest, the admin, merges and re-linking store tags and mentions for many
articles at once, a few statements per call. These functions only write the
rows; the caller then tells the change path what changed
(`articles.changes.apply`), which brings search entries, reader statistics and
cached pages up to date:

    with changes.atomic():
        replace_tags({article.pk: ["energy", "Europe"]})
        changes.apply(articles=[article.pk])

Names are matched by PostgreSQL's lower(), the same function the case-blind
unique constraints use, so no spelling can slip between them.
"""

import json

from django.db import DatabaseError, connection

from .entities import VOCABULARY
from .entities.junk import junk_reason
from .models import (
    Article,
    Author,
    Entity,
    Mention,
    ModelReading,
    SlugRedirect,
    Tag,
    TaggedArticle,
    free_slugs,
    make_slug,
)

TAG_SLUG_LENGTH = 90


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
    table = TaggedArticle._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE content_object_id = ANY(%s)", [list(tags_by_article)])
        if pairs:
            cursor.execute(
                f"""
                INSERT INTO {table} (content_object_id, tag_id)
                SELECT * FROM unnest(%s::bigint[], %s::bigint[])
                ON CONFLICT DO NOTHING
                """,
                [[a for a, _ in pairs], [t for _, t in pairs]],
            )


def replace_mentions(entities_by_article, readings=None):
    """Set each article's mentions to the given FoundEntity lists (article id -> list).

    `readings` (article id -> `ner.Reading`; missing or None for an extraction
    without the model) are stored with them: re-linking replays them. Articles whose entities an
    editor pinned are left exactly as they are. Entities are found or created by
    case-blind name and kind. Each mention records whether the vocabulary found it
    or only the model did. Returns the ids of the articles written.
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
        rows.extend((article_id, entity_id, count, source) for entity_id, (count, source) in counts.items())
    write_mentions(list(targets), rows)
    write_readings({pk: (readings or {}).get(pk) for pk in targets})
    return list(targets)


def mention_counts(found, entity_id):
    """{entity id: (count, source)} for FoundEntity items; `entity_id(item)` is None for a refused (junk) name.

    Two names of one entity add up; the vocabulary's source wins over the model's.
    Ingest, re-extraction and re-linking all store what this gives.
    """
    counts = {}
    for entity in found:
        pk = entity_id(entity)
        if pk is None:
            continue
        count, source = counts.get(pk, (0, None))
        found_by = getattr(entity, "source", VOCABULARY)
        counts[pk] = (count + entity.count, VOCABULARY if VOCABULARY in (source, found_by) else found_by)
    return counts


def write_readings(readings_by_article):
    """Store each article's `ner.Reading` (article id -> Reading, or None: no reading, any old one deleted)."""
    table = ModelReading._meta.db_table
    kept = {pk: reading for pk, reading in readings_by_article.items() if reading is not None}
    with connection.cursor() as cursor:
        gone = [pk for pk in readings_by_article if pk not in kept]
        if gone:
            cursor.execute(f"DELETE FROM {table} WHERE article_id = ANY(%s)", [gone])
        if kept:
            cursor.execute(
                f"""
                INSERT INTO {table} (article_id, sha256, spans)
                SELECT v.article_id, v.sha256, v.spans::jsonb
                  FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(article_id, sha256, spans)
                ON CONFLICT (article_id) DO UPDATE SET sha256 = EXCLUDED.sha256, spans = EXCLUDED.spans
                """,
                [
                    list(kept),
                    [reading.sha256 for reading in kept.values()],
                    [json.dumps(reading.stored_spans(), separators=(",", ":")) for reading in kept.values()],
                ],
            )


def write_mentions(article_ids, rows):
    """Replace the mentions of `article_ids` with `rows` of (article id, entity id, count, source).

    The articles' rows are locked first, in id order: two writers replacing one article's
    mentions at once (two ingests' end-of-run re-linking) would otherwise both delete the old
    rows, and the second's insert would meet the first's new ones (a duplicate key). Locked, the
    second waits, and its delete then sees and removes what the first wrote."""
    table = Mention._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Article._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
            [list(article_ids)],
        )
        cursor.execute(f"DELETE FROM {table} WHERE article_id = ANY(%s)", [list(article_ids)])
        if rows:
            cursor.execute(
                f"""
                INSERT INTO {table} (article_id, entity_id, count, source)
                SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::text[])
                """,
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]],
            )


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
    into another: key -> the survivor's id. Used only where no row has the name itself."""
    kind = {Author: SlugRedirect.Kind.AUTHOR, Tag: SlugRedirect.Kind.TAG}.get(model)
    if kind is None:
        return {}
    merged = SlugRedirect.objects.names_merged_into(kind, [name for name, _ in wanted.values()])
    return {key: merged[name.lower()] for key, (name, _) in wanted.items() if name.lower() in merged}


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
