"""The admin as editors use it, through real HTTP requests, as a member of the Editors group."""

import datetime
import io
import re

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from articles.entities.relink import reextract
from articles.ingest import ingest_paths
from articles.models import Article, Author, Entity, Mention, SlugRedirect, Tag
from articles.roles import EDITOR_PERMISSIONS, EDITORS_GROUP, create_editor

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

PASSWORD = "plum-kettle-harbour-42"


@pytest.fixture
def editor():
    return create_editor("editor", email="editor@example.org", password=PASSWORD)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def article_form(article=None, **changes):
    data = {
        "title": article.title if article else "",
        "slug": article.slug if article else "",
        "dek": article.dek if article else "",
        "body": article.body if article else "",
        "author": (article.author_id or "") if article else "",
        "tags": "",
        "status": article.status if article else "draft",
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article and article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article and article.published_at else "",
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
        "mentions-MIN_NUM_FORMS": "0",
        "mentions-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def action(client, url, name, objects, **extra):
    data = {"action": name, "_selected_action": [o.pk for o in objects], **extra}
    return client.post(url, data)


def errors_of(response):
    return response.context["adminform"].form.errors if response.context and "adminform" in response.context else {}


class TestRoles:
    def test_the_editors_group_has_exactly_the_editor_permissions(self):
        group = Group.objects.get(name=EDITORS_GROUP)
        granted = sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        assert granted == EDITOR_PERMISSIONS
        assert not any(p.startswith(("auth.", "admin.", "axes.")) for p in granted)

    def test_editors_cannot_manage_accounts_groups_or_the_log(self, editor_client):
        for url in ["/admin/auth/user/", "/admin/auth/group/", "/admin/axes/accessattempt/"]:
            assert editor_client.get(url).status_code == 403, url

    def test_createeditor_reads_the_password_from_stdin(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        out = io.StringIO()
        call_command("createeditor", "alice", "--email", "alice@example.org", "--password-stdin", stdout=out)
        user = get_user_model().objects.get(username="alice")
        assert user.is_staff and not user.is_superuser
        assert user.check_password(PASSWORD)
        assert list(user.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
        assert "Created editor 'alice'" in out.getvalue()

    def test_createeditor_reads_the_password_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("NEWSROOM_EDITOR_PASSWORD", PASSWORD)
        call_command("createeditor", "bob", stdout=io.StringIO())
        assert get_user_model().objects.get(username="bob").check_password(PASSWORD)

    def test_createeditor_refuses_weak_passwords_and_taken_names(self, monkeypatch, editor):
        monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n"))
        with pytest.raises(CommandError, match="password refused"):
            call_command("createeditor", "carol", "--password-stdin")
        assert not get_user_model().objects.filter(username="carol").exists()
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        with pytest.raises(CommandError, match="already exists"):
            call_command("createeditor", "Editor", "--password-stdin")

    def test_createeditor_without_a_terminal_or_password_says_how(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        monkeypatch.delenv("NEWSROOM_EDITOR_PASSWORD", raising=False)
        with pytest.raises(CommandError, match="--password-stdin"):
            call_command("createeditor", "dave")


class TestAccess:
    ADMIN_URLS = [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/entity/",
        "/admin/articles/author/",
        "/admin/articles/tag/",
        "/admin/articles/tag/suggest/?q=a",
        "/admin/articles/slugredirect/",
    ]

    def test_anonymous_users_are_sent_to_login(self, client):
        article = ArticleFactory()
        for url in [*self.ADMIN_URLS, f"/admin/articles/article/{article.pk}/change/"]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url

    def test_non_staff_users_are_sent_to_login(self, client):
        user = get_user_model().objects.create_user("reader", password=PASSWORD)
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))  # even with the permissions
        client.force_login(user)
        for url in self.ADMIN_URLS:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url
        response = client.post("/admin/articles/article/add/", article_form(title="Sneaky", dek="d", body="b"))
        assert response.status_code == 302
        assert not Article.objects.filter(title="Sneaky").exists()

    def test_csrf_is_enforced(self, editor):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(editor)
        response = strict.post("/admin/articles/article/add/", article_form(title="No token", dek="d", body="b"))
        assert response.status_code == 403
        assert not Article.objects.filter(title="No token").exists()


class TestQueryCounts:
    """Every admin page runs a fixed number of queries, whether it shows one row or many."""

    @pytest.fixture
    def rows(self):
        def make(n):
            tag = TagFactory(name="energy")
            entities = [EntityFactory(kind=kind) for kind in Entity.Kind.values]
            editor = get_user_model().objects.create_user("someone", password=PASSWORD, is_staff=True)
            for i in range(n):
                article = ArticleFactory(tags=[tag, f"extra {i % 4}"], entities=entities, author=AuthorFactory())
                Article.objects.filter(pk=article.pk).update(edited_by=editor, edited_at=timezone.now())

        return make

    @pytest.mark.parametrize("n", [1, 40])
    @pytest.mark.parametrize(
        "url, queries",
        [
            # Each page: session, user, the user's and the group's permissions, then its own.
            # Articles: count (not the whole archive's too), the page (authors, editors and entity
            # counts joined), its tags, the author and tag filters' choices, the date hierarchy's years.
            ("/admin/articles/article/", 11),
            ("/admin/articles/article/?state=live&entity_kind=PLACE&q=story", 11),
            # Entities, authors, tags: count, total count, the page with its article counts.
            ("/admin/articles/entity/", 7),
            ("/admin/articles/author/", 7),
            ("/admin/articles/tag/", 7),
            # The desk: its five lists (scheduled, drafts, the last ingest and its articles, new
            # entities), and the recent actions.
            ("/admin/", 10),
        ],
    )
    def test_list_pages(self, editor_client, rows, django_assert_num_queries, n, url, queries):
        rows(n)
        editor_client.get(url)  # warm Django's process-wide caches (content types)
        with django_assert_num_queries(queries):
            response = editor_client.get(url)
        assert response.status_code == 200

    @pytest.mark.parametrize("n", [1, 40])
    def test_article_change_form(self, editor_client, django_assert_num_queries, n):
        article = ArticleFactory(tags=["energy", "grid"])
        Mention.objects.bulk_create(Mention(article=article, entity=EntityFactory(), count=1) for _ in range(n))
        editor_client.get(f"/admin/articles/article/{article.pk}/change/")
        # session, user, article, permissions (2), its tags, its mentions with their entities, content type
        with django_assert_num_queries(8):
            response = editor_client.get(f"/admin/articles/article/{article.pk}/change/")
        assert response.status_code == 200
        assert response.content.decode().count('name="mentions-') >= n

    def test_article_add_form(self, editor_client, django_assert_num_queries):
        editor_client.get("/admin/articles/article/add/")
        with django_assert_num_queries(4):
            response = editor_client.get("/admin/articles/article/add/")
        assert response.status_code == 200


class TestArticleList:
    def test_columns(self, editor_client, editor):
        article = ArticleFactory(title="Grid story", tags=["energy", "Europe"], entities=[EntityFactory()])
        Article.objects.filter(pk=article.pk).update(edited_by=editor)
        ArticleFactory(title="Later story", published_at=timezone.now() + datetime.timedelta(days=2))
        ArticleFactory(title="Draft story", status=Article.Status.DRAFT)
        content = editor_client.get("/admin/articles/article/").content.decode()
        for text in ["Grid story", "energy, Europe", "Scheduled", "Draft", "Published", ">editor<"]:
            assert text in content, text

    def test_filters_and_search(self, editor_client):
        place = EntityFactory(kind=Entity.Kind.PLACE)
        person = EntityFactory(kind=Entity.Kind.PERSON)
        tag = TagFactory(name="energy")
        live = ArticleFactory(title="Live about grid", entities=[place], tags=[tag])
        scheduled = ArticleFactory(title="Scheduled one", published_at=timezone.now() + datetime.timedelta(days=1))
        draft = ArticleFactory(title="Draft one", status=Article.Status.DRAFT, entities=[person], body="Wind farms.")

        def titles(query):
            response = editor_client.get("/admin/articles/article/?" + query)
            assert response.status_code == 200, query
            return {a.title for a in response.context["cl"].result_list}

        assert titles("state=draft") == {draft.title}
        assert titles("state=scheduled") == {scheduled.title}
        assert titles("state=live") == {live.title}
        assert titles("entity_kind=PLACE") == {live.title}
        assert titles(f"tag={tag.pk}") == {live.title}
        assert titles(f"author={draft.author_id}") == {draft.title}
        assert titles(f"entity={person.pk}") == {draft.title}
        assert titles("q=wind+farms") == {draft.title}
        assert titles("q=GRID") == {live.title}
        assert titles("tag=nonsense") == set()
        assert titles("o=-6") == {live.title, scheduled.title, draft.title}  # sort by entity count

    def test_the_author_and_tag_filters_offer_those_with_the_most_public_articles_first(self, editor_client):
        prolific, drafting = AuthorFactory(name="Prolific Writer"), AuthorFactory(name="Drafting Writer")
        busy, quiet = TagFactory(name="busy tag"), TagFactory(name="quiet tag")
        for _ in range(2):
            ArticleFactory(author=prolific, tags=[busy])
        ArticleFactory(author=drafting, tags=[quiet])
        for _ in range(3):  # drafts are not counted: readers do not see them
            ArticleFactory(author=drafting, tags=[quiet], status=Article.Status.DRAFT)
        content = editor_client.get("/admin/articles/article/").content.decode()
        assert content.index("Prolific Writer") < content.index("Drafting Writer")
        assert content.index(">busy tag<") < content.index(">quiet tag<")

    def test_search_reads_the_headline_and_dek_trigram_indexes_and_the_search_entries(self, editor_client):
        from django.contrib import admin
        from django.db import connection

        from articles.admin.articles import ArticleAdmin

        ArticleFactory(title="Harbour plan", dek="Cranes.", body="Wind farms at sea.")
        ArticleFactory(title="Grid", dek="Prices rose 50% again.", body="Cables.")
        search = ArticleAdmin(Article, admin.site).get_search_results
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")  # a test table is too small for the planner to bother
            plan = search(None, Article.objects.all(), "wind farm")[0].explain()
            cursor.execute("SET enable_seqscan = on")
        for index in ("article_title_trgm_idx", "article_dek_trgm_idx", "searchentry_words_date_idx"):
            assert index in plan

        def titles(term):
            return set(search(None, Article.objects.all(), term)[0].values_list("title", flat=True))

        assert titles("WIND farm") == {"Harbour plan"}  # the body's words, stemmed, any case
        assert titles("bour pla") == {"Harbour plan"}  # the headline: any part of it
        assert titles("se 50% ag") == {"Grid"}  # the dek: any part of it
        assert titles("rose_5%") == set()  # LIKE wildcards are literal
        assert titles('"farms at sea"') == {"Harbour plan"}  # the site's query syntax
        assert titles("wind -sea") == set()
        assert titles("   ") == {"Harbour plan", "Grid"}
        response = editor_client.get("/admin/articles/article/", {"q": "farms"})
        assert response.status_code == 200
        assert [a.title for a in response.context["cl"].result_list] == ["Harbour plan"]


class TestEditingArticles:
    def test_create_with_a_new_tag_and_an_existing_author_then_schedule_preview_and_publish(self, editor_client):
        client = Client()  # anonymous
        author = AuthorFactory(name="Ada Byline")
        TagFactory(name="Energy")
        later = timezone.now() + datetime.timedelta(days=3)
        response = editor_client.post(
            "/admin/articles/article/add/",
            article_form(
                title="Tidal power comes of age",
                dek="A new barrage opens.",
                body="First paragraph.\r\n\r\nSecond paragraph.",
                author=author.pk,
                tags="energy, Tidal power, tidal POWER",
                status="published",
                published_at_0=later.strftime("%Y-%m-%d"),
                published_at_1=later.strftime("%H:%M:%S"),
            ),
        )
        assert response.status_code == 302, errors_of(response)
        article = Article.objects.get(title="Tidal power comes of age")
        assert article.slug == "tidal-power-comes-of-age"
        assert article.body == "First paragraph.\n\nSecond paragraph."
        assert sorted(article.tags.names()) == ["Energy", "Tidal power"]  # existing spelling, no case duplicate
        assert Tag.objects.filter(name__iexact="energy").count() == 1
        assert article.edited_by.username == "editor"

        # Scheduled: hidden from the public, previewable by editors.
        assert "Tidal power" not in client.get("/").content.decode()
        assert client.get(article.get_absolute_url()).status_code == 404
        preview = editor_client.get(article.get_absolute_url())
        assert preview.status_code == 200
        assert "Tidal power comes of age" in preview.content.decode()
        change = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
        assert f'href="{article.get_absolute_url()}"' in change and "Preview" in change

        # Published now, through the change form.
        now = timezone.now() - datetime.timedelta(minutes=1)
        article.refresh_from_db()
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            article_form(
                article,
                tags="Energy, Tidal power",
                published_at_0=now.strftime("%Y-%m-%d"),
                published_at_1=now.strftime("%H:%M:%S"),
            ),
        )
        assert response.status_code == 302, errors_of(response)
        assert "Tidal power comes of age" in client.get("/").content.decode()
        assert client.get(author.get_absolute_url()).status_code == 200
        assert (
            "Tidal power comes of age"
            in client.get(Tag.objects.get(name="Tidal power").get_absolute_url()).content.decode()
        )

    def test_publishing_without_a_date_means_now(self, editor_client):
        response = editor_client.post(
            "/admin/articles/article/add/", article_form(title="Now", dek="d", body="b", status="published")
        )
        assert response.status_code == 302, errors_of(response)
        article = Article.objects.get(title="Now")
        assert article.is_public

    def test_a_taken_slug_is_a_clear_error_and_an_empty_slug_gets_a_free_one(self, editor_client):
        ArticleFactory(title="Floods", slug="floods")
        response = editor_client.post(
            "/admin/articles/article/add/", article_form(title="Floods", slug="floods", dek="d", body="b")
        )
        assert response.status_code == 200
        assert "already belongs to “Floods”" in str(errors_of(response)["slug"])
        assert "floods-2" in str(errors_of(response)["slug"])
        response = editor_client.post("/admin/articles/article/add/", article_form(title="Floods", dek="d", body="b"))
        assert response.status_code == 302
        assert Article.objects.filter(slug="floods-2").exists()

    def test_changing_a_slug_redirects_the_old_address(self, editor_client):
        client = Client()  # anonymous
        article = ArticleFactory(slug="old-address")
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/change/", article_form(article, slug="new-address")
        )
        assert response.status_code == 302, errors_of(response)
        response = client.get("/articles/old-address/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/new-address/"
        # Changing it back makes the first address live again, with no redirect loop.
        article.refresh_from_db()
        editor_client.post(f"/admin/articles/article/{article.pk}/change/", article_form(article, slug="old-address"))
        assert client.get("/articles/old-address/").status_code == 200
        assert client.get("/articles/new-address/")["Location"] == "/articles/old-address/"

    def test_at_most_25_tags_and_none_of_punctuation_only(self, editor_client):
        names = ", ".join(f"qtag{i}" for i in range(26))
        response = editor_client.post("/admin/articles/article/add/", article_form(title="T", body="B", tags=names))
        assert response.status_code == 200
        assert "at most 25 tags" in str(errors_of(response)["tags"])
        response = editor_client.post("/admin/articles/article/add/", article_form(title="T", body="B", tags="a, !!!"))
        assert "needs a letter or a digit" in str(errors_of(response)["tags"])
        assert not Article.objects.exists()

    @pytest.mark.parametrize("day, why", [("0001-01-01", "before 1900"), ("1850-06-01", "before 1900"),
                                          ("9999-12-31", "more than 5 years ahead")])  # fmt: skip
    def test_a_publication_date_outside_the_archive_is_refused(self, editor_client, day, why):
        data = article_form(title="Year", body="B", status="published", published_at_0=day, published_at_1="00:00")
        response = editor_client.post("/admin/articles/article/add/", data)
        assert response.status_code == 200
        assert why in str(errors_of(response)["published_at"])
        assert not Article.objects.exists()

    def test_html_typed_into_the_headline_is_left_out_of_the_slug_the_page_filled_in(self, editor_client):
        # The page's prepopulate script fills Slug from the headline as typed: "emfloodsem-hit-lagos-markets".
        title = "<em>Floods</em> Hit Lagos Markets"
        response = editor_client.post(
            "/admin/articles/article/add/",
            article_form(title=title, dek="d", body="B", slug="emfloodsem-hit-lagos-markets"),
        )
        assert response.status_code == 302, errors_of(response)
        assert Article.objects.get().slug == "floods-hit-lagos-markets"
        chosen = article_form(title="<b>Bold</b> move", dek="d", body="B", slug="my-own-address")  # typed
        assert editor_client.post("/admin/articles/article/add/", chosen).status_code == 302
        assert Article.objects.filter(slug="my-own-address").exists()

    def test_bad_input_gets_clear_errors_not_a_500(self, editor_client):
        response = editor_client.post(
            "/admin/articles/article/add/",
            article_form(title="Tags", dek="d", body="  \r\n ", tags="x" * 101, slug="not a slug!"),
        )
        assert response.status_code == 200
        errors = errors_of(response)
        assert "too long for a tag" in str(errors["tags"])
        assert "body" in errors and "slug" in errors

    def test_saving_an_article_shows_on_the_site_at_once_and_re_extracts_entities(self, editor_client):
        client = Client()  # anonymous
        article = ArticleFactory(body="Nothing to see.", author=AuthorFactory(name="Ada Byline"))
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            article_form(article, title="Moscow talks resume", body="Officials met in Moscow on Monday."),
        )
        assert response.status_code == 302, errors_of(response)
        article.refresh_from_db()
        assert article.edited_by.username == "editor"
        assert "Moscow talks resume" in client.get("/").content.decode()
        assert set(article.entities.values_list("name", flat=True)) == {"Moscow", "Ada Byline"}

    def test_pinned_entities_are_kept(self, editor_client):
        moscow = Entity.objects.get(name="Moscow")
        article = ArticleFactory(body="Officials met in Moscow.", entities_pinned=True, entities=[moscow])
        editor_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            article_form(article, body="Officials met in Paris.", entities_pinned="on"),
        )
        assert list(article.entities.values_list("name", flat=True)) == ["Moscow"]

    def test_editing_the_entity_list_by_hand_pins_it(self, editor_client):
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

    def test_invisible_characters_typed_are_removed_with_a_word_about_it(self, editor_client):
        # QA: the form removed zero-width characters and soft hyphens silently, where ingest warns.
        article = ArticleFactory(body="First paragraph.\n\nSecond paragraph.")
        typed = article_form(article, title="Zero\u200bWidth Head\u00adline", body="First paragraph.\r\n\r\nSecond.")
        response = editor_client.post(f"/admin/articles/article/{article.pk}/change/", typed, follow=True)
        said = " ".join(str(m) for m in response.context["messages"])
        assert (
            "Invisible characters (zero-width spaces, soft hyphens, direction controls) were removed from the headline"
            in said
        )
        assert "from the body" not in said  # a browser's line breaks are no invisible characters
        article.refresh_from_db()
        assert article.title == "ZeroWidth Headline"

    def test_history_shows_who_changed_what(self, editor_client):
        article = ArticleFactory()
        editor_client.post(f"/admin/articles/article/{article.pk}/change/", article_form(article, title="Renamed"))
        history = editor_client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
        assert "editor" in history and f"Headline: “{article.title}” → “Renamed”" in history


