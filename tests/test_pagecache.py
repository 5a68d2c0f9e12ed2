"""The anonymous page cache: hits, invalidation by every kind of write, scheduled articles,
staff, HTTP revalidation, the Content-Security-Policy, Redis (and Redis down), the replica router."""

import datetime
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import changes, merge, pagecache
from articles.entities.relink import relink
from articles.ingest import ingest_paths
from articles.models import Article, Entity, StoredPage, Tag
from articles.pagecache import PageCacheMiddleware

from .conftest import TEST_SECRET_KEY, test_database_url
from .factories import ArticleFactory, EntityFactory, TagFactory
from .test_admin import article_form

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _database_store(settings):
    """The store a site without a replica uses (settings.PAGE_CACHE_STORE); tests of the other say so."""
    settings.PAGE_CACHE_STORE = "database"


@pytest.fixture
def staff_client():
    user = get_user_model().objects.create_superuser("editor", password="irrelevant-in-tests")
    staff = Client()
    staff.force_login(user)
    return staff


def story(**kwargs):
    return ArticleFactory(tags=[TagFactory(name="energy")], entities=[EntityFactory(name="Baltic Sea")], **kwargs)


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def public_pages(article):
    month = timezone.localtime(article.published_at)
    tag = article.tags.get()
    entity = article.mentions.get().entity
    return [
        "/",
        "/?page=1",
        article.get_absolute_url(),
        tag.get_absolute_url(),
        article.author.get_absolute_url(),
        entity.get_absolute_url(),
        "/tags/",
        "/entities/",
        f"/archive/{month:%Y}/{month:%m}/",
        "/feed/",
        entity.get_absolute_url() + "feed/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/search/?q=story",
        "/robots.txt",
    ]


