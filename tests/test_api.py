"""The JSON API (/api/v1/) through real HTTP requests: answers match the schema, visibility,
every filter, cursor paging, errors, query counts, caching headers, CORS and the rate limit."""

import datetime
import functools
import gzip
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from articles import changes
from articles.api import api, schemas
from articles.models import Article, Entity, SearchEntry

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


@functools.cache
def openapi():
    return api.get_openapi_schema()


def conforms(model, data):
    """`data` matches the OpenAPI schema's component for `model` exactly: every required field, no
    undocumented one, and each value of its documented type (recursively)."""
    _check({"$ref": f"#/components/schemas/{model.__name__}"}, data, model.__name__)


def _check(spec, value, where):
    if "$ref" in spec:
        spec = openapi()["components"]["schemas"][spec["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in spec:
        errors = []
        for option in spec["anyOf"]:
            try:
                return _check(option, value, where)
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: {value!r} matches none of {errors}")
    if "enum" in spec:
        assert value in spec["enum"], (where, value)
    kind = spec.get("type")
    types = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict, "null": type(None)}
    if kind:
        assert isinstance(value, types[kind]) and not (kind == "integer" and isinstance(value, bool)), (where, value)
    if kind == "string" and spec.get("format") == "date-time":
        datetime.datetime.fromisoformat(value)
    if kind == "array":
        for i, element in enumerate(value):
            _check(spec.get("items", {}), element, f"{where}[{i}]")
    if kind == "object":
        properties = spec.get("properties", {})
        if properties or "additionalProperties" not in spec:
            assert set(value) <= set(properties), (where, set(value) - set(properties))
        assert set(spec.get("required", ())) <= set(value), (where, set(spec["required"]) - set(value))
        for name, element in value.items():
            _check(properties.get(name, spec.get("additionalProperties", {})), element, f"{where}.{name}")
    return None


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def slugs(client, status=200, **params):
    return [item["slug"] for item in get(client, "/api/v1/articles/", status, **params)["items"]]


class TestIndexAndSchema:
    def test_index_links_every_resource_the_schema_and_the_docs(self, client):
        data = get(client, "/api/v1/")
        conforms(schemas.Index, data)
        assert set(data["resources"]) == {"articles", "entities", "authors", "tags"}
        for url in [*data["resources"].values(), data["schema_url"]]:
            assert client.get(urlsplit(url).path).status_code == 200
        assert urlsplit(data["docs_url"]).path == "/api/docs/"

    def test_openapi_schema_documents_every_route(self, client):
        schema = get(client, "/api/v1/openapi.json")
        assert schema["openapi"].startswith("3.")
        assert set(schema["paths"]) == {
            "/api/v1/",
            "/api/v1/articles/",
            "/api/v1/articles/{slug}/",
            "/api/v1/entities/",
            "/api/v1/entities/{slug}/",
            "/api/v1/authors/",
            "/api/v1/authors/{slug}/",
            "/api/v1/tags/",
            "/api/v1/tags/{slug}/",
        }
        params = {p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
        assert params == {
            *["q", "tag", "author", "entity", "kind", "from", "to", "order", "page_size", "cursor", "fields"]
        }
        for operation in schema["paths"].values():
            assert {"200", "400", "404", "405", "429"} <= set(operation["get"]["responses"])


class TestArticles:
    def test_items_carry_author_tags_and_entities_and_match_the_schema(self, client):
        place = EntityFactory(name="Gdansk", kind=Entity.Kind.PLACE)
        article = ArticleFactory(tags=["energy"], entities=[place])
        data = get(client, "/api/v1/articles/")
        conforms(schemas.ArticlePage, data)
        (item,) = data["items"]
        assert item["slug"] == article.slug
        assert item["url"] == f"http://testserver{article.get_absolute_url()}"
        assert item["author"]["slug"] == article.author.slug
        assert [t["name"] for t in item["tags"]] == ["energy"]
        assert item["entities"] == [
            {
                "name": "Gdansk",
                "kind": "place",
                "slug": place.slug,
                "url": f"http://testserver/entities/{place.slug}/",
                "api_url": f"http://testserver/api/v1/entities/{place.slug}/",
                "mentions": 1,
            }
        ]
        assert "body" not in item
        assert data["next"] is None

    def test_fields_body_adds_the_body(self, client):
        article = ArticleFactory()
        (item,) = get(client, "/api/v1/articles/", fields="body")["items"]
        assert item["body"] == article.body

    def test_drafts_and_scheduled_articles_never_appear(self, client):
        public = ArticleFactory()
        draft = ArticleFactory(status=Article.Status.DRAFT, tags=["secret"])
        scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1))
        assert slugs(client) == [public.slug]
        for hidden in (draft, scheduled):
            get(client, f"/api/v1/articles/{hidden.slug}/", 404)
        assert get(client, "/api/v1/articles/", 400, tag="secret")["parameter"] == "tag"

    def test_newest_first_then_oldest_first(self, client):
        old, new = ArticleFactory(published_at=days_ago(3)), ArticleFactory(published_at=days_ago(1))
        assert slugs(client) == [new.slug, old.slug]
        assert slugs(client, order="oldest") == [old.slug, new.slug]

    def test_search_syntax(self, client):
        wind = ArticleFactory(title="Wind farms expand", body="Turbines off the coast.")
        gas = ArticleFactory(title="Gas prices rise", body="Pipelines and turbines.")
        ArticleFactory(title="Football final", body="A late goal.")
        assert set(slugs(client, q="turbine")) == {wind.slug, gas.slug}  # stemming
        assert slugs(client, q='"wind farms"') == [wind.slug]
        assert set(slugs(client, q="wind OR gas")) == {wind.slug, gas.slug}
        assert slugs(client, q="turbines -gas") == [wind.slug]

    def test_relevance_ranks_headline_matches_first(self, client):
        body = ArticleFactory(title="Markets today", body="Lithium exports grew.", published_at=days_ago(1))
        head = ArticleFactory(title="Lithium deal signed", published_at=days_ago(5))
        assert slugs(client, q="lithium") == [head.slug, body.slug]
        assert slugs(client, q="lithium", order="newest") == [body.slug, head.slug]

    def test_tags_combine_all_of_them(self, client):
        both = ArticleFactory(tags=["energy", "europe"])
        ArticleFactory(tags=["energy"])
        assert len(slugs(client, tag="energy")) == 2
        assert slugs(client, tag=["energy", "europe"]) == [both.slug]

    def test_author(self, client):
        author = AuthorFactory(name="Maria Lopez")
        mine = ArticleFactory(author=author)
        ArticleFactory()
        assert slugs(client, author=author.slug) == [mine.slug]

    def test_entities_combine_all_of_them(self, client):
        poland, belarus = EntityFactory(name="Poland"), EntityFactory(name="Belarus")
        both = ArticleFactory(entities=[poland, belarus])
        ArticleFactory(entities=[poland])
        assert len(slugs(client, entity=poland.slug)) == 2
        assert slugs(client, entity=[poland.slug, belarus.slug]) == [both.slug]

    def test_kind_means_mentioning_an_entity_of_that_kind(self, client):
        person = ArticleFactory(entities=[EntityFactory(name="Ada Quill", kind=Entity.Kind.PERSON)])
        ArticleFactory(entities=[EntityFactory(name="Quillshire", kind=Entity.Kind.PLACE)])
        assert slugs(client, kind="person") == [person.slug]

    def test_from_and_to_are_inclusive_days(self, client):
        day = timezone.localdate() - datetime.timedelta(days=10)
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())
        inside = ArticleFactory(published_at=noon)
        ArticleFactory(published_at=noon - datetime.timedelta(days=1))
        ArticleFactory(published_at=noon + datetime.timedelta(days=1))
        assert slugs(client, **{"from": day.isoformat(), "to": day.isoformat()}) == [inside.slug]

    def test_filters_combine_with_the_words(self, client):
        tag = TagFactory(name="energy")
        hit = ArticleFactory(title="Solar boom", tags=[tag], published_at=days_ago(2))
        ArticleFactory(title="Solar eclipse", published_at=days_ago(2))
        ArticleFactory(title="Solar tariffs", tags=[tag], published_at=days_ago(40))
        frm = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
        assert slugs(client, q="solar", tag="energy", **{"from": frm}) == [hit.slug]


