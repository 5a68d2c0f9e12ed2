"""Entity slugs are what the project's slug function makes (migration 0023_proper_entity_slugs)."""

import importlib

import pytest
from django.apps import apps
from django.utils.text import slugify

from articles.models import Entity, SlugRedirect, make_slug

from .factories import ArticleFactory, EntityFactory

fix = importlib.import_module("articles.migrations.0023_proper_entity_slugs").proper_entity_slugs


@pytest.mark.django_db
def test_no_starter_entity_keeps_a_slug_slugify_mangled(client):
    """Migrated: Łódź is at /entities/lodz/, and its old address answers with a 301."""
    lodz = Entity.objects.get(name="Łódź")
    assert (lodz.slug, Entity.objects.get(name="Wrocław").slug) == ("lodz", "wroclaw")
    mangled = [
        e.name for e in Entity.objects.all() if e.slug == slugify(e.name) != make_slug(e.name, fallback_prefix="")
    ]
    assert mangled == []
    ArticleFactory(entities=[lodz])
    response = client.get("/entities/odz/")
    assert (response.status_code, response["Location"]) == (301, "/entities/lodz/")


@pytest.mark.django_db
def test_only_slugs_slugify_made_are_changed_and_only_to_a_free_slug():
    made = EntityFactory(name="Łomża Harbour", slug="omza-harbour")
    chosen = EntityFactory(name="Łańcut Castle", slug="the-castle")  # an editor's choice
    blocked = EntityFactory(name="Łeba Dunes", slug="eba-dunes")
    EntityFactory(name="Leba Dunes", slug="leba-dunes")
    fix(apps, None)
    assert Entity.objects.get(pk=made.pk).slug == "lomza-harbour"
    assert SlugRedirect.objects.get(kind="entity", old_slug="omza-harbour").entity_id == made.pk
    assert Entity.objects.get(pk=chosen.pk).slug == "the-castle"
    assert Entity.objects.get(pk=blocked.pk).slug == "eba-dunes"
