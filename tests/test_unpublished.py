"""Nothing known only from unpublished articles reaches the public.

A name that appears only in drafts or scheduled articles (an entity, a tag, an
author) is never suggested, carded or named by search; an old address of an
article that is now a draft does not lead to it; previews are for editors only
and never stored by a cache.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from articles import changes, pagecache
from articles.models import Article, Entity, SlugRedirect
from articles.roles import EDITORS_GROUP, create_editor

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

# Names that appear nowhere in the starter vocabulary or the test data.
SECRET_PERSON = "Quentin Zarvelle"
SECRET_ALIAS = "Q. Zarvelle"
SECRET_TAG = "zeppelinworks"
SECRET_AUTHOR = "Hollis Vantrump"
PASSWORD = "plum-kettle-harbour-42"


def unpublished(**fields):
    """A draft and a scheduled article, both carrying `fields`."""
    later = timezone.now() + datetime.timedelta(days=3)
    return [
        ArticleFactory(status=Article.Status.DRAFT, published_at=None, **fields),
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=later, **fields),
    ]


def search(client, **params):
    pagecache.clear()
    return client.get("/search/", params)


@pytest.fixture
def secret_entity():
    entity = EntityFactory(name=SECRET_PERSON, kind=Entity.Kind.PERSON, aliases=[SECRET_ALIAS])
    unpublished(title="Draft about a newcomer", entities=[entity])
    return entity


class TestSearchNamesOnlyPublicThings:
    @pytest.mark.parametrize("query", [SECRET_PERSON, "Zarvelle", SECRET_ALIAS])
    def test_no_entity_card_for_a_name_only_drafts_mention(self, client, secret_entity, query):
        ArticleFactory(title="Public story about harbours")
        response = search(client, q=query)
        assert response.status_code == 200
        assert response.context["results"].cards == []
        content = response.content.decode().replace(query, "")  # the query itself is echoed
        assert SECRET_PERSON not in content and secret_entity.slug not in content

    def test_the_card_appears_once_a_public_article_mentions_it(self, client, secret_entity):
        ArticleFactory(title="Newcomer speaks", entities=[secret_entity])
        cards = search(client, q="Zarvelle").context["results"].cards
        assert [(card.entity, card.article_count) for card in cards] == [(secret_entity, 1)]

    @pytest.mark.parametrize("query", ["Zarvele", "Zarvelle Quentn"])
    def test_did_you_mean_never_offers_an_entity_only_drafts_mention(self, client, secret_entity, query):
        response = search(client, q=query)
        assert response.context["results"].suggestions == []
        assert "Zarvelle" not in response.content.decode().replace(query, "")

    def test_did_you_mean_never_offers_a_tag_only_drafts_carry(self, client):
        unpublished(tags=[TagFactory(name=SECRET_TAG)])
        response = search(client, q="zepelinworks")
        assert response.context["results"].suggestions == []
        assert SECRET_TAG not in response.content.decode()
        ArticleFactory(tags=[TagFactory(name=SECRET_TAG)])  # now public: suggested
        assert [text for text, _ in search(client, q="zepelinworks").context["results"].suggestions] == [SECRET_TAG]

    def test_a_filter_on_a_name_only_drafts_carry_is_a_400_that_names_nothing(self, client, secret_entity):
        author = AuthorFactory(name=SECRET_AUTHOR)
        tag = TagFactory(name=SECRET_TAG)
        unpublished(author=author, tags=[tag])
        ArticleFactory(title="Public story")
        unknown = search(client, q="story", author="no-such-author")
        assert unknown.status_code == 400
        for params in ({"author": author.slug}, {"tag": tag.slug}, {"entity": secret_entity.slug}):
            response = search(client, q="story", **params)
            assert response.status_code == 400, params
            content = response.content.decode()
            for name in (SECRET_AUTHOR, SECRET_TAG.capitalize(), SECRET_PERSON):
                assert name not in content, (params, name)
            kind, slug = next(iter(params.items()))
            # Word for word what an unknown slug gets: nothing tells the two apart.
            assert response.context["error"] == f"There is no {kind} “{slug}”: remove that filter to search again."
        # The author's own page is a 404 as well.
        assert client.get(author.get_absolute_url()).status_code == 404

    def test_public_filters_still_work_and_are_labelled(self, client):
        author = AuthorFactory(name="Public Writer")
        ArticleFactory(title="Public story", author=author)
        response = search(client, q="story", author=author.slug)
        assert response.status_code == 200
        active = response.context["results"].active_filters
        assert [(kind, label) for kind, label, _ in active] == [("Author", "Public Writer")]


class TestOldAddresses:
    def test_an_old_address_of_an_article_that_is_now_a_draft_is_a_404(self, client):
        article = ArticleFactory(slug="secret-merger-talks-collapse")
        SlugRedirect.objects.record("merger-talks", article)
        assert client.get("/articles/merger-talks/").status_code == 301
        assert client.get("/articles/merger-talks/")["Location"] == "/articles/secret-merger-talks-collapse/"
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
        changes.apply(articles=[article.pk])
        response = client.get("/articles/merger-talks/")
        assert response.status_code == 404
        assert "secret-merger" not in response.content.decode()
        assert "Location" not in response

    def test_an_old_address_of_a_scheduled_article_is_a_404_until_its_time(self, client):
        article = ArticleFactory(slug="budget-leak", published_at=timezone.now() + datetime.timedelta(hours=2))
        SlugRedirect.objects.record("budget", article)
        assert client.get("/articles/budget/").status_code == 404

    def test_old_addresses_of_authors_tags_and_entities_known_only_from_drafts_are_404(self, client, secret_entity):
        author, tag = AuthorFactory(name=SECRET_AUTHOR), TagFactory(name=SECRET_TAG)
        unpublished(author=author, tags=[tag])
        SlugRedirect.objects.record("old-author", author)
        SlugRedirect.objects.record("old-tag", tag)
        SlugRedirect.objects.record("old-entity", secret_entity)
        for path in ["/authors/old-author/", "/tags/old-tag/feed/", "/entities/old-entity/"]:
            response = client.get(path)
            assert response.status_code == 404, path
        ArticleFactory(author=author, tags=[tag], entities=[secret_entity])
        for path in ["/authors/old-author/", "/tags/old-tag/feed/", "/entities/old-entity/"]:
            assert client.get(path).status_code == 301, path


class TestPreview:
    @pytest.fixture
    def draft(self):
        return ArticleFactory(title="Embargoed budget", status=Article.Status.DRAFT, published_at=None)

    def test_editors_preview_drafts_and_no_cache_keeps_the_page(self, draft):
        editor = Client()
        editor.force_login(create_editor("editor", password=PASSWORD))
        response = editor.get(draft.get_absolute_url())
        assert response.status_code == 200
        assert "Draft — not visible to the public." in response.content.decode()
        assert set(response["Cache-Control"].replace(" ", "").split(",")) >= {"private", "no-store"}
        scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
        assert "no-store" in editor.get(scheduled.get_absolute_url())["Cache-Control"]
        # A public article is not a preview.
        assert "no-store" not in editor.get(ArticleFactory().get_absolute_url()).get("Cache-Control", "")

    def test_staff_status_alone_does_not_preview(self, client, draft):
        staff = get_user_model().objects.create_user("clerk", password=PASSWORD, is_staff=True)
        client.force_login(staff)
        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_the_permission_alone_previews_and_superusers_have_it(self, client, draft):
        user = get_user_model().objects.create_user("reviewer", password=PASSWORD, is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="preview_article"))
        client.force_login(user)
        assert client.get(draft.get_absolute_url()).status_code == 200
        admin = Client()
        admin.force_login(get_user_model().objects.create_superuser("root", password=PASSWORD))
        assert admin.get(draft.get_absolute_url()).status_code == 200

    def test_the_editors_group_has_the_permission(self):
        assert Group.objects.get(name=EDITORS_GROUP).permissions.filter(codename="preview_article").exists()


class TestOneRule:
    def test_a_loaded_row_is_public_exactly_when_published_finds_it(self):
        now = timezone.now()
        articles = [
            ArticleFactory(status=Article.Status.DRAFT, published_at=None),
            ArticleFactory(status=Article.Status.DRAFT, published_at=now - datetime.timedelta(days=1)),
            ArticleFactory(status=Article.Status.PUBLISHED, published_at=now - datetime.timedelta(days=1)),
            ArticleFactory(status=Article.Status.PUBLISHED, published_at=now + datetime.timedelta(days=1)),
            ArticleFactory(status=Article.Status.PUBLISHED, published_at=now - datetime.timedelta(seconds=1)),
        ]
        public = set(Article.objects.published().values_list("pk", flat=True))
        assert {a.pk for a in articles if a.is_public} == public == {articles[2].pk, articles[4].pk}
        assert {a.pk for a in articles if a.is_scheduled} == {articles[3].pk}