class TestCursor:
    def walk(self, client, **params):
        seen, url = [], "/api/v1/articles/"
        while url:
            data = get(client, url, **params)
            seen += [item["slug"] for item in data["items"]]
            url, params = data["next"], {}
        return seen

    def test_pages_cover_every_article_once_in_order(self, client):
        articles = [ArticleFactory(published_at=days_ago(i % 4)) for i in range(11)]  # equal dates too
        expected = [a.slug for a in sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)]
        assert self.walk(client, page_size=3) == expected
        assert self.walk(client, page_size=3, order="oldest") == expected[::-1]

    @pytest.mark.parametrize("prepared", [True, False])  # PREPARED_STATEMENTS=0: behind PgBouncer
    def test_pages_between_two_days_with_or_without_prepared_statements(self, client, settings, prepared):
        settings.PREPARED_STATEMENTS = prepared
        noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
        articles = [ArticleFactory(published_at=noon - datetime.timedelta(days=i)) for i in range(7)]
        days = {
            "from": f"{noon - datetime.timedelta(days=5):%Y-%m-%d}",
            "to": f"{noon - datetime.timedelta(days=1):%Y-%m-%d}",
        }
        inside = [a.slug for a in articles[1:6]]
        assert self.walk(client, page_size=2, **days) == inside
        assert self.walk(client, page_size=2, order="oldest", **days) == inside[::-1]

    def test_relevance_pages_follow_the_ranking(self, client):
        for i in range(7):
            ArticleFactory(title=f"Copper {'copper ' * (i % 3)}news {i}", published_at=days_ago(i))
        assert self.walk(client, q="copper", page_size=2) == slugs(client, q="copper", page_size=100)

    def test_common_words_rank_the_recent_hits_then_list_older_ones_newest_first(self, client, monkeypatch):
        monkeypatch.setattr("articles.search.RANK_CANDIDATES", 4 * 64)  # the 4 newest hits are ranked
        articles = [
            ArticleFactory(title=f"Copper {'copper ' * (i % 3)}news", published_at=days_ago(i)) for i in range(9)
        ]
        SearchEntry.objects.update(bucket=0)  # every entry in the sample the cutoff is estimated from
        walked = self.walk(client, q="copper", page_size=2)
        assert sorted(walked[:4]) == sorted(a.slug for a in articles[:4])
        assert walked[4:] == [a.slug for a in articles[4:]]  # older hits: newest first
        assert walked[:4] == slugs(client, q="copper", page_size=4)

    def test_stable_while_articles_are_added(self, client):
        for i in range(4):
            ArticleFactory(published_at=days_ago(i + 1))
        first = get(client, "/api/v1/articles/", page_size=2)
        ArticleFactory(published_at=timezone.now() - datetime.timedelta(minutes=1))  # a new newest article
        second = get(client, first["next"])
        assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in second["items"]}
        assert len(second["items"]) == 2 and second["next"] is None

    def test_next_keeps_the_filters(self, client):
        for _ in range(3):
            ArticleFactory(tags=["energy"])
        data = get(client, "/api/v1/articles/", page_size=1, tag="energy")
        query = parse_qs(urlsplit(data["next"]).query)
        assert query["tag"] == ["energy"] and query["page_size"] == ["1"] and query["cursor"] == [data["next_cursor"]]

    def test_a_cursor_of_another_order_is_refused(self, client):
        for _ in range(3):
            ArticleFactory()
        cursor = get(client, "/api/v1/articles/", page_size=1)["next_cursor"]
        error = get(client, "/api/v1/articles/", 400, cursor=cursor, order="oldest")
        assert error["parameter"] == "cursor"


