"""Restore an `export_articles` file (JSON Lines, articles/export.py) into an empty database.

    export_articles --output archive.jsonl   ->   import_articles archive.jsonl

Everything the export holds comes back as it was: slugs, statuses (drafts and
scheduled articles included), publication and edit times to the microsecond,
authors with bios, handles and former names, tags with their slugs and former names
(names renamed from or merged in: later ingests file them as before), entities with
kinds, slugs, aliases, mention counts, sources and byline-only flags, pinned entity
lists, and the seed-file provenance that lets a later ingest recognise unchanged files. Then the reader
statistics are rebuilt and the search entries written, as ingest would.

Not in an export, so not restored: user accounts (`edited_by` is left empty), the
admin's history, old addresses (slug redirects), rejected names and entities no
article mentions (the starter vocabulary comes back with the migrations). A
`pg_dump` backup holds those (docs/operations.md).

The whole import is one transaction: a malformed line stops it with its line number
and nothing is written. Exports from before these fields existed (issue 2's fields
only) import too, with today's times and mention sources marked "editor".
"""

import datetime
import json
import re
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.utils import timezone

from . import changes, writes
from .models import (
    SLUG_MAX_LENGTH,
    Article,
    Author,
    Entity,
    Mention,
    SeedFile,
    Tag,
    TaggedArticle,
    make_slug,
    taken_slugs,
    unique_slug,
)
from .stats import rebuild_reader_stats

BATCH_SIZE = 500
SEARCH_CHUNK = 2000
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class RestoreError(Exception):
    """The file cannot be restored (the message says where and why); nothing was written."""


@dataclass
class RestoreReport:
    articles: int = 0
    authors: int = 0
    tags: int = 0
    entities: int = 0
    mentions: int = 0
    public: int = 0  # public articles counted by the reader statistics


def import_articles(lines, *, dry_run=False, batch_size=BATCH_SIZE):
    """Restore the export whose lines `lines` yields (text) into a database with no articles.

    Raises RestoreError for a database that already has articles or a malformed line.
    With `dry_run`, every line is checked and nothing is written. Returns a RestoreReport.
    """
    existing = Article.objects.count()
    if existing:  # a dry run checks what the import would
        raise RestoreError(
            f"the database already has {existing:,} articles; import_articles restores into an empty "
            "database (create one and run `manage.py migrate` first)"
        )
    report = RestoreReport()
    writer = _Writer(report)
    with changes.atomic():
        batch = []
        seen_slugs = set()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = parse_record(line, number)
            if record["slug"] in seen_slugs:
                raise RestoreError(f"line {number}: slug {record['slug']!r} appears twice in the file")
            seen_slugs.add(record["slug"])
            batch.append(record)
            if len(batch) >= batch_size:
                if not dry_run:
                    writer.write(batch)
                report.articles += len(batch)
                batch = []
        if batch and not dry_run:
            writer.write(batch)
        report.articles += len(batch)
        if dry_run:
            return report
        report.public = rebuild_reader_stats()
        for start in range(0, len(writer.article_ids), SEARCH_CHUNK):
            writes.refresh_search_entries(writer.article_ids[start : start + SEARCH_CHUNK])
        changes.apply(everything=True)  # a new archive: no cached page stays
    writes.merge_search_pending()  # searches read the indexes' pending lists whole
    return report


# Reading and checking one line.


