"""An article page's own parts, rendered when the article is written and stored ready to serve.

Everything of an article page that is the same for every reader — the head's meta block
(with the JSON-LD), and the main section: headline, body, topics, entity groups, author box,
related articles — depends only on the article and what it shows of other rows. `render()`
makes those two parts; the reader's view puts the site's shell (base.html: title,
description, canonical address, navigation) around them. `render()` is the only way they
are made, whether at write time (stored in ArticleParts) or at request time (a preview, or
an article whose parts are missing or stale), so the page is the same either way.

What is per request stays out of the stored HTML: the preview banner (a preview is never
served from parts), and the scheme and host of the JSON-LD's absolute addresses. Those are
rendered with a random stand-in origin stored beside the parts (`origin`), which the view
replaces with the request's `scheme://host` (a host is letters, digits, dots, dashes and a
port: nothing HTML or JSON would escape). Links are rendered under the configured script
prefix, and used only by requests under it.

Kept current by the change path (articles/changes.py): `apply()` marks stale the parts
whose `keys` (the page-cache keys of what they show: the article, its author, tags,
entities and every id of its stored related list) include a changed row's, in one
statement, then renders them again (`render_stored()`) — inline for a few, in a job for
many (jobs kind "parts"). An ingest only marks them; the job it queues at its end chooses
the run's related lists and renders its parts (`manage.py refresh_articles --parts` does
the same for operators). `version` names the templates and code that rendered a row:
after a deploy that changes them, old rows are stale, not wrong.

Writes that bypass the change path (psql, a data migration) mark the page-cache key "all"
(the guard triggers, articles/changes.py): parts rendered before that write are not served
(the page is rendered from nothing) until `manage.py refresh_articles --parts` renders them
again. Never wrong, only slower.
"""

import dataclasses
import functools
import hashlib
import pathlib
import secrets

from django.conf import settings
from django.db import connection, connections, router
from django.db.models import Exists, OuterRef
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils import timezone

from .models import Article, ArticleParts, ContentGeneration, Entity, PageVersion, public_sql
from .pagecache import EVERYTHING, card_keys, key
from .prepared import PreparedStatement

META_TEMPLATE = "articles/_article_meta.html"
MAIN_TEMPLATE = "articles/_article_main.html"
STALE = ""  # the version of parts marked stale

KIND_PLURALS = {Entity.Kind.PERSON: "People", Entity.Kind.PLACE: "Places", Entity.Kind.ORG: "Organisations"}
SCHEMA_TYPES = {Entity.Kind.PERSON: "Person", Entity.Kind.PLACE: "Place", Entity.Kind.ORG: "Organization"}


@dataclasses.dataclass
class Parts:
    meta: str
    main: str
    keys: list
    card: str = ""  # the article's card in the listings (cards.py reads it)
    card_keys: list = dataclasses.field(default_factory=list)


@functools.cache
def version():
    """What rendered the parts: a hash of the two templates and of the code that fills them."""
    digest = hashlib.sha256()
    for name in (META_TEMPLATE, MAIN_TEMPLATE):
        digest.update(get_template(name).template.source.encode())
    here = pathlib.Path(__file__).parent
    for source in (here / "parts.py", here / "templatetags" / "reader.py"):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def configured_prefix():
    """The script prefix stored parts are rendered under (as the page cache keys pages)."""
    return (settings.FORCE_SCRIPT_NAME or "/").rstrip("/") + "/"


def render(article, *, origin, preview=False):
    """The page parts of `article` (read with Article.objects.for_detail()), their absolute
    addresses starting with `origin` (scheme://host), and its card."""
    from .related import related_articles
    from .templatetags.reader import article_card

    mentions = article.entity_mentions
    groups = []
    for kind, plural in KIND_PLURALS.items():
        members = [m for m in mentions if m.entity.kind == kind]
        if members:
            groups.append((plural, members))
    related = related_articles(article)
    listed = getattr(getattr(article, "related_list", None), "related_ids", None) or []
    keys = [
        *card_keys([article]),
        *(key("entity", m.entity_id) for m in mentions),
        *dict.fromkeys(key("article", pk) for pk in [*(r.pk for r in related), *listed]),
    ]
    main = get_template(MAIN_TEMPLATE).render(
        {"article": article, "entity_groups": groups, "related": related, "preview": preview}
    )
    json_ld = structured_data(article, mentions, origin)
    meta = get_template(META_TEMPLATE).render({"article": article, "json_ld": json_ld})
    return Parts(meta=meta, main=main, keys=keys, card=article_card(article), card_keys=card_keys([article]))