class TestHits:
    @pytest.mark.parametrize("store", ["database", "cache"])
    def test_every_public_page_is_served_from_the_cache_with_one_query(
        self, client, settings, django_assert_num_queries, store
    ):
        settings.PAGE_CACHE_STORE = store
        article = story(title="A story")
        for path in public_pages(article):
            first = client.get(path)
            assert first.status_code == 200, path
            with django_assert_num_queries(1):  # the content state
                second = client.get(path)
            assert second.status_code == 200, path
            assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit"), path
            assert second.content == first.content, path
            assert second["Content-Type"] == first["Content-Type"], path

    def test_head_is_served_from_the_cache(self, client, django_assert_num_queries):
        story()
        client.get("/")
        with django_assert_num_queries(1):
            assert client.head("/").status_code == 200

    def test_revalidation_with_etag_and_last_modified(self, client, django_assert_num_queries):
        story()
        response = client.get("/")
        etag, modified = response["ETag"], response["Last-Modified"]
        assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag)
        assert "no-cache" in response["Cache-Control"]
        with django_assert_num_queries(1):
            assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get("/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        assert client.get("/", HTTP_IF_NONE_MATCH='"other"').status_code == 200

    def test_every_worker_gives_a_page_the_same_etag(self, client):
        # With PAGE_CACHE_STORE=cache and no Redis each gunicorn worker has its own local-memory
        # cache: the same content must get the same ETag from every worker, or a browser's
        # revalidation would only get its 304 from the worker that served it first. Pages
        # carry no per-response nonce to spoil that.
        article = story()
        first = client.get(article.get_absolute_url())
        pagecache.clear()  # as if rendered again elsewhere
        second = client.get(article.get_absolute_url())
        assert "nonce" not in text(first) and "nonce" not in first["Content-Security-Policy"]
        assert first.content == second.content
        assert first["ETag"] == second["ETag"]
        revalidated = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
        assert revalidated.status_code == 304
        assert "Content-Security-Policy" not in revalidated

    def test_different_queries_and_hosts_are_different_pages(self, client, settings):
        settings.ALLOWED_HOSTS = ["testserver", "news.example.org"]
        story()
        assert "news.example.org" not in text(client.get("/"))
        assert "news.example.org" in text(client.get("/", HTTP_HOST="news.example.org"))
        assert client.get("/?page=2").status_code == 404

    def test_errors_and_redirects_are_not_cached(self, client, django_assert_num_queries):
        client.get("/articles/nowhere/")
        assert client.get("/articles/nowhere/").status_code == 404
        article = story()
        assert client.get(article.get_absolute_url()[:-1]).status_code == 301

    def test_switched_off(self, client, settings, django_assert_num_queries):
        settings.PAGE_CACHE_ENABLED = False
        story()
        client.get("/tags/")
        with django_assert_num_queries(3):  # scheduled check, count, page: rendered again
            client.get("/tags/")


class TestInvalidation:
    """Every write path changes the content generation, so the next request renders anew."""

    def test_orm_save(self, client):
        article = story(title="Before")
        assert "Before" in text(client.get("/"))
        article.title = "After"
        article.save()
        assert "After" in text(client.get("/"))

    def test_raw_sql(self, client):
        article = story(title="Before")
        assert "Before" in text(client.get(article.get_absolute_url()))
        with connection.cursor() as cursor:
            cursor.execute("UPDATE articles_article SET dek = 'Changed in psql' WHERE id = %s", [article.pk])
        assert "Changed in psql" in text(client.get(article.get_absolute_url()))

    def test_admin_save_and_bulk_unpublish(self, client, staff_client):
        article = story(title="Before")
        assert "Before" in text(client.get("/"))
        response = staff_client.post(
            f"/admin/articles/article/{article.pk}/change/", article_form(article, title="After the edit")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert "After the edit" in text(client.get("/"))
        response = staff_client.post(
            "/admin/articles/article/", {"action": "unpublish", "_selected_action": [article.pk], "post": "yes"}
        )
        assert response.status_code == 302
        assert "After the edit" not in text(client.get("/"))
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_merge(self, client):
        article = story()
        kept = EntityFactory(name="Baltic")
        old = Entity.objects.get(name="Baltic Sea")
        assert "Baltic Sea" in text(client.get(article.get_absolute_url()))
        merge.merge_entities(kept, [old])
        page = text(client.get(article.get_absolute_url()))
        assert "Baltic Sea" not in page and "Baltic" in page

    def test_relink(self, client):
        bibi = EntityFactory(name="Benjamin Netanyahu", kind="PERSON", aliases=[])
        article = ArticleFactory(body="Supporters chanted for Bibi outside the court.")
        Entity.objects.filter(pk=bibi.pk).update(aliases=["Bibi"])
        assert "Benjamin Netanyahu" not in text(client.get(article.get_absolute_url()))  # cached now
        relink([bibi.pk])
        assert "Benjamin Netanyahu" in text(client.get(article.get_absolute_url()))

    def test_tag_rename(self, client):
        article = story()
        assert "energy" in text(client.get(article.get_absolute_url()))
        Tag.objects.filter(name="energy").update(name="power")
        assert "power" in text(client.get(article.get_absolute_url()))

    def test_ingest(self, client, seed_dir):
        story(title="Older")
        assert "Fresh from the wire" not in text(client.get("/"))
        seed_dir.write("fresh.txt", "Fresh from the wire\n\nA dek\n\nA body about the Baltic Sea.\n\nAuthor: Ada Lee\n")
        ingest_paths([seed_dir.path], workers=1, ner=False)
        assert "Fresh from the wire" in text(client.get("/"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_scheduled_article_appears_on_time_with_nothing_written(client):
    """Outside a test transaction, so that the database's clock moves."""
    story(title="Already out")
    due = timezone.now() + datetime.timedelta(seconds=1.5)
    ArticleFactory(title="Coming soon", published_at=due)
    assert "Coming soon" not in text(client.get("/"))
    assert "Coming soon" not in text(client.get("/"))  # cached
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.2)
    assert "Coming soon" in text(client.get("/"))


class TestStaff:
    def test_staff_neither_read_nor_fill_the_cache(self, client, staff_client, django_assert_num_queries):
        draft = ArticleFactory(title="Secret draft", status=Article.Status.DRAFT, published_at=None)
        story(title="Public story")
        assert "Secret draft" in text(staff_client.get(draft.get_absolute_url()))
        assert client.get(draft.get_absolute_url()).status_code == 404
        staff_client.get("/")
        with django_assert_num_queries(4):  # rendered for the reader (and stored), not taken from the staff's visit
            assert "Public story" in text(client.get("/"))
        with django_assert_num_queries(1):
            client.get("/")  # the reader's page is cached now...
        with django_assert_num_queries(5, exact=False) as queries:
            staff_client.get("/")  # ...and staff still get theirs rendered
        assert len(queries) > 1
        assert "Secret draft" in text(staff_client.get(draft.get_absolute_url()))

    def test_admin_login_is_never_cached(self, client, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert client.get("/admin/login/").status_code == 200
        assert "csrftoken" in client.get("/admin/login/").cookies


class TestHeaders:
    def test_a_cached_page_keeps_its_policy_and_the_security_headers(self, client):
        article = story()
        first, second = client.get(article.get_absolute_url()), client.get(article.get_absolute_url())
        assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in second["Content-Security-Policy"].split(";"))
        assert directives["script-src"] == "'self'"  # django-csp writes the directives in no fixed order
        for header in [
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cross-Origin-Opener-Policy",
            "X-Frame-Options",
        ]:
            assert second[header] == first[header], header


class TestDatabaseStore:
    """PAGE_CACHE_STORE=database (the default without a replica): pages in StoredPage."""

    def test_pages_are_common_to_every_process(self, client, django_assert_num_queries):
        article = story(title="Rendered once")
        assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
        assert StoredPage.objects.count() == 1
        caches["default"].clear()  # another process's memory: nothing in it
        with django_assert_num_queries(1):  # the page, its keys' versions and the generation
            response = Client().get(article.get_absolute_url())
        assert response["X-Cache"] == "hit"
        assert "Rendered once" in text(response)

    def test_a_save_re_renders_the_stored_page_and_replaces_it(self, client):
        article = story(title="Before")
        client.get(article.get_absolute_url())
        article.title = "After"
        article.save()
        response = client.get(article.get_absolute_url())
        assert response["X-Cache"] == "miss"
        assert "After" in text(response) and "Before" not in text(response)
        assert StoredPage.objects.count() == 1
        assert client.get(article.get_absolute_url())["X-Cache"] == "hit"

    def test_an_expired_page_is_rendered_again(self, client, settings):
        article = story()
        client.get(article.get_absolute_url())
        StoredPage.objects.update(
            stored_at=timezone.now() - datetime.timedelta(seconds=settings.PAGE_CACHE_SECONDS + 1)
        )
        assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
        assert client.get(article.get_absolute_url())["X-Cache"] == "hit"

    def test_a_slower_render_from_an_older_generation_does_not_replace_a_newer_page(self, client):
        article = story(title="Newer")
        client.get(article.get_absolute_url())
        stored = StoredPage.objects.get()
        old = {"keys": ["all"], "generation": stored.generation - 1, "headers": [], "content": b"older"}
        pagecache.store_page("page:" + stored.address, {**old, "etag": 'W/"0"', "rendered_at": 0})
        assert "Newer" in text(client.get(article.get_absolute_url()))

    def test_the_lookup_is_planned_once_per_connection(self, client):
        article = story()
        client.get(article.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
        [lookup] = [query["sql"] for query in captured.captured_queries]
        assert lookup.startswith("EXECUTE stored_page('")  # prepared by the miss before it

    def test_clear_forgets_every_stored_page(self, client):
        article = story()
        client.get(article.get_absolute_url())
        pagecache.clear()
        assert StoredPage.objects.count() == 0
        assert client.get(article.get_absolute_url())["X-Cache"] == "miss"


def redis_reachable():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def redis_settings(url):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "newsroom-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


class TestRedis:
    @pytest.mark.skipif(not redis_reachable(), reason="no Redis server on 127.0.0.1:6379")
    def test_pages_are_shared_through_redis(self, client, settings, django_assert_num_queries):
        settings.PAGE_CACHE_STORE = "cache"
        settings.CACHES = redis_settings("redis://127.0.0.1:6379/13")
        caches["default"].clear()
        article = story(title="Through Redis")
        try:
            assert "Through Redis" in text(client.get(article.get_absolute_url()))
            with django_assert_num_queries(1):
                assert "Through Redis" in text(Client().get(article.get_absolute_url()))
            article.title = "Changed"
            article.save()
            assert "Changed" in text(client.get(article.get_absolute_url()))
        finally:
            caches["default"].clear()

    def test_pages_are_served_when_redis_is_down(self, client, settings, caplog, monkeypatch):
        settings.PAGE_CACHE_STORE = "cache"
        settings.CACHES = redis_settings("redis://127.0.0.1:1/0")  # nothing listens on port 1
        article = story(title="Still here")
        for _ in range(2):
            assert "Still here" in text(client.get(article.get_absolute_url()))
        assert caplog.text.count("page cache unavailable") == 1  # then left alone for a while
        monkeypatch.setattr(PageCacheMiddleware, "_retry_after", 0.0)
        article.title = "Still served"
        article.save()
        assert "Still served" in text(client.get(article.get_absolute_url()))
        assert caplog.text.count("page cache unavailable") == 2


def test_settings_choose_redis_from_redis_url():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "SECRET_KEY": TEST_SECRET_KEY}
    env.pop("REDIS_URL", None)
    plain = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    redis = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "REDIS_URL": "redis://127.0.0.1:6379/0"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert plain.stdout.strip() == "newsroom.cache.BoundedLocMemCache", plain.stderr
    assert redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache", redis.stderr


def test_settings_choose_the_page_store():
    code = "from django.conf import settings; print(settings.PAGE_CACHE_STORE)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "SECRET_KEY": TEST_SECRET_KEY}
    env.pop("PAGE_CACHE_STORE", None)
    env.pop("DATABASE_REPLICA_URL", None)

    def setting(**extra):
        run = subprocess.run(
            [sys.executable, "-c", code], env={**env, **extra}, cwd=ROOT, capture_output=True, text=True
        )
        return run.stdout.strip() or run.stderr.strip().splitlines()[-1]

    replica = "postgres:///replica"
    assert setting() == "database"
    assert setting(DATABASE_REPLICA_URL=replica) == "cache"
    assert setting(PAGE_CACHE_STORE="cache") == "cache"
    assert "cannot be used with DATABASE_REPLICA_URL" in setting(
        DATABASE_REPLICA_URL=replica, PAGE_CACHE_STORE="database"
    )
    assert "must be database or cache" in setting(PAGE_CACHE_STORE="redis")


REPLICA_PROBE = """
import django
from django.conf import settings
django.setup()
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from articles.models import Article

client = Client()
with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
    assert client.get("/").status_code == 200
print("public", len(primary), len(replica))
with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as replica:
    client.get("/admin/login/")
    client.get("/", HTTP_COOKIE="sessionid=whatever")
    Article.objects.count()
    with transaction.atomic():
        Article.objects.count()
print("private", len(primary), len(replica))
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_pages_read_from_the_replica_and_everything_else_from_the_primary():
    url = test_database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "SECRET_KEY": TEST_SECRET_KEY,
        "HTTPS": "0",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": url,
        "DATABASE_REPLICA_URL": url,  # a second connection to the same server stands in for a replica
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", REPLICA_PROBE], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in done.stdout.strip().splitlines())
    primary, replica = map(int, lines["public"].split())
    assert replica == 2  # content state (with the scheduled-articles check), article total (the archive is empty)
    assert primary == 0  # catching up on scheduled articles, which writes, only when one is due
    primary, replica = map(int, lines["private"].split())
    assert replica == 0 and primary > 0


class TestPerObjectInvalidation:
    """A write re-renders the pages that show what it changed, and leaves every other cached page in place."""

    def test_saving_one_article_leaves_unrelated_pages_cached(self, client, staff_client, django_assert_num_queries):
        one = story(title="First story")
        other = ArticleFactory(title="Unrelated story", tags=[TagFactory(name="sport")])
        unrelated = [other.get_absolute_url(), "/tags/sport/", other.author.get_absolute_url(), "/tags/"]
        for path in [*unrelated, one.get_absolute_url(), "/"]:
            text(client.get(path))
        edit = article_form(one, title="Edited", tags="energy")
        response = staff_client.post(f"/admin/articles/article/{one.pk}/change/", edit)
        assert response.status_code == 302, response.content.decode()[:2000]
        for path in unrelated:
            with django_assert_num_queries(1):  # still the cached page
                assert client.get(path).status_code == 200, path
        assert "Edited" in text(client.get(one.get_absolute_url()))
        assert "Edited" in text(client.get("/"))  # its card is on the home page

    def test_a_new_address_replaces_the_old_one_in_the_cached_sitemap(self, client, staff_client):
        # QA F13: the articles section followed only the home page's list ("home"), which a slug or
        # text edit leaves alone, so it kept listing the old address (now a 301) as a cache hit.
        one = story(title="First story")
        old = one.get_absolute_url()
        assert old in text(client.get("/sitemap-articles.xml"))
        text(client.get("/sitemap.xml"))
        for path in ("/sitemap-articles.xml", "/sitemap.xml"):
            assert client.get(path)["X-Cache"] == "hit", path
        edit = article_form(one, slug="new-address", tags="energy")
        response = staff_client.post(f"/admin/articles/article/{one.pk}/change/", edit)
        assert response.status_code == 302, response.content.decode()[:2000]
        sitemap = text(client.get("/sitemap-articles.xml"))
        assert "/articles/new-address/</loc>" in sitemap
        assert f"{old}</loc>" not in sitemap
        assert client.get("/sitemap.xml")["X-Cache"] == "miss"  # each section's lastmod is in the index

    def test_an_ingest_leaves_the_pages_of_articles_it_does_not_touch_cached(
        self, client, seed_dir, django_assert_num_queries
    ):
        old = story(title="Older story")
        kept = [old.get_absolute_url(), old.author.get_absolute_url(), "/tags/energy/"]
        for path in [*kept, "/"]:
            text(client.get(path))
        for n in range(3):
            seed_dir.write(f"new{n}.txt", f"Fresh story {n}\n\nA dek\n\nA body.\n\nAuthor: Ada Lee\n\nTags: weather")
        report = ingest_paths([seed_dir.path], workers=1, ner=False)
        assert report.created == 3
        for path in kept:
            with django_assert_num_queries(1):
                assert client.get(path).status_code == 200, path
        assert "Fresh story 2" in text(client.get("/"))

    def test_renaming_a_tag_re_renders_the_pages_that_show_it(self, client, staff_client):
        article = story()
        other = ArticleFactory(title="Untagged story")
        for path in (article.get_absolute_url(), other.get_absolute_url()):
            text(client.get(path))
        tag = Tag.objects.get(name="energy")
        renamed = {"name": "power", "slug": tag.slug}
        assert staff_client.post(f"/admin/articles/tag/{tag.pk}/change/", renamed).status_code == 302
        assert "power" in text(client.get(article.get_absolute_url()))
        assert "power" in text(client.get("/tags/"))


class TestKeySpace:
    """Only a bounded set of addresses is ever stored; anything else is answered uncached."""

    def test_a_forged_script_name_never_reaches_a_stored_page(self, client):
        story()
        for _ in range(3):  # as gunicorn passes a SCRIPT_NAME header from a trusted address
            client.get("/tags/", SCRIPT_NAME="/tags", PATH_INFO="/")
        page = text(client.get("/tags/"))
        assert "<h1>Topics</h1>" in page or "Topics" in page
        assert 'href="/tags/tags/' not in page

    def test_the_script_prefix_is_pinned_by_the_settings_not_the_request(self, client, settings):
        assert settings.FORCE_SCRIPT_NAME == ""  # not None: Django never reads SCRIPT_NAME from the environ
        story()
        page = text(client.get("/tags/", SCRIPT_NAME="/tags"))
        assert "Topics" in page and 'href="/tags/tags/' not in page

    def test_gunicorn_lets_no_header_set_script_name_or_path_info(self, tmp_path):
        """gunicorn.conf.py as `make serve` uses it, with an app that echoes its environ."""
        port = _free_port()
        env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "1"}
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "tests.echo_wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            environ = None
            deadline = time.monotonic() + 20
            while environ is None and time.monotonic() < deadline:
                try:
                    environ = _raw_get(port, "/tags/", {"SCRIPT_NAME": "/tags", "PATH_INFO": "/"})
                except OSError:
                    time.sleep(0.2)
            assert environ == {"SCRIPT_NAME": "", "PATH_INFO": "/tags/", "HTTP_X_FORWARDED_FOR": ""}
            # An ordinary header still arrives.
            assert _raw_get(port, "/", {"X-Forwarded-For": "192.0.2.1"})["HTTP_X_FORWARDED_FOR"] == "192.0.2.1"
        finally:
            server.terminate()
            server.wait(timeout=20)

    def test_odd_spellings_of_the_host_and_unread_parameters_are_not_cached(self, client, settings):
        settings.ALLOWED_HOSTS = ["testserver", "localhost"]
        story()
        for host in ["LOCALHOST", "localhost.", "localhost:99999999", "localhost:8001"]:
            assert client.get("/", HTTP_HOST=host).status_code == 200, host
        assert client.get("/sitemap-entities.xml?x=1").status_code == 200
        assert client.get("/?utm_source=mail").status_code == 200
        assert StoredPage.objects.count() == 0
        client.get("/", HTTP_HOST="localhost")
        client.get("/?page=1")
        assert StoredPage.objects.count() == 2

    def test_ten_thousand_junk_variants_leave_the_cache_within_its_bound(self, client, settings):
        settings.PAGE_CACHE_STORE = "cache"
        settings.CACHES = {
            "default": {
                "BACKEND": "newsroom.cache.BoundedLocMemCache",
                "LOCATION": "bounded-test",
                "OPTIONS": {"MAX_ENTRIES": 100_000, "MAX_BYTES": 200_000},
            }
        }
        cache = caches["default"]
        cache.clear()
        story()
        for n in range(10_000):  # never stored: parameters the page does not read
            assert client.get(f"/robots.txt?x={n}").status_code == 200
        assert len(cache._cache) == 0
        for n in range(150):  # stored, then evicted least recently used first
            assert client.get("/search/", {"q": f"story{n}"}).status_code == 200
        assert 0 < cache.stored_bytes <= 200_000
        assert len(cache._cache) < 150


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_rendered_before_a_commit_is_never_served_after_it(client, monkeypatch):
    """A change that commits while a page is being rendered: the page, rendered from the old
    content, is stored with the generation read before it, so the next request renders anew."""
    article = story(title="Before")
    commit = threading.Event()
    committed = threading.Event()

    def writer():
        with changes.atomic():
            Article.objects.filter(pk=article.pk).update(title="After")
            changes.apply(articles=[article.pk])
            commit.wait(10)
        connection.close()
        committed.set()

    thread = threading.Thread(target=writer)
    thread.start()
    original = PageCacheMiddleware.to_entry

    def to_entry_after_the_commit(*args, **kwargs):
        commit.set()  # the page has been rendered from the old content; now the change commits
        committed.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(PageCacheMiddleware, "to_entry", staticmethod(to_entry_after_the_commit))
    assert "Before" in text(client.get(article.get_absolute_url()))
    thread.join(10)
    monkeypatch.setattr(PageCacheMiddleware, "to_entry", staticmethod(original))
    assert "After" in text(client.get(article.get_absolute_url()))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_that_marks_one_key_many_times_commits(client):
    """Keys marked twice in one transaction (apply() called per part of a job) take the new
    generation once: the COMMIT neither fails nor leaves the page stale."""
    article = story(title="Before")
    assert "Before" in text(client.get(article.get_absolute_url()))
    with changes.atomic():
        for title in ("Between", "After"):
            Article.objects.filter(pk=article.pk).update(title=title)
            changes.apply(articles=[article.pk])
        for _ in range(500):  # the clock moves between rows; the keys must still be distinct
            pagecache.invalidate([pagecache.key("article", article.pk), "home"])
    assert "After" in text(client.get(article.get_absolute_url()))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw_get(port, path, headers):
    """GET with headers sent exactly as named (underscores included); the JSON answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


class TestCompression:
    """Responses leave gzip-compressed when the client accepts it, cached pages included."""

    def test_a_page_is_compressed_on_a_miss_and_on_a_hit(self, client):
        import gzip

        story(title="A story")
        plain = client.get("/").content
        responses = [client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br") for _ in range(2)]
        for response in responses:
            assert response["Content-Encoding"] == "gzip"
            assert "Accept-Encoding" in response["Vary"]
            assert gzip.decompress(response.content) == plain
            assert len(response.content) < len(plain) / 2
        assert responses[1]["X-Cache"] == "hit"
        # The weak ETag names the content, so revalidation works whatever the encoding.
        assert responses[0]["ETag"] == client.get("/")["ETag"]
        again = client.get("/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=responses[0]["ETag"])
        assert again.status_code == 304

    def test_without_gzip_in_accept_encoding_pages_are_plain(self, client):
        story()
        response = client.get("/")
        assert not response.has_header("Content-Encoding")


@pytest.mark.parametrize("path", ["/", "/no-such-page/"])
def test_a_head_request_gets_the_headers_and_no_body(rf, path):
    """Through the whole middleware stack, as a WSGI server calls it (the test client removes a HEAD
    body itself, so it cannot see one): a stored page served to HEAD had its body, which gunicorn
    dropped with a warning per request."""
    from django.core.handlers.base import BaseHandler

    story(title="Head story")
    handler = BaseHandler()
    handler.load_middleware()
    before = handler.get_response(rf.head(path))  # rendered by the view
    got = handler.get_response(rf.get(path))
    after = handler.get_response(rf.head(path))  # the stored page, for "/"
    assert got.content and before.status_code == got.status_code == after.status_code
    assert (before.content, after.content) == (b"", b"")
    if got.status_code == 200:
        assert after["X-Cache"] == "hit" and after["ETag"] == got["ETag"]
