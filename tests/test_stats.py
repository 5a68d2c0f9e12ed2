"""Reader statistics: incremental refreshes always equal a rebuild from scratch."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from articles.entities.relink import relink
from articles.ingest import ingest_paths
from articles.models import (
    Article,
    AuthorStats,
    Entity,
    EntityMonth,
    EntityPair,
    EntityStats,
    MonthCount,
    PublicArticle,
    PublicMention,
    PublicTagging,
    ReaderStatsState,
    Tag,
    TagStats,
)
from articles.stats import due_articles_exist, rebuild_reader_stats, refresh_reader_stats
from articles.writes import replace_mentions, replace_tags

from .conftest import PROJECT_SEEDS
from .factories import ArticleFactory, AuthorFactory, EntityFactory

pytestmark = pytest.mark.django_db

TABLES = {
    PublicArticle: ["article_id", "published_at", "month", "author_id"],
    PublicMention: ["entity_id", "article_id", "published_at", "byline_only"],
    PublicTagging: ["tag_id", "article_id", "published_at"],
    MonthCount: ["month", "count"],
    AuthorStats: ["author_id", "article_count"],
    TagStats: ["tag_id", "article_count"],
    EntityStats: ["entity_id", "article_count"],
    EntityMonth: ["entity_id", "month", "count"],
    EntityPair: ["entity_id", "other_id", "count"],
}


def snapshot():
    return {model.__name__: sorted(model.objects.values_list(*fields)) for model, fields in TABLES.items()}


def assert_matches_rebuild():
    incremental = snapshot()
    rebuild_reader_stats()
    assert incremental == snapshot()


def test_counts_follow_every_kind_of_change():
    a, b, c = EntityFactory(), EntityFactory(), EntityFactory()
    first = ArticleFactory(entities=[a, b], tags=["x", "y"])
    second = ArticleFactory(entities=[a, c], tags=["x"])
    assert EntityStats.objects.get(entity=a).article_count == 2
    assert EntityPair.objects.get(entity=a, other=b).count == 1
    assert_matches_rebuild()

    # Retag and re-link through the shared write paths.
    replace_tags({first.pk: ["z"]})
    replace_mentions({first.pk: []})
    refresh_reader_stats([first.pk])
    assert not EntityPair.objects.filter(entity=a, other=b).exists()
    assert not TagStats.objects.filter(tag__name="y").exists()
    assert_matches_rebuild()

    # Unpublish, move in time, change author, delete.
    Article.objects.filter(pk=second.pk).update(status=Article.Status.DRAFT)
    refresh_reader_stats([second.pk])
    assert not EntityStats.objects.filter(entity=c).exists()
    assert_matches_rebuild()
    Article.objects.filter(pk=second.pk).update(
        status=Article.Status.PUBLISHED, published_at=datetime.datetime(2020, 2, 2, tzinfo=datetime.UTC)
    )
    Article.objects.filter(pk=first.pk).update(author=AuthorFactory())
    refresh_reader_stats([first.pk, second.pk])
    assert MonthCount.objects.get(month=datetime.date(2020, 2, 1)).count == 1
    assert_matches_rebuild()
    pk = second.pk
    second.delete()
    refresh_reader_stats([pk])
    assert not PublicArticle.objects.filter(article_id=pk).exists()
    assert_matches_rebuild()


def test_refreshing_twice_changes_nothing():
    article = ArticleFactory(entities=[EntityFactory(), EntityFactory()], tags=["x"])
    before = snapshot()
    refresh_reader_stats([article.pk])
    refresh_reader_stats([article.pk, 987654321])
    assert snapshot() == before


def test_deleting_an_entity_or_tag_keeps_the_rest_consistent():
    a, b = EntityFactory(), EntityFactory()
    article = ArticleFactory(entities=[a, b], tags=["gone", "kept"])
    a.delete()
    Tag.objects.filter(name="gone").delete()
    refresh_reader_stats([article.pk])
    assert_matches_rebuild()


def test_scheduled_articles_are_counted_once_their_time_comes(client):
    entity = EntityFactory(name="Harbour Town")
    article = ArticleFactory(entities=[entity], published_at=timezone.now() + datetime.timedelta(hours=1))
    assert not EntityStats.objects.filter(entity=entity).exists()
    assert not due_articles_exist()
    # Time passes (as if the last refresh ran 11 minutes ago and the article was due 10
    # minutes ago): nothing writes, but the next page view counts the article.
    due = timezone.now() - datetime.timedelta(minutes=10)
    Article.objects.filter(pk=article.pk).update(published_at=due)
    ReaderStatsState.objects.update(horizon=due - datetime.timedelta(minutes=1))
    content = client.get("/entities/").content.decode()
    assert "Harbour Town" in content
    assert EntityStats.objects.get(entity=entity).article_count == 1
    assert not due_articles_exist()
    assert_matches_rebuild()


def test_ingest_keeps_statistics_current():
    report = ingest_paths([PROJECT_SEEDS], workers=1, batch_size=5)
    assert report.created >= 10
    assert PublicArticle.objects.count() == Article.objects.published().count()
    busiest = EntityStats.objects.order_by("-article_count").first()
    assert busiest.article_count == Article.objects.published().filter(mentions__entity=busiest.entity).count()
    assert_matches_rebuild()


def test_admin_save_and_delete_refresh_statistics(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")
    client.force_login(user)
    article = ArticleFactory(body="Officials met in Moscow.", tags=["diplomacy"])
    moscow = Entity.objects.get(name="Moscow")
    data = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "author": article.author_id,
        "tags": "diplomacy",
        "status": "draft",
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "mentions-TOTAL_FORMS": "0",
        "mentions-INITIAL_FORMS": "0",
        "mentions-MIN_NUM_FORMS": "0",
        "mentions-MAX_NUM_FORMS": "1000",
    }
    assert client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
    assert not TagStats.objects.filter(tag__name="diplomacy").exists()
    data["status"] = "published"
    assert client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
    assert EntityStats.objects.get(entity=moscow).article_count == 1
    assert_matches_rebuild()
    response = client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not EntityStats.objects.filter(entity=moscow).exists()
    assert_matches_rebuild()


def test_rebuild_command_reports_the_public_articles():
    ArticleFactory()
    ArticleFactory(status=Article.Status.DRAFT)
    out = io.StringIO()
    call_command("rebuild_reader_stats", stdout=out)
    assert "Counted 1 public articles" in out.getvalue()


def test_names_only_the_byline_and_bio_give_appear_with_nothing(client, seed_dir):
    """QA F3 (last session's F16): "follow her on Twitter @…" in an author's bio made Twitter, and the
    author, appear with everything she writes about, near the top of every "appears with" list,
    in Trends' suggestions and in related articles. They stay mentions of her articles (Twitter's
    page lists them), but count for none of these."""
    bio = "Marta Kowalska covers Europe from Brussels. Follow her on Twitter @mk_bxl."
    bodies = {
        "a.txt": ("Talks In Warsaw", "Envoys met in Warsaw and flew to Berlin."),
        "b.txt": ("Warsaw Vote", "Voters in Warsaw backed the plan, as in Berlin."),
        "c.txt": ("Lisbon Port", "Dockers in Lisbon went on strike."),
    }
    for name, (headline, body) in bodies.items():
        seed_dir.write(name, f"{headline}\n\nA dek.\n\n{body}\n\nAuthor: Marta Kowalska\n\n{bio}\n")
    ingest_paths([seed_dir.path], workers=1, ner=False)
    first = Article.objects.get(title="Talks In Warsaw")
    flags = dict(first.mentions.values_list("entity__name", "byline_only"))
    assert flags == {
        "Warsaw": False,
        "Berlin": False,
        "Twitter": True,
        "Marta Kowalska": True,  # the byline
        "Brussels": True,
        "Europe": True,
    }
    warsaw = Entity.objects.get(name="Warsaw")
    pairs = dict(EntityPair.objects.filter(entity=warsaw).values_list("other__name", "count"))
    assert pairs == {"Berlin": 2}
    appears_with = client.get(f"/api/v1/entities/{warsaw.slug}/").json()["appears_with"]
    assert [e["name"] for e in appears_with] == ["Berlin"]
    twitter = Entity.objects.get(name="Twitter")
    assert EntityStats.objects.get(entity=twitter).article_count == 3  # her articles mention it
    assert not EntityPair.objects.filter(entity=twitter).exists()
    lisbon = Article.objects.get(title="Lisbon Port")  # shares only her byline and bio with the others
    assert [a.title for a in Article.objects.related_to(lisbon)] == []
    assert [a.title for a in Article.objects.related_to(first)] == ["Warsaw Vote"]
    assert relink(workers=1, dry_run=True).changed == 0  # re-linking finds what ingest stored
    assert_matches_rebuild()
