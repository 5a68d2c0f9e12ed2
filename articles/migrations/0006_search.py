"""Full-text search: extensions, a text search configuration, search entries and their indexes.

- `newsroom_english`: English stemming and stop words, accents removed first
  (`São Paulo` and `Sao Paulo` give the same lexemes).
- `newsroom_unaccent(text)`, `newsroom_search_key(text)`, `newsroom_search_keys(name,
  aliases)`: IMMUTABLE, so entity and tag names can be indexed accent- and case-blind.
- `articles_refresh_search(ids)`: writes the search entries of the given articles
  in one statement; `ArticleQuerySet.update_search_vectors()` calls it.
- Statement-level triggers refresh the entries of a renamed author's or tag's
  articles, copy changes of an article's status, date or author to its entry, and
  keep its tag and entity ids (facet keys) in step with the link tables.
- Existing articles are back-filled.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
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

-- The search entries of the given articles, written in one statement (see SearchEntry).
CREATE FUNCTION articles_refresh_search(article_ids bigint[]) RETURNS integer
    LANGUAGE sql VOLATILE
AS $$
    WITH labels AS (
        SELECT ta.content_object_id AS id, string_agg(t.name, ' , ' ORDER BY t.name) AS tags
          FROM articles_taggedarticle ta
          JOIN articles_tag t ON t.id = ta.tag_id
         WHERE ta.content_object_id = ANY(article_ids)
         GROUP BY ta.content_object_id
    ), parts AS MATERIALIZED (  -- each body parsed once, though used twice below
        SELECT a.id, a.status, a.published_at, a.author_id,
               setweight(to_tsvector('newsroom_english', a.title), 'A')
               || setweight(to_tsvector('newsroom_english', a.dek), 'B')
               || setweight(to_tsvector('newsroom_english', coalesce(l.tags, '')), 'B')
               || setweight(to_tsvector('newsroom_english', coalesce(au.name, '')), 'D') AS head,
               to_tsvector('newsroom_english', a.body) AS body
          FROM articles_article a
          LEFT JOIN articles_author au ON au.id = a.author_id
          LEFT JOIN labels l ON l.id = a.id
         WHERE a.id = ANY(article_ids)
    ), stored AS (
        INSERT INTO articles_searchentry AS s
               (article_id, status, published_at, author_id, document, rank_vector, tag_ids, entity_ids, bucket)
        SELECT p.id, p.status, p.published_at, p.author_id,
               p.head || setweight(p.body, 'C'),
               p.head || array_to_tsvector(ARRAY(
                   SELECT w.lexeme FROM unnest(p.body) AS w
                    ORDER BY cardinality(w.positions) DESC, w.lexeme LIMIT 12)),
               ARRAY(SELECT ta.tag_id FROM articles_taggedarticle ta WHERE ta.content_object_id = p.id ORDER BY 1),
               ARRAY(SELECT m.entity_id FROM articles_mention m WHERE m.article_id = p.id ORDER BY 1),
               hashint8(p.id) & 63
          FROM parts p
        ON CONFLICT (article_id) DO UPDATE
           SET status = EXCLUDED.status, published_at = EXCLUDED.published_at, author_id = EXCLUDED.author_id,
               document = EXCLUDED.document, rank_vector = EXCLUDED.rank_vector,
               tag_ids = EXCLUDED.tag_ids, entity_ids = EXCLUDED.entity_ids
        RETURNING 1
    )
    SELECT count(*)::integer FROM stored
$$;

-- Status, date and author as the search sees them follow the article, however it was updated.
CREATE FUNCTION articles_article_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_searchentry s
       SET status = n.status, published_at = n.published_at, author_id = n.author_id
      FROM new_rows n
     WHERE s.article_id = n.id
       AND (s.status, s.published_at, s.author_id) IS DISTINCT FROM (n.status, n.published_at, n.author_id);
    RETURN NULL;
END $$;

CREATE TRIGGER articles_article_changed AFTER UPDATE ON articles_article
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_article_changed();

-- Facet keys follow the link tables, however they are written (ingest, admin, relinking, merges).
-- One UPDATE per statement, for the articles the statement touched.
CREATE FUNCTION articles_mentions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE articles_searchentry s
           SET entity_ids = ARRAY(SELECT m.entity_id FROM articles_mention m WHERE m.article_id = s.article_id ORDER BY 1)
         WHERE s.article_id IN (SELECT article_id FROM new_rows);
    ELSE  -- DELETE, UPDATE: old_rows holds every article touched (an UPDATE keeps its article)
        UPDATE articles_searchentry s
           SET entity_ids = ARRAY(SELECT m.entity_id FROM articles_mention m WHERE m.article_id = s.article_id ORDER BY 1)
         WHERE s.article_id IN (SELECT article_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_mentions_inserted AFTER INSERT ON articles_mention
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_mentions_changed();
CREATE TRIGGER articles_mentions_deleted AFTER DELETE ON articles_mention
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_mentions_changed();
CREATE TRIGGER articles_mentions_updated AFTER UPDATE ON articles_mention
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_mentions_changed();

CREATE FUNCTION articles_taggings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE articles_searchentry s
           SET tag_ids = ARRAY(SELECT t.tag_id FROM articles_taggedarticle t
                                WHERE t.content_object_id = s.article_id ORDER BY 1)
         WHERE s.article_id IN (SELECT content_object_id FROM new_rows);
    ELSE
        UPDATE articles_searchentry s
           SET tag_ids = ARRAY(SELECT t.tag_id FROM articles_taggedarticle t
                                WHERE t.content_object_id = s.article_id ORDER BY 1)
         WHERE s.article_id IN (SELECT content_object_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_taggings_inserted AFTER INSERT ON articles_taggedarticle
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_taggings_changed();
CREATE TRIGGER articles_taggings_deleted AFTER DELETE ON articles_taggedarticle
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_taggings_changed();
CREATE TRIGGER articles_taggings_updated AFTER UPDATE ON articles_taggedarticle
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_taggings_changed();

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
DROP TRIGGER IF EXISTS articles_mentions_inserted ON articles_mention;
DROP TRIGGER IF EXISTS articles_mentions_deleted ON articles_mention;
DROP TRIGGER IF EXISTS articles_mentions_updated ON articles_mention;
DROP FUNCTION IF EXISTS articles_mentions_changed();
DROP TRIGGER IF EXISTS articles_taggings_inserted ON articles_taggedarticle;
DROP TRIGGER IF EXISTS articles_taggings_deleted ON articles_taggedarticle;
DROP TRIGGER IF EXISTS articles_taggings_updated ON articles_taggedarticle;
DROP FUNCTION IF EXISTS articles_taggings_changed();
DROP TRIGGER IF EXISTS articles_article_changed ON articles_article;
DROP FUNCTION IF EXISTS articles_article_changed();
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
    dependencies = [("articles", "0005_entities")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("status", models.CharField(max_length=10)),
                ("published_at", models.DateTimeField(null=True)),
                ("document", django.contrib.postgres.search.SearchVectorField()),
                ("rank_vector", django.contrib.postgres.search.SearchVectorField()),
                (
                    "tag_ids",
                    django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, size=None),
                ),
                (
                    "entity_ids",
                    django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, size=None),
                ),
                ("bucket", models.SmallIntegerField()),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="articles.author",
                    ),
                ),
            ],
            options={"verbose_name_plural": "search entries"},
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(fields=["document"], name="searchentry_document_idx"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("bucket__lt", 8)), fields=["document"], name="searchentry_sample8_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("bucket", 0)), fields=["document"], name="searchentry_sample64_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["published_at"], name="searchentry_published_idx"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(fields=["tag_ids"], name="searchentry_tags_idx"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(fields=["entity_ids"], name="searchentry_entities_idx"),
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