def as_posted(response, article, **changes):
    """What the browser posts back from a rendered change form: its fields, its entity rows and
    their management form (hidden fields included) as the page showed them, then `changes`."""
    data = article_form(article)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for form in formset.forms:
            data.update({form.add_prefix(name): form[name].value() or "" for name in ("id", "entity", "count")})
            data[form.add_prefix("article")] = article.pk
    data.update(changes)
    return data


class TestEntitiesChangedWhileEditing:
    """A save queues a re-extraction; the editor's page, still open, shows the entity rows as they were."""

    def open(self, editor_client, body):
        article = ArticleFactory(body=body, author=None)
        reextract([article.pk], ner=False)
        url = f"/admin/articles/article/{article.pk}/change/"
        return article, url, editor_client.get(url)

    def test_a_second_save_after_the_re_extraction_saves(self, editor_client):
        article, url, page = self.open(editor_client, "Officials met in Moscow and Paris.")
        reextract([article.pk], ner=False)  # the first save's job, run while the page stays open
        response = editor_client.post(url, as_posted(page, article, dek="A new dek."))
        assert response.status_code == 302, errors_of(response)
        article.refresh_from_db()
        assert article.dek == "A new dek." and not article.entities_pinned

    def test_rows_gone_meanwhile_are_not_an_error_when_the_editor_left_them_alone(self, editor_client):
        article, url, page = self.open(editor_client, "Officials met in Moscow and Paris.")
        Article.objects.filter(pk=article.pk).update(body="Officials met in Berlin.")
        reextract([article.pk], ner=False)
        response = editor_client.post(url, as_posted(page, article, dek="A new dek."))
        assert response.status_code == 302, errors_of(response)
        article.refresh_from_db()
        assert article.dek == "A new dek." and not article.entities_pinned

    def test_an_edited_row_gone_meanwhile_is_explained_and_the_other_edits_kept(self, editor_client):
        article, url, page = self.open(editor_client, "Officials met in Moscow and Paris.")
        Article.objects.filter(pk=article.pk).update(body="Officials met in Berlin.")
        reextract([article.pk], ner=False)
        data = as_posted(page, article, dek="A new dek.")
        data["mentions-0-count"] = "7"  # the editor changed a row that the job has since removed
        response = editor_client.post(url, data)
        assert response.status_code == 200
        text = response.content.decode()
        assert "The entities of this article changed while you edited it" in text
        assert response.context["adminform"].form["dek"].value() == "A new dek."  # kept, to save again
        shown = [f.instance.entity.name for f in response.context["inline_admin_formsets"][0].formset.forms]
        assert shown == ["Berlin"]  # the rows as they are now
        article.refresh_from_db()
        assert article.dek != "A new dek."


