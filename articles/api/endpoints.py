"""The routes of /api/v1/: parameters in (validated), schemas out (see schemas.py).

Every route reads through queries.py, declares what it shows to the page cache
(`depends_on`), and first counts scheduled articles whose time has come, as the
site's pages do (`changes.catch_up`).
"""

from urllib.parse import urlencode

from django.urls import reverse
from ninja import Query

from .. import changes
from ..models import Author, Tag
from ..pagecache import depends_on, key
from . import Links, api, queries
from .schemas import (
    ArticleDetail,
    ArticlePage,
    AuthorDetail,
    AuthorPage,
    EntityDetail,
    EntityPage,
    Error,
    Index,
    Kind,
    TagDetail,
    TagPage,
)

ERRORS = {400: Error, 404: Error, 405: Error, 429: Error}
GET = ["GET", "HEAD"]

# The query parameters each route reads: the page cache keeps only those spellings of an address.
CACHE_QUERY_PARAMS = {
    "index": (),
    "articles": ("q", "tag", "author", "entity", "kind", "from", "to", "order", "page_size", "cursor", "fields"),
    "article": (),
    "entities": ("kind", "q", "page", "page_size"),
    "entity": (),
    "authors": ("page", "page_size"),
    "author": (),
    "tags": ("page", "page_size"),
    "tag": (),
}
# A day as YYYY-MM-DD, and nothing else a date parser would take ("0", "20240501", a timestamp).
DAY = {"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
PAGE = Query(1, description="Page number, from 1.")
PAGE_SIZE = Query(queries.DEFAULT_PAGE_SIZE, description=f"Items per page, 1 to {queries.MAX_PAGE_SIZE}.")


@api.api_operation(GET, "/", response={200: Index, **ERRORS}, url_name="index", summary="Index of the API")
def index(request):
    """Every resource of the API, the schema and the reference page."""
    changes.catch_up()
    depends_on("all")
    links = Links(request)
    return {
        "name": api.title,
        "description": api.description,
        "resources": {name: links.api(name) for name in ("articles", "entities", "authors", "tags")},
        "schema_url": links.api("openapi-json"),
        "docs_url": links.site(reverse("api_docs")),
    }


@api.api_operation(
    GET,
    "/articles/",
    response={200: ArticlePage, **ERRORS},
    url_name="articles",
    exclude_unset=True,
    summary="Public articles, filtered like the site's search",
)
def articles(
    request,
    q: str = Query(
        None,
        description='Search words: `sanctions belarus` (both), `"central bank"` (phrase), `oil OR gas`, `-nuclear`.',
    ),
    tag: list[str] = Query(None, description="Tag slug; repeat for articles with every tag."),
    author: str = Query(None, description="Author slug."),
    entity: list[str] = Query(None, description="Entity slug; repeat for articles mentioning every entity."),
    kind: Kind = Query(None, description="Only articles mentioning at least one entity of this kind."),
    date_from: str = Query(None, alias="from", description="Published on or after this day (YYYY-MM-DD).", **DAY),
    date_to: str = Query(None, alias="to", description="Published on or before this day (YYYY-MM-DD).", **DAY),
    order: str = Query(
        None, description="`relevance` (the default with q, needs q), `newest` (the default otherwise), `oldest`."
    ),
    page_size: int = Query(queries.DEFAULT_PAGE_SIZE, description=f"Items per page, 1 to {queries.MAX_PAGE_SIZE}."),
    cursor: str = Query(None, description="Where the page starts: the `next_cursor` of the page before."),
    fields: str = Query(None, description="`body` adds each article's body."),
):
    """Newest first, or oldest first, or by relevance to `q`. Pages follow a cursor, so a page
    never repeats or skips an article when new ones are published meanwhile."""
    changes.catch_up()
    filters = queries.read_article_filters(
        q=q,
        tag=tag,
        author=author,
        entity=entity,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        order=order,
        page_size=page_size,
        cursor=cursor,
        fields=fields,
    )
    links = Links(request)
    items, next_cursor, keys = queries.article_page(filters, links)
    depends_on("search", *keys)  # "search": any change to articles, authors, tags or entities
    next_url = None
    if next_cursor:
        params = [(name, value) for name, value in request.GET.lists() for value in value if name != "cursor"]
        next_url = links.api("articles") + "?" + urlencode([*params, ("cursor", next_cursor)])
    return built(request, {"items": items, "next": next_url, "next_cursor": next_cursor})


@api.api_operation(
    GET,
    "/articles/{slug:slug}/",
    response={200: ArticleDetail, **ERRORS},
    url_name="article",
    summary="One public article, whole",
)
def article(request, slug: str):
    """The article with its body, its entities with mention counts, and related articles."""
    changes.catch_up()
    item, keys = queries.article_detail(slug, Links(request))
    depends_on(*keys)  # as the article's page does: it, its author, tags, entities and related articles
    return built(request, item)


def built(request, data):
    """The answer `data`, built by queries.py in the shape of the route's schema, as JSON without
    pydantic validating it again (tests/test_api.py checks every route's answers against their
    schemas): for a page of 20 articles and their 400 tags, entities and authors, validating and
    dumping took about 2 ms, as long as reading the page."""
    return api.create_response(request, data, status=200)


def _page(request, queryset, item, *, page, page_size, links):
    """A numbered page of authors, tags or entities: {items, count, next}."""
    rows, total, more = queries.page_of(queryset, page=page, page_size=page_size)
    next_url = None
    if more:
        params = [(name, value) for name, values in request.GET.lists() for value in values if name != "page"]
        next_url = links.site(request.path) + "?" + urlencode([*params, ("page", page + 1)])
    return {"items": [item(row, links) for row in rows], "count": total, "next": next_url}


@api.api_operation(
    GET,
    "/entities/",
    response={200: EntityPage, **ERRORS},
    url_name="entities",
    summary="People, places, organisations",
)
def entities(
    request,
    kind: Kind = Query(None, description="Only this kind."),
    q: str = Query(None, description="A name or alias (“EU”, “Putin”), or words of a name."),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    """Entities mentioned in public articles, the most mentioned first."""
    changes.catch_up()
    depends_on("entities", "search")
    queryset = queries.entity_list(kind=kind, q=q)
    return _page(request, queryset, queries.entity_item, page=page, page_size=page_size, links=Links(request))


@api.api_operation(
    GET, "/entities/{slug:slug}/", response={200: EntityDetail, **ERRORS}, url_name="entity", summary="One entity"
)
def entity(request, slug: str):
    """An entity with its aliases, article count, articles per month and the entities it appears with."""
    changes.catch_up()
    item, row, pairs = queries.entity_detail(slug, Links(request))
    depends_on(key("entity", row.pk), key("entity-list", row.pk), *(key("entity", p.other_id) for p in pairs))
    return item


@api.api_operation(GET, "/authors/", response={200: AuthorPage, **ERRORS}, url_name="authors", summary="Authors")
def authors(request, page: int = PAGE, page_size: int = PAGE_SIZE):
    """Authors of public articles, by name."""
    changes.catch_up()
    depends_on("authors")
    return _page(
        request, queries.author_list(), queries.author_item, page=page, page_size=page_size, links=Links(request)
    )


@api.api_operation(
    GET, "/authors/{slug:slug}/", response={200: AuthorDetail, **ERRORS}, url_name="author", summary="One author"
)
def author(request, slug: str):
    """An author with bio, X/Twitter handle and article count."""
    changes.catch_up()
    row = queries.in_use_or_404(Author, slug)
    depends_on(key("author", row.pk), key("author-list", row.pk))
    return queries.author_item(row, Links(request), detail=True)


@api.api_operation(GET, "/tags/", response={200: TagPage, **ERRORS}, url_name="tags", summary="Tags")
def tags(request, page: int = PAGE, page_size: int = PAGE_SIZE):
    """Tags of public articles, the most used first."""
    changes.catch_up()
    depends_on("tags")
    return _page(request, queries.tag_list(), queries.tag_item, page=page, page_size=page_size, links=Links(request))


@api.api_operation(GET, "/tags/{slug:slug}/", response={200: TagDetail, **ERRORS}, url_name="tag", summary="One tag")
def tag(request, slug: str):
    """A tag with its article count."""
    changes.catch_up()
    row = queries.in_use_or_404(Tag, slug)
    depends_on(key("tag", row.pk), key("tag-list", row.pk))
    return queries.tag_item(row, Links(request), detail=True)