def parse_record(line, number):
    """The record on line `number`, checked and with times parsed; RestoreError if it is malformed."""

    def fail(message):
        raise RestoreError(f"line {number}: {message}")

    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        fail(f"not JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(record, dict):
        fail("not a JSON object")
    times = _check_article(record, fail)
    _check_author(record.get("author"), fail)
    tags = record.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        fail("tags must be a list of names")
    tag_slugs = record.get("tag_slugs") or {}
    if not isinstance(tag_slugs, dict):
        fail("tag_slugs must be an object (name -> slug)")
    tag_former_names = record.get("tag_former_names", {})
    if not isinstance(tag_former_names, dict) or not all(map(_names, tag_former_names.values())):
        fail("tag_former_names must be an object (name -> list of names)")
    _check_entities(record.get("entities", []), fail)
    source = record.get("source") or {}
    if not isinstance(source, dict):
        fail("source must be an object")
    _check_seed_files(record.get("seed_files", []), fail)
    pinned = record.get("entities_pinned", False)
    if not isinstance(pinned, bool):
        fail("entities_pinned must be true or false")
    return {**record, **times, "tag_slugs": tag_slugs, "entities_pinned": pinned, "source": source}


def _check_article(record, fail):
    """Check the article's own fields; returns its times, parsed."""
    for key, kind in (("slug", str), ("title", str), ("dek", str), ("body", str), ("status", str)):
        if not isinstance(record.get(key), kind):
            fail(f"{key!r} is missing or not a string")
    slug = record["slug"]
    if not _SLUG.fullmatch(slug) or len(slug) > SLUG_MAX_LENGTH + 10:
        fail(f"slug {slug[:100]!r} is not a valid address")
    if not record["title"].strip() or len(record["title"]) > 300:
        fail("the headline is empty or longer than 300 characters")
    if record["status"] not in Article.Status.values:
        fail(f"status {record['status'][:50]!r} is not one of {', '.join(Article.Status.values)}")
    times = {}
    for key in ("published_at", "created_at", "updated_at", "ingested_at", "edited_at"):
        times[key] = _parse_time(record.get(key), key, fail)
    if record["status"] == Article.Status.PUBLISHED and times["published_at"] is None:
        fail("a published article needs published_at")
    return times


def _check_author(author, fail):
    if author is None:
        return
    if not isinstance(author, dict) or not isinstance(author.get("name"), str) or not author["name"].strip():
        fail("author must be null or an object with a name")
    for key in ("slug", "bio", "twitter"):
        if not isinstance(author.get(key, ""), str):
            fail(f"author {key} must be a string")
    if len(author["name"]) > 200 or len(author.get("twitter", "")) > 15:
        fail("the author's name or handle is too long")
    if not _names(author.get("former_names", [])):
        fail("the author's former_names must be a list of names")


def _names(value):
    return isinstance(value, list) and all(isinstance(name, str) and name.strip() for name in value)


def _check_entities(entities, fail):
    if not isinstance(entities, list):
        fail("entities must be a list")
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("name"), str) or not entity["name"].strip():
            fail("each entity needs a name")
        if entity.get("kind") not in Entity.Kind.values:
            fail(f"entity {entity['name'][:100]!r}: kind must be one of {', '.join(Entity.Kind.values)}")
        count = entity.get("mentions")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            fail(f"entity {entity['name'][:100]!r}: mentions must be a whole number of at least 1")
        if entity.get("source", Mention.Source.EDITOR) not in Mention.Source.values:
            fail(f"entity {entity['name'][:100]!r}: source must be one of {', '.join(Mention.Source.values)}")
        aliases = entity.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            fail(f"entity {entity['name'][:100]!r}: aliases must be a list of names")


def _check_seed_files(seed_files, fail):
    """Check the provenance list; parses each file's time in place."""
    if not isinstance(seed_files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str) for f in seed_files
    ):
        fail("seed_files must be a list of {path, sha256, ingested_at}")
    for seed_file in seed_files:
        seed_file["ingested_at"] = _parse_time(seed_file.get("ingested_at"), "seed_files ingested_at", fail)


def _parse_time(value, key, fail):
    if value is None:
        return None
    if not isinstance(value, str):
        fail(f"{key} must be an ISO 8601 time or null")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        fail(f"{key} {value[:60]!r} is not an ISO 8601 time")
    if timezone.is_naive(parsed):
        fail(f"{key} {value[:60]!r} has no time zone")
    return parsed


# Writing a batch: a few set-based statements, like ingest.


