"""Export the archive as JSON Lines, one article per line, streamed in chunks."""

import datetime
import json

from django.db.models import Prefetch

from .models import Article, Mention
from .seed import SeedDocument, render_seed

CHUNK_SIZE = 500


def article_record(article):
    """The exported form of one article (its tags and mentions prefetched)."""
    author = article.author
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
        "tags": sorted((tag.name for tag in article.tags.all()), key=str.lower),
        "entities": [
            {"name": m.entity.name, "kind": m.entity.kind, "mentions": m.count} for m in article.mentions.all()
        ],
        "source": {"path": article.source_path, "sha256": article.source_sha256},
    }


def export_articles(out, queryset=None):
    """Write every article in `queryset` (default: all) to the text stream `out`; return the count."""
    articles = (queryset if queryset is not None else Article.objects.all()).order_by("id")
    articles = articles.select_related("author").prefetch_related(
        "tags",
        Prefetch("mentions", queryset=Mention.objects.select_related("entity").order_by("-count", "entity__name")),
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
