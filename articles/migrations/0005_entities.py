"""Entities worth indexing: where each mention came from, and a larger starter vocabulary.

1. `Mention.source`: "vocabulary", "model" or "editor". Mentions stored before
   this migration were found by the vocabulary matcher (or, on pinned articles,
   set by editors).
2. The starter vocabulary (articles/entities/starter_vocabulary.json) grew; its
   new entities are added, and aliases it gained are added to entities that
   already exist with the same name and kind. Editors own the rows: nothing is
   renamed, re-kinded or removed, and aliases they added stay.
"""

import json
from pathlib import Path

from django.db import migrations, models
from django.utils.text import slugify

STARTER = Path(__file__).resolve().parent.parent / "entities" / "starter_vocabulary.json"


def mark_existing_mentions(apps, schema_editor):
    Mention = apps.get_model("articles", "Mention")
    Mention.objects.filter(article__entities_pinned=False).update(source="vocabulary")


def extend_starter_vocabulary(apps, schema_editor):
    Entity = apps.get_model("articles", "Entity")
    taken = set(Entity.objects.values_list("slug", flat=True))
    existing = {(e.name.lower(), e.kind): e for e in Entity.objects.only("id", "name", "kind", "aliases")}
    new, changed = [], []
    for name, kind, aliases in json.loads(STARTER.read_text(encoding="utf-8")):
        entity = existing.get((name.lower(), kind))
        if entity is not None:
            missing = [alias for alias in aliases if alias not in entity.aliases]
            if missing:
                entity.aliases = [*entity.aliases, *missing]
                changed.append(entity)
            continue
        base = slugify(name) or "entity"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        new.append(Entity(name=name, kind=kind, slug=slug, aliases=aliases))
    Entity.objects.bulk_create(new)
    Entity.objects.bulk_update(changed, ["aliases"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_reader")]

    operations = [
        migrations.AddField(
            model_name="mention",
            name="source",
            field=models.CharField(
                choices=[("vocabulary", "Curated vocabulary"), ("model", "Statistical model"), ("editor", "Editor")],
                default="editor",
                editable=False,
                max_length=10,
            ),
        ),
        migrations.RunPython(mark_existing_mentions, migrations.RunPython.noop),
        migrations.RunPython(extend_starter_vocabulary, migrations.RunPython.noop),
    ]
