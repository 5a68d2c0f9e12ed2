"""Export the archive as JSON Lines, one article per line, streamed in chunks.

The export is a backup: `import_articles` (articles/restore.py) restores it into an
empty database exactly. Besides the fields issue 2 named (slug, title, dek, body,
status, published_at, author, tags, entities with mention counts, source), each line
carries what an exact restore needs: the article's times (`created_at`, `updated_at`,
`ingested_at`, `edited_at`, to the microsecond), `entities_pinned`, `tag_slugs`
(name -> slug), each entity's `slug`, `aliases` and the mention's `source` and
`byline_only` (named only by the byline and the author's bio), the author's
`former_names` and `tag_former_names` (tag name -> its former names: names editors
renamed the author or tag from or merged into it, so that a later ingest files a seed
file that still uses one under it), and the ingest provenance of every seed file that
produced the article (`seed_files`).

Not exported (a `pg_dump` backup holds them): old addresses (`SlugRedirect`),
entities and tags no article uses, rejected names, accounts and the admin's history.
"""

import datetime
import json

from django.db.models import Prefetch

from .models import Article, Mention, SlugRedirect
from .seed import SeedDocument, render_seed

CHUNK_SIZE = 500


def _time(value):
    return value.isoformat() if value else None


def former_names():
    """{("author" or "tag", id): names of the rows editors merged into it}, from the old addresses
    the merges left (their `old_name`); `_former_names` adds each row's own `former_names`."""
    names = {}
    redirects = SlugRedirect.objects.filter(kind__in=[SlugRedirect.Kind.AUTHOR, SlugRedirect.Kind.TAG])
    for kind, author_id, tag_id, old_name in redirects.exclude(old_name="").values_list(
        "kind", "author", "tag", "old_name"
    ):
        names.setdefault((kind, author_id or tag_id), set()).add(old_name)
    return names


def _former_names(row, kind, merged):
    names = {*row.former_names, *merged.get((kind, row.pk), ())}
    return sorted(names, key=lambda name: (name.lower(), name))


def article_record(article, merged):
    """The exported form of one article (its tags, mentions and seed files prefetched); `merged`:
    `former_names()`, read once for a whole export."""
    author = article.author
    tags = sorted(article.tags.all(), key=lambda tag: tag.name.lower())
    tag_former_names = {tag.name: names for tag in tags if (names := _former_names(tag, "tag", merged))}
    return {
        "slug": article.slug,
        "title": article.title,
        "dek": article.dek,
        "body": article.body,
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": (
            {
                "name": author.name,
                "slug": author.slug,
                "bio": author.bio,
                "twitter": author.twitter,
                "former_names": _former_names(author, "author", merged),
            }
            if author
            else None
        ),
        "tags": [tag.name for tag in tags],
        "entities": [
            {
                "name": m.entity.name,
                "kind": m.entity.kind,
                "mentions": m.count,
                "source": m.source,
                "byline_only": m.byline_only,
                "slug": m.entity.slug,
                "aliases": list(m.entity.aliases),
            }
            for m in article.mentions.all()
        ],
        "source": {"path": article.source_path, "sha256": article.source_sha256},
        "tag_slugs": {tag.name: tag.slug for tag in tags},
        **({"tag_former_names": tag_former_names} if tag_former_names else {}),
        "entities_pinned": article.entities_pinned,
        "created_at": _time(article.created_at),
        "updated_at": _time(article.updated_at),
        "ingested_at": _time(article.ingested_at),
        "edited_at": _time(article.edited_at),
        "seed_files": [
            {"path": f.path, "sha256": f.sha256, "ingested_at": _time(f.ingested_at)}
            for f in sorted(article.seed_files.all(), key=lambda f: f.path)
        ],
    }


def export_articles(out, queryset=None):
    """Write every article in `queryset` (default: all) to the text stream `out`; return the count."""
    articles = (queryset if queryset is not None else Article.objects.all()).order_by("id")
    articles = articles.select_related("author").prefetch_related(
        "tags",
        "seed_files",
        Prefetch(
            "mentions",
            queryset=Mention.objects.select_related("entity").order_by("-count", "entity__name", "entity__slug"),
        ),
    )
    count = 0
    merged = former_names()
    for article in articles.iterator(chunk_size=CHUNK_SIZE):
        out.write(json.dumps(article_record(article, merged), ensure_ascii=False) + "\n")
        count += 1
    return count


def record_to_seed(record):
    """Seed-format text for an exported record, so an export can be ingested again.

    The exact publication time travels in the `Published:` line.
    """
    author = record["author"] or {}
    published = record["published_at"]
    document = SeedDocument(
        headline=record["title"],
        dek=record["dek"],
        body=record["body"],
        author=author.get("name", ""),
        bio=author.get("bio", ""),
        published=datetime.datetime.fromisoformat(published) if published else None,
        tags=tuple(record["tags"]),
    )
    return render_seed(document)