class TestArticleDetail:
    def test_whole_article_with_entity_counts_and_related(self, client):
        poland = EntityFactory(name="Poland")
        related = ArticleFactory(entities=[poland])
        article = ArticleFactory(entities=[poland], tags=["energy"])  # related articles are chosen on write
        data = get(client, f"/api/v1/articles/{article.slug}/")
        conforms(schemas.ArticleDetail, data)
        assert data["body"] == article.body
        assert data["entities"][0]["mentions"] == 1
        assert data["author"]["bio"] == article.author.bio
        assert [r["slug"] for r in data["related"]] == [related.slug]

    def test_unknown_slug_is_a_json_404(self, client):
        assert get(client, "/api/v1/articles/no-such-story/", 404) == {
            "message": "There is no public article “no-such-story”.",
            "parameter": "slug",
        }


class TestEntitiesAuthorsTags:
    def test_entities_most_mentioned_first_with_aliases_and_counts(self, client):
        eu = EntityFactory(name="European Union", kind=Entity.Kind.ORG)
        Entity.objects.filter(pk=eu.pk).update(aliases=["EU"])
        rare = EntityFactory(name="Rareland")
        for _ in range(2):
            ArticleFactory(entities=[eu])
        ArticleFactory(entities=[rare])
        data = get(client, "/api/v1/entities/")
        conforms(schemas.EntityPage, data)
        assert [(e["slug"], e["article_count"]) for e in data["items"]][:2] == [(eu.slug, 2), (rare.slug, 1)]
        assert data["items"][0]["aliases"] == ["EU"]
        assert [e["slug"] for e in get(client, "/api/v1/entities/", kind="organisation")["items"]] == [eu.slug]
        assert [e["slug"] for e in get(client, "/api/v1/entities/", q="EU")["items"]] == [eu.slug]
        assert [e["slug"] for e in get(client, "/api/v1/entities/", q="rarel")["items"]] == [rare.slug]

    def test_entity_detail_months_and_appears_with(self, client):
        poland, belarus = EntityFactory(name="Poland"), EntityFactory(name="Belarus")
        ArticleFactory(entities=[poland, belarus], published_at=days_ago(1))
        data = get(client, f"/api/v1/entities/{poland.slug}/")
        conforms(schemas.EntityDetail, data)
        assert data["article_count"] == 1
        assert sum(m["count"] for m in data["months"]) == 1
        assert [(e["slug"], e["count"]) for e in data["appears_with"]] == [(belarus.slug, 1)]
        assert urlsplit(data["articles_url"]).query == f"entity={poland.slug}"

    def test_names_known_only_from_drafts_never_appear(self, client):
        secret = EntityFactory(name="Project Nightjar", kind=Entity.Kind.ORG)
        author = AuthorFactory(name="Hidden Writer")
        ArticleFactory(status=Article.Status.DRAFT, entities=[secret], author=author, tags=["embargoed"])
        ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=3), entities=[secret])
        ArticleFactory()
        listed = json.dumps([get(client, f"/api/v1/{kind}/") for kind in ("entities", "authors", "tags")])
        assert "Nightjar" not in listed and "Hidden Writer" not in listed and "embargoed" not in listed
        get(client, f"/api/v1/entities/{secret.slug}/", 404)
        get(client, f"/api/v1/authors/{author.slug}/", 404)
        get(client, "/api/v1/tags/embargoed/", 404)
        assert get(client, "/api/v1/articles/", 400, entity=secret.slug)["parameter"] == "entity"
        assert get(client, "/api/v1/entities/", q="Nightjar")["items"] == []

    def test_authors_by_name_and_detail(self, client):
        author = AuthorFactory(name="Aaron Abbot", bio="Writes about ports. @aaron")
        ArticleFactory(author=author)
        ArticleFactory()
        data = get(client, "/api/v1/authors/")
        conforms(schemas.AuthorPage, data)
        assert data["items"][0]["slug"] == author.slug and data["count"] == 2
        detail = get(client, f"/api/v1/authors/{author.slug}/")
        conforms(schemas.AuthorDetail, detail)
        assert detail["twitter"] == "aaron" and detail["article_count"] == 1

    def test_tags_most_used_first_and_detail(self, client):
        ArticleFactory(tags=["energy", "europe"])
        ArticleFactory(tags=["energy"])
        data = get(client, "/api/v1/tags/")
        conforms(schemas.TagPage, data)
        assert [(t["slug"], t["article_count"]) for t in data["items"]] == [("energy", 2), ("europe", 1)]
        detail = get(client, "/api/v1/tags/europe/")
        conforms(schemas.TagDetail, detail)
        assert urlsplit(detail["articles_url"]).query == "tag=europe"

    def test_numbered_pages(self, client):
        for i in range(5):
            ArticleFactory(tags=[f"topic {i}"])
        first = get(client, "/api/v1/tags/", page_size=2)
        assert first["count"] == 5 and len(first["items"]) == 2
        third = get(client, first["next"].replace("page=2", "page=3"))
        assert len(third["items"]) == 1 and third["next"] is None
        assert get(client, "/api/v1/tags/", 404, page=4, page_size=2)["parameter"] == "page"