class _Writer:
    def __init__(self, report):
        self.report = report
        self.article_ids = []
        self.now = timezone.now()

    def write(self, batch):
        # Names are matched as the unique constraints match them: by PostgreSQL's lower(), which
        # differs from Python's for some letters ("İ"), so one query asks PostgreSQL for each.
        names = {r["author"]["name"] for r in batch if r.get("author")}
        names |= {name for r in batch for name in r.get("tags", [])}
        names |= {e["name"] for r in batch for e in r.get("entities", [])}
        self.lower = writes.lowered(names)
        author_ids = self._authors(batch)
        tag_ids = self._tags(batch)
        entity_ids = self._entities(batch)
        article_ids = self._articles(batch, author_ids)
        self.article_ids.extend(article_ids.values())
        taggings = sorted(
            {(article_ids[r["slug"]], tag_ids[self.lower[name]]) for r in batch for name in r.get("tags", [])}
        )
        mentions = {}
        for record in batch:
            for entity in record.get("entities", []):
                key = (article_ids[record["slug"]], entity_ids[(self.lower[entity["name"]], entity["kind"])])
                source = entity.get("source", Mention.Source.EDITOR)
                mentions[key] = (entity["mentions"], source, bool(entity.get("byline_only", False)))
        seed_files = [
            (f["path"], f["sha256"], article_ids[r["slug"]], f["ingested_at"] or self.now)
            for r in batch
            for f in r.get("seed_files", [])
        ]
        writes.insert_rows(TaggedArticle, {"content_object_id": "bigint", "tag_id": "bigint"}, taggings)
        writes.insert_rows(Mention, writes.MENTION_COLUMNS, [(*key, *mentions[key]) for key in sorted(mentions)])
        self.report.mentions += len(mentions)
        writes.insert_rows(SeedFile, writes.SEED_FILE_COLUMNS, seed_files)

    def _articles(self, batch, author_ids):
        """Insert the batch's articles with their exact times; returns slug -> id."""
        columns = {
            "title": ("text", lambda r: r["title"]),
            "slug": ("text", lambda r: r["slug"]),
            "dek": ("text", lambda r: r["dek"]),
            "body": ("text", lambda r: r["body"]),
            "author_id": ("bigint", lambda r: author_ids[self.lower[r["author"]["name"]]] if r.get("author") else None),
            "status": ("text", lambda r: r["status"]),
            "published_at": ("timestamptz", lambda r: r["published_at"]),
            "created_at": ("timestamptz", lambda r: r["created_at"] or self.now),
            "updated_at": ("timestamptz", lambda r: r["updated_at"] or self.now),
            "entities_pinned": ("boolean", lambda r: r["entities_pinned"]),
            "source_path": ("text", lambda r: r["source"].get("path") or ""),
            "source_sha256": ("text", lambda r: r["source"].get("sha256") or ""),
            "ingested_at": ("timestamptz", lambda r: r["ingested_at"]),
            "edited_at": ("timestamptz", lambda r: r["edited_at"]),
        }
        # Not bulk_create: it would stamp created_at and updated_at with the time of the import.
        types = {name: kind for name, (kind, _) in columns.items()}
        rows = [tuple(value(record) for _, value in columns.values()) for record in batch]
        return dict(writes.insert_rows(Article, types, rows, then="RETURNING slug, id"))

    def _authors(self, batch):
        """lower(name) -> id for every author of the batch, creating the missing ones as exported."""
        wanted = {}
        for record in batch:
            author = record.get("author")
            if author:
                wanted.setdefault(self.lower[author["name"]], author)
        ids = dict(_by_lower_name(Author, wanted).values_list("lower_name", "id"))
        missing = [author for key, author in wanted.items() if key not in ids]
        if missing:
            taken = set(Author.objects.values_list("slug", flat=True).filter(slug__in=[a.get("slug") for a in missing]))
            created = Author.objects.bulk_create(
                Author(
                    name=a["name"],
                    slug=_free_slug(Author, a.get("slug"), a["name"], "author", taken),
                    bio=a.get("bio", ""),
                    twitter=a.get("twitter", ""),
                    former_names=list(a.get("former_names", [])),
                )
                for a in missing
            )
            ids.update({self.lower[author.name]: author.pk for author in created})
            self.report.authors += len(created)
        return ids

    def _tags(self, batch):
        """lower(name) -> id for every tag of the batch, created with their exported slugs."""
        wanted = {}
        for record in batch:
            for name in record.get("tags", []):
                former = record.get("tag_former_names", {}).get(name, [])
                wanted.setdefault(self.lower[name], (name, record["tag_slugs"].get(name), former))
        ids = dict(_by_lower_name(Tag, wanted).values_list("lower_name", "id"))
        missing = [value for key, value in wanted.items() if key not in ids]
        if missing:
            taken = set(
                Tag.objects.filter(slug__in=[slug for _, slug, _ in missing if slug]).values_list("slug", flat=True)
            )
            created = Tag.objects.bulk_create(
                Tag(name=name, slug=_free_slug(Tag, slug, name, "tag", taken), former_names=list(former))
                for name, slug, former in missing
            )
            ids.update({self.lower[tag.name]: tag.pk for tag in created})
            self.report.tags += len(created)
        return ids

    def _entities(self, batch):
        """(lower(name), kind) -> id; existing entities (the starter vocabulary) take the exported
        slug and aliases, missing ones are created with them."""
        wanted = {}
        for record in batch:
            for entity in record.get("entities", []):
                wanted.setdefault((self.lower[entity["name"]], entity["kind"]), entity)
        existing = {
            (e.lower_name, e.kind): e
            for e in _by_lower_name(Entity, {name for name, _ in wanted})
            if (e.lower_name, e.kind) in wanted
        }
        ids = {}
        changed = []
        for key, entity in existing.items():
            exported = wanted[key]
            ids[key] = entity.pk
            aliases = exported.get("aliases", entity.aliases)
            slug = exported.get("slug") or entity.slug
            if (entity.name, entity.slug, list(entity.aliases)) != (exported["name"], slug, list(aliases)):
                entity.name, entity.slug, entity.aliases = exported["name"], slug, list(aliases)
                changed.append(entity)
        if changed:
            Entity.objects.bulk_update(changed, ["name", "slug", "aliases"])
        missing = [entity for key, entity in wanted.items() if key not in ids]
        if missing:
            taken = set(
                Entity.objects.filter(slug__in=[e.get("slug") for e in missing if e.get("slug")]).values_list(
                    "slug", flat=True
                )
            )
            created = Entity.objects.bulk_create(
                Entity(
                    name=e["name"],
                    kind=e["kind"],
                    slug=_free_slug(Entity, e.get("slug"), e["name"], "entity", taken),
                    aliases=list(e.get("aliases", [])),
                )
                for e in missing
            )
            ids.update({(self.lower[entity.name], entity.kind): entity.pk for entity in created})
            self.report.entities += len(created)
        return ids


def _by_lower_name(model, lowered_names):
    """Rows of `model` whose lower(name) is one of `lowered_names` (the unique index on lower(name))."""
    return model.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=list(lowered_names))


def _free_slug(model, exported, name, prefix, taken):
    """The exported slug when it is free, else the first free one made from the name; marks it taken."""
    if exported and _SLUG.fullmatch(exported) and exported not in taken:
        slug = exported
    else:
        base = make_slug(name, fallback_prefix=prefix)
        slug = unique_slug(base, taken | taken_slugs(model, [base]))
    taken.add(slug)
    return slug
