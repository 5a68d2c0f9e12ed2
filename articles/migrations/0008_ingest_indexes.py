"""Indexes that cost ingest less.

- Drop single-column foreign-key indexes that a composite index or primary key
  already leads with: each cost every row an ingest writes (mentions, taggings,
  reader statistics) and served no query the covering index does not.
- Give the GIN indexes over long texts (article bodies' trigrams, search documents)
  a 32 MB pending list, set in place (ALTER INDEX, no rebuild).
"""

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

import articles.models

PENDING = ["article_body_trgm_idx", "searchentry_document_idx", "searchentry_sample8_idx", "searchentry_sample64_idx"]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_pagecache"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="author",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="articles.author",
            ),
        ),
        migrations.AlterField(
            model_name="entitymonth",
            name="entity",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="months", to="articles.entity"
            ),
        ),
        migrations.AlterField(
            model_name="entitypair",
            name="entity",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="pairs", to="articles.entity"
            ),
        ),
        migrations.AlterField(
            model_name="mention",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mentions",
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="mention",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mentions",
                to="articles.entity",
            ),
        ),
        migrations.AlterField(
            model_name="publicmention",
            name="article",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="public_mentions",
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="publicmention",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="public_mentions",
                to="articles.entity",
            ),
        ),
        migrations.AlterField(
            model_name="publictagging",
            name="article",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="public_taggings",
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="publictagging",
            name="tag",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="public_taggings",
                to="articles.tag",
            ),
        ),
        migrations.AlterField(
            model_name="taggedarticle",
            name="content_object",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="taggings",
                to="articles.article",
            ),
        ),
        migrations.AlterField(
            model_name="taggedarticle",
            name="tag",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="taggings", to="articles.tag"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f"ALTER INDEX {name} SET (gin_pending_list_limit = 32768)" for name in PENDING],
                    [f"ALTER INDEX {name} RESET (gin_pending_list_limit)" for name in PENDING],
                )
            ],
            state_operations=[
                *[
                    migrations.RemoveIndex(model_name=model, name=name)
                    for model, name in zip(
                        ["article", "searchentry", "searchentry", "searchentry"], PENDING, strict=True
                    )
                ],
                migrations.AddIndex(
                    model_name="article",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            articles.models.Searchable("body"), name="gin_trgm_ops"
                        ),
                        gin_pending_list_limit=32768,
                        name="article_body_trgm_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchentry",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["document"], gin_pending_list_limit=32768, name="searchentry_document_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchentry",
                    index=django.contrib.postgres.indexes.GinIndex(
                        condition=models.Q(("bucket__lt", 8)),
                        fields=["document"],
                        gin_pending_list_limit=32768,
                        name="searchentry_sample8_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchentry",
                    index=django.contrib.postgres.indexes.GinIndex(
                        condition=models.Q(("bucket", 0)),
                        fields=["document"],
                        gin_pending_list_limit=32768,
                        name="searchentry_sample64_idx",
                    ),
                ),
            ],
        ),
    ]
