"""What the API reads, built from the site's own public QuerySets (articles/models.py).

Nothing here writes a visibility condition of its own: articles come from
`Article.objects.published()` or, in the one statement of its own (the page of articles,
_article_statement(): SQL prepared once per connection) and where the search entries pick
them, through `public_sql()`, the same rule compiled to SQL; authors, tags and entities from their
`in_use()` QuerySets (rows with public articles, counted by the reader
statistics), so a draft, a scheduled article, or a name known only from them
never appears, and a filter naming one is answered as if it did not exist.
Full-text matching uses the search entries and the search syntax of
articles/search.py (`websearch_to_tsquery`: words, "phrase", OR, -word), whose
statements read them (`entry_condition`, `entry_keys`, `ranked_entry_keys`).

Each function returns plain data (dicts and lists) in the shape of the route's response
schema (the articles' routes render it as built: endpoints.built()), in a fixed number of
queries whatever the page size.
"""

import base64
import binascii
import datetime
import functools
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connections, router
from django.db.models import F, Func, Q, TextField, Value

from .. import search
from ..models import (
    Article,
    Author,
    Entity,
    Mention,
    SearchKey,
    SearchKeys,
    SlugRedirect,
    Tag,
    TaggedArticle,
    public_sql,
)
from ..pagecache import key
from ..prepared import PreparedStatement
from ..related import related_articles
from ..search import CONTROL_RE, MAX_FILTERS, MAX_QUERY_LENGTH, SLUG_RE

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
ORDERS = ("relevance", "newest", "oldest")
# The API's names for the kinds of entity, and back.
KIND_NAMES = {Entity.Kind.PERSON: "person", Entity.Kind.PLACE: "place", Entity.Kind.ORG: "organisation"}
KINDS = {name: kind for kind, name in KIND_NAMES.items()}
APPEARS_WITH = 12
LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # what a search key keeps (newsroom_search_key drops the rest)


class Array(Func):
    """ARRAY[expression]: one value as a one-element text array."""

    template = "ARRAY[%(expressions)s]"
    output_field = ArrayField(TextField())


class ApiError(Exception):
    """A request the API cannot answer as asked: `message` for people, `parameter` names the culprit."""

    status = 400

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class NotFound(ApiError):
    status = 404


@dataclass
class ArticleFilters:
    """The validated filters of /api/v1/articles/ (see read_article_filters)."""

    q: str = ""
    tags: list = field(default_factory=list)  # slugs
    author: str = ""
    entities: list = field(default_factory=list)
    kind: str = ""  # an Entity.Kind
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    order: str = "newest"
    page_size: int = DEFAULT_PAGE_SIZE
    cursor: tuple | None = None
    with_body: bool = False


def read_article_filters(*, q, tag, author, entity, kind, date_from, date_to, order, page_size, cursor, fields):
    """ArticleFilters from the query parameters, or an ApiError naming the one that is wrong."""
    filters = ArticleFilters()
    q = q or ""
    if "\x00" in q:
        raise ApiError("The search contains a NUL character, which cannot be searched for.", "q")
    filters.q = " ".join(CONTROL_RE.sub(" ", q).split())
    if len(filters.q) > MAX_QUERY_LENGTH:
        raise ApiError(f"q is limited to {MAX_QUERY_LENGTH} characters; this one has {len(filters.q):,}.", "q")
    filters.tags = _slugs(tag, "tag")
    filters.entities = _slugs(entity, "entity")
    authors = _slugs([author] if author else [], "author")
    filters.author = authors[0] if authors else ""
    if kind:
        if kind not in KINDS:
            raise ApiError(f"kind is one of {', '.join(KINDS)}, not “{kind[:50]}”.", "kind")
        filters.kind = KINDS[kind]
    filters.date_from, filters.date_to = _day(date_from, "from"), _day(date_to, "to")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ApiError("from is after to: no article can be published in between.", "from")
    filters.order = order or ("relevance" if filters.q else "newest")
    if filters.order not in ORDERS:
        raise ApiError(f"order is one of {', '.join(ORDERS)}, not “{filters.order[:50]}”.", "order")
    if filters.order == "relevance" and not filters.q:
        raise ApiError("order=relevance needs words to rank by (q).", "order")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ApiError(f"page_size is between 1 and {MAX_PAGE_SIZE}, not {page_size}.", "page_size")
    filters.page_size = page_size
    if fields not in (None, "", "body"):
        raise ApiError(f"fields can only add the body (fields=body), not “{fields[:50]}”.", "fields")
    filters.with_body = fields == "body"
    filters.cursor = decode_cursor(cursor, filters.order) if cursor else None
    return filters