class TestErrors:
    @pytest.mark.parametrize(
        ("params", "parameter"),
        [
            ({"page_size": "0"}, "page_size"),
            ({"page_size": "101"}, "page_size"),
            ({"page_size": "ten"}, "page_size"),
            ({"from": "2024-02-30"}, "from"),
            ({"to": "yesterday"}, "to"),
            ({"from": "2024-05-02", "to": "2024-05-01"}, "from"),
            ({"order": "random"}, "order"),
            ({"order": "relevance"}, "order"),
            ({"kind": "animal"}, "kind"),
            ({"fields": "everything"}, "fields"),
            ({"cursor": "not-a-cursor"}, "cursor"),
            ({"cursor": "WyJuZXdlc3QiLDEsMl0"}, "cursor"),  # ["newest",1,2]: a date that is not one
            ({"tag": "no-such-tag"}, "tag"),
            ({"tag": "bad slug!"}, "tag"),
            ({"tag": ["a", "b", "c", "d", "e", "f"]}, "tag"),
            ({"author": "nobody"}, "author"),
            ({"entity": "nowhere"}, "entity"),
            ({"q": "x" * 201}, "q"),
            ({"q": "nul\x00byte"}, "q"),
        ],
    )
    def test_bad_parameters_are_400_naming_the_parameter(self, client, params, parameter):
        ArticleFactory()
        error = get(client, "/api/v1/articles/", 400, **params)
        assert error["parameter"] == parameter
        assert error["message"]

    def test_the_last_day_there_is(self, client):
        ArticleFactory()
        assert len(slugs(client, to="9999-12-31")) == 1
        assert len(slugs(client, **{"from": "0001-01-01"})) == 1

    @pytest.mark.parametrize(
        "url", ["/api/v1/entities/?page=0", "/api/v1/authors/?page_size=500", "/api/v1/entities/?q=%25%25_"]
    )
    def test_bad_page_parameters_of_lists(self, client, url):
        assert client.get(url).status_code == 400

    def test_unknown_address_is_a_json_404(self, client):
        assert get(client, "/api/v1/nothing-here/", 404)["message"]
        assert get(client, "/api/v2/", 404)["message"]

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_are_a_json_405(self, client, method):
        response = getattr(client, method)("/api/v1/articles/")
        assert response.status_code == 405
        assert response.json()["message"] and "GET" in response["Allow"]

    def test_a_host_the_site_does_not_serve_is_a_json_400(self, client, settings):
        settings.ALLOWED_HOSTS = ["testserver"]
        response = client.get("/api/v1/", HTTP_HOST="evil.example")
        assert response.status_code == 400
        assert response.json()["message"] and b"evil.example" not in response.content

    def test_head_answers_like_get(self, client):
        ArticleFactory()
        assert client.head("/api/v1/articles/").status_code == 200


