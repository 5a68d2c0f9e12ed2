"""Article cards for the listings (home, archive, tag, author and entity pages), stored ready to serve.

A listing page shows twenty cards: headline, dek, byline, date and tags. Each card is
rendered when its article's page parts are (articles/parts.py: `ArticleParts.card`, with
`card_keys`, the page-cache keys of what it shows), so a listing rendered cold reads its
page of cards in one query and joins them, instead of building twenty articles with their
authors and tags and formatting each card. A card that is missing or stale (its parts not
rendered again yet after a change, or rendered by other code or under another script
prefix) is made now from the same row, by the same `article_card()` that rendered the stored
one, so the page is the same either way.

SQL on purpose: one statement reads the page's ids (the listing's own QuerySet, sliced),
their current cards and, only for an article without one, what its card shows (its author
and its tags, as JSON: each tag read by its primary key, as for_listing() reads them, where a
join hashed the whole tags table once per card). The ORM compiled the listing's QuerySet and
its tags' subquery on every request, which cost more than running it; only the ids' QuerySet
is compiled now.
The visibility rule comes from `models.public_sql()`.
"""

import datetime
import functools
import json

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe

from .models import Article, ArticleParts, Author, PageVersion, Tag, TaggedArticle, public_sql
from .pagecache import EVERYTHING, card_keys
from .parts import configured_prefix, version
from .templatetags.reader import article_card

_HEADING = '<h2 class="card-title">'


@functools.cache
def _cards_sql(descending):
    article, parts, versions = Article._meta.db_table, ArticleParts._meta.db_table, PageVersion._meta.db_table
    author, tag, tagging = Author._meta.db_table, Tag._meta.db_table, TaggedArticle._meta.db_table
    order = "DESC" if descending else "ASC"
    return f"""
        SELECT a.id, p.card, p.card_keys, a.title, a.dek, a.slug, a.published_at, au.id, au.name, au.slug,
               CASE WHEN p.card IS NULL THEN (
                   SELECT json_agg(x.tag ORDER BY x.tag->>'name') FROM (
                       SELECT (SELECT json_build_object('id', t.id, 'name', t.name, 'slug', t.slug)
                                 FROM {tag} t WHERE t.id = ti.tag_id) AS tag
                         FROM {tagging} ti WHERE ti.content_object_id = a.id
                   ) x
               ) END
          FROM {article} a
          LEFT JOIN {author} au ON au.id = a.author_id
          LEFT JOIN {parts} p
            ON p.article_id = a.id AND %s AND p.version = %s
           AND p.generation >= coalesce((SELECT v.version FROM {versions} v WHERE v.key = '{EVERYTHING}'), 0)
         WHERE a.id IN ({{ids}}) AND {public_sql("a")}
         ORDER BY a.published_at {order}, a.id {order}
    """


class CardList:
    """The cards of an article listing, sliced as a paginator slices it: `ids` is the listing's
    QuerySet of article ids in its order (newest first by `published_at`, ending with the id, so
    that reversed it lists the same articles backwards: paginator.FromEitherEnd). Each slice is
    one query; the page-cache keys of the cards read are added to `keys`.

    `months`, when the reader statistics count the listing per month ([(first day of the month
    in the site's time zone, count)], newest first, every month of the listing), let a deep page
    skip whole months: `?page=2500` of the home page reads the ids from the month holding its
    first article on (an index range), counting the offset from there, instead of walking the
    50,000 newer entries of the index.
    """

    def __init__(self, ids, *, heading_level=2, keys=None, descending=True, months=None):
        self.ids = ids
        self.heading_level = int(heading_level)
        self.keys = [] if keys is None else keys
        self.descending = descending
        self.months = months or []

    def reverse(self):
        return CardList(
            self.ids.reverse(),
            heading_level=self.heading_level,
            keys=self.keys,
            descending=not self.descending,
            months=self.months[::-1],
        )

    def seek(self, item):
        """(the ids narrowed to the month holding the slice's first item and those after it, the
        slice counted from there); the ids and the slice as they are when no month is skipped."""
        skipped, start = 0, item.start or 0
        for month, count in self.months:
            if skipped + count > start:
                return self._from_month(month, skipped, item) if skipped else (self.ids, item)
            skipped += count
        return self.ids, item

    def _from_month(self, month, skipped, item):
        zone = timezone.get_current_timezone()
        if self.descending:  # the months newer than this one are skipped: read from its end
            following = month.replace(day=28) + datetime.timedelta(days=4)
            ids = self.ids.filter(published_at__lt=datetime.datetime(following.year, following.month, 1, tzinfo=zone))
        else:  # the older months are skipped: read from this one's start
            ids = self.ids.filter(published_at__gte=datetime.datetime(month.year, month.month, 1, tzinfo=zone))
        return ids, slice(item.start - skipped, None if item.stop is None else item.stop - skipped)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("CardList is read a page (a slice) at a time")
        alias = router.db_for_read(Article)
        ids, item = self.seek(item)
        try:
            ids_sql, ids_params = ids[item].query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # an empty slice (an empty listing's page)
            return []
        sql = _cards_sql(self.descending).replace("{ids}", ids_sql)
        stored = get_script_prefix() == configured_prefix()  # cards' links are rendered under that prefix
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [stored, version(), *ids_params])
            rows = cursor.fetchall()
        return [self._card(row) for row in rows]

    def _card(self, row):
        pk, card, keys, title, dek, slug, published_at, author_id, author_name, author_slug, tags = row
        if card is None:
            article = Article(id=pk, title=title, dek=dek, slug=slug, published_at=published_at)
            article.author = Author(id=author_id, name=author_name, slug=author_slug) if author_id else None
            article.tag_rows = (json.loads(tags) if isinstance(tags, str) else tags) or []
            self.keys.extend(card_keys([article]))
            return article_card(article, self.heading_level)
        self.keys.extend(keys)
        if self.heading_level != 2:
            level = self.heading_level
            card = card.replace(_HEADING, f'<h{level} class="card-title">', 1).replace("</h2>", f"</h{level}>", 1)
        return mark_safe(card)  # noqa: S308 - rendered by article_card(), which escapes every text