class TestTwoEditorsOnOneArticle:
    """QA F12: a save from a page opened before another editor's save never reverts that save."""

    @pytest.fixture
    def other_client(self):
        other = create_editor("desk", email="desk@example.org", password=PASSWORD)
        client = Client()
        client.force_login(other)
        return client

    def shown(self, client, article):
        """What a page opened now posts back: its fields as shown, and what it showed."""
        page = client.get(f"/admin/articles/article/{article.pk}/change/")
        assert 'type="hidden" name="shown"' in page.content.decode()
        form = page.context["adminform"].form
        return article_form(article, tags=form["tags"].value(), shown=form["shown"].value())

    def test_each_editor_s_own_change_is_kept(self, editor_client, other_client):
        article = ArticleFactory(title="Harbour reopens", dek="The old dek.", tags=["ports"])
        url = f"/admin/articles/article/{article.pk}/change/"
        mine, theirs = self.shown(editor_client, article), self.shown(other_client, article)
        assert other_client.post(url, {**theirs, "dek": "Their dek."}).status_code == 302
        response = editor_client.post(url, {**mine, "title": "Harbour reopens at last"}, follow=True)
        assert response.status_code == 200
        article.refresh_from_db()
        assert (article.title, article.dek) == ("Harbour reopens at last", "Their dek.")
        said = " ".join(str(message) for message in response.context["messages"])
        assert "After you opened this page, desk changed the dek: their changes are kept, with yours." in said
        entry = LogEntry.objects.filter(object_id=str(article.pk), user__username="editor").latest("pk")
        assert entry.get_change_message() == "Headline: “Harbour reopens” → “Harbour reopens at last”"

    def test_a_field_both_changed_is_refused_until_saved_again(self, editor_client, other_client):
        article = ArticleFactory(title="Harbour reopens", dek="The old dek.")
        url = f"/admin/articles/article/{article.pk}/change/"
        mine, theirs = self.shown(editor_client, article), self.shown(other_client, article)
        assert other_client.post(url, {**theirs, "dek": "Their dek.", "title": "Port reopens"}).status_code == 302
        response = editor_client.post(url, {**mine, "dek": "My dek."})
        assert response.status_code == 200
        error = " ".join(errors_of(response)["dek"])
        assert "desk changed the dek" in error and "“Their dek.”" in error
        article.refresh_from_db()
        assert (article.title, article.dek) == ("Port reopens", "Their dek.")
        form = response.context["adminform"].form
        assert form["dek"].value() == "My dek."  # kept in the form, to save again
        again = {**mine, "title": form["title"].value(), "dek": "My dek.", "shown": form["shown"].value()}
        assert editor_client.post(url, again).status_code == 302
        article.refresh_from_db()
        assert (article.title, article.dek) == ("Port reopens", "My dek.")  # their headline stays

    def test_a_refused_save_shows_the_other_editor_s_fields_as_they_are_now(self, editor_client, other_client):
        # QA F12 (old): the page shown again with the refusal had the headline and tags the editor
        # first saw, not the other editor's, whose save would then look reverted on screen.
        article = ArticleFactory(title="Harbour reopens", dek="The old dek.", tags=["ports"])
        url = f"/admin/articles/article/{article.pk}/change/"
        mine, theirs = self.shown(editor_client, article), self.shown(other_client, article)
        later = (article.published_at + datetime.timedelta(days=1)).replace(microsecond=0)
        shown_date = timezone.localtime(later)  # as the form writes it
        changed = {
            "title": "Port reopens",
            "dek": "Their dek.",
            "tags": "ports, shipping",
            "published_at_0": f"{shown_date:%Y-%m-%d}",
            "published_at_1": f"{shown_date:%H:%M:%S}",
        }
        assert other_client.post(url, {**theirs, **changed}).status_code == 302
        response = editor_client.post(url, {**mine, "dek": "My dek."})
        assert response.status_code == 200 and "desk changed the dek" in " ".join(errors_of(response)["dek"])
        form = response.context["adminform"].form
        assert form["title"].value() == "Port reopens"
        assert form["tags"].value() == "ports, shipping"
        assert form["dek"].value() == "My dek."  # the field both changed: this editor's version, to save again
        page = response.content.decode()
        assert 'value="Port reopens"' in page and 'value="Harbour reopens"' not in page
        said = [str(message) for message in response.context["messages"]]
        note = "After you opened this page, desk changed the headline, tags and publication date: the page shows their"
        assert any(message.startswith(note) for message in said), said
        dates = re.compile(r'<input[^>]*name="published_at_[01]"[^>]*>')
        now_shown = dates.findall(other_client.get(url).content.decode())  # a page opened after their save
        assert len(now_shown) == 2 and dates.findall(page) == now_shown

        # Saving the page as shown keeps their fields and this editor's dek.
        again = {
            **mine,
            "title": form["title"].value(),
            "tags": form["tags"].value(),
            "dek": form["dek"].value(),
            "published_at_0": f"{shown_date:%Y-%m-%d}",
            "published_at_1": f"{shown_date:%H:%M:%S}",
            "shown": form["shown"].value(),
        }
        assert editor_client.post(url, again).status_code == 302
        article.refresh_from_db()
        assert (article.title, article.dek, article.published_at) == ("Port reopens", "My dek.", later)
        assert sorted(article.tags.names()) == ["ports", "shipping"]

    def test_a_form_that_does_not_say_what_it_showed_saves_as_posted(self, editor_client):
        article = ArticleFactory(dek="The old dek.")
        Article.objects.filter(pk=article.pk).update(dek="Changed meanwhile.")
        url = f"/admin/articles/article/{article.pk}/change/"
        assert editor_client.post(url, article_form(article, title="Renamed")).status_code == 302
        article.refresh_from_db()
        assert (article.title, article.dek) == ("Renamed", "The old dek.")


