"""The editors' daily admin (issue 18): the site's name and icon, words in the right number,
a way back from a refused page, History that says what changed, a list that fits."""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from articles import history
from articles.models import Article, Entity, Mention, Tag
from articles.roles import create_editor

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

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

    def test_the_index_lists_one_tags_model_for_a_superuser_too(self, admin_client):
        # QA F1: django-taggit's own admin added an empty "Taggit › Tags" beside the project's Tags.
        content = admin_client.get("/admin/").content.decode()
        assert 'href="/admin/articles/tag/"' in content
        assert "/admin/taggit/" not in content and "Taggit" not in content
        assert admin_client.get("/admin/taggit/tag/").status_code == 404

    def test_lockout_page_is_branded_too(self, client):
        create_editor("someone", password="plum-kettle-harbour-42")
        for _ in range(6):
            response = client.post("/admin/login/", {"username": "someone", "password": "wrong"})
        assert response.status_code == 429
        content = response.content.decode()
        assert "<title>Too many failed logins | Newsroom</title>" in content
        assert '<div id="site-name"><a href="/admin/">Newsroom</a></div>' in content

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
        response = action(editor_client, ARTICLES, "publish", drafts, follow=True, post="yes")
        assert expected in response.content.decode()

    def test_publish_with_one_already_published(self, editor_client):
        articles = [ArticleFactory(status=Article.Status.DRAFT, published_at=None), ArticleFactory()]
        response = action(editor_client, ARTICLES, "publish", articles, follow=True, post="yes")
        assert "Published 1 article; 1 was published already." in response.content.decode()

    @pytest.mark.parametrize(
        ("count", "expected"),
        [(1, "Unpublished 1 article: it is a draft now."), (3, "Unpublished 3 articles: they are drafts now.")],
    )
    def test_unpublish_message(self, editor_client, count, expected):
        articles = [ArticleFactory() for _ in range(count)]
        response = action(editor_client, ARTICLES, "unpublish", articles, follow=True, post="yes")
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


def history_of(article):
    return list(
        LogEntry.objects.filter(object_id=str(article.pk))
        .order_by("action_time")
        .values_list("change_message", flat=True)
    )


def saves_history_of(article):
    """The History lines of the saves themselves: a save also queues its article's re-extraction
    (run at once in tests), which adds a line of its own ("Entities: + …") when the entities a
    factory stored differ from those its text names."""
    return [message for message in history_of(article) if not message.startswith("Entities: ")]