class TestQueryCounts:
    """Fixed whatever the number of items: page-cache state, scheduled check, then the route's own queries."""

    @pytest.mark.parametrize("count", [1, 30])
    def test_article_list(self, client, django_assert_num_queries, count):
        entity = EntityFactory(name="Baltic Sea")
        for i in range(count):
            ArticleFactory(tags=["energy", f"extra {i % 3}"], entities=[entity])
        with django_assert_num_queries(3):  # + the articles with their tags and entities
            get(client, "/api/v1/articles/", page_size=100)
        with django_assert_num_queries(5):  # + the filters' slugs, the matching ids
            get(client, "/api/v1/articles/", page_size=100, tag="energy", entity=entity.slug, order="oldest")
        with django_assert_num_queries(6):  # + the filters' slugs, the date ranking starts at, the ids
            get(client, "/api/v1/articles/", page_size=100, q="headline", tag="energy", entity=entity.slug)

    @pytest.mark.parametrize("count", [1, 10])
    def test_article_detail(self, client, django_assert_num_queries, count):
        entities = [EntityFactory() for _ in range(count)]
        for _ in range(count):
            ArticleFactory(entities=entities[:1])
        article = ArticleFactory(entities=entities, tags=["energy"])
        with django_assert_num_queries(3):  # + the article with its tags, entities and related (for_detail())
            get(client, f"/api/v1/articles/{article.slug}/")

    @pytest.mark.parametrize("count", [1, 20])
    def test_lists_and_details(self, client, django_assert_num_queries, count):
        entities = [EntityFactory() for _ in range(count)]
        for i in range(count):
            ArticleFactory(entities=entities, tags=[f"topic {i}"])
        for url, queries in [
            ("/api/v1/entities/", 4),  # + count, page
            ("/api/v1/authors/", 4),
            ("/api/v1/tags/", 4),
            (f"/api/v1/entities/{entities[0].slug}/", 5),  # + entity, months, appears with
            (f"/api/v1/tags/{'topic-0'}/", 3),
        ]:
            with django_assert_num_queries(queries):
                get(client, url)