class TestBulkActions:
    URL = "/admin/articles/article/"

    def test_publish_and_unpublish_are_logged(self, editor_client, editor):
        client = Client()  # anonymous
        drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(2)]
        future = ArticleFactory(status=Article.Status.DRAFT, published_at=timezone.now() + datetime.timedelta(days=1))
        response = action(editor_client, self.URL, "publish", [*drafts, future], post="yes")
        assert response.status_code == 302
        assert all(a.is_public for a in Article.objects.filter(pk__in=[d.pk for d in drafts]))
        future.refresh_from_db()
        assert future.status == "published" and not future.is_public  # scheduled
        assert LogEntry.objects.filter(user=editor, action_flag=CHANGE).count() == 3

        response = action(editor_client, self.URL, "unpublish", drafts, post="yes")
        assert not Article.objects.filter(pk__in=[d.pk for d in drafts], status="published").exists()
        assert LogEntry.objects.filter(user=editor, action_flag=CHANGE).count() == 5
        assert client.get(drafts[0].get_absolute_url()).status_code == 404

    def test_publish_counts_the_scheduled_ones_as_of_its_time(self, editor):
        from articles import bulk

        now = timezone.now()
        undated = ArticleFactory(status=Article.Status.DRAFT, published_at=None)  # dated now: public
        future = ArticleFactory(status=Article.Status.DRAFT, published_at=now + datetime.timedelta(days=1))
        done = bulk.publish([undated.pk, future.pk], user=editor.pk, now=now)
        assert done == {"published": 2, "scheduled": 1, "already": 0}

    def test_reextract_skips_pinned_articles(self, editor_client):
        free = ArticleFactory(body="Officials met in Moscow.")
        pinned = ArticleFactory(body="Officials met in Moscow.", entities_pinned=True)
        response = action(editor_client, self.URL, "reextract_entities", [free, pinned])
        assert response.status_code == 302
        assert "Moscow" in set(free.entities.values_list("name", flat=True))
        assert not pinned.entities.exists()

    def test_add_a_tag_through_an_intermediate_form(self, editor_client, editor):
        TagFactory(name="Energy")
        articles = [ArticleFactory(tags=["grid"]), ArticleFactory(tags=["energy"])]
        page = action(editor_client, self.URL, "add_tag", articles)
        assert page.status_code == 200
        assert "Add the tag" in page.content.decode()
        response = action(editor_client, self.URL, "add_tag", articles, apply="yes", tag="energy")
        assert response.status_code == 302
        assert sorted(articles[0].tags.names()) == ["Energy", "grid"]
        assert list(articles[1].tags.names()) == ["Energy"]
        # Only the article that gained the tag changed.
        assert list(LogEntry.objects.filter(user=editor, action_flag=CHANGE).values_list("object_id", flat=True)) == [
            str(articles[0].pk)
        ]
        too_long = action(editor_client, self.URL, "add_tag", articles, apply="yes", tag="x" * 150)
        assert too_long.status_code == 200
        assert "too long" in too_long.content.decode()

    def test_a_tag_name_with_html_is_kept_with_the_warning_a_headline_gets(self, editor_client):
        # QA F5: "<b>t</b>" became a tag shown literally as typed, with no word about it.
        articles = [ArticleFactory(), ArticleFactory()]
        warning = "The tag “&lt;b&gt;t&lt;/b&gt;” contains HTML (&lt;b&gt;). Readers see it exactly as typed"
        chosen = [article.pk for article in articles]
        data = {"action": "add_tag", "_selected_action": chosen, "apply": "yes", "tag": "<b>t</b>"}
        response = editor_client.post(self.URL, data, follow=True)
        assert warning in response.text
        saved = editor_client.post(
            f"{self.URL}{articles[0].pk}/change/", article_form(articles[0], tags="<b>t</b>, energy"), follow=True
        )
        assert warning in saved.text
        tag = Tag.objects.get(name="<b>t</b>")
        renamed = editor_client.post(
            f"/admin/articles/tag/{tag.pk}/change/", {"name": "<i>u</i>", "slug": tag.slug}, follow=True
        )
        assert "The tag “&lt;i&gt;u&lt;/i&gt;” contains HTML (&lt;i&gt;)" in renamed.text

    @pytest.mark.parametrize(
        "tag, why",
        [("bulk-qa, second", "cannot contain a comma"), ("!!!", "needs a letter or a digit"), ("???", "a letter")],
    )
    def test_add_a_tag_refuses_what_the_article_form_would_not_keep(self, editor_client, tag, why):
        articles = [ArticleFactory(), ArticleFactory()]
        response = action(editor_client, self.URL, "add_tag", articles, apply="yes", tag=tag)
        assert response.status_code == 200
        assert why in response.content.decode()
        assert not Tag.objects.exists()

    def test_unpublishing_everything_through_select_all_is_confirmed_first(self, editor_client):
        articles = [ArticleFactory(), ArticleFactory()]
        page = action(editor_client, self.URL, "unpublish", articles, select_across="1")
        assert page.status_code == 200
        assert "Unpublish the 2 selected articles?" in page.text and articles[0].title in page.text
        assert all(a.is_public for a in Article.objects.all())
        response = action(editor_client, self.URL, "unpublish", articles, select_across="1", post="yes")
        assert response.status_code == 302
        assert not any(a.is_public for a in Article.objects.all())

    def test_publishing_everything_through_select_all_is_confirmed_first(self, editor_client):
        # QA F9: "Select all" + Publish went live at once, where unpublish and delete confirm first.
        now = timezone.now()
        drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(2)]
        later = ArticleFactory(status=Article.Status.DRAFT, published_at=now + datetime.timedelta(days=2))
        public = ArticleFactory()
        chosen = [*drafts, later, public]
        page = action(editor_client, self.URL, "publish", chosen, select_across="1")
        assert page.status_code == 200
        assert "Publish the 3 selected drafts?" in page.text and drafts[0].title in page.text
        assert "2 go live now and 1 is scheduled for its date" in page.text
        assert "1 of the selected articles is published already" in page.text
        assert not Article.objects.filter(pk__in=[d.pk for d in drafts], status="published").exists()
        response = action(editor_client, self.URL, "publish", chosen, select_across="1", post="yes")
        assert response.status_code == 302
        assert Article.objects.filter(status="published").count() == 4

    def test_a_few_ticked_articles_are_published_or_unpublished_only_once_confirmed(self, editor_client):
        # QA F9 (old): only "Select all" asked first; two ticked drafts went live at once, where
        # delete asks for any selection.
        drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(2)]
        page = action(editor_client, self.URL, "publish", drafts)
        assert page.status_code == 200
        assert "Publish the 2 selected drafts?" in page.text and drafts[1].title in page.text
        assert "2 go live now and 0 are scheduled" in page.text
        assert 'name="select_across"' not in page.text  # the ticked rows, carried as ids
        assert not Article.objects.filter(status="published").exists()
        assert action(editor_client, self.URL, "publish", drafts, post="yes").status_code == 302
        assert all(a.is_public for a in Article.objects.all())

        page = action(editor_client, self.URL, "unpublish", drafts[:1])
        assert page.status_code == 200
        assert "Unpublish the 1 selected article? It goes back to draft" in page.text
        assert Article.objects.filter(status="published").count() == 2
        assert action(editor_client, self.URL, "unpublish", drafts[:1], post="yes").status_code == 302
        assert Article.objects.filter(status="published").count() == 1

    def test_delete_confirms_with_the_count_and_logs_each_article(self, editor_client, editor):
        articles = [ArticleFactory(), ArticleFactory()]
        kept = ArticleFactory()
        page = action(editor_client, self.URL, "delete_selected", articles)
        assert page.status_code == 200
        assert "Delete the 2 selected articles?" in page.text and articles[0].title in page.text
        assert "&rsaquo; Delete articles\n</div>" in page.text  # QA F10: not Django's "Delete multiple objects"
        response = action(editor_client, self.URL, "delete_selected", articles, post="yes")
        assert response.status_code == 302
        assert list(Article.objects.all()) == [kept]
        deleted = LogEntry.objects.filter(user=editor, action_flag=DELETION).values_list("object_id", flat=True)
        assert sorted(deleted) == sorted(str(a.pk) for a in articles)
        assert Client().get(articles[0].get_absolute_url()).status_code == 404

    def test_tag_suggestions(self, editor_client):
        TagFactory(name="Energy")
        TagFactory(name="Renewable energy")
        ArticleFactory(tags=["Renewable energy"])
        data = editor_client.get("/admin/articles/tag/suggest/?q=ener").json()
        assert [r["name"] for r in data["results"]] == ["Energy", "Renewable energy"]
        assert editor_client.get("/admin/articles/tag/suggest/").json() == {"results": []}


