"""The admin as editors use it, through real HTTP requests."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article, Entity, Mention

from .factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")
    client.force_login(user)
    return client


def article_form(article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "author": article.author_id or "",
        "tags": "",
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
        "mentions-MIN_NUM_FORMS": "0",
        "mentions-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_saving_an_article_shows_on_the_site_at_once_and_re_extracts_entities(editor_client, client):
    article = ArticleFactory(body="Nothing to see.", author=AuthorFactory(name="Ada Byline"))
    response = editor_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(article, title="Moscow talks resume", body="Officials met in Moscow on Monday."),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.edited_by.username == "editor"
    assert "Moscow talks resume" in client.get("/").content.decode()
    assert set(article.entities.values_list("name", flat=True)) == {"Moscow", "Ada Byline"}


def test_pinned_entities_are_kept(editor_client):
    moscow = Entity.objects.get(name="Moscow")
    article = ArticleFactory(body="Officials met in Moscow.", entities_pinned=True, entities=[moscow])
    editor_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(article, body="Officials met in Paris.", entities_pinned="on"),
    )
    assert list(article.entities.values_list("name", flat=True)) == ["Moscow"]


def test_editing_the_entity_list_by_hand_pins_it(editor_client):
    article = ArticleFactory(body="Officials met in Moscow.")
    paris = Entity.objects.get(name="Paris")
    data = article_form(article)
    data.update(
        {
            "mentions-TOTAL_FORMS": "1",
            "mentions-0-entity": paris.pk,
            "mentions-0-count": "1",
            "mentions-0-article": article.pk,
        }
    )
    response = editor_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.entities_pinned
    assert list(Mention.objects.filter(article=article).values_list("entity__name", flat=True)) == ["Paris"]


def test_admin_pages_load(editor_client):
    ArticleFactory()
    for url in [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/entity/",
        "/admin/articles/author/",
        "/admin/articles/tag/",
    ]:
        assert editor_client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert Article.objects.count() == 0
