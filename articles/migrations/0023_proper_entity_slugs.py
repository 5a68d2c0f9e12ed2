"""Give the starter entities the slugs the project's slug function makes (`models.make_slug`).

Migration 0002 made the starter vocabulary's slugs with Django's `slugify`, which
drops letters it cannot spell in ASCII: Łódź got /entities/odz/ and Wrocław
/entities/wrocaw/, where `make_slug` (which transliterates Ł to L) gives lodz and
wroclaw. Every entity whose slug is still what `slugify` made of its name, and
differs from what `make_slug` makes now, takes the new slug when no other entity
holds it; its old address answers with a permanent redirect (a SlugRedirect, as
when an editor changes a slug). Slugs an editor chose are left alone. Written
without the change path, so the guard triggers mark every cached page stale.
"""

from django.db import migrations


def proper_entity_slugs(apps, schema_editor):
    from django.utils.text import slugify

    from articles.models import make_slug

    Entity = apps.get_model("articles", "Entity")
    SlugRedirect = apps.get_model("articles", "SlugRedirect")
    taken = set(Entity.objects.values_list("slug", flat=True))
    for entity in Entity.objects.order_by("pk").only("pk", "name", "slug"):
        proper = make_slug(entity.name, fallback_prefix="entity")
        if entity.slug != slugify(entity.name) or proper == entity.slug or proper in taken:
            continue
        old = entity.slug
        Entity.objects.filter(pk=entity.pk).update(slug=proper)
        taken.add(proper)
        SlugRedirect.objects.filter(kind="entity", old_slug=proper).delete()  # live again: no redirect
        SlugRedirect.objects.update_or_create(kind="entity", old_slug=old, defaults={"entity_id": entity.pk})


class Migration(migrations.Migration):
    dependencies = [("articles", "0022_article_newest_idx")]

    operations = [migrations.RunPython(proper_entity_slugs, migrations.RunPython.noop)]
