"""Factories that fill sensible defaults; tests set only what they assert on."""

import datetime

import factory
from django.utils import timezone

from articles import changes
from articles.models import Article, Author, Entity, Mention, Tag


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author Number{n}")
    bio = factory.LazyAttribute(lambda a: f"{a.name} writes about the world.")


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity
        # The starter vocabulary already holds many real names ("Baltic Sea"): reuse them.
        django_get_or_create = ["name", "kind"]

    name = factory.Sequence(lambda n: f"Entity Number{n}")
    kind = Entity.Kind.PLACE


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"topic {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Headline number {n}")
    slug = factory.Sequence(lambda n: f"headline-number-{n}")
    dek = "A one-line summary of the story."
    body = "First paragraph of the story.\n\nSecond paragraph of the story."
    author = factory.SubFactory(AuthorFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(hours=n + 1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def entities(self, create, extracted, **kwargs):
        if create and extracted:
            Mention.objects.bulk_create(Mention(article=self, entity=e, count=1) for e in extracted)

    @factory.post_generation
    def reader_stats(self, create, extracted, **kwargs):
        # Like the real write paths (ingest, admin): search entries, public counts, cached pages.
        if create:
            changes.apply(articles=[self.pk])