def save(client, article, **changes):
    from .test_admin import article_form

    response = client.post(f"{ARTICLES}{article.pk}/change/", article_form(article, **changes), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, response.context["adminform"].form.errors
    return response


class TestHistory:
    """History says what changed, from what to what, however the change was made."""

    def test_status_and_date_of_a_save_that_publishes(self, editor_client, settings):
        settings.TIME_ZONE = "UTC"
        draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
        response = save(editor_client, draft, status="published")
        draft.refresh_from_db()
        [message] = saves_history_of(draft)
        published = history.when(draft.published_at)
        assert message == f"Status: Draft → Published; Publication date: — → {published}"
        # The save that makes it public says where readers find it.
        url = f"http://testserver{draft.get_absolute_url()}"
        assert f'“{draft.title}” is live at <a href="{url}">{url}</a>.' in response.content.decode()

    def test_date_moved(self, editor_client, settings):
        settings.TIME_ZONE = "UTC"
        year = timezone.now().year + 1
        article = ArticleFactory(published_at=datetime.datetime(year, 12, 3, 10, 0, tzinfo=datetime.UTC))
        response = save(editor_client, article, published_at_0=f"{year}-12-04", published_at_1="09:00:00")
        assert saves_history_of(article) == [f"Publication date: 3 Dec {year} 10:00 → 4 Dec {year} 09:00"]
        assert "is live at" not in response.content.decode()  # scheduled, not live

    def test_this_years_dates_leave_the_year_out(self):
        now = timezone.now()
        assert str(now.year) not in history.when(now, now=now)

    def test_headline_author_tags_and_text(self, editor_client):
        article = ArticleFactory(title="Wind farm opens", tags=["oil", "Europe"])
        other = AuthorFactory(name="Bea Other")
        save(
            editor_client,
            article,
            title="Wind farm opens early",
            author=other.pk,
            tags="Europe, energy",
            body="A new body.\n\nWith two paragraphs.",
        )
        [message] = saves_history_of(article)
        old_author = article.author.name
        assert message == (
            f"Headline: “Wind farm opens” → “Wind farm opens early”; Body: edited; Author: {old_author} → Bea Other; "
            "Tags: + energy − oil"
        )

    def test_entities_added_removed_and_recounted(self, editor_client):
        berlin, paris, rome = (EntityFactory(name=n) for n in ["Berlin", "Paris", "Rome"])
        article = ArticleFactory(entities=[berlin, paris])
        rows = {m.entity_id: m for m in Mention.objects.filter(article=article)}
        data = {
            "mentions-TOTAL_FORMS": "3",
            "mentions-INITIAL_FORMS": "2",
            "mentions-0-id": rows[berlin.pk].pk,
            "mentions-0-article": article.pk,
            "mentions-0-entity": berlin.pk,
            "mentions-0-count": "3",
            "mentions-1-id": rows[paris.pk].pk,
            "mentions-1-article": article.pk,
            "mentions-1-entity": paris.pk,
            "mentions-1-count": "1",
            "mentions-1-DELETE": "on",
            "mentions-2-article": article.pk,
            "mentions-2-entity": rome.pk,
            "mentions-2-count": "1",
        }
        save(editor_client, article, **data)
        assert history_of(article) == ["Entities: + Rome − Paris; Berlin: 1 → 3 mentions"]

    def test_entity_rows_are_captioned_by_the_entity(self, editor_client):
        berlin = EntityFactory(name="Berlin")
        article = ArticleFactory(title="Macron visits Berlin", entities=[berlin])
        content = editor_client.get(f"{ARTICLES}{article.pk}/change/").content.decode()
        assert re.search(r'<td class="original">\s*<p>\s*Berlin\s*</p>', content)
        assert "Berlin in Macron" not in content

    def test_bulk_publish_and_unpublish(self, editor_client, settings):
        settings.TIME_ZONE = "UTC"
        undated = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
        dated = ArticleFactory(status=Article.Status.DRAFT)
        action(editor_client, ARTICLES, "publish", [undated, dated], post="yes")
        undated.refresh_from_db()
        assert history_of(dated) == ["Status: Draft → Published"]
        assert history_of(undated) == [
            f"Status: Draft → Published; Publication date: — → {history.when(undated.published_at)}"
        ]
        action(editor_client, ARTICLES, "unpublish", [dated], post="yes")
        assert history_of(dated)[-1] == "Status: Published → Draft"

    def test_bulk_tag(self, editor_client):
        article = ArticleFactory(tags=["oil"])
        action(editor_client, ARTICLES, "add_tag", [article], apply="yes", tag="energy")
        assert history_of(article) == ["Tags: + energy"]

    def test_history_page_shows_the_words(self, editor_client):
        article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
        action(editor_client, ARTICLES, "publish", [article], post="yes")
        content = editor_client.get(f"{ARTICLES}{article.pk}/history/").content.decode()
        assert "Status: Draft → Published" in content


class TestArticleList:
    def test_ingested_rows_name_the_ingest_and_dates_are_compact(self, editor_client, settings):
        settings.TIME_ZONE = "UTC"
        now = timezone.now()
        ArticleFactory(title="From a seed", ingested_at=now)
        edited = ArticleFactory(title="Edited later", ingested_at=now - datetime.timedelta(hours=1))
        save(editor_client, edited, title="Edited later on")
        old = ArticleFactory(title="Old story", published_at=datetime.datetime(2019, 3, 5, 8, 0, tzinfo=datetime.UTC))
        content = editor_client.get(ARTICLES).content.decode()
        rows = {
            title: content[content.index(title) :].split("</tr>")[0] for title in ["From a seed", "Edited later on"]
        }
        assert "ingest" in rows["From a seed"]
        assert "editor" in rows["Edited later on"] and "ingest" not in rows["Edited later on"]
        assert 'Published <span class="date">5 Mar 2019</span>' in content[content.index(old.title) :]
        assert "By kind of entity mentioned" in content
