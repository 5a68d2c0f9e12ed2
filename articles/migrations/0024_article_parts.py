"""Each article's page parts, rendered on write (articles/parts.py). The two HTML columns are
compressed with lz4 as the page store's are (0020); a server built without lz4 keeps pglz."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

LZ4 = """
DO $$
BEGIN
    ALTER TABLE articles_articleparts ALTER COLUMN meta SET COMPRESSION lz4;
    ALTER TABLE articles_articleparts ALTER COLUMN main SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'no lz4 in this PostgreSQL: the article parts keep pglz';
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_proper_entity_slugs"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleParts",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="page_parts",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("version", models.CharField(max_length=16)),
                ("origin", models.CharField(max_length=64)),
                ("meta", models.TextField()),
                ("main", models.TextField()),
                (
                    "keys",
                    django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), default=list, size=None),
                ),
                ("generation", models.BigIntegerField()),
                ("rendered_at", models.DateTimeField()),
            ],
            options={
                "verbose_name_plural": "article parts",
                "indexes": [django.contrib.postgres.indexes.GinIndex(fields=["keys"], name="articleparts_keys_idx")],
            },
        ),
        migrations.RunSQL(LZ4, reverse_sql=migrations.RunSQL.noop),
    ]
