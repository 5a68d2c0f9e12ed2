"""Remove the entities whose names are junk (articles/entities/junk.py) and re-link their articles.

Race times ("2:07:55"), codes ("5C"), handles ("Twitter @tomasribeiro_sp") and
single letters were stored as entities before the extractor and the writers
refused them. This runs `relink.remove_junk_entities()`, the code the app uses,
through the change path (its own transactions); a database with no junk (any fresh one) does nothing.
"""

from django.db import migrations


def remove_junk(apps, schema_editor):
    from articles.entities.junk import is_junk

    Entity = apps.get_model("articles", "Entity")
    if not any(is_junk(name, kind) for name, kind in Entity.objects.values_list("name", "kind").iterator()):
        return
    from articles.entities.relink import remove_junk_entities

    remove_junk_entities()


class Migration(migrations.Migration):
    atomic = False  # the removal commits, then each re-linked chunk on its own, as the app does it

    dependencies = [("articles", "0011_bump_generation_once_per_key")]

    operations = [migrations.RunPython(remove_junk, migrations.RunPython.noop)]
