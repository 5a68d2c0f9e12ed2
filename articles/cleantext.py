"""Rows stored before invisible characters were cleaned at the door: `clean_stored_text()`.

Ingest and the admin clean headlines, names and tags as they come in
(articles/textcleanup.py). Rows stored earlier may still hold zero-width spaces,
bidirectional overrides and the like; `manage.py clean_text` calls this to clean
them in one transaction, through the change path:

- articles: headline and dek as one-line text, body without invisible characters;
- authors, tags and entities (names and aliases): when a cleaned name is the name of
  another row ("Dana<U+200B> Levi" and "Dana Levi"), the two are one: the dirty row
  is merged into the clean one (articles.merge: its articles, taggings or mentions
  move, its old address redirects), as an editor's merge would.

With dry_run nothing is written (the transaction is rolled back): the report says
what would change.
"""

from dataclasses import dataclass, field

from django.db import transaction

from . import changes
from .merge import merge_authors, merge_entities, merge_tags
from .models import Article, Author, Entity, Tag
from .textcleanup import clean_line, clean_paragraphs, invisible_ranges


@dataclass
class CleanReport:
    articles: list = field(default_factory=list)  # ids of articles cleaned in place
    renamed: list = field(default_factory=list)  # (kind, old name, new name)
    merged: list = field(default_factory=list)  # (kind, merged name, survivor's name)
    cleaned: list = field(default_factory=list)  # (kind, name, fields cleaned): an entity's aliases, an author's bio

    @property
    def changed(self):
        return bool(self.articles or self.renamed or self.merged or self.cleaned)


class _DryRun(Exception):
    pass


def clean_stored_text(*, dry_run=False):
    """Clean every stored article, author, tag and entity; returns a CleanReport."""
    report = CleanReport()
    try:
        with transaction.atomic():
            _clean_articles(report)
            _clean_names(Author, "author", merge_authors, report)
            _clean_names(Tag, "tag", merge_tags, report)
            _clean_names(Entity, "entity", merge_entities, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def invisible_pattern():
    """A PostgreSQL regular expression for the characters clean_prose() may remove, to find the
    few bodies worth reading among all of them (NUL, which no stored text holds, left out)."""
    parts = (chr(max(a, 1)) + ("" if a == b else "-" + chr(b)) for a, b in invisible_ranges() if b >= 1)
    return "[" + "".join(parts) + "]"


def _clean_articles(report):
    """Headline and dek as one-line text, body without invisible characters."""
    dirty_bodies = set(Article.objects.filter(body__regex=invisible_pattern()).values_list("id", flat=True))
    candidates = [
        pk
        for pk, title, dek in Article.objects.values_list("id", "title", "dek").order_by("id").iterator(chunk_size=5000)
        if pk in dirty_bodies or clean_line(title) != title or clean_line(dek) != dek
    ]
    changed = []
    with changes.atomic():
        for article in Article.objects.filter(pk__in=candidates).only("title", "dek", "body"):
            cleaned = (clean_line(article.title), clean_line(article.dek), clean_paragraphs(article.body))
            if cleaned != (article.title, article.dek, article.body):
                article.title, article.dek, article.body = cleaned
                article.save(update_fields=["title", "dek", "body", "updated_at"])
                changed.append(article.pk)
        changes.apply(articles=changed)
    report.articles = sorted(changed)


def _clean_names(model, kind, merge, report):
    """Clean each row's name (an entity's aliases, an author's bio too); merge rows whose cleaned
    names are one."""

    def identity(row, name):  # as the case-blind unique constraint compares names
        return (name.lower(), row.kind) if model is Entity else name.lower()

    rows = list(model.objects.order_by("pk"))
    clean = {identity(row, row.name): row for row in rows if clean_line(row.name) == row.name}
    for row in rows:
        name = clean_line(row.name)
        survivor = clean.get(identity(row, name))
        if survivor is not None and survivor.pk != row.pk:
            merge(survivor, [row])
            report.merged.append((kind, row.name, survivor.name))
            continue
        changed = {attr: value for attr, value in _cleaned(row, name).items() if getattr(row, attr) != value}
        if not changed:
            continue
        if name != row.name:
            report.renamed.append((kind, row.name, name))
        else:
            report.cleaned.append((kind, name, sorted(changed)))
        for attr, value in changed.items():
            setattr(row, attr, value)
        with changes.atomic():
            row.save(update_fields=[*changed, *(["updated_at"] if kind != "tag" else [])])
            changes.apply(**{{"author": "authors", "tag": "tags", "entity": "entities"}[kind]: [row.pk]})
        clean[identity(row, name)] = row


def _cleaned(row, name):
    """The cleaned values of the row's text fields."""
    if isinstance(row, Entity):
        # Only what cleaning makes a repeat goes: case variants are other spellings the vocabulary
        # may read apart ("Nato" is no "NATO", which matches only in capitals).
        aliases, seen = [], {name}
        for alias in map(clean_line, row.aliases):
            if alias and alias not in seen:
                seen.add(alias)
                aliases.append(alias)
        return {"name": name, "aliases": aliases}
    if isinstance(row, Author):
        return {"name": name, "bio": clean_paragraphs(row.bio)}
    return {"name": name}
