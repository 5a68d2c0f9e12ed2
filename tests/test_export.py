"""export_articles: the JSON Lines format and the round trip through the seed format."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import articles
from articles.export import record_to_seed
from articles.ingest import ingest_paths
from articles.models import Article, Author, Entity, Mention, SeedFile, Tag

from .conftest import PROJECT_SEEDS
from .factories import ArticleFactory, EntityFactory

pytestmark = pytest.mark.django_db


def export():
    out = io.StringIO()
    call_command("export_articles", stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_article_per_line_with_every_field():
    article = ArticleFactory(tags=["energy"], entities=[EntityFactory(name="Baltic Sea")])
    Mention.objects.filter(article=article).update(count=3)
    [record] = export()
    assert record == {
        "slug": article.slug,
        "title": article.title,
        "dek": article.dek,
        "body": article.body,
        "status": "published",
        "published_at": article.published_at.isoformat(),
        "author": {
            "name": article.author.name,
            "slug": article.author.slug,
            "bio": article.author.bio,
            "twitter": "",
            "former_names": [],
        },
        "tags": ["energy"],
        "entities": [
            {
                "name": "Baltic Sea",
                "kind": "PLACE",
                "mentions": 3,
                "source": "editor",
                "byline_only": False,
                "slug": "baltic-sea",
                "aliases": [],
            }
        ],
        "source": {"path": "", "sha256": ""},
        "tag_slugs": {"energy": "energy"},
        "entities_pinned": False,
        "created_at": article.created_at.isoformat(),
        "updated_at": article.updated_at.isoformat(),
        "ingested_at": None,
        "edited_at": None,
        "seed_files": [],
    }


def test_output_file(tmp_path):
    ArticleFactory.create_batch(3)
    target = tmp_path / "out.jsonl"
    call_command("export_articles", "--output", str(target), stderr=io.StringIO())
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3


def test_an_output_that_cannot_be_written_is_one_clear_line(tmp_path):
    with pytest.raises(CommandError, match=r"^\S*nowhere/out.jsonl: No such file or directory$"):
        call_command("export_articles", "--output", str(tmp_path / "nowhere" / "out.jsonl"), stderr=io.StringIO())


PROVENANCE = {"source", "seed_files", "created_at", "updated_at", "ingested_at", "edited_at"}


def comparable(records):
    return [{k: v for k, v in r.items() if k not in PROVENANCE} for r in records]


def test_export_then_ingest_into_an_empty_database_gives_the_same_articles(tmp_path):
    ingest_paths([str(PROJECT_SEEDS)], workers=1)
    first = export()
    assert len(first) == len(list(PROJECT_SEEDS.glob("*.txt")))

    folder = tmp_path / "from-export"
    folder.mkdir()
    for n, record in enumerate(first):
        (folder / f"{n:04}.txt").write_text(record_to_seed(record), encoding="utf-8")
    # Back to a freshly migrated database: only the starter vocabulary remains.
    for model in (SeedFile, Article, Author, Tag):
        model.objects.all().delete()
    starter = json.loads((Path(articles.__file__).parent / "entities" / "starter_vocabulary.json").read_text())
    Entity.objects.exclude(name__in=[name for name, _, _ in starter]).delete()

    report = ingest_paths([str(folder)], workers=1)
    assert (report.created, report.failed) == (len(first), [])
    assert comparable(export()) == comparable(first)
