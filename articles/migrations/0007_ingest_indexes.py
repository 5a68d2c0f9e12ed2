"""Drop single-column foreign-key indexes that a composite index or primary key already leads with.

Each costs every row an ingest writes (mentions, taggings, reader statistics) and
serves no query the covering index does not.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_search"),
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
    ]
