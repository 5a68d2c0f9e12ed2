"""The article page's query compiled once and planned once per connection (articles/prepared.py)."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import pagecache
from articles.models import Article, ArticleParts
from articles.prepared import PreparedQuery, PreparedStatement
from articles.views import PUBLIC_ARTICLE

from .factories import ArticleFactory, AuthorFactory, EntityFactory

pytestmark = pytest.mark.django_db


def page_queries(client, article):
    pagecache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_page_reads_what_the_queryset_reads():
    entities = [EntityFactory(kind=kind) for kind in ("PERSON", "PLACE", "ORG")]
    ArticleFactory(entities=entities[:2], tags=["energy"])
    article = ArticleFactory(author=AuthorFactory(bio="Writes."), entities=entities, tags=["energy", "ports"])
    [fetched] = PUBLIC_ARTICLE.fetch(article.slug)
    expected = Article.objects.for_detail().published().get(slug=article.slug)
    for name in ("id", "title", "slug", "body", "published_at", "updated_at", "author_id", "status"):
        assert getattr(fetched, name) == getattr(expected, name), name
    assert fetched.author.bio == "Writes." and fetched._state.db == expected._state.db
    assert [tag.name for tag in fetched.listing_tags] == [tag.name for tag in expected.listing_tags]
    assert [(m.entity.name, m.count) for m in fetched.entity_mentions] == [
        (m.entity.name, m.count) for m in expected.entity_mentions
    ]
    assert fetched.related_rows == expected.related_rows and fetched.related_list.related_ids is not None


def test_drafts_scheduled_and_unknown_slugs_are_not_found(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1))
    for slug in (draft.slug, scheduled.slug, "no-such-article"):
        assert PUBLIC_ARTICLE.fetch(slug) == []
        assert client.get(f"/articles/{slug}/").status_code == 404


def new_connection(query):
    """As if the connection were new: it has not prepared `query`."""
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {query.name}")
    query.statement._prepared_on.clear()


def test_planned_once_per_connection_in_the_same_round_trip(client):
    first, second = ArticleFactory(), ArticleFactory()
    ArticleParts.objects.all().delete()  # the page rendered from nothing: the prepared article query
    page_queries(client, first)
    new_connection(PUBLIC_ARTICLE)
    queries = page_queries(client, first)
    # The page cache's state; the stored parts (none); the article, prepared and run in one statement.
    assert len(queries) == 3 and queries[1].startswith("EXECUTE article_parts_page(")
    assert queries[2].startswith("PREPARE article_page AS SELECT") and "; EXECUTE article_page('" in queries[2]
    queries = page_queries(client, second)
    assert queries[2] == f"EXECUTE article_page('{second.slug}')"


def test_plain_sql_when_prepared_statements_are_off(client, settings):
    settings.PREPARED_STATEMENTS = False
    article = ArticleFactory(title="Plain")
    queries = page_queries(client, article)
    assert all(not query.lstrip().startswith(("PREPARE", "EXECUTE")) for query in queries)
    assert article.slug in queries[1]
    assert "Plain" in client.get(article.get_absolute_url()).content.decode()


def test_percent_signs_and_quotes_in_the_value_and_the_query_are_kept():
    article = ArticleFactory(slug="fifty-percent")
    query = PreparedQuery("percent_test", lambda value: Article.objects.filter(slug=value, title__contains="%'"))
    assert query.fetch("fifty-percent") == []
    Article.objects.filter(pk=article.pk).update(title="A 50%' rise")
    assert [a.pk for a in query.fetch("fifty-percent")] == [article.pk]
    assert query.fetch("it's 100%") == []


def test_a_query_must_use_its_value_once_and_have_a_name_of_its_own():
    query = PreparedQuery("twice", lambda value: Article.objects.filter(slug=value, title=value))
    with pytest.raises(ValueError, match="exactly once"):
        query.fetch("x")
    for name in ("article_page", "not an identifier"):
        with pytest.raises(ValueError, match="a name of its own"):
            PreparedQuery(name, lambda value: Article.objects.filter(slug=value))


def test_several_values_each_used_once_or_more():
    first, second = ArticleFactory(slug="first-one", title="Grid"), ArticleFactory(slug="second-one", title="Port")
    query = PreparedQuery(
        "several_values",
        lambda slugs, title: (
            Article.objects.filter(slug__in=RawSQL("SELECT unnest(%s::text[])", [slugs]))
            .filter(Q(title=title) | Q(dek=title))
            .order_by("pk")
        ),
        values=2,
    )
    assert [a.pk for a in query.fetch(["first-one", "second-one"], "Grid")] == [first.pk]
    assert [a.pk for a in query.fetch(["second-one"], "Port")] == [second.pk]  # now as EXECUTE
    assert query.fetch([], "Grid") == []
    with pytest.raises(TypeError):
        query.fetch(["first-one"])
    unused = PreparedQuery("unused_value", lambda slug, other: Article.objects.filter(slug=slug), values=2)
    with pytest.raises(ValueError, match="each of its values"):
        unused.fetch("first-one", "x")


def test_a_first_run_that_fails_leaves_the_connection_able_to_run_it():
    # The PREPARE stays when the EXECUTE after it fails (and after a rollback): preparing again
    # would be an error, so the next run asks whether the connection has it.
    statement = PreparedStatement("divide_test")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        statement.execute(connection, cursor, "SELECT 10 / %s", [0])
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        statement.execute(connection, cursor, "SELECT 10 / %s", [2])
        assert cursor.fetchone() == (5,)
        statement.execute(connection, cursor, "SELECT 10 / %s", [5])
        assert cursor.fetchone() == (2,)
    assert [query["sql"] for query in captured.captured_queries][1:] == [
        "EXECUTE divide_test(2)",
        "EXECUTE divide_test(5)",
    ]


def test_a_prepare_that_fails_is_tried_again():
    statement = PreparedStatement("missing_table_test")
    for _ in range(2):
        with pytest.raises(DatabaseError, match="no_such_table"), transaction.atomic(), connection.cursor() as cursor:
            statement.execute(connection, cursor, "SELECT * FROM no_such_table WHERE id = %s", [1])


@pytest.mark.parametrize("prepared", [True, False])
def test_a_query_without_values_percent_signs_kept(settings, prepared):
    settings.PREPARED_STATEMENTS = prepared
    query = PreparedQuery(f"no_values_{prepared}", lambda: Article.objects.filter(title__contains="50%"), values=0)
    article = ArticleFactory(title="A 50% rise")
    ArticleFactory(title="A 50 rise")
    with CaptureQueriesContext(connection) as captured:
        assert [a.pk for a in query.fetch()] == [article.pk]  # prepared, then run: EXECUTE name
        assert [a.pk for a in query.fetch()] == [article.pk]
    if prepared:
        assert captured.captured_queries[1]["sql"] == f"EXECUTE no_values_{prepared}"
