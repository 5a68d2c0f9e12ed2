"""One change path (articles/changes.py): Python keeps what is derived; SQL only guards.

Dropped: the triggers that kept search entries in step with articles, mentions,
taggings and renamed authors and tags, and the SQL function that wrote search
entries (both now writes.refresh_search_entries(), which the change path calls), and
the statement triggers that bumped one content generation on every write to any
public table (every cached page was thrown away at each ingest batch).

Created (what articles/changes.py and articles/pagecache.py describe):
- `articles_pageversion` (PageVersion): the generation at which each page-cache key
  last changed;
- `articles_pagekey_pending`: the keys a transaction marked, applied at its COMMIT
  (unlogged: its rows never outlive their transaction);
- `articles_mark_changed()`: once per transaction, queue the COMMIT-time work;
- `articles_bump_generation()` (now): at COMMIT, take the next generation and give it
  to the marked keys;
- guard triggers `<table>_outside_write` on the tables editors and ingest write: a
  transaction that writes them without `changes.atomic()` marks the key "all".
"""

import importlib

from django.db import migrations, models

GUARDED_TABLES = [
    "articles_article",
    "articles_author",
    "articles_entity",
    "articles_mention",
    "articles_tag",
    "articles_taggedarticle",
    "articles_slugredirect",
]

_pagecache = importlib.import_module("articles.migrations.0007_pagecache")
_search = importlib.import_module("articles.migrations.0006_search")

# What 0006 and 0007 created that this migration drops, to re-create on reversal.
OLD_SEARCH_SQL = _search.FUNCTIONS[_search.FUNCTIONS.index("-- The search entries of the given articles") :]
OLD_CONTENT_TRIGGERS = "".join(
    f"CREATE TRIGGER {table}_content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_content_changed();\n"
    for table in _pagecache.CONTENT_TABLES
)
OLD_FUNCTIONS = _pagecache.FUNCTIONS[
    _pagecache.FUNCTIONS.index("-- Statement trigger") : _pagecache.FUNCTIONS.index("-- Deferred to COMMIT")
]

DROP_OLD = """
DROP TRIGGER articles_mentions_inserted ON articles_mention;
DROP TRIGGER articles_mentions_deleted ON articles_mention;
DROP TRIGGER articles_mentions_updated ON articles_mention;
DROP FUNCTION articles_mentions_changed();
DROP TRIGGER articles_taggings_inserted ON articles_taggedarticle;
DROP TRIGGER articles_taggings_deleted ON articles_taggedarticle;
DROP TRIGGER articles_taggings_updated ON articles_taggedarticle;
DROP FUNCTION articles_taggings_changed();
DROP TRIGGER articles_article_changed ON articles_article;
DROP FUNCTION articles_article_changed();
DROP TRIGGER articles_tag_renamed ON articles_tag;
DROP FUNCTION articles_tag_renamed();
DROP TRIGGER articles_author_renamed ON articles_author;
DROP FUNCTION articles_author_renamed();
DROP FUNCTION articles_refresh_search(bigint[]);
""" + "".join(f"DROP TRIGGER {table}_content_changed ON {table};\n" for table in _pagecache.CONTENT_TABLES) + """
DROP FUNCTION articles_content_changed();
"""

CREATE_NEW = r"""
CREATE UNLOGGED TABLE articles_pagekey_pending (key text NOT NULL);

-- Once per transaction: queue the COMMIT-time work (the constraint trigger below).
CREATE FUNCTION articles_mark_changed() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('newsroom.generation_pending', true), '') <> 'on' THEN
        PERFORM set_config('newsroom.generation_pending', 'on', true);
        INSERT INTO articles_contentgeneration_pending DEFAULT VALUES;
    END IF;
END $$;

-- At COMMIT (deferred): the next generation, in commit order (the row's lock), for the marked keys.
CREATE OR REPLACE FUNCTION articles_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    generation bigint;
BEGIN
    INSERT INTO articles_contentgeneration AS g (id, value, changed_at) VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET value = g.value + 1, changed_at = EXCLUDED.changed_at
    RETURNING value INTO generation;
    INSERT INTO articles_pageversion (key, version, changed_at)
    SELECT DISTINCT key, generation, clock_timestamp() FROM articles_pagekey_pending
    ON CONFLICT (key) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at;
    DELETE FROM articles_pagekey_pending;
    DELETE FROM articles_contentgeneration_pending WHERE id = NEW.id;
    PERFORM set_config('newsroom.generation_pending', '', true);
    PERFORM set_config('newsroom.outside_marked', '', true);
    RETURN NULL;
END $$;

-- A write outside changes.atomic(): every cached page is rendered anew.
CREATE FUNCTION articles_outside_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('newsroom.change_path', true), '') <> 'on'
       AND coalesce(current_setting('newsroom.outside_marked', true), '') <> 'on' THEN
        PERFORM set_config('newsroom.outside_marked', 'on', true);
        INSERT INTO articles_pagekey_pending (key) VALUES ('all');
        PERFORM articles_mark_changed();
    END IF;
    RETURN NULL;
END $$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_outside_write AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION articles_outside_write();
"""
    for table in GUARDED_TABLES
)

DROP_NEW = "".join(f"DROP TRIGGER {table}_outside_write ON {table};\n" for table in GUARDED_TABLES) + """
DROP FUNCTION articles_outside_write();
DROP FUNCTION articles_mark_changed();
DROP TABLE articles_pagekey_pending;
CREATE OR REPLACE FUNCTION articles_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_contentgeneration
       SET value = nextval('articles_contentgeneration_seq'), changed_at = clock_timestamp()
     WHERE id = 1;
    DELETE FROM articles_contentgeneration_pending WHERE id = NEW.id;
    PERFORM set_config('newsroom.generation_pending', '', true);
    RETURN NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_admin_body_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="PageVersion",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
                ("changed_at", models.DateTimeField()),
            ],
            options={
                "indexes": [models.Index(fields=["changed_at"], name="pageversion_changed_idx")],
            },
        ),
        migrations.AlterField(
            model_name="contentgeneration",
            name="value",
            field=models.BigIntegerField(help_text="Raised by one at every COMMIT that changes public content."),
        ),
        migrations.RunSQL(DROP_OLD, OLD_FUNCTIONS + OLD_CONTENT_TRIGGERS + OLD_SEARCH_SQL),
        migrations.RunSQL(CREATE_NEW, DROP_NEW),
    ]
