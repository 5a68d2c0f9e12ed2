"""Curation: merging duplicate entities, tags and authors into one survivor.

A merge moves everything that pointed at the merged rows to the survivor, in a
few set-based statements inside one transaction:

- entities: mentions move, and where an article mentioned both, their counts are
  added up; the merged names and aliases become aliases of the survivor, so the
  vocabulary (and every later ingest) maps them to it;
- tags: taggings move, with no duplicates where an article had both;
- authors: articles move; the survivor keeps its bio and handle, or takes the
  first merged author's where it has none.

The merged rows are deleted, and their old addresses (and any older addresses
that pointed at them) now lead to the survivor's page (`SlugRedirect`). For
merged tags and authors the old name is kept too, so an ingest that meets it
again files the article under the survivor instead of re-creating the row.

Each merge ends by telling the change path what changed (`changes.apply`): the
moved articles' search entries and statistics, and the pages of the survivor and
of the merged rows. Re-linking afterwards is the caller's choice: the admin
enqueues a background job (articles/jobs/) that re-links the survivor after an
entity merge, and re-extracts the moved articles after an author merge (the byline
is a person of each article).
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models.functions import Now

from . import changes
from .models import Article, Author, Entity, Mention, SlugRedirect, Tag, TaggedArticle
from .textcleanup import clean_line


class MergeError(Exception):
    """The merge cannot be done as asked (the message says why)."""


@dataclass
class MergeResult:
    survivor: object
    merged_names: list  # names of the rows merged into the survivor (now deleted)
    moved: int = 0  # mentions, taggings or articles that now point at the survivor
    article_ids: list = field(default_factory=list)  # articles whose entities, tags or author changed


def merge_entities(survivor, others):
    """Merge the entities `others` into `survivor`; returns a MergeResult."""
    with changes.atomic():
        survivor, others = _lock(Entity, survivor, others)
        other_ids = [o.pk for o in others]
        article_ids = sorted(set(Mention.objects.filter(entity_id__in=other_ids).values_list("article_id", flat=True)))
        table = Mention._meta.db_table
        with connection.cursor() as cursor:
            # One row per article: counts of every merged entity added to the survivor's own.
            # A moved mention keeps the strongest provenance it had: an editor's, then the vocabulary's.
            cursor.execute(
                f"""
                INSERT INTO {table} (article_id, entity_id, count, source)
                SELECT article_id, %s, SUM(count),
                       CASE WHEN bool_or(source = 'editor') THEN 'editor'
                            WHEN bool_or(source = 'vocabulary') THEN 'vocabulary'
                            ELSE 'model' END
                  FROM {table}
                 WHERE entity_id = ANY(%s)
                 GROUP BY article_id
                ON CONFLICT (article_id, entity_id) DO UPDATE SET count = {table}.count + EXCLUDED.count
                """,
                [survivor.pk, other_ids],
            )
            moved = cursor.rowcount
            cursor.execute(f"DELETE FROM {table} WHERE entity_id = ANY(%s)", [other_ids])

        survivor.aliases = merged_aliases(survivor, others)
        survivor.save(update_fields=["aliases", "updated_at"])
        return _finish(survivor, others, moved, article_ids)


def merge_tags(survivor, others):
    """Merge the tags `others` into `survivor`; returns a MergeResult."""
    with changes.atomic():
        survivor, others = _lock(Tag, survivor, others)
        other_ids = [o.pk for o in others]
        article_ids = sorted(
            set(TaggedArticle.objects.filter(tag_id__in=other_ids).values_list("content_object_id", flat=True))
        )
        table = TaggedArticle._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (content_object_id, tag_id)
                SELECT DISTINCT content_object_id, %s FROM {table} WHERE tag_id = ANY(%s)
                ON CONFLICT DO NOTHING
                """,
                [survivor.pk, other_ids],
            )
            cursor.execute(f"DELETE FROM {table} WHERE tag_id = ANY(%s)", [other_ids])
        return _finish(survivor, others, len(article_ids), article_ids)


def merge_authors(survivor, others):
    """Merge the authors `others` into `survivor`; returns a MergeResult."""
    with changes.atomic():
        survivor, others = _lock(Author, survivor, others)
        articles = Article.objects.filter(author__in=others)
        article_ids = sorted(articles.values_list("id", flat=True))
        moved = articles.update(author=survivor, updated_at=Now())
        changed = []
        for attribute in ("bio", "twitter"):
            if not getattr(survivor, attribute):
                value = next((getattr(o, attribute) for o in others if getattr(o, attribute)), "")
                if value:
                    setattr(survivor, attribute, value)
                    changed.append(attribute)
        if changed:
            survivor.save(update_fields=[*changed, "updated_at"])
        return _finish(survivor, others, moved, article_ids)


def merged_aliases(survivor, others):
    """The survivor's aliases plus every name and alias of `others`, without repeats (case-blind)."""
    seen = {survivor.name.casefold()}
    aliases = []
    for form in [*survivor.aliases, *(f for o in others for f in (o.name, *o.aliases))]:
        form = clean_line(form)  # a merged "Dana<U+200B> Levi" is no alias of Dana Levi
        if form and form.casefold() not in seen:
            seen.add(form.casefold())
            aliases.append(form)
    return aliases


def _lock(model, survivor, others):
    """Lock and re-read the survivor and the rows to merge (in id order, so concurrent merges cannot deadlock)."""
    ids = {o.pk for o in others} - {survivor.pk}
    if not ids:
        raise MergeError(f"choose at least one other {model._meta.verbose_name} to merge into {survivor}")
    rows = {row.pk: row for row in model.objects.select_for_update().filter(pk__in=ids | {survivor.pk}).order_by("pk")}
    if survivor.pk not in rows:
        raise MergeError(f"{survivor} no longer exists")
    missing = ids - set(rows)
    if missing:
        raise MergeError(f"{len(missing)} of the selected {model._meta.verbose_name_plural} no longer exist")
    return rows[survivor.pk], [rows[pk] for pk in sorted(ids)]


def _finish(survivor, others, moved, article_ids):
    """Redirect the merged rows' addresses to the survivor, then delete them."""
    SlugRedirect.objects.repoint(others, survivor)
    old = [(o.slug, o.name) for o in others]
    type(survivor).objects.filter(pk__in=[o.pk for o in others]).delete()
    for slug, name in old:
        SlugRedirect.objects.record(slug, survivor, old_name=name)
    kind = {Author: "authors", Tag: "tags", Entity: "entities"}[type(survivor)]
    # The survivor's counts now include the merged rows'; tag and author names are searched.
    changes.apply(articles=article_ids, **{kind: [survivor.pk, *(o.pk for o in others)]})
    return MergeResult(survivor=survivor, merged_names=[name for _, name in old], moved=moved, article_ids=article_ids)
