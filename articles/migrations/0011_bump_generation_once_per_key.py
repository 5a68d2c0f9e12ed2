"""articles_bump_generation(): each marked key once, whatever the transaction marked twice.

0010_change_path wrote `SELECT DISTINCT key, generation, clock_timestamp()`: the
clock is read again for every row, so two rows of one key (a transaction that
calls changes.apply() twice, or a job's parts marking the same listing) were both
kept, and the INSERT … ON CONFLICT DO UPDATE then touched one row twice and failed
the COMMIT ("command cannot affect row a second time"). Now the keys are made
distinct first and the clock is read once per COMMIT.
"""

from django.db import migrations

BUMP = r"""
CREATE OR REPLACE FUNCTION articles_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    generation bigint;
    changed timestamptz := clock_timestamp();
BEGIN
    INSERT INTO articles_contentgeneration AS g (id, value, changed_at) VALUES (1, 1, changed)
    ON CONFLICT (id) DO UPDATE SET value = g.value + 1, changed_at = EXCLUDED.changed_at
    RETURNING value INTO generation;
    INSERT INTO articles_pageversion (key, version, changed_at)
    SELECT key, generation, changed FROM (SELECT DISTINCT key FROM articles_pagekey_pending) AS marked
    ON CONFLICT (key) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at;
    DELETE FROM articles_pagekey_pending;
    DELETE FROM articles_contentgeneration_pending WHERE id = NEW.id;
    PERFORM set_config('newsroom.generation_pending', '', true);
    PERFORM set_config('newsroom.outside_marked', '', true);
    RETURN NULL;
END $$;
"""

# 0010's version, for reversal.
OLD_BUMP = r"""
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
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_change_path"),
    ]

    operations = [
        migrations.RunSQL(BUMP, OLD_BUMP),
    ]