class TestMergingInTheAdmin:
    def test_merge_entities_with_a_confirmation_page(self, editor_client, editor):
        client = Client()  # anonymous
        keep = EntityFactory(name="Zembla Central Bank", kind=Entity.Kind.ORG)
        other = EntityFactory(name="ZCB", kind=Entity.Kind.ORG)
        article = ArticleFactory(body="The ZCB and the Zembla Central Bank met.")
        Mention.objects.create(article=article, entity=keep, count=1)
        Mention.objects.create(article=article, entity=other, count=1)
        url = "/admin/articles/entity/"
        page = action(editor_client, url, "merge_selected", [keep, other])
        assert page.status_code == 200
        assert "Choose the entity to keep" in page.content.decode()
        response = action(editor_client, url, "merge_selected", [keep, other], confirm="yes", survivor=keep.pk)
        assert response.status_code == 302
        assert not Entity.objects.filter(pk=other.pk).exists()
        keep.refresh_from_db()
        assert keep.aliases == ["ZCB"]
        # Re-extracted with the new alias: both names count for the survivor.
        assert Mention.objects.get(article=article, entity=keep).count == 2
        assert client.get(f"/entities/{other.slug}/")["Location"] == keep.get_absolute_url()
        assert LogEntry.objects.filter(user=editor, action_flag=CHANGE, object_id=str(keep.pk)).exists()
        assert LogEntry.objects.filter(user=editor, action_flag=DELETION, object_id=str(other.pk)).exists()

    def test_merge_tags_and_authors(self, editor_client):
        client = Client()  # anonymous
        keep_tag, other_tag = TagFactory(name="Ukraine"), TagFactory(name="Ukraine war")
        keep_author, other_author = AuthorFactory(name="Jane Doe"), AuthorFactory(name="J. Doe")
        article = ArticleFactory(tags=[keep_tag, other_tag], author=other_author)
        action(
            editor_client,
            "/admin/articles/tag/",
            "merge_selected",
            [keep_tag, other_tag],
            confirm="yes",
            survivor=keep_tag.pk,
        )
        action(
            editor_client,
            "/admin/articles/author/",
            "merge_selected",
            [keep_author, other_author],
            confirm="yes",
            survivor=keep_author.pk,
        )
        assert list(article.tags.names()) == ["Ukraine"]
        article.refresh_from_db()
        assert article.author == keep_author
        assert client.get(f"/authors/{other_author.slug}/").status_code == 301
        assert client.get(f"/tags/{other_tag.slug}/").status_code == 301

    def test_merging_needs_two_and_a_survivor_among_them(self, editor_client):
        a, b = TagFactory(name="one"), TagFactory(name="two")
        response = action(editor_client, "/admin/articles/tag/", "merge_selected", [a])
        assert response.status_code == 302
        page = action(editor_client, "/admin/articles/tag/", "merge_selected", [a, b], confirm="yes", survivor="999999")
        assert page.status_code == 200
        assert "Choose the tag to keep" in page.content.decode()
        assert Tag.objects.filter(pk__in=[a.pk, b.pk]).count() == 2

    @pytest.mark.parametrize("url", ["/admin/articles/entity/", "/admin/articles/tag/", "/admin/articles/author/"])
    def test_no_row_is_chosen_to_keep_until_the_editor_chooses(self, editor_client, url):
        # QA F4: the first row's radio was checked, so "Merge" without a look merged into it.
        factory = {"entity": EntityFactory, "tag": TagFactory, "author": AuthorFactory}[url.split("/")[3]]
        rows = [factory(name="Twitter"), factory(name="X")]
        page = action(editor_client, url, "merge_selected", rows)
        assert page.status_code == 200
        assert 'name="survivor"' in page.text and " checked" not in page.text
        again = action(editor_client, url, "merge_selected", rows, confirm="yes")  # "Merge" with no choice
        assert again.status_code == 200 and "to keep." in again.text
        assert " checked" not in again.text
        assert type(rows[0]).objects.filter(pk__in=[row.pk for row in rows]).count() == 2
        chosen = action(editor_client, url, "merge_selected", rows, confirm="yes", survivor="999999")
        assert chosen.status_code == 200 and " checked" not in chosen.text


