"""Export the archive as JSON Lines, one article per line, streamed in chunks.

The export is a backup: `import_articles` (articles/restore.py) restores it into an
empty database exactly. Besides the fields issue 2 named (slug, title, dek, body,
status, published_at, author, tags, entities with mention counts, source), each line
carries what an exact restore needs: the article's times (`created_at`, `updated_at`,
`ingested_at`, `edited_at`, to the microsecond), `entities_pinned`, `tag_slugs`
(name -> slug), each entity's `slug`, `aliases` and the mention's `source` and
`byline_only` (named only by the byline and the author's bio), and the
ingest provenance of every seed file that produced the article (`seed_files`).
"""

import datetime
import json

from django.db.models import Prefetch

from .models import Article, Mention
from .seed import SeedDocument, render_seed

CHUNK_SIZE = 500


def _time(value):
    return value.isoformat() if value else None


def article_record(article):
    """The exported form of one article (its tags, mentions and seed files prefetched)."""
    author = article.author
    tags = sorted(article.tags.all(), key=lambda tag: tag.name.lower())
    return {
        "slug": article.slug,
        "title": article.title,
        "dek": article.dek,
        "body": article.body,
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": (
            {"name": author.name, "slug": author.slug, "bio": author.bio, "twitter": author.twitter} if author else None
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
    for article in articles.iterator(chunk_size=CHUNK_SIZE):
        out.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")
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