def _day(text, name):
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ApiError(f"{name} is a day that exists, as YYYY-MM-DD, not “{text[:50]}”.", name) from None


def _slugs(values, name):
    values = [v for v in values or [] if v]
    if len(values) > MAX_FILTERS:
        raise ApiError(f"At most {MAX_FILTERS} {name} filters can be combined.", name)
    for value in values:
        if not SLUG_RE.match(value):
            raise ApiError(f"“{value[:50]}” is not a valid {name} slug.", name)
    return list(dict.fromkeys(values))


# Cursors: the sort key of the last item of a page, so the next page starts right after it
# whatever was added since (keyset pagination). Opaque to clients; checked on the way in.


def encode_cursor(order, key):
    key = [value.isoformat() if isinstance(value, datetime.datetime) else value for value in key]
    raw = json.dumps([order, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text, order):
    """The sort key a cursor carries: (published_at, id), or for relevance (cutoff, rank, published_at, id)."""
    try:
        cursor_order, *key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if cursor_order != order:
            raise ApiError(f"This cursor belongs to order={cursor_order}: keep the order when paging.", "cursor")
        if order == "relevance":
            cutoff, rank, published_at, pk = key
            cutoff = None if cutoff is None else _aware(cutoff)
            if not isinstance(rank, int) or isinstance(rank, bool):
                raise ValueError(rank)
        else:
            published_at, pk = key
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError(pk)
        when = _aware(published_at)
    except ApiError:
        raise
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, AttributeError):
        raise ApiError("The cursor is not one this API gave: use the `next` link of a page.", "cursor") from None
    return (cutoff, rank, when, pk) if order == "relevance" else (when, pk)


def _aware(text):
    when = datetime.datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(text)
    return when


def _resolve(filters):
    """Public ids for the slugs the filters name, in one query; an ApiError for any unknown one."""
    wanted = [("author", Author, [filters.author] if filters.author else []), ("tag", Tag, filters.tags)]
    wanted.append(("entity", Entity, filters.entities))
    queries = [
        model.objects.in_use().filter(slug__in=slugs).values_list(Value(name), "slug", "pk")
        for name, model, slugs in wanted
        if slugs
    ]
    if not queries:
        return {}
    first, *rest = queries
    found = {(name, slug): pk for name, slug, pk in (first.union(*rest, all=True) if rest else first)}
    ids = {}
    for name, _model, slugs in wanted:
        for slug in slugs:
            if (name, slug) not in found:
                raise ApiError(f"There is no {name} “{slug}” with public articles{_now(name, slug, name)}.", name)
            ids.setdefault(name, []).append(found[(name, slug)])
    return ids


