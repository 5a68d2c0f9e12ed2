"""Public pages through real HTTP requests: content, escaping, visibility and query counts."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from articles.models import Article, Entity

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def staff_client():
    user = get_user_model().objects.create_user("editor", password="irrelevant-in-tests", is_staff=True)
    staff = Client()
    staff.force_login(user)
    return staff


def make_articles(n, **kwargs):
    tag = TagFactory(name="energy")
    entity = EntityFactory(name="Baltic Sea")
    return [ArticleFactory(tags=[tag, f"extra {i % 3}"], entities=[entity], **kwargs) for i in range(n)]


class TestHome:
    def test_lists_published_articles_newest_first(self, client):
        old = ArticleFactory(title="Older story", published_at=timezone.now() - datetime.timedelta(days=2))
        new = ArticleFactory(title="Newer story", published_at=timezone.now() - datetime.timedelta(days=1))
        response = client.get("/")
        assert response.status_code == 200
        content = response.content.decode()
        assert content.index(new.title) < content.index(old.title)
        assert new.author.name in content

    def test_drafts_and_scheduled_articles_are_not_listed(self, client):
        ArticleFactory(title="Draft story", status=Article.Status.DRAFT)
        ArticleFactory(title="Scheduled story", published_at=timezone.now() + datetime.timedelta(days=1))
        content = client.get("/").content.decode()
        assert "Draft story" not in content
        assert "Scheduled story" not in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_does_not_grow_with_articles(self, client, django_assert_num_queries, count):
        make_articles(count)
        # count, page of articles, their tags
        with django_assert_num_queries(3):
            response = client.get("/")
        assert response.status_code == 200

    def test_paginates(self, client):
        make_articles(25)
        page2 = client.get("/?page=2")
        assert page2.status_code == 200
        assert 'rel="prev"' in page2.content.decode()
        assert 'rel="next"' in client.get("/").content.decode()

    @pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1.5", "%00"])
    def test_bad_page_numbers_are_404_not_500(self, client, page):
        make_articles(2)
        assert client.get("/", {"page": page}).status_code == 404

    def test_last_page_keyword(self, client):
        make_articles(25)
        assert client.get("/?page=last").status_code == 200


class TestArticle:
    def test_shows_the_whole_story(self, client):
        tag = TagFactory(name="floods")
        entity = EntityFactory(name="River Severn")
        article = ArticleFactory(
            title="Flood plan agreed",
            body="First paragraph.\n\nSecond paragraph.",
            tags=[tag],
            entities=[entity],
        )
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        content = response.content.decode()
        assert "<h1>Flood plan agreed</h1>" in content
        assert "<p>First paragraph.</p>" in content and "<p>Second paragraph.</p>" in content
        assert f'href="{article.author.get_absolute_url()}"' in content
        assert f'href="{tag.get_absolute_url()}"' in content
        assert f'href="{entity.get_absolute_url()}"' in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_is_fixed(self, client, django_assert_num_queries, count):
        article = ArticleFactory(entities=[EntityFactory() for _ in range(count)], tags=[f"t{i}" for i in range(count)])
        # article+author, tags, mentions+entities
        with django_assert_num_queries(3):
            assert client.get(article.get_absolute_url()).status_code == 200

    def test_hostile_text_is_escaped(self, client):
        author = AuthorFactory(name=f"Author {HOSTILE}", bio=HOSTILE)
        article = ArticleFactory(title=HOSTILE, dek=HOSTILE, body=HOSTILE, author=author, tags=[HOSTILE[:90]])
        content = client.get(article.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in content
        assert "<img src=x" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content

    def test_draft_is_404_for_the_public_and_bannered_for_staff(self, client, staff_client):
        article = ArticleFactory(status=Article.Status.DRAFT)
        assert client.get(article.get_absolute_url()).status_code == 404
        response = staff_client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Draft — not visible to the public." in response.content.decode()

    def test_scheduled_is_404_for_the_public(self, client):
        article = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
        assert client.get(article.get_absolute_url()).status_code == 404

    @pytest.mark.parametrize("slug", ["no-such-article", "x" * 5000, "..%2F..%2Fetc%2Fpasswd"])
    def test_unknown_slugs_are_404(self, client, slug):
        assert client.get(f"/articles/{slug}/").status_code == 404


class TestBrowsePages:
    @pytest.mark.parametrize("count", [1, 30])
    def test_author_page(self, client, django_assert_num_queries, count):
        author = AuthorFactory(bio="Writes about rivers. @rivers")
        make_articles(count, author=author)
        # author, count, page, tags
        with django_assert_num_queries(4):
            response = client.get(author.get_absolute_url())
        assert response.status_code == 200
        assert "Writes about rivers." in response.content.decode()
        assert "https://x.com/rivers" in response.content.decode()

    @pytest.mark.parametrize("count", [1, 30])
    def test_tag_page(self, client, django_assert_num_queries, count):
        make_articles(count)
        with django_assert_num_queries(4):
            response = client.get("/tags/energy/")
        assert response.status_code == 200

    @pytest.mark.parametrize("count", [1, 30])
    def test_entity_page(self, client, django_assert_num_queries, count):
        make_articles(count)
        entity = Entity.objects.get(name="Baltic Sea")
        with django_assert_num_queries(4):
            response = client.get(entity.get_absolute_url())
        assert response.status_code == 200
        assert "Baltic Sea" in response.content.decode()

    def test_unknown_slug_is_404_with_friendly_page(self, client):
        response = client.get("/authors/nobody/")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


class TestHealth:
    def test_ok_with_a_database_round_trip(self, client, django_assert_num_queries):
        with django_assert_num_queries(1):
            response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    def test_503_when_the_database_is_unreachable(self):
        # A real process pointed at a port where nothing listens.
        code = (
            "import django; django.setup();"
            "from django.test import Client;"
            "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "newsroom.settings",
                "DATABASE_URL": "postgres://127.0.0.1:9/unreachable",
                "SECRET_KEY": "test-only",
                "ALLOWED_HOSTS": "testserver",
            },
            timeout=60,
        )
        last_line = result.stdout.strip().splitlines()[-1]
        assert last_line.startswith("503 "), result.stdout + result.stderr
        assert "unreachable" in last_line
        assert "Traceback" not in result.stdout + result.stderr