def structured_data(article, mentions, origin):
    """schema.org NewsArticle for search engines; `about` the most mentioned entities."""
    canonical_url = origin + article.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": origin + reverse("articles:home")},
        "keywords": [tag.name for tag in article.listing_tags],
        "isAccessibleForFree": True,
    }
    if article.author:
        author = article.author
        person = {"@type": "Person", "name": author.name, "url": origin + author.get_absolute_url()}
        if author.twitter_url:
            person["sameAs"] = [author.twitter_url]
        data["author"] = person
    things = [
        {"@type": SCHEMA_TYPES[m.entity.kind], "name": m.entity.name, "url": origin + m.entity.get_absolute_url()}
        for m in mentions
    ]
    if things:
        data["about"] = things[:3]
        if things[3:]:
            data["mentions"] = things[3:]
    return {name: value for name, value in data.items() if value not in (None, [])}


def render_stored(article_ids):
    """Render and store the parts of these articles (ids), in the caller's transaction; the
    parts of those that are not public (drafts, scheduled, deleted) are removed. Returns how many
    were stored."""
    ids = sorted({int(pk) for pk in article_ids})
    if not ids:
        return 0
    rows = []
    previous = get_script_prefix()
    set_script_prefix(configured_prefix())
    try:
        for article in Article.objects.for_detail().published().filter(pk__in=ids).order_by("pk"):
            origin = f"https://{secrets.token_hex(12)}.invalid"
            parts = render(article, origin=origin)
            rows.append((article.pk, origin, parts))
    finally:
        set_script_prefix(previous)
    # One DELETE and one multi-row INSERT (psycopg2's executemany sent a statement per article).
    ArticleParts.objects.filter(article_id__in=ids).delete()
    generation = ContentGeneration.objects.values_list("value", flat=True).first() or 0
    now = timezone.now()
    ArticleParts.objects.bulk_create(
        ArticleParts(
            article_id=pk,
            version=version(),
            origin=origin,
            meta=parts.meta,
            main=parts.main,
            keys=parts.keys,
            card=parts.card,
            card_keys=parts.card_keys,
            generation=generation,
            rendered_at=now,
        )
        for pk, origin, parts in rows
    )
    return len(rows)


def mark_stale(keys):
    """Mark stale, in one statement, the parts that show any of these page-cache keys; returns the
    ids of their articles."""
    keys = sorted(set(keys))
    if not keys:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ArticleParts._meta.db_table} SET version = %s WHERE keys && %s::text[] RETURNING article_id",
            [STALE, keys],
        )
        return [row[0] for row in cursor.fetchall()]


def missing_or_stale():
    """The ids of public articles whose parts are missing, stale, of another version or older than
    the last write from outside the change path, in id order."""
    outside = PageVersion.objects.filter(key=EVERYTHING).values_list("version", flat=True).first() or 0
    current = ArticleParts.objects.filter(article=OuterRef("pk"), version=version(), generation__gte=outside)
    return list(Article.objects.published().exclude(Exists(current)).order_by("pk").values_list("pk", flat=True))


@functools.cache
def _page_sql():
    article, parts, versions = Article._meta.db_table, ArticleParts._meta.db_table, PageVersion._meta.db_table
    return f"""
        SELECT a.id, a.title, a.dek, a.slug, a.status, a.published_at, p.origin, p.meta, p.main, p.keys
          FROM {article} a
          LEFT JOIN {parts} p
            ON p.article_id = a.id AND p.version = '{version()}'
           AND p.generation >= coalesce((SELECT v.version FROM {versions} v WHERE v.key = '{EVERYTHING}'), 0)
         WHERE a.slug = %s AND {public_sql("a")}
    """


_PAGE = PreparedStatement("article_parts_page")


def page_row(slug):
    """The public article `slug` with its current parts: (article, Parts or None, the origin the
    parts stand in), or None when no public article has that address. One query, planned once
    per connection."""
    db = connections[router.db_for_read(Article)]
    with db.cursor() as cursor:
        _PAGE.execute(db, cursor, _page_sql(), [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, title, dek, slug, status, published_at, origin, meta, main, keys = row
    article = Article(id=pk, title=title, dek=dek, slug=slug, status=status, published_at=published_at)
    if meta is None or get_script_prefix() != configured_prefix():
        return article, None, None
    return article, Parts(meta=meta, main=main, keys=keys), origin
