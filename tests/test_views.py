"""Public pages through real HTTP requests: content, escaping, visibility and query counts."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, Entity, Tag
from articles.roles import create_editor
from articles.views import EntityListView

from .conftest import TEST_SECRET_KEY
from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def staff_client():
    user = create_editor("editor", password="plum-kettle-harbour-42")  # in Editors: may preview drafts
    staff = Client()
    staff.force_login(user)
    return staff


def make_articles(n, **kwargs):
    tag = TagFactory(name="energy")
    entity = EntityFactory(name="Baltic Sea")
    return [ArticleFactory(tags=[tag, f"extra {i % 3}"], entities=[entity], **kwargs) for i in range(n)]


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class TestHome:
    def test_lists_published_articles_newest_first(self, client):
        old = ArticleFactory(title="Older story", published_at=timezone.now() - datetime.timedelta(days=2))
        new = ArticleFactory(title="Newer story", published_at=timezone.now() - datetime.timedelta(days=1))
        content = page_text(client.get("/"))
        assert content.index(new.title) < content.index(old.title)
        assert new.author.name in content
        assert f'href="{new.get_absolute_url()}"' in content

    def test_drafts_and_scheduled_articles_are_not_listed(self, client):
        ArticleFactory(title="Draft story", status=Article.Status.DRAFT)
        ArticleFactory(title="Scheduled story", published_at=timezone.now() + datetime.timedelta(days=1))
        content = client.get("/").content.decode()
        assert "Draft story" not in content
        assert "Scheduled story" not in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_does_not_grow_with_articles(self, client, django_assert_num_queries, count):
        make_articles(count)
        # page cache state (and whether a scheduled article is due), article total (month counts), page with tags
        with django_assert_num_queries(3):
            response = client.get("/")
        assert response.status_code == 200

    def test_paginates_with_page_links(self, client):
        make_articles(45)
        first = page_text(client.get("/"))
        assert 'rel="next" href="?page=2"' in first
        assert '<link rel="next" href="?page=2">' in first
        assert "Page 1 of 3" in first
        page2 = page_text(client.get("/?page=2"))
        assert 'rel="prev" href="/"' in page2  # page 1 has no ?page=
        assert 'href="?page=3"' in page2
        assert '<link rel="canonical" href="http://testserver/?page=2">' in page2

    @pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1.5", "%00", "9" * 400])
    def test_bad_page_numbers_are_404_not_500(self, client, page):
        make_articles(2)
        assert client.get("/", {"page": page}).status_code == 404

    def test_last_page_keyword(self, client):
        make_articles(25)
        assert client.get("/?page=last").status_code == 200

    def test_header_navigation_marks_the_current_section(self, client):
        content = page_text(client.get("/"))
        assert '<a href="/" aria-current="page">Latest</a>' in content
        for url in ["/tags/", "/entities/", "/authors/", "/archive/"]:
            assert f'href="{url}"' in content


class TestArticle:
    def test_shows_the_whole_story(self, client):
        tag = TagFactory(name="floods")
        river = EntityFactory(name="River Severn", kind=Entity.Kind.PLACE)
        minister = EntityFactory(name="Ada Minister", kind=Entity.Kind.PERSON)
        agency = EntityFactory(name="Flood Agency", kind=Entity.Kind.ORG)
        author = AuthorFactory(name="Rhys Byline", bio="Covers rivers. @rhysb")
        article = ArticleFactory(
            title="Flood plan agreed",
            body="First paragraph.\n\nSecond paragraph.",
            tags=[tag],
            entities=[river, minister, agency],
            author=author,
        )
        content = page_text(client.get(article.get_absolute_url()))
        assert "<h1>Flood plan agreed</h1>" in content
        assert content.count("<h1") == 1
        assert "<p>First paragraph.</p>" in content and "<p>Second paragraph.</p>" in content
        assert f'href="{author.get_absolute_url()}" rel="author"' in content
        assert f'href="{tag.get_absolute_url()}"' in content
        # Entities grouped by kind, people first.
        people, places, orgs = (content.index(f"<dt>{label}</dt>") for label in ("People", "Places", "Organisations"))
        assert people < places < orgs
        assert people < content.index(">Ada Minister<") < places < content.index(">River Severn<") < orgs
        # The author box: bio and X link.
        assert "Covers rivers. @rhysb" in content
        assert 'href="https://x.com/rhysb"' in content

    def test_related_articles_share_the_most_entities_and_tags_newest_first(self, client):
        a, b, c = EntityFactory(), EntityFactory(), EntityFactory()
        tag = TagFactory(name="drought")
        now = timezone.now()
        best = ArticleFactory(
            title="Shares three", entities=[a, b], tags=[tag], published_at=now - datetime.timedelta(days=9)
        )
        older_one = ArticleFactory(
            title="Shares one, older", entities=[a], published_at=now - datetime.timedelta(days=5)
        )
        newer_one = ArticleFactory(title="Shares one, newer", tags=[tag], published_at=now - datetime.timedelta(days=2))
        ArticleFactory(title="Shares nothing", entities=[c])
        ArticleFactory(title="Draft sharing all", entities=[a, b], tags=[tag], status=Article.Status.DRAFT)
        ArticleFactory(
            title="Scheduled sharing all", entities=[a, b], tags=[tag], published_at=now + datetime.timedelta(days=1)
        )
        article = ArticleFactory(entities=[a, b], tags=[tag])  # its related articles are chosen as it is written
        content = page_text(client.get(article.get_absolute_url()))
        related = content[content.index('id="related-heading"') :]
        assert related.index(best.title) < related.index(newer_one.title) < related.index(older_one.title)
        for hidden in ["Shares nothing", "Draft sharing all", "Scheduled sharing all"]:
            assert hidden not in content
        assert article.title not in related

    def test_no_related_section_when_nothing_is_shared(self, client):
        article = ArticleFactory(author=None)
        assert "Related articles" not in page_text(client.get(article.get_absolute_url()))

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_is_fixed(self, client, django_assert_num_queries, count):
        entities = [EntityFactory(kind=kind) for kind in Entity.Kind.values for _ in range(count)]
        for _ in range(count):  # articles to relate to
            ArticleFactory(entities=entities[:3], tags=["t0"])
        article = ArticleFactory(entities=entities, tags=[f"t{i}" for i in range(count)])
        # page cache state; the article with its author, tags, entities and related articles (for_detail())
        with django_assert_num_queries(2):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200

    def test_hostile_text_is_escaped(self, client):
        author = AuthorFactory(name=f"Author {HOSTILE}", bio=HOSTILE)
        entity = EntityFactory(name=f"Entity {HOSTILE}")
        ArticleFactory(title=f"Related {HOSTILE}", entities=[entity])
        article = ArticleFactory(
            title=HOSTILE, dek=HOSTILE, body=HOSTILE, author=author, tags=[HOSTILE[:90]], entities=[entity]
        )
        content = client.get(article.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in content
        assert "<img src=x" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert "Related &lt;script&gt;" in content
        assert 'content="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img' in content  # meta attributes

    def test_draft_is_404_for_the_public_and_bannered_for_staff(self, client, staff_client):
        article = ArticleFactory(status=Article.Status.DRAFT)
        assert client.get(article.get_absolute_url()).status_code == 404
        response = staff_client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Draft — not visible to the public." in response.content.decode()

    def test_scheduled_is_404_for_the_public_and_bannered_for_staff(self, client, staff_client):
        article = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
        assert client.get(article.get_absolute_url()).status_code == 404
        assert "Scheduled for" in page_text(staff_client.get(article.get_absolute_url()))

    @pytest.mark.parametrize("slug", ["no-such-article", "x" * 5000, "..%2F..%2Fetc%2Fpasswd", "%00", "é"])
    def test_unknown_slugs_are_404(self, client, slug):
        assert client.get(f"/articles/{slug}/").status_code == 404

    def test_the_address_cut_back_to_articles_leads_to_the_article_list(self, client):
        response = client.get("/articles/")
        assert (response.status_code, response["Location"]) == (301, "/")


class TestBrowsePages:
    @pytest.mark.parametrize("count", [1, 30])
    def test_author_page(self, client, django_assert_num_queries, count):
        author = AuthorFactory(bio="Writes about rivers. @rivers")
        make_articles(count, author=author)
        # page cache state, author+stats, page with tags
        with django_assert_num_queries(3):
            response = client.get(author.get_absolute_url())
        content = page_text(response)
        assert "Writes about rivers." in content
        assert "https://x.com/rivers" in content
        assert f"{count} article" in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_tag_page(self, client, django_assert_num_queries, count):
        make_articles(count)
        ArticleFactory(title="Untagged story")
        with django_assert_num_queries(3):
            response = client.get("/tags/energy/")
        content = page_text(response)
        assert f"{count} article" in content
        assert "Untagged story" not in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_entity_page(self, client, django_assert_num_queries, count):
        make_articles(count)
        entity = Entity.objects.get(name="Baltic Sea")
        # page cache state, entity with stats, appears-with and timeline (prepared), page of cards
        with django_assert_num_queries(3):
            response = client.get(entity.get_absolute_url())
        content = page_text(response)
        assert "<h1>Baltic Sea</h1>" in content
        assert f"Mentioned in {count} article" in content

    def test_entity_page_shows_who_appears_with_it_and_a_timeline(self, client):
        baltic, often, once = (
            EntityFactory(name="Baltic Sea"),
            EntityFactory(name="Often Along"),
            EntityFactory(name="Once Along"),
        )
        now = timezone.now()
        ArticleFactory(entities=[baltic, often], published_at=now - datetime.timedelta(days=70))
        ArticleFactory(entities=[baltic, often, once], published_at=now - datetime.timedelta(days=1))
        ArticleFactory(entities=[once], published_at=now - datetime.timedelta(days=1))
        ArticleFactory(entities=[baltic, once], status=Article.Status.DRAFT)
        content = page_text(client.get(baltic.get_absolute_url()))
        appears = content[content.index('id="appears-heading"') :]
        assert appears.index("Often Along") < appears.index("Once Along")
        assert "2 articles" in appears and "1 article<" in appears
        assert '<svg class="timeline-chart"' in content and 'role="img"' in content
        assert content.count('<rect class="timeline-bar"') == 2  # two months with articles; gaps have no bar
        assert "Monthly counts as a table" in content
        assert f'<th scope="row">{now:%B %Y}</th><td>1</td>' in content

    def test_entity_with_many_co_mentions_keeps_a_fixed_query_count(self, client, django_assert_num_queries):
        baltic = EntityFactory(name="Baltic Sea")
        for i in range(30):
            ArticleFactory(
                entities=[baltic, *(EntityFactory() for _ in range(3))],
                published_at=timezone.now() - datetime.timedelta(days=31 * i + 1),
            )
        with django_assert_num_queries(3):
            assert client.get(baltic.get_absolute_url()).status_code == 200

    def test_unknown_slug_is_404_with_friendly_page(self, client):
        response = client.get("/authors/nobody/")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()

    @pytest.mark.parametrize("prefix", ["/authors/", "/tags/", "/entities/"])
    @pytest.mark.parametrize("slug", ["nobody", "x" * 5000])
    def test_unknown_or_absurd_slugs_are_404(self, client, prefix, slug):
        assert client.get(f"{prefix}{slug}/").status_code == 404
        assert client.get(f"{prefix}{slug}/feed/").status_code == 404

    def test_tag_page_bad_page_is_404(self, client):
        make_articles(3)
        assert client.get("/tags/energy/?page=7").status_code == 404
        assert client.get("/tags/energy/?page=abc").status_code == 404


class TestIndexPages:
    @pytest.mark.parametrize("count", [1, 30])
    def test_tag_index_most_used_first(self, client, django_assert_num_queries, count):
        for i in range(count):
            ArticleFactory(tags=["common", f"rare {i}"])
        ArticleFactory(tags=["common", "secret-draft-tag"], status=Article.Status.DRAFT)
        with django_assert_num_queries(3):  # page cache state, count, page
            response = client.get("/tags/")
        content = page_text(response)
        assert f'<a href="/tags/common/">common</a> <span class="count">{count}</span>' in content
        assert content.index("common") < content.index("rare 0")
        assert "secret-draft-tag" not in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_author_index_with_counts(self, client, django_assert_num_queries, count):
        for _ in range(count):
            ArticleFactory()
        silent = AuthorFactory(name="Only Drafts")
        ArticleFactory(author=silent, status=Article.Status.DRAFT)
        with django_assert_num_queries(3):
            response = client.get("/authors/")
        content = page_text(response)
        assert content.count("1 article<") == count
        assert "Only Drafts" not in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_entity_index_has_a_section_per_kind(self, client, django_assert_num_queries, count):
        for i in range(count):
            ArticleFactory(
                author=None,
                entities=[
                    EntityFactory(name=f"Person {i}", kind=Entity.Kind.PERSON),
                    EntityFactory(name=f"Place {i}", kind=Entity.Kind.PLACE),
                    EntityFactory(name=f"Org {i}", kind=Entity.Kind.ORG),
                ],
            )
        with django_assert_num_queries(2):  # page cache state, top entities of each kind
            response = client.get("/entities/")
        content = page_text(response)
        people, places, orgs = (content.index(f'id="section-{s}"') for s in ("people", "places", "organisations"))
        assert people < content.index("Person 0") < places < content.index("Place 0") < orgs < content.index("Org 0")
        if count > 30 - 1 and count > EntityListView.per_section:
            assert "All " in content

    def test_entity_kind_tab_paginates(self, client, django_assert_num_queries):
        people = [EntityFactory(name=f"Person {i:03d}", kind=Entity.Kind.PERSON) for i in range(130)]
        ArticleFactory(author=None, entities=people)
        ArticleFactory(author=None, entities=[EntityFactory(name="Some Place")])
        with django_assert_num_queries(3):
            response = client.get("/entities/?kind=people")
        content = page_text(response)
        assert "Person 000" in content and "Some Place" not in content
        assert 'href="?kind=people&amp;page=2"' in content
        assert '<link rel="canonical" href="http://testserver/entities/?kind=people">' in content
        assert "Person 129" in page_text(client.get("/entities/?kind=people&page=2"))
        assert client.get("/entities/?kind=robots").status_code == 404
        assert client.get("/entities/?kind=people&page=3").status_code == 404

    def test_entity_overview_is_one_page(self, client):
        ArticleFactory(author=None, entities=[EntityFactory(name="Some Place", kind=Entity.Kind.PLACE)])
        for page in ["1", "last"]:
            assert "Some Place" in page_text(client.get("/entities/", {"page": page}))
        for page in ["2", "abc", "9999", "0", "-1"]:
            assert client.get("/entities/", {"page": page}).status_code == 404, page


class TestArchive:
    def make_dated(self, *dates, **kwargs):
        return [ArticleFactory(published_at=datetime.datetime(*d, 12, tzinfo=datetime.UTC), **kwargs) for d in dates]

    def test_index_lists_years_and_months_with_counts(self, client, django_assert_num_queries):
        self.make_dated((2023, 5, 1), (2024, 6, 1), (2024, 6, 20), (2024, 11, 3))
        ArticleFactory(published_at=datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC), status=Article.Status.DRAFT)
        with django_assert_num_queries(2):
            content = page_text(client.get("/archive/"))
        assert '<a href="/archive/2024/">2024</a> <span class="count">3 articles</span>' in content
        assert '<a href="/archive/2024/06/">June</a> <span class="count">2</span>' in content
        assert content.index("/archive/2024/") < content.index("/archive/2023/")
        assert "/archive/2022/" not in content

    @pytest.mark.parametrize("count", [1, 30])
    def test_year_and_month_pages(self, client, django_assert_num_queries, count):
        self.make_dated(*[(2024, 6, 1 + i % 28) for i in range(count)])
        self.make_dated((2024, 7, 1), (2023, 1, 1))
        with django_assert_num_queries(3):  # page cache state, month counts, page (with its tags)
            june = page_text(client.get("/archive/2024/06/"))
        assert "<h1>June 2024</h1>" in june
        assert f"{count} article" in june
        assert 'href="/archive/2024/07/">July 2024 →' not in june  # newer is on the left
        assert "July 2024</a>" in june and "January 2023 →</a>" in june
        with django_assert_num_queries(3):
            year = page_text(client.get("/archive/2024/"))
        assert f"{count + 1} article" in year
        assert "<h1>2024</h1>" in year

    @pytest.mark.parametrize(
        "url",
        [
            "/archive/2024/13/",
            "/archive/2024/00/",
            "/archive/0000/",
            "/archive/1999/",
            "/archive/2024/05/",
            "/archive/99999/",
            "/archive/2024/6/",
            "/archive/abcd/",
        ],
    )
    def test_bad_or_empty_periods_are_404(self, client, url):
        self.make_dated((2024, 6, 1))
        assert client.get(url).status_code == 404


class TestEscapingEverywhere:
    def test_hostile_names_are_escaped_on_every_page(self, client):
        author = AuthorFactory(name=f"Author {HOSTILE}", bio=HOSTILE)
        entity = EntityFactory(name=f"Entity {HOSTILE}", kind=Entity.Kind.PERSON)
        tag_name = f"tag {HOSTILE}"[:90]
        article = ArticleFactory(
            title=HOSTILE,
            dek=HOSTILE,
            body=HOSTILE,
            author=author,
            tags=[tag_name],
            entities=[entity],
            published_at=datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC),
        )
        tag = article.tags.get()
        urls = [
            "/",
            article.get_absolute_url(),
            "/tags/",
            tag.get_absolute_url(),
            "/authors/",
            author.get_absolute_url(),
            "/entities/",
            "/entities/?kind=people",
            entity.get_absolute_url(),
            "/archive/2024/",
            "/archive/2024/06/",
        ]
        for url in urls:
            content = page_text(client.get(url))
            assert "<script>alert(1)" not in content, url
            assert "<img src=x" not in content, url
            assert "&lt;script&gt;" in content or "\\u003Cscript\\u003E" in content, url


class TestHealth:
    def test_ok_with_a_database_round_trip(self, client, django_assert_num_queries):
        with django_assert_num_queries(0):  # is_usable() asks the connection itself, past Django's query log
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
                "SECRET_KEY": TEST_SECRET_KEY,
                "ALLOWED_HOSTS": "testserver",
                "HTTPS": "0",  # plain http, as in local use
            },
            timeout=60,
        )
        last_line = result.stdout.strip().splitlines()[-1]
        assert last_line.startswith("503 "), result.stdout + result.stderr
        assert "unreachable" in last_line
        assert "Traceback" not in result.stdout + result.stderr


class TestPrivateSubjects:
    def test_subjects_known_only_from_drafts_have_no_page_or_feed(self, client):
        author = AuthorFactory(name="Embargoed Writer")
        entity = EntityFactory(name="Secret Merger Co")
        ArticleFactory(author=author, tags=["embargoed deal"], entities=[entity], status=Article.Status.DRAFT)
        for obj in [author, entity, Tag.objects.get(name="embargoed deal")]:
            assert client.get(obj.get_absolute_url()).status_code == 404
            assert client.get(obj.get_absolute_url() + "feed/").status_code == 404

    def test_later_pages_have_their_own_title(self, client):
        make_articles(25)
        assert "<title>Newsroom — latest articles (page 2)</title>" in page_text(client.get("/?page=2"))
