"""The content generation: one number that every committed write to a public table changes.

- `articles_contentgeneration` holds it (one row); values come from a sequence, so a
  value is never reused, not even after a rollback.
- A statement-level trigger on every table the public pages read notes, once per
  transaction, that the transaction changed content (a row in
  `articles_contentgeneration_pending`); a deferred constraint trigger on that row
  takes the next value at COMMIT. The single row is thus locked only while a
  transaction commits, never for the length of an ingest batch, and readers see
  the new value exactly when they can see the new content.
- `SET CONSTRAINTS articles_contentgeneration_bump IMMEDIATE` bumps after every
  statement instead (the tests do, since their transactions never commit).
"""

from django.db import migrations, models

# Every table whose rows a public page, feed, sitemap or search result shows or counts.
CONTENT_TABLES = [
    "articles_article",
    "articles_author",
    "articles_entity",
    "articles_mention",
    "articles_tag",
    "articles_taggedarticle",
    "articles_slugredirect",
    "articles_searchentry",
    "articles_publicarticle",
    "articles_publicmention",
    "articles_publictagging",
    "articles_monthcount",
    "articles_authorstats",
    "articles_tagstats",
    "articles_entitystats",
    "articles_entitymonth",
    "articles_entitypair",
]

FUNCTIONS = r"""
CREATE SEQUENCE articles_contentgeneration_seq;
INSERT INTO articles_contentgeneration (id, value, changed_at)
     VALUES (1, nextval('articles_contentgeneration_seq'), now());

CREATE TABLE articles_contentgeneration_pending (id bigserial PRIMARY KEY);

-- Statement trigger: once per transaction (a transaction-local setting remembers), queue a bump.
CREATE FUNCTION articles_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('newsroom.generation_pending', true), '') <> 'on' THEN
        PERFORM set_config('newsroom.generation_pending', 'on', true);
        INSERT INTO articles_contentgeneration_pending DEFAULT VALUES;
    END IF;
    RETURN NULL;
END
$$;

-- Deferred to COMMIT: take the next generation.
CREATE FUNCTION articles_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_contentgeneration
       SET value = nextval('articles_contentgeneration_seq'), changed_at = clock_timestamp()
     WHERE id = 1;
    DELETE FROM articles_contentgeneration_pending WHERE id = NEW.id;
    PERFORM set_config('newsroom.generation_pending', '', true);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER articles_contentgeneration_bump
    AFTER INSERT ON articles_contentgeneration_pending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION articles_bump_generation();
""" + "".join(
    f"""
CREATE TRIGGER {table}_content_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION articles_content_changed();
"""
    for table in CONTENT_TABLES
)

DROP_FUNCTIONS = "".join(f"DROP TRIGGER {table}_content_changed ON {table};\n" for table in CONTENT_TABLES) + """
DROP TABLE articles_contentgeneration_pending;
DROP FUNCTION articles_bump_generation();
DROP FUNCTION articles_content_changed();
DELETE FROM articles_contentgeneration;
DROP SEQUENCE articles_contentgeneration_seq;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContentGeneration',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('value', models.BigIntegerField(help_text='Taken from a sequence: never reused, not even after a rollback.')),
                ('changed_at', models.DateTimeField()),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='contentgeneration_single_row')],
            },
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
    ]
