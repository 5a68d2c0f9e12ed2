"""Load the starter vocabulary (articles/entities/starter_vocabulary.json) as Entity rows.

Editors own these rows afterwards: they can rename, re-kind, add aliases or delete
them in the admin. Entities that already exist (same name and kind) are left alone.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

STARTER = Path(__file__).resolve().parent.parent / "entities" / "starter_vocabulary.json"


def load_starter_vocabulary(apps, schema_editor):
    Entity = apps.get_model("articles", "Entity")
    taken = set(Entity.objects.values_list("slug", flat=True))
    existing = {(name.lower(), kind) for name, kind in Entity.objects.values_list("name", "kind")}
    new = []
    for name, kind, aliases in json.loads(STARTER.read_text(encoding="utf-8")):
        if (name.lower(), kind) in existing:
            continue
        base = slugify(name) or "entity"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        new.append(Entity(name=name, kind=kind, slug=slug, aliases=aliases))
    Entity.objects.bulk_create(new)


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(load_starter_vocabulary, migrations.RunPython.noop)]