class TestDeletingAnAuthor:
    def test_the_confirmation_says_their_articles_lose_the_byline(self, editor_client):
        # QA F17: the page listed only "Authors: 1"; the articles then lost their byline unannounced.
        author = AuthorFactory(name="Oksana Vireleigh")
        ArticleFactory(author=author)
        ArticleFactory(author=author, status=Article.Status.DRAFT, published_at=None)
        said = "“Oksana Vireleigh” has 2 articles (1 public): they stay, with no byline"
        page = editor_client.get(f"/admin/articles/author/{author.pk}/delete/")
        assert page.status_code == 200 and said in page.text.replace("&quot;", '"')
        selected = action(editor_client, "/admin/articles/author/", "delete_selected", [author])
        assert said in selected.text
        done = action(editor_client, "/admin/articles/author/", "delete_selected", [author], post="yes")
        assert done.status_code == 302
        assert "no byline" not in editor_client.get("/admin/articles/author/").text

    def test_the_byline_person_leaves_their_articles(self, editor_client, client):
        # QA F7: the person the byline made stayed on the article (its entity list, JSON-LD, the
        # person's page) until some later re-link, which then reported the article changed.
        from articles.entities.relink import relink

        author = AuthorFactory(name="Samuel Ashworth")
        article = ArticleFactory(author=author, body="Lelei broke the course record in Zurich.")
        relink(article_ids=[article.pk])  # the byline makes the person
        person = Entity.objects.get(kind=Entity.Kind.PERSON, name="Samuel Ashworth")
        assert client.get(person.get_absolute_url()).status_code == 200
        assert "Samuel Ashworth" in client.get(article.get_absolute_url()).text  # cached now
        response = editor_client.post(f"/admin/articles/author/{author.pk}/delete/", {"post": "yes"}, follow=True)
        assert relink(dry_run=True).changed == 0  # the job re-linked the article
        assert "Re-linking the author’s article in the background" in response.text
        assert not article.mentions.filter(entity=person).exists()
        assert "Samuel Ashworth" not in client.get(article.get_absolute_url()).text
        assert client.get(person.get_absolute_url()).status_code == 404  # no public article names him

    def test_the_byline_leaves_the_article_page_and_search_at_once(self, editor_client, client):
        # The change path was told only the author's id, after the delete had emptied their articles'
        # author: the search entries kept the byline.
        author = AuthorFactory(name="Oksana Vireleigh")
        article = ArticleFactory(author=author, title="Potash quotas tighten")
        assert "Oksana Vireleigh" in client.get(article.get_absolute_url()).text  # cached now
        assert article.title in client.get("/search/?q=vireleigh").text
        response = editor_client.post(f"/admin/articles/author/{author.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.author is None
        assert "Oksana Vireleigh" not in client.get(article.get_absolute_url()).text
        assert article.title not in client.get("/search/?q=vireleigh").text


class TestDeletingATag:
    def test_the_tag_leaves_its_articles_search_entries_and_counts_at_once(self, editor_client, client):
        # The change path was told only the tag's id, after the delete had removed its taggings: the
        # articles' search entries kept the tag's name (QA F20, as F17 for authors).
        tag = TagFactory(name="Geothermalia")
        article = ArticleFactory(title="Potash quotas tighten", tags=[tag])
        assert article.title in client.get("/search/?q=geothermalia").text
        response = editor_client.post(f"/admin/articles/tag/{tag.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302 and not Tag.objects.filter(pk=tag.pk).exists()
        assert article.title not in client.get("/search/?q=geothermalia").text
        assert "Geothermalia" not in client.get(article.get_absolute_url()).text

    def test_deleting_selected_tags_too(self, editor_client, client):
        tags = [TagFactory(name="Geothermalia"), TagFactory(name="Tidalia")]
        article = ArticleFactory(title="Potash quotas tighten", tags=tags)
        done = action(editor_client, "/admin/articles/tag/", "delete_selected", tags, post="yes")
        assert done.status_code == 302 and not Tag.objects.filter(pk__in=[t.pk for t in tags]).exists()
        for word in ("geothermalia", "tidalia"):
            assert article.title not in client.get(f"/search/?q={word}").text


class TestCurationForms:
    def test_entity_aliases_are_one_per_line_and_may_hold_commas(self, editor_client):
        entity = EntityFactory(name="Zembla Bank", kind=Entity.Kind.ORG)
        response = editor_client.post(
            f"/admin/articles/entity/{entity.pk}/change/",
            {
                "name": "Zembla Bank",
                "slug": entity.slug,
                "kind": "ORG",
                "aliases": "Bank of Zembla, Ltd.\r\nZB\r\nZB\r\n\r\nZembla bank",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        entity.refresh_from_db()
        assert entity.aliases == ["Bank of Zembla, Ltd.", "ZB"]  # repeats go, as the vocabulary reads them

    def test_a_case_variant_the_vocabulary_reads_apart_is_an_alias_not_a_repeat(self, editor_client):
        # "NATO" matches only in capitals: "Nato" (as British outlets write it) needs its own alias.
        entity = EntityFactory(name="NATO", kind=Entity.Kind.ORG)
        response = editor_client.post(
            f"/admin/articles/entity/{entity.pk}/change/",
            {"name": "NATO", "slug": entity.slug, "kind": "ORG", "aliases": "Nato\r\nNATO\r\nNato"},
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        entity.refresh_from_db()
        assert entity.aliases == ["Nato"]

    def test_an_entity_save_says_in_its_history_what_changed_from_and_to(self, editor_client):
        entity = EntityFactory(name="Napa", kind=Entity.Kind.PERSON, aliases=["Agia Napa"])
        response = editor_client.post(
            f"/admin/articles/entity/{entity.pk}/change/",
            {"name": "Ayia Napa", "slug": entity.slug, "kind": "PLACE", "aliases": "Agia Napa\r\nAyianapa"},
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        entry = LogEntry.objects.filter(object_id=str(entity.pk)).latest("pk")
        assert entry.get_change_message() == "Name: “Napa” → “Ayia Napa”; Kind: Person → Place; Aliases: + Ayianapa"

    def test_duplicate_names_get_a_pointer_to_merging(self, editor_client):
        EntityFactory(name="Zembla", kind=Entity.Kind.PLACE)
        response = editor_client.post(
            "/admin/articles/entity/add/", {"name": "zembla", "slug": "zembla-2", "kind": "PLACE", "aliases": ""}
        )
        assert response.status_code == 200
        assert "Merge" in str(response.context["adminform"].form.errors["name"])
        TagFactory(name="Energy")
        response = editor_client.post("/admin/articles/tag/add/", {"name": "ENERGY", "slug": "energy-2"})
        assert response.status_code == 200
        assert "already exists" in str(response.context["adminform"].form.errors["name"])

    @pytest.mark.parametrize(
        "name, kind, why",
        [
            ("The", "ORG", "a word such as “the” or “said”, not a name"),
            ("Said", "PERSON", "a word such as “the” or “said”, not a name"),
            ("2:07:55", "ORG", "a number, time or amount"),
            ("@handle", "PERSON", "a handle or web address"),
            ("https://example.org", "ORG", "a handle or web address"),
        ],
    )
    def test_junk_names_and_aliases_are_refused_saying_why(self, editor_client, name, kind, why):
        response = editor_client.post("/admin/articles/entity/add/", {"name": name, "kind": kind, "aliases": ""})
        assert response.status_code == 200
        assert why in str(response.context["adminform"].form.errors["name"])
        data = {"name": "Good Name", "kind": kind, "aliases": f"Goodname\r\n{name}"}
        response = editor_client.post("/admin/articles/entity/add/", data)
        assert response.status_code == 200
        errors = str(response.context["adminform"].form.errors["aliases"])
        assert why in errors and "Goodname" not in errors
        assert not Entity.objects.filter(name__in=[name, "Good Name"]).exists()

    def test_an_entity_name_or_alias_with_html_is_kept_with_the_warning_a_headline_gets(self, editor_client):
        # QA F8: "<b>Bold Org</b>" was added without a word, where a headline or a tag name is warned of.
        data = {"name": "<b>Bold Org</b>", "slug": "bold-org", "kind": "ORG", "aliases": "Bold\r\n<i>BO</i> Group"}
        response = editor_client.post("/admin/articles/entity/add/", data, follow=True)
        assert response.redirect_chain, errors_of(response)
        said = " ".join(str(message) for message in response.context["messages"])
        assert "The name “<b>Bold Org</b>” contains HTML (<b>). Readers see it exactly as typed" in said
        assert "The alias “<i>BO</i> Group” contains HTML (<i>)" in said and "“Bold”" not in said
        assert Entity.objects.filter(name="<b>Bold Org</b>").exists()

    @pytest.mark.parametrize("alias", ["Monday", "Police", "March", "Officials"])
    def test_a_common_word_is_no_alias_whatever_the_kind(self, editor_client, alias):
        """QA F18: "Monday" as Jerome Powell's alias linked him to every story that says "on Monday"."""
        data = {
            "name": "Ilse Marwick",
            "slug": "ilse-marwick",
            "kind": "PERSON",
            "aliases": f"Ilse M. Marwick\r\n{alias}",
        }
        response = editor_client.post("/admin/articles/entity/add/", data)
        assert response.status_code == 200
        errors = str(response.context["adminform"].form.errors["aliases"])
        assert f"“{alias}”: a common word, which would link this entity to every article that writes it" in errors
        assert not Entity.objects.filter(name="Ilse Marwick").exists()
        response = editor_client.post(
            "/admin/articles/entity/add/", {**data, "aliases": "Ilse M. Marwick\r\nMs Marwick"}
        )
        assert response.status_code == 302

    def test_a_renamed_tag_or_author_keeps_its_old_name_for_later_ingests(self, editor_client, seed_dir):
        """QA F14: after "economy" became "Economics", a seed file's "Tags: economy" made a second tag."""
        tag, author = TagFactory(name="economy", slug="economy"), AuthorFactory(name="Ellie Hart", slug="ellie-hart")
        for url, data in (
            (f"/admin/articles/tag/{tag.pk}/change/", {"name": "Economics", "slug": "economy"}),
            (f"/admin/articles/author/{author.pk}/change/", {"name": "Eleanor Hart", "slug": "ellie-hart", "bio": ""}),
        ):
            response = editor_client.post(url, {"twitter": "", **data})
            assert response.status_code == 302, response.context["adminform"].form.errors
        seed_dir.write("a.txt", "Rates Rise\n\nA dek.\n\nA body.\n\nAuthor: ellie hart\nTags: Economy, energy\n")
        assert ingest_paths([str(seed_dir.path)], workers=1, ner=False).created == 1
        article = Article.objects.get(title="Rates Rise")
        assert (article.author_id, sorted(article.tags.names())) == (author.pk, ["Economics", "energy"])
        assert (
            Tag.objects.filter(name__iexact="economy").count()
            == Author.objects.filter(name__iexact="ellie hart").count()
            == 0
        )
        tag.refresh_from_db()
        assert tag.former_names == ["economy"]
        # Renamed back, the name is its own again, not a former one.
        editor_client.post(f"/admin/articles/tag/{tag.pk}/change/", {"name": "Economy", "slug": "economy"})
        tag.refresh_from_db()
        assert (tag.name, tag.former_names) == ("Economy", ["Economics"])

    def test_an_ingest_keeps_the_bio_an_editor_wrote(self, editor_client, seed_dir):
        """QA F13: a seed file's bio replaced the one an editor had written in the admin."""
        author = AuthorFactory(name="Daniel Okafor", bio="Old bio.")
        bio = "Dan Okafor covers markets; find him on X @dokafor_econ."
        data = {"name": "Dan Okafor", "slug": author.slug, "bio": bio, "twitter": ""}
        assert editor_client.post(f"/admin/articles/author/{author.pk}/change/", data).status_code == 302
        other = AuthorFactory(name="Ellie Hart", bio="Old.")
        for name, byline in (("a.txt", "Daniel Okafor"), ("b.txt", "Ellie Hart")):
            seed_dir.write(name, f"Story by {byline}\n\nA dek.\n\nA body.\n\nAuthor: {byline}\n\n{byline} writes.\n")
        assert ingest_paths([str(seed_dir.path)], workers=1, ner=False).created == 2
        author.refresh_from_db()
        other.refresh_from_db()
        assert (author.bio, author.twitter) == (bio, "dokafor_econ")
        assert other.bio == "Ellie Hart writes."  # no editor wrote hers: the latest article's bio

    def test_a_taken_address_says_whose_it_is_and_what_is_free(self, editor_client):
        EntityFactory(name="Warsaw", slug="warsaw", kind=Entity.Kind.PLACE)
        data = {"name": "Warsaw", "slug": "warsaw", "kind": "ORG", "aliases": ""}
        response = editor_client.post("/admin/articles/entity/add/", data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "/entities/warsaw/ already belongs to “Warsaw”" in str(errors["slug"])
        assert "warsaw-2" in str(errors["slug"]) and "already exists" not in str(errors["slug"])
        response = editor_client.post("/admin/articles/entity/add/", {**data, "kind": "PLACE"})
        errors = response.context["adminform"].form.errors
        assert "Merge" in str(errors["name"]) and "slug" not in errors  # the name says it all
        AuthorFactory(name="Dana Levi", slug="dana-levi")
        data = {"name": "Dana Levy", "slug": "dana-levi", "bio": "", "twitter": ""}
        response = editor_client.post("/admin/articles/author/add/", data)
        assert "/authors/dana-levi/ already belongs to “Dana Levi”" in str(
            response.context["adminform"].form.errors["slug"]
        )

    def test_the_delete_confirmation_lists_no_internal_tables(self, admin_client):
        entity = Entity.objects.get(name="Moscow")
        ArticleFactory(body="Officials met in Moscow.", entities=[entity])
        page = admin_client.get(f"/admin/articles/entity/{entity.pk}/delete/").content.decode()
        assert "Mention" in page and "Moscow" in page
        for internal in ("statss", "Entity stats", "Public mention", "Entity month"):
            assert internal not in page

    def test_new_entity_links_existing_articles(self, editor_client):
        article = ArticleFactory(body="A plant opened in Kikuyo town.")
        response = editor_client.post(
            "/admin/articles/entity/add/", {"name": "Kikuyo", "slug": "kikuyo", "kind": "PLACE", "aliases": ""}
        )
        assert response.status_code == 302
        assert "Kikuyo" in set(article.entities.values_list("name", flat=True))

    def test_author_handle_is_checked(self, editor_client):
        author = AuthorFactory(name="Jane Doe", bio="")
        data = {"name": "Jane Doe", "slug": author.slug, "bio": "Writes.", "twitter": "@jane_doe"}
        assert editor_client.post(f"/admin/articles/author/{author.pk}/change/", data).status_code == 302
        author.refresh_from_db()
        assert author.twitter == "jane_doe"
        response = editor_client.post(f"/admin/articles/author/{author.pk}/change/", {**data, "twitter": "no spaces"})
        assert response.status_code == 200

    def test_author_list_counts_link_to_their_articles(self, editor_client):
        author = AuthorFactory()
        ArticleFactory(author=author)
        redirects = SlugRedirect.objects.count()  # migration 0023 leaves some for the starter vocabulary
        content = editor_client.get("/admin/articles/author/").content.decode()
        assert f"/admin/articles/article/?author={author.pk}" in content
        assert SlugRedirect.objects.count() == redirects
        assert Author.objects.count() == 1


class TestLoginThrottling:
    def login(self, client, username, password, **extra):
        return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)

    def test_five_failures_lock_the_username_from_that_address(self, editor):
        client = Client()
        for _ in range(4):
            response = self.login(client, "editor", "wrong-password")
            assert response.status_code == 200
            assert "Please enter the correct username and password" in response.content.decode()
        assert self.login(client, "editor", "wrong-password").status_code == 429  # the fifth failure locks
        response = self.login(client, "editor", PASSWORD)  # even the right password, for now
        assert response.status_code == 429
        assert "Too many failed logins" in response.content.decode()
        assert "15 minutes" in response.content.decode()
        # Another address is not locked out.
        other = Client(REMOTE_ADDR="203.0.113.9")
        assert self.login(other, "editor", PASSWORD).status_code == 302

    def test_behind_a_proxy_the_forwarded_address_counts(self, editor, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        for _ in range(5):
            self.login(Client(), "editor", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")
        locked = self.login(Client(), "editor", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert locked.status_code == 429
        # A client cannot escape by prepending an address of its choosing.
        spoofed = self.login(Client(), "editor", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7")
        assert spoofed.status_code == 429
        assert self.login(Client(), "editor", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302

    def test_a_success_resets_the_count(self, editor):
        client = Client()
        for _ in range(4):
            self.login(client, "editor", "wrong")
        assert self.login(client, "editor", PASSWORD).status_code == 302
        client.logout()
        for _ in range(4):
            self.login(client, "editor", "wrong")
        assert self.login(client, "editor", PASSWORD).status_code == 302


@pytest.mark.django_db
class TestAuthorRename:
    """F10: an author's rename re-links their articles (a job) and the byline person follows it."""

    def test_the_byline_person_follows_and_no_second_person_appears(self, editor_client):
        from articles.entities.relink import relink

        author = AuthorFactory(name="Daniel Okafor")
        article = ArticleFactory(author=author, body="Rates held. Daniel Okafor reported from Lagos.")
        other = ArticleFactory(body="As Daniel Okafor wrote last week, rates held.")  # not his byline
        relink(article_ids=[article.pk, other.pk])  # the byline makes the person…
        relink(article_ids=[article.pk, other.pk])  # …whom the other article then names too
        assert relink(dry_run=True).changed == 0
        person = Entity.objects.get(kind=Entity.Kind.PERSON, name="Daniel Okafor")
        data = {"name": "Daniel O. Okafor", "slug": "daniel-o-okafor", "bio": "", "twitter": ""}
        response = editor_client.post(f"/admin/articles/author/{author.pk}/change/", data, follow=True)
        assert response.status_code == 200
        text = response.content.decode()
        assert "The person “Daniel Okafor” is now “Daniel O. Okafor”" in text
        assert "Re-linking the author’s article in the background" in text  # one: not "1 articles" (QA)
        person.refresh_from_db()
        assert person.name == "Daniel O. Okafor" and "Daniel Okafor" in person.aliases
        assert relink(dry_run=True).changed == 0  # the job re-linked the author's articles
        assert Entity.objects.filter(kind=Entity.Kind.PERSON, name__icontains="Okafor").count() == 1
        assert set(article.entities.values_list("name", flat=True)) >= {"Daniel O. Okafor"}
        assert "Daniel O. Okafor" in set(other.entities.values_list("name", flat=True))  # the old name still links
