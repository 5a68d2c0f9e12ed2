"""Curation: merging duplicate entities, tags and authors into one survivor.

A merge moves everything that pointed at the merged rows to the survivor, in a
few set-based statements (articles/writes.py) inside one transaction:

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
moved articles' search entries and statistics, and the pages of the merged rows
(and of the survivor when its own fields changed). `merge_tags()` and the others
do it all in one transaction (commands, tests); the admin queues a merge as a job
(articles/jobs/curation.py) that moves the articles in parts (`move_part()`, one
transaction each) and ends with the same function, which then has little left to
move. After an entity merge the job re-links the survivor, after an author merge it
re-extracts the moved articles (the byline is a person of each article).
"""

from dataclasses import dataclass, field

from django.db.models.functions import Now

from . import changes, writes
from .entities.vocabulary import form_identity
from .models import Article, Author, Entity, Mention, SlugRedirect, Tag, TaggedArticle, keep_former_name
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
    """Merge the entities `others` into `survivor`, in one transaction; returns a MergeResult."""
    with changes.atomic():
        survivor, others = _lock(Entity, survivor, others)
        moved, article_ids = _move_mentions(survivor, others)
        survivor.aliases = merged_aliases(survivor, others)
        survivor.save(update_fields=["aliases", "updated_at"])
        return _finish(survivor, others, moved, article_ids)


def merge_tags(survivor, others):
    """Merge the tags `others` into `survivor`, in one transaction; returns a MergeResult."""
    with changes.atomic():
        survivor, others = _lock(Tag, survivor, others)
        moved, article_ids = _move_taggings(survivor, others)
        return _finish(survivor, others, moved, article_ids)


def merge_authors(survivor, others):
    """Merge the authors `others` into `survivor`, in one transaction; returns a MergeResult."""
    with changes.atomic():
        survivor, others = _lock(Author, survivor, others)
        moved, article_ids = _move_articles(survivor, others)
        changed = []
        for attribute in ("bio", "twitter"):
            if not getattr(survivor, attribute):
                value = next((getattr(o, attribute) for o in others if getattr(o, attribute)), "")
                if value:
                    setattr(survivor, attribute, value)
                    changed.append(attribute)
        if changed:
            survivor.save(update_fields=[*changed, "updated_at"])
        return _finish(survivor, others, moved, article_ids, survivor_changed=bool(changed))


# A queued merge (articles/jobs/kinds.py, Merge) moves the articles in parts, each
# `move_part()` in a transaction of its own, then ends with the merge function above,
# which moves what the parts did not (articles linked to a merged row meanwhile), deletes
# the merged rows and redirects their addresses.

MERGES = {Entity: merge_entities, Tag: merge_tags, Author: merge_authors}


def articles_to_move(model, other_ids):
    """Ids of the articles a merge of the rows `other_ids` of `model` moves, in id order."""
    return sorted(set(_links(model, other_ids).values_list(_LINK_ARTICLE[model], flat=True)))


def count_articles_to_move(model, other_ids):
    """How many articles a merge of these rows moves (one counting query, for the editor's message)."""
    return _links(model, other_ids).values(_LINK_ARTICLE[model]).distinct().count()


def move_part(survivor, others, article_ids):
    """Move these articles' links from `others` to `survivor`, in one transaction (a part of a
    queued merge); returns how many links moved. Articles already moved are left as they are,
    so a part run twice moves nothing twice."""
    model = type(survivor)
    mover = {Entity: _move_mentions, Tag: _move_taggings, Author: _move_articles}[model]
    with changes.atomic():
        survivor, others = _lock(model, survivor, others)
        moved, changed = mover(survivor, others, article_ids=sorted(int(pk) for pk in article_ids))
        changes.apply(articles=changed)
    return moved


_LINK_ARTICLE = {Entity: "article_id", Tag: "content_object_id", Author: "id"}


def _links(model, other_ids):
    other_ids = list(other_ids)
    if model is Entity:
        return Mention.objects.filter(entity_id__in=other_ids)
    if model is Tag:
        return TaggedArticle.objects.filter(tag_id__in=other_ids)
    return Article.objects.filter(author_id__in=other_ids)


def _move_mentions(survivor, others, article_ids=None):
    """Move the mentions of `others` (of `article_ids` only, if given); returns (moved, article ids)."""
    other_ids = [o.pk for o in others]
    links = _links(Entity, other_ids)
    if article_ids is not None:
        links = links.filter(article_id__in=article_ids)
    ids = sorted(set(links.values_list("article_id", flat=True)))
    moved = writes.move_mentions(survivor.pk, other_ids, ids)
    return moved, ids


def _move_taggings(survivor, others, article_ids=None):
    """Move the taggings of `others` (of `article_ids` only, if given); returns (moved, article ids)."""
    other_ids = [o.pk for o in others]
    links = _links(Tag, other_ids)
    if article_ids is not None:
        links = links.filter(content_object_id__in=article_ids)
    ids = sorted(set(links.values_list("content_object_id", flat=True)))
    writes.move_taggings(survivor.pk, other_ids, ids)
    return len(ids), ids


def _move_articles(survivor, others, article_ids=None):
    """Give the articles of `others` (`article_ids` only, if given) to `survivor`; returns (moved, article ids)."""
    articles = _links(Author, [o.pk for o in others])
    if article_ids is not None:
        articles = articles.filter(id__in=article_ids)
    ids = sorted(articles.values_list("id", flat=True))
    moved = Article.objects.filter(id__in=ids).update(author=survivor, updated_at=Now())
    return moved, ids


def merged_aliases(survivor, others):
    """The survivor's aliases plus every name and alias of `others`, without repeats (as the
    vocabulary matches them: "Petrovsky" repeats "petrovsky", but "Nato" is no repeat of "NATO")."""
    seen = {form_identity(survivor.name)}
    aliases = []
    for form in [*survivor.aliases, *(f for o in others for f in (o.name, *o.aliases))]:
        form = clean_line(form)  # a merged "Dana<U+200B> Levi" is no alias of Dana Levi
        if form and form_identity(form) not in seen:
            seen.add(form_identity(form))
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


def _finish(survivor, others, moved, article_ids, *, survivor_changed=False):
    """Redirect the merged rows' addresses to the survivor, then delete them."""
    SlugRedirect.objects.repoint(others, survivor)
    old = [(o.slug, o.name) for o in others]
    carried = [name for o in others for name in getattr(o, "former_names", ())]
    if carried:  # names the merged rows were renamed from: the survivor's now (ingest files them under it)
        for name in carried:
            keep_former_name(survivor, name)
        survivor.save(update_fields=["former_names"])
    type(survivor).objects.filter(pk__in=[o.pk for o in others]).delete()
    for slug, name in old:
        SlugRedirect.objects.record(slug, survivor, old_name=name)
    kind = {Author: "authors", Tag: "tags", Entity: "entities"}[type(survivor)]
    # The moved articles' search entries carry the survivor's name now; the survivor's own
    # fields (its page, and its name in its other articles' entries) changed only if it
    # took over a bio or handle, or merged names (an entity's aliases); its listing and
    # counts follow from the moved articles' statistics.
    rows = [o.pk for o in others] + ([survivor.pk] if survivor_changed or kind == "entities" else [])
    changes.apply(articles=article_ids, **{kind: rows})
    return MergeResult(survivor=survivor, merged_names=[name for _, name in old], moved=moved, article_ids=article_ids)
