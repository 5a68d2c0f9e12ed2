"""The page store's content compressed with lz4 rather than PostgreSQL's default pglz: storing a
20 KB page took 1.7-2.4 ms instead of 5.3-6.1 ms on the loaded benchmark machine, and reading it
0.6-0.7 ms instead of 1.1-1.9 ms (10% more bytes). A server built without lz4 keeps pglz."""

from django.db import migrations

LZ4 = """
DO $$
BEGIN
    ALTER TABLE articles_storedpage ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'no lz4 in this PostgreSQL: the page store keeps pglz';
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_job_files"),
    ]

    operations = [
        migrations.RunSQL(LZ4, reverse_sql="ALTER TABLE articles_storedpage ALTER COLUMN content SET COMPRESSION pglz"),
    ]
