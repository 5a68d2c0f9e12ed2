"""Full-text search: extensions, a text search configuration, stored vectors and their indexes.

- `newsroom_english`: English stemming and stop words, accents removed first
  (`São Paulo` and `Sao Paulo` give the same lexemes).
- `newsroom_unaccent(text)`, `newsroom_search_key(text)`, `newsroom_search_keys(name,
  aliases)`: IMMUTABLE, so entity and tag names can be indexed accent- and case-blind.
- `articles_refresh_search(ids)`: recomputes the stored vectors of the given
  articles in one UPDATE; `ArticleQuerySet.update_search_vectors()` calls it.
- Statement-level triggers refresh the articles of a renamed author or tag.
- Existing articles are back-filled.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

import articles.models

FUNCTIONS = r"""
CREATE TEXT SEARCH CONFIGURATION newsroom_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION newsroom_english
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, english_stem;

CREATE FUNCTION newsroom_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN public.unaccent('public.unaccent'::regdictionary, $1);

CREATE FUNCTION newsroom_search_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN btrim(regexp_replace(regexp_replace(lower(newsroom_unaccent($1)), '[.''’]', '', 'g'),
                                '[^[:alnum:]]+', ' ', 'g'));

-- An entity's searchable keys: its name, its aliases and, for a person, the surname alone.
CREATE FUNCTION newsroom_search_keys(name text, kind text, aliases varchar[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(
        SELECT DISTINCT newsroom_search_key(form)
          FROM unnest(array_prepend(name::varchar, aliases)
                      || CASE WHEN kind = 'PERSON' THEN ARRAY[regexp_replace(name, '^.*\s', '')::varchar]
                              ELSE '{}'::varchar[] END) AS form);

-- The stored vectors of the given articles, recomputed in one statement.
-- search_vector: headline (A), dek and tag names (B), body (C), author name (D); matched by the GIN index.
-- search_rank_vector: the same without the body's one- and two-off words, so ranking reads a small
-- vector that stays in the row instead of unpacking the whole body's vector for every hit.
CREATE FUNCTION articles_refresh_search(article_ids bigint[]) RETURNS integer
    LANGUAGE sql VOLATILE
AS $$
    WITH labels AS (
        SELECT ta.content_object_id AS id, string_agg(t.name, ' , ' ORDER BY t.name) AS tags
          FROM articles_taggedarticle ta
          JOIN articles_tag t ON t.id = ta.tag_id
         WHERE ta.content_object_id = ANY(article_ids)
         GROUP BY ta.content_object_id
    ), parts AS (
        SELECT a.id,
               setweight(to_tsvector('newsroom_english', a.title), 'A')
               || setweight(to_tsvector('newsroom_english', a.dek), 'B')
               || setweight(to_tsvector('newsroom_english', coalesce(l.tags, '')), 'B')
               || setweight(to_tsvector('newsroom_english', coalesce(au.name, '')), 'D') AS head,
               setweight(to_tsvector('newsroom_english', a.body), 'C') AS body
          FROM articles_article a
          LEFT JOIN articles_author au ON au.id = a.author_id
          LEFT JOIN labels l ON l.id = a.id
         WHERE a.id = ANY(article_ids)
    ), updated AS (
        UPDATE articles_article a
           SET search_vector = p.head || p.body,
               search_rank_vector = p.head || ts_delete(
                   p.body, ARRAY(SELECT w.lexeme FROM unnest(p.body) AS w WHERE cardinality(w.positions) < 3))
          FROM parts p
         WHERE a.id = p.id
        RETURNING 1
    )
    SELECT count(*)::integer FROM updated
$$;

CREATE FUNCTION articles_author_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search(ARRAY(
        SELECT a.id FROM new_rows n
          JOIN old_rows o ON o.id = n.id AND o.name IS DISTINCT FROM n.name
          JOIN articles_article a ON a.author_id = n.id));
    RETURN NULL;
END $$;

CREATE TRIGGER articles_author_renamed AFTER UPDATE ON articles_author
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_author_renamed();

CREATE FUNCTION articles_tag_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_search(ARRAY(
        SELECT DISTINCT ta.content_object_id FROM new_rows n
          JOIN old_rows o ON o.id = n.id AND o.name IS DISTINCT FROM n.name
          JOIN articles_taggedarticle ta ON ta.tag_id = n.id));
    RETURN NULL;
END $$;

CREATE TRIGGER articles_tag_renamed AFTER UPDATE ON articles_tag
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_tag_renamed();
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS articles_tag_renamed ON articles_tag;
DROP FUNCTION IF EXISTS articles_tag_renamed();
DROP TRIGGER IF EXISTS articles_author_renamed ON articles_author;
DROP FUNCTION IF EXISTS articles_author_renamed();
DROP FUNCTION IF EXISTS articles_refresh_search(bigint[]);
DROP FUNCTION IF EXISTS newsroom_search_keys(text, text, varchar[]);
DROP FUNCTION IF EXISTS newsroom_search_key(text);
DROP FUNCTION IF EXISTS newsroom_unaccent(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS newsroom_english;
"""

BACKFILL = "SELECT articles_refresh_search(ARRAY(SELECT id FROM articles_article))"


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_starter_vocabulary")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.AddField(
            model_name="article",
            name="search_rank_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name="article_search_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("status", "published"), _negated=True),
                fields=["id"],
                name="article_unpublished_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=django.contrib.postgres.indexes.GinIndex(
                articles.models.SearchKeys(models.F("name"), models.F("kind"), models.F("aliases")),
                name="entity_search_keys_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="entity",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(articles.models.SearchKey(models.F("name")), name="gin_trgm_ops"),
                name="entity_name_trgm_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="tag",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(articles.models.SearchKey(models.F("name")), name="gin_trgm_ops"),
                name="tag_name_trgm_idx",
            ),
        ),
    ]
