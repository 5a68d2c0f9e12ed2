"""The editors' daily admin (issue 18): the site's name and icon, words in the right number,
and a way back from a refused page."""

import pytest
from django.contrib.admin.models import LogEntry

from articles.models import Article, Entity, Tag
from articles.roles import create_editor

from .factories import ArticleFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(create_editor("editor", password="plum-kettle-harbour-42"))
    return client


ARTICLES = "/admin/articles/article/"


def action(client, url, name, objects, follow=False, **extra):
    data = {"action": name, "_selected_action": [o.pk for o in objects], **extra}
    return client.post(url, data, follow=follow)


class TestBranding:
    def test_header_title_and_index_name_the_site(self, editor_client, settings):
        content = editor_client.get("/admin/").content.decode()
        assert '<div id="site-name"><a href="/admin/">Newsroom</a></div>' in content
        assert "<title>Newsroom | Newsroom</title>" in content
        assert "Django administration" not in content and "Django site admin" not in content

    def test_the_name_comes_from_settings(self, editor_client, settings):
        from django.contrib import admin

        assert admin.site.site_header == settings.SITE_NAME == "Newsroom"
        assert not admin.site.enable_nav_sidebar  # the list gets the screen's width

    def test_icon_and_colours_are_linked(self, editor_client):
        content = editor_client.get(ARTICLES).content.decode()
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in content
        assert 'href="/static/admin/newsroom.css"' in content
        assert 'id="nav-sidebar"' not in content

    def test_login_page_is_branded_too(self, client):
        content = client.get("/admin/login/").content.decode()
        assert ">Newsroom</a>" in content and "favicon.svg" in content


class TestIcon:
    def test_favicon_ico_is_served_at_the_root(self, client):
        response = client.get("/favicon.ico")
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
        assert b"\x89PNG" in body

    def test_public_pages_link_the_icon(self, client):
        assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").content.decode()


class TestForbidden:
    def test_admin_403_leads_back_to_the_admin(self, editor_client):
        response = editor_client.get("/admin/auth/user/")
        assert response.status_code == 403
        content = response.content.decode()
        assert '<a href="/admin/">Back to the Newsroom front page</a>' in content
        assert "signed in as “editor”" in content

    def test_public_403_keeps_the_site_page(self, rf):
        from django.core.exceptions import PermissionDenied

        from newsroom.errors import permission_denied

        response = permission_denied(rf.get("/articles/x/"), PermissionDenied())
        assert response.status_code == 403
        assert "Go to the latest articles" in response.content.decode()


class TestPluralForms:
    @pytest.mark.parametrize(
        ("count", "expected"),
        [(1, "Published 1 article."), (2, "Published 2 articles.")],
    )
    def test_publish_message(self, editor_client, count, expected):
        drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(count)]
        response = action(editor_client, ARTICLES, "publish", drafts, follow=True)
        assert expected in response.content.decode()

    def test_publish_with_one_already_published(self, editor_client):
        articles = [ArticleFactory(status=Article.Status.DRAFT, published_at=None), ArticleFactory()]
        response = action(editor_client, ARTICLES, "publish", articles, follow=True)
        assert "Published 1 article; 1 was published already." in response.content.decode()

    @pytest.mark.parametrize(
        ("count", "expected"),
        [(1, "Unpublished 1 article: it is a draft now."), (3, "Unpublished 3 articles: they are drafts now.")],
    )
    def test_unpublish_message(self, editor_client, count, expected):
        articles = [ArticleFactory() for _ in range(count)]
        response = action(editor_client, ARTICLES, "unpublish", articles, follow=True)
        assert expected in response.content.decode()

    def test_add_tag_message(self, editor_client):
        article = ArticleFactory()
        response = action(editor_client, ARTICLES, "add_tag", [article], apply="yes", tag="wind", follow=True)
        assert "Tagged 1 article “wind” (a new tag)." in response.content.decode()

    @pytest.mark.parametrize(("count", "words"), [(1, "1 article mentions"), (2, "2 articles mention")])
    def test_search_entity_card(self, client, count, words):
        putin = Entity.objects.get(name="Vladimir Putin")
        for n in range(count):
            ArticleFactory(title=f"Putin visit {n}", entities=[putin])
        content = client.get("/search/", {"q": "Putin"}).content.decode()
        assert f"{words} Vladimir Putin →" in content

    @pytest.mark.parametrize(
        ("count", "words"), [(1, "1 article matches “lithium”"), (2, "2 articles match “lithium”")]
    )
    def test_search_total(self, client, count, words):
        for n in range(count):
            ArticleFactory(title=f"Lithium deal {n}")
        assert words in client.get("/search/", {"q": "lithium"}).content.decode()


class TestMergePage:
    def test_columns_say_what_they_count(self, editor_client):
        entities = [EntityFactory(name="Kyiv"), EntityFactory(name="Kiev")]
        content = action(editor_client, "/admin/articles/entity/", "merge_selected", entities).content.decode()
        assert '<th scope="col">Articles mentioning it</th>' in content
        tags = [TagFactory(name="wind"), TagFactory(name="wind power")]
        content = action(editor_client, "/admin/articles/tag/", "merge_selected", tags).content.decode()
        assert '<th scope="col">Articles tagged</th>' in content

    def test_merge_history_counts_in_the_right_number(self, editor_client):
        keep, other = TagFactory(name="wind"), TagFactory(name="wind power")
        ArticleFactory(tags=[other])
        action(editor_client, "/admin/articles/tag/", "merge_selected", [keep, other], confirm="yes", survivor=keep.pk)
        assert Tag.objects.filter(pk=other.pk).count() == 0
        entry = LogEntry.objects.filter(object_id=str(keep.pk)).latest("action_time")
        assert entry.change_message == "Merged “wind power” into this tag (1 tagged article moved)."