class TestHttp:
    def test_etag_and_conditional_get(self, client):
        ArticleFactory()
        first = client.get("/api/v1/articles/")
        assert first["ETag"] and first["Last-Modified"]
        again = client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304

    def test_compressed_for_clients_that_accept_gzip(self, client):
        ArticleFactory(title="Compressed story")
        response = client.get("/api/v1/articles/", HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip" and response["Access-Control-Allow-Origin"] == "*"
        assert json.loads(gzip.decompress(response.content))["items"][0]["title"] == "Compressed story"
        again = client.get("/api/v1/articles/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304

    def test_a_change_changes_the_etag(self, client):
        article = ArticleFactory()
        before = client.get(f"/api/v1/articles/{article.slug}/")["ETag"]
        with changes.atomic():
            Article.objects.filter(pk=article.pk).update(title="A corrected headline")
            changes.apply(articles=[article.pk])
        after = client.get(f"/api/v1/articles/{article.slug}/", HTTP_IF_NONE_MATCH=before)
        assert after.status_code == 200 and after.json()["title"] == "A corrected headline"

    def test_filtered_lists_are_served_from_the_page_cache(self, client):
        ArticleFactory(tags=["energy"], title="Wind power grows")
        url = "/api/v1/articles/?q=wind&tag=energy&page_size=5"
        assert client.get(url)["X-Cache"] == "miss"
        assert client.get(url)["X-Cache"] == "hit"
        assert "X-Cache" not in client.get(url + "&unknown=1")  # a spelling the route does not read

    def test_etag_without_the_page_cache(self, client, settings):
        settings.PAGE_CACHE_ENABLED = False
        first = client.get("/api/v1/")
        assert client.get("/api/v1/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    def test_cors_for_get_and_preflight(self, client):
        response = client.get("/api/v1/", HTTP_ORIGIN="https://example.org")
        assert response["Access-Control-Allow-Origin"] == "*"
        preflight = client.options(
            "/api/v1/articles/", HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
        )
        assert preflight.status_code == 200
        assert "GET" in preflight["Access-Control-Allow-Methods"]

    def test_rate_limit_per_address(self, client, settings):
        settings.API_RATE_LIMIT = 3
        for remaining in (2, 1, 0):
            assert client.get("/api/v1/")["X-RateLimit-Remaining"] == str(remaining)
        refused = client.get("/api/v1/articles/")
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= settings.API_RATE_WINDOW
        assert "Too many requests" in refused.json()["message"]
        assert client.get("/api/v1/", REMOTE_ADDR="192.0.2.9").status_code == 200  # another address
        assert client.get("/").status_code == 200  # the site's pages are not counted

    def test_every_page_links_to_the_reference_in_the_footer(self, client):
        ArticleFactory()
        assert '<a href="/api/docs/">API</a>' in client.get("/").content.decode()

    def test_docs_page_is_server_rendered_under_the_policy(self, client):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        content = response.content.decode()
        assert "/api/v1/articles/{slug}/" in content and "page_size" in content and "Retry-After" in content
        assert "<script" not in content
        assert "script-src 'self'" in response["Content-Security-Policy"]