def _day_start(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _date_range(filters):
    """[start, end) of the from/to days, either end None."""
    start = _day_start(filters.date_from) if filters.date_from else None
    end = None
    if filters.date_to and filters.date_to < datetime.date.max:  # to=9999-12-31: no end
        end = _day_start(filters.date_to + datetime.timedelta(days=1))
    return start, end


def _uses_search_entries(filters):
    return bool(filters.q or filters.tags or filters.entities or filters.author or filters.kind)


def article_page(filters, links):
    """One page of /api/v1/articles/: (items, cursor of the next page or None, page-cache keys shown).

    Without words or filters (dates aside), the page is read from the articles' own listing
    index, as the home page is. Otherwise, as the search page does, its ids are picked from
    the narrow search entries (one query), then the articles are read by id. Either way the
    articles come in one prepared statement with their tags and entities beside them
    (_article_rows()).
    """
    size = filters.page_size
    if _uses_search_entries(filters):
        keys = _matching_keys(filters, _resolve(filters), size + 1)
        by_id = (
            {row[0]: row for row in _article_rows("ids", [[k[-1] for k in keys]], filters.with_body)} if keys else {}
        )
        rows = [(key, by_id[key[-1]]) for key in keys if key[-1] in by_id]
    else:
        start, end = _date_range(filters)
        oldest = filters.order == "oldest"
        after = filters.cursor or (("-infinity", 0) if oldest else ("infinity", 0))
        values = [start or "-infinity", end or "infinity", *after, size + 1]
        rows = [((row[4], row[0]), row) for row in _article_rows(filters.order, values, filters.with_body)]
    more = len(rows) > size
    shown = [row for _key, row in rows[:size]]
    items, keys = article_items(shown, links, with_body=filters.with_body)
    next_cursor = encode_cursor(filters.order, rows[size - 1][0]) if more else None
    return items, next_cursor, keys


# The API's page of articles in SQL, on purpose (as cards.py's listings): one statement, prepared
# once per connection (articles/prepared.py), for the listing's index or the ids the search
# entries picked. Compiling the ORM's version (the author join and the tags' and entities' JSON
# subqueries) and building a model instance per article cost more than PostgreSQL's work; and each
# tag and entity is read by its primary key (a scalar subquery), where a join hashed the whole
# tags table once per article. The visibility rule comes from `models.public_sql()`.
_SELECTIONS = {
    # (published_at, id) strictly past the cursor's, between two instants, in the listing's order.
    "newest": "a.published_at >= %s AND a.published_at < %s AND (a.published_at, a.id) < (%s, %s) "
    "ORDER BY a.published_at DESC, a.id DESC LIMIT %s",
    "oldest": "a.published_at >= %s AND a.published_at < %s AND (a.published_at, a.id) > (%s, %s) "
    "ORDER BY a.published_at, a.id LIMIT %s",
    "ids": "a.id = ANY(%s)",  # in no order: the caller has the search entries' order
}


@functools.cache
def _article_statement(selection, with_body):
    article, author, tag, tagging = (m._meta.db_table for m in (Article, Author, Tag, TaggedArticle))
    mention, entity = Mention._meta.db_table, Entity._meta.db_table
    sql = f"""
        SELECT a.id, a.slug, a.title, a.dek, a.published_at, {"a.body" if with_body else "NULL"},
               a.author_id, au.name, au.slug,
               (SELECT json_agg(x.tag ORDER BY x.tag->>1) FROM (
                    SELECT (SELECT json_build_array(t.id, t.name, t.slug) FROM {tag} t WHERE t.id = ti.tag_id) AS tag
                      FROM {tagging} ti WHERE ti.content_object_id = a.id) x),
               (SELECT json_agg(x.entity ORDER BY x.count DESC, x.entity->>0) FROM (
                    SELECT m.count, (SELECT json_build_array(e.name, e.kind, e.slug, m.count, e.id)
                                       FROM {entity} e WHERE e.id = m.entity_id) AS entity
                      FROM {mention} m WHERE m.article_id = a.id) x)
          FROM {article} a
          LEFT JOIN {author} au ON au.id = a.author_id
         WHERE {public_sql("a")} AND {_SELECTIONS[selection]}
    """
    return PreparedStatement(f"api_articles_{selection}{'_body' if with_body else ''}"), sql


def _article_rows(selection, values, with_body):
    """Rows (id, slug, title, dek, published_at, body or None, author id, name and slug, tags as
    [[id, name, slug]] by name, entities as [[name, kind, slug, mentions, id]] most mentioned first)."""
    statement, sql = _article_statement(selection, with_body)
    db = connections[router.db_for_read(Article)]
    with db.cursor() as cursor:
        statement.execute(db, cursor, sql, values)
        return cursor.fetchall()


def article_items(rows, links, *, with_body=False):
    """The articles of _article_rows() as lists show them (headline, dek, date, author, tags and
    entities), and the page-cache keys they show (each article with its author and tags)."""
    article_url, article_api = links.pages("article"), links.apis("article")
    author_url, author_api = links.pages("author"), links.apis("author")
    tag_url, tag_api = links.pages("tag"), links.apis("tag")
    entity_url, entity_api = links.pages("entity"), links.apis("entity")
    items, keys = [], []
    for pk, slug, title, dek, published_at, body, author_id, author_name, author_slug, tags, mentions in rows:
        tags = tags or []
        item = {
            "slug": slug,
            "url": article_url(slug),
            "api_url": article_api(slug),
            "title": title,
            "dek": dek,
            "published_at": published_at,
            "author": None,
            "tags": [{"name": n, "slug": s, "url": tag_url(s), "api_url": tag_api(s)} for _id, n, s in tags],
            "entities": [
                {
                    "name": n,
                    "kind": KIND_NAMES[k],
                    "slug": s,
                    "url": entity_url(s),
                    "api_url": entity_api(s),
                    "mentions": c,
                }
                for n, k, s, c, _id in mentions or ()
            ],
        }
        if author_id is not None:
            item["author"] = {
                "name": author_name,
                "slug": author_slug,
                "url": author_url(author_slug),
                "api_url": author_api(author_slug),
            }
        if with_body:
            item["body"] = body
        items.append(item)
        keys.append(key("article", pk))
        if author_id is not None:
            keys.append(key("author", author_id))
        keys.extend(key("tag", tag[0]) for tag in tags)
    return items, keys


def _matching_keys(filters, ids, limit):
    """The sort keys, (rank,) published_at, article id, of the next `limit` matching entries."""
    start, end = _date_range(filters)
    where, params = search.entry_condition(
        q=filters.q,
        author_ids=ids.get("author"),
        tag_ids=ids.get("tag"),
        entity_ids=ids.get("entity"),
        kind=filters.kind,
        start=start,
        end=end,
    )
    if filters.order == "relevance":
        return search.ranked_entry_keys(where, params, filters.q, cursor=filters.cursor, limit=limit)
    return search.entry_keys(where, params, oldest_first=filters.order == "oldest", after=filters.cursor, limit=limit)


def article_detail(slug, links):
    """The whole public article with `slug`, its entities with counts and related articles; NotFound if none.

    Returns (item, page-cache keys)."""
    from ..views import PUBLIC_ARTICLE  # the article page's own query, prepared

    found = PUBLIC_ARTICLE.fetch(slug)  # one query, as the page
    if not found:
        raise NotFound(f"There is no public article “{slug[:100]}”.", "slug")
    article = found[0]
    author = article.author
    row = (
        *(article.pk, article.slug, article.title, article.dek, article.published_at, article.body),
        *(article.author_id, author and author.name, author and author.slug),
        [(t["id"], t["name"], t["slug"]) for t in article.tag_rows],
        [(m["name"], m["kind"], m["slug"], m["count"], m["entity_id"]) for m in article.mention_rows],
    )
    (item,), keys = article_items([row], links, with_body=True)
    item["updated_at"] = article.updated_at
    if author:
        item["author"].update(bio=author.bio, twitter=author.twitter or None)
    related = related_articles(article)  # as the article's page shows them
    article_url, article_api = links.pages("article"), links.apis("article")
    item["related"] = [
        {
            "slug": row.slug,
            "url": article_url(row.slug),
            "api_url": article_api(row.slug),
            "title": row.title,
            "published_at": row.published_at,
        }
        for row in related
    ]
    keys += [key("entity", m["entity_id"]) for m in article.mention_rows]
    keys += [key("article", row.pk) for row in related]
    return item, keys


def author_ref(name, slug, links):
    return {"name": name, "slug": slug, "url": links.page("author", slug), "api_url": links.api("author", slug)}


def tag_ref(name, slug, links):
    return {"name": name, "slug": slug, "url": links.page("tag", slug), "api_url": links.api("tag", slug)}


def entity_ref(name, kind, slug, links, **extra):
    return {
        "name": name,
        "kind": KIND_NAMES[kind],
        "slug": slug,
        "url": links.page("entity", slug),
        "api_url": links.api("entity", slug),
        **extra,
    }


# Authors, tags and entities: only those with public articles (in_use()), with their counts.


def page_of(queryset, *, page, page_size):
    """(rows of page `page`, total, whether there is a next page); ApiError for a page that is not one."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ApiError(f"page_size is between 1 and {MAX_PAGE_SIZE}, not {page_size}.", "page_size")
    if page < 1:
        raise ApiError(f"page starts at 1, not {page}.", "page")
    total = queryset.count()
    if page > 1 and (page - 1) * page_size >= total:
        raise NotFound(f"There is no page {page}: {total:,} items make {max(1, -(-total // page_size))}.", "page")
    start = (page - 1) * page_size
    rows = list(queryset[start : start + page_size])
    return rows, total, start + page_size < total


def entity_list(*, kind, q):
    """Entities of public articles, most mentioned first, optionally of one kind or matching a name or alias."""
    entities = Entity.objects.in_use()
    if kind:
        entities = entities.filter(kind=KINDS[kind])
    if q:
        q = " ".join(CONTROL_RE.sub(" ", q).split())
        if not LETTER_OR_DIGIT.search(q) or len(q) > MAX_QUERY_LENGTH:
            raise ApiError(
                f"q is a name or alias of 1 to {MAX_QUERY_LENGTH} characters, letters or digits among them.", "q"
            )
        # Its name, an alias or a person's surname is q (the keys search uses to find the entity a
        # query names: "EU", "u.s.", "putin"), or, for three letters or more, its name contains q
        # (the trigram index), accents and case ignored.
        key = SearchKey(Value(q))
        entities = entities.annotate(keys=SearchKeys(F("name"), F("kind"), F("aliases")))
        matches = Q(keys__contains=Array(key))
        if len(q) >= 3:
            entities = entities.annotate(name_key=SearchKey(F("name")))
            matches |= Q(name_key__contains=key)
        entities = entities.filter(matches)
    return entities.order_by("-stats__article_count", "name", "id")


def entity_item(entity, links):
    return entity_ref(
        entity.name, entity.kind, entity.slug, links, aliases=entity.aliases, article_count=entity.stats.article_count
    )


def entity_detail(slug, links):
    """A public entity with its monthly counts and the entities most often mentioned with it."""
    entity = Entity.objects.in_use().filter(slug=slug).first()
    if entity is None:
        raise NotFound(f"There is no entity “{slug[:100]}” in public articles{_now('entity', slug)}.", "slug")
    item = entity_item(entity, links)
    item["months"] = [
        {"month": f"{month:%Y-%m}", "count": count}
        for month, count in entity.months.order_by("month").values_list("month", "count")
    ]
    pairs = list(entity.pairs.select_related("other").order_by("-count", "other_id")[:APPEARS_WITH])
    item["appears_with"] = [
        entity_ref(pair.other.name, pair.other.kind, pair.other.slug, links, count=pair.count) for pair in pairs
    ]
    item["articles_url"] = links.api("articles") + "?" + urlencode({"entity": entity.slug})
    return item, entity, pairs


def author_list():
    return Author.objects.in_use().order_by("name", "id")


def author_item(author, links, *, detail=False):
    item = {**author_ref(author.name, author.slug, links), "article_count": author.stats.article_count}
    if detail:
        item.update(
            bio=author.bio,
            twitter=author.twitter or None,
            articles_url=links.api("articles") + "?" + urlencode({"author": author.slug}),
        )
    return item


def tag_list():
    return Tag.objects.in_use().order_by("-stats__article_count", "name")


def tag_item(tag, links, *, detail=False):
    item = {**tag_ref(tag.name, tag.slug, links), "article_count": tag.stats.article_count}
    if detail:
        item["articles_url"] = links.api("articles") + "?" + urlencode({"tag": tag.slug})
    return item


def _now(kind, slug, parameter=None):
    """For an old address of a merged or renamed author, tag or entity (the site's pages redirect
    it): where it is now, as the end of an error message; "" for any other slug."""
    redirect = SlugRedirect.objects.with_public_target().filter(kind=kind, old_slug=slug[:200]).first()
    if redirect is None:
        return ""
    new = redirect.target.slug
    return f": it was merged or renamed and is now “{new}”" + (f" ({parameter}={new})" if parameter else "")


def in_use_or_404(model, slug):
    row = model.objects.in_use().filter(slug=slug).first()
    if row is None:
        name = model._meta.verbose_name
        raise NotFound(f"There is no {name} “{slug[:100]}” with public articles{_now(name, slug)}.", "slug")
    return row
