"""Article page parts stored on write (articles/parts.py): written by the change path, marked
stale and rendered again when what they show changes, served by the reader's view, and the
same page whether they are used or not."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from articles import changes, pagecache, parts
from articles.models import Article, ArticleParts

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db


def stored(article):
    return ArticleParts.objects.get(article=article)


def page(client, article, **extra):
    pagecache.clear()
    response = client.get(article.get_absolute_url(), **extra)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def without_parts(client, article, **extra):
    """The page rendered from nothing (its stored parts removed for the request), then restored."""
    row = stored(article)
    ArticleParts.objects.filter(article=article).delete()
    try:
        return page(client, article, **extra)
    finally:
        row.save(force_insert=True)


def edit(rows, **kwargs):
    """Change an author, tag or entity as the admin does: the row, then the change path."""
    with changes.atomic():
        for row in rows:
            for name, value in kwargs.items():
                setattr(row, name, value)
            row.save()
        kind = {"author": "authors", "tag": "tags", "entity": "entities"}[rows[0]._meta.model_name]
        changes.apply(**{kind: [row.pk for row in rows]})


@pytest.fixture
def story():
    """An article with an author, tags, an entity of each kind and two related articles.

    Written inside changes.atomic(), as the admin and ingest write: a factory's rows written
    outside it would mark every stored part stale (the guard triggers' key "all")."""
    with changes.atomic():
        author = AuthorFactory(name="Dana Levi", bio="Covers energy. @danalevi")
        kinds = [("Ada Obi", "PERSON"), ("Gdańsk", "PLACE")]
        entities = [EntityFactory(name=name, kind=kind) for name, kind in kinds]
        tag = TagFactory(name="energy")
        older = ArticleFactory(title="Older story", entities=entities, tags=[tag])
        other = ArticleFactory(title="Other story", entities=entities[:1], tags=[tag])
        article = ArticleFactory(title="The story", author=author, entities=entities, tags=[tag, "grid"])
    return article, author, entities, tag, [older, other]


class TestWrittenOnWrite:
    def test_a_save_stores_the_parts_of_the_current_version(self, story):
        article, author, entities, tag, related = story
        row = stored(article)
        assert row.version == parts.version()
        assert "The story" in row.main and "Ada Obi" in row.main and "Older story" in row.main
        assert '"@type":"NewsArticle"' in row.meta and row.origin in row.meta
        assert {f"article:{article.pk}", f"author:{author.pk}", f"tag:{tag.pk}", f"entity:{entities[0].pk}"} <= set(
            row.keys
        )
        assert {f"article:{r.pk}" for r in related} <= set(row.keys)

    def test_drafts_have_no_parts(self):
        draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
        assert not ArticleParts.objects.filter(article=draft).exists()

    def test_unpublishing_removes_them(self, story):
        article = story[0]
        with changes.atomic():
            Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
            changes.apply(articles=[article.pk])
        assert not ArticleParts.objects.filter(article=article).exists()


class TestStaleAndRenderedAgain:
    def test_an_entity_renamed(self, client, story):
        article, _, entities, _, related = story
        edit([entities[0]], name="Ada Obi-Ware")
        assert stored(article).version == parts.version()
        assert "Ada Obi-Ware" in stored(article).main
        assert "Ada Obi-Ware" in stored(related[0]).main  # every article that shows it
        assert "Ada Obi-Ware" in page(client, article)

    def test_a_tag_renamed(self, client, story):
        article, _, _, tag, _ = story
        edit([tag], name="power")
        assert ">power</a>" in stored(article).main
        assert '<meta property="article:tag" content="power">' in page(client, article)

    def test_an_author_renamed(self, client, story):
        article, author, *_ = story
        edit([author], name="Dana Levi-Cohen", twitter="dlc")
        row = stored(article)
        assert "Dana Levi-Cohen" in row.main and "@dlc" in row.main and '"name":"Dana Levi-Cohen"' in row.meta

    def test_a_related_article_retitled_or_unpublished(self, client, story):
        article, *_, related = story
        with changes.atomic():
            Article.objects.filter(pk=related[0].pk).update(title="Older story, corrected")
            changes.apply(articles=[related[0].pk])
        assert "Older story, corrected" in stored(article).main
        with changes.atomic():
            Article.objects.filter(pk=related[0].pk).update(status=Article.Status.DRAFT)
            changes.apply(articles=[related[0].pk])
        assert "Older story" not in stored(article).main
        assert "Older story" not in page(client, article)

    def test_an_unrelated_change_leaves_them(self, story):
        article = story[0]
        before = stored(article).rendered_at
        ArticleFactory(title="Unrelated", entities=[EntityFactory(name="Nobody Else")])
        assert stored(article).rendered_at == before

    def test_an_admin_save_renders_its_article_and_leaves_others(self, client, story):
        from django.contrib.auth import get_user_model

        from .test_admin import article_form

        article, _, _, _, related = story
        before = stored(related[1]).rendered_at
        client.force_login(get_user_model().objects.create_superuser("editor", password="irrelevant-in-tests"))
        response = client.post(
            f"/admin/articles/article/{article.pk}/change/", article_form(article, title="The story, revised")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert "The story, revised" in stored(article).main
        assert stored(related[1]).rendered_at == before  # not shown on its page: left as it was
        assert parts.missing_or_stale() == []

    def test_a_write_outside_the_change_path_is_never_served_stale(self, client, story):
        article, *_ = story
        with connection.cursor() as cursor:  # changes.atomic()'s mark lasts as long as the test's transaction
            cursor.execute("SELECT set_config('newsroom.change_path', '', true)")
        Article.objects.filter(pk=article.pk).update(title="Changed by hand")  # psql, say
        assert "<h1>Changed by hand</h1>" in page(client, article)
        assert article.pk in parts.missing_or_stale()

    def test_many_are_rendered_by_a_job(self, settings, story):
        article, _, entities, _, related = story
        settings.PARTS_INLINE_MAX = 1  # three articles show the entity: a job (run at once in tests)
        edit([entities[0]], name="Ada Obi-Ware")
        from articles.jobs import Job

        job = Job.objects.get(kind="parts")
        assert job.state == "done" and job.result["rendered"] == 3
        assert all("Ada Obi-Ware" in stored(a).main for a in [article, *related])

    def test_another_version_is_stale(self, client, story, django_assert_num_queries):
        article = story[0]
        ArticleParts.objects.filter(article=article).update(version="0123456789abcdef")
        assert parts.missing_or_stale() == [article.pk]
        pagecache.clear()
        with django_assert_num_queries(3):  # page cache state; the article and its parts (old); for_detail()
            client.get(article.get_absolute_url())


class TestServed:
    def test_the_view_uses_them_in_one_query(self, client, story, django_assert_num_queries):
        article = story[0]
        ArticleParts.objects.filter(article=article).update(main="<p>stored main</p>")
        pagecache.clear()
        with django_assert_num_queries(2):  # page cache state; the article with its parts
            content = client.get(article.get_absolute_url()).content.decode()
        assert "<p>stored main</p>" in content

    def test_the_same_page_with_and_without_them(self, client, story):
        for article in [story[0], *story[4]]:
            assert page(client, article) == without_parts(client, article)

    def test_the_request_host_in_absolute_addresses(self, client, settings, story):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "news.example.org"]
        article = story[0]
        content = page(client, article, HTTP_HOST="news.example.org")
        assert stored(article).origin not in content
        assert f'"url":"http://news.example.org{article.get_absolute_url()}"' in content
        assert content == without_parts(client, article, HTTP_HOST="news.example.org")

    def test_a_scheduled_article_is_not_served_before_its_time(self, client):
        soon = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
        assert not ArticleParts.objects.filter(article=soon).exists()
        assert client.get(soon.get_absolute_url()).status_code == 404

    def test_a_preview_shows_the_banner_and_is_never_stored(self, client, django_user_model):
        from articles.roles import create_editor

        draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
        editor = create_editor("editor", password="plum-kettle-harbour-42")
        client.force_login(editor)
        assert "Draft — not visible to the public." in client.get(draft.get_absolute_url()).content.decode()
        assert not ArticleParts.objects.filter(article=draft).exists()
