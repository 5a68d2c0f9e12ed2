"""The page cache's database store (articles.models.StoredPage, articles/pagecache.py): an UNLOGGED table,
since every row can be rendered again and writing it should cost no WAL."""

import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_ingest_run_job"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoredPage",
            fields=[
                (
                    "address",
                    models.CharField(
                        help_text="sha256 of the page's cache address.",
                        max_length=64,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "keys",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=100),
                        help_text="The page-cache keys of what the page shows.",
                        size=None,
                    ),
                ),
                (
                    "generation",
                    models.BigIntegerField(help_text="The content generation read before the page was rendered."),
                ),
                ("headers", models.JSONField(help_text="The response's headers as [name, value] pairs.")),
                ("content", models.BinaryField()),
                ("etag", models.CharField(max_length=64)),
                ("rendered_at", models.BigIntegerField(help_text="When the page was rendered (seconds since 1970).")),
                (
                    "stored_at",
                    models.DateTimeField(help_text="When it was stored: pages older than PAGE_CACHE_SECONDS expire."),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["stored_at"], name="storedpage_stored_idx")],
            },
        ),
        migrations.RunSQL(
            "ALTER TABLE articles_storedpage SET UNLOGGED",
            reverse_sql="ALTER TABLE articles_storedpage SET LOGGED",
        ),
    ]
