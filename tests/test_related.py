"""Related articles chosen on write (articles/related.py) and what the article page shows of them."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from articles import changes
from articles.ingest import ingest_paths
from articles.models import Article, ArticleParts, RelatedArticles
from articles.related import KEPT, choose_related

from .conftest import write_seeds
from .factories import ArticleFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db


def related_section(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    return content[content.index('id="related-heading"') :] if 'id="related-heading"' in content else ""


def stored(article):
    return RelatedArticles.objects.get(pk=article.pk).related_ids


def live(article, limit=KEPT):
    return [row.pk for row in Article.objects.related_to(article, limit=limit)]


class TestChosenOnWrite:
    def test_a_written_article_stores_the_live_ranking(self):
        people = [EntityFactory() for _ in range(4)]
        tags = [TagFactory(name=f"topic {i}") for i in range(3)]
        now = timezone.now()
        for i in range(20):
            ArticleFactory(
                entities=people[: 1 + i % 4],
                tags=tags[: i % 3],
                published_at=now - datetime.timedelta(hours=i + 1),
            )
        article = ArticleFactory(entities=people, tags=tags)
        assert len(stored(article)) == KEPT
        assert stored(article) == live(article)

    def test_an_article_with_nothing_shared_stores_an_empty_list(self):
        article = ArticleFactory(entities=[EntityFactory()])
        assert stored(article) == []

    def test_a_newer_article_joins_an_old_list_only_when_the_old_article_is_written_again(self, client):
        person = EntityFactory()
        first = ArticleFactory(title="First story", entities=[person])
        assert stored(first) == []
        second = ArticleFactory(title="Second story", entities=[person])
        assert stored(second) == [first.pk]
        assert stored(first) == []  # an ingest of new articles leaves old pages as they were
        assert "Second story" not in related_section(client, first)
        call_command("refresh_articles", str(first.pk), stdout=None)
        assert stored(first) == [second.pk]
        assert "Second story" in related_section(client, first)

    def test_refreshing_an_article_that_does_not_exist_says_so(self):
        article = ArticleFactory()
        out = io.StringIO()
        with pytest.raises(CommandError, match="^no article 99999: nothing was refreshed$"):
            call_command("refresh_articles", str(article.pk), "99999", stdout=out)
        call_command("refresh_articles", str(article.pk), stdout=out)
        assert "Refreshed 1 article in" in out.getvalue()

    def test_refresh_all_fills_every_list(self):
        person = EntityFactory()
        articles = [ArticleFactory(entities=[person]) for _ in range(3)]
        RelatedArticles.objects.all().delete()
        call_command("refresh_articles", "--all", stdout=None)
        assert {row.pk: row.related_ids for row in RelatedArticles.objects.all()} == {a.pk: live(a) for a in articles}

    def test_an_ingest_leaves_them_to_its_job_or_refresh_articles_related(self, client, tmp_path, settings):
        settings.JOBS_INLINE = False  # the job the ingest queues waits for a worker (tests/test_jobs.py runs one)
        write_seeds(tmp_path / "seeds", 3)  # stories that share their places, people and topics
        ingest_paths([str(tmp_path / "seeds")], workers=1, ner=False)
        first = Article.objects.get(title="Harbour story number 0")
        assert not RelatedArticles.objects.exists()
        assert "Harbour story number 1" in related_section(client, first)  # worked out live meanwhile
        call_command("refresh_articles", "--related", stdout=None)
        assert set(RelatedArticles.objects.values_list("pk", flat=True)) == set(
            Article.objects.values_list("pk", flat=True)
        )
        assert stored(first) == live(first) != []
        assert "Harbour story number 1" in related_section(client, first)

    def test_the_writers_transaction_keeps_its_jit_setting(self):
        """Chosen without the JIT compiler (it cost more than the statement), which comes back after."""
        article = ArticleFactory()
        with changes.atomic(), connection.cursor() as cursor:
            for setting in ("on", "off"):
                cursor.execute("SELECT set_config('jit', %s, true)", [setting])
                assert choose_related([article.pk]) == 1
                cursor.execute("SELECT current_setting('jit')")
                assert cursor.fetchone()[0] == setting

    def test_deleted_articles_are_skipped_and_lose_their_list(self):
        article = ArticleFactory(entities=[EntityFactory()])
        pk = article.pk
        with changes.atomic():
            article.delete()
            changes.apply(articles=[pk])
        assert not RelatedArticles.objects.filter(pk=pk).exists()
        assert choose_related([pk]) == 0


class TestArticlePage:
    def test_an_unpublished_related_article_leaves_the_page_at_once(self, client):
        person = EntityFactory()
        gone = ArticleFactory(title="Soon a draft", entities=[person])
        kept = ArticleFactory(title="Still public", entities=[person])
        article = ArticleFactory(entities=[person])
        assert "Soon a draft" in related_section(client, article)  # and now cached
        with changes.atomic():
            gone.status = Article.Status.DRAFT
            gone.save()
            changes.apply(articles=[gone.pk])
        section = related_section(client, article)
        assert "Soon a draft" not in section
        assert kept.title in section
        assert stored(article) == [gone.pk, kept.pk]  # the list itself is as it was chosen (newest first)

    def test_spare_ids_fill_in_for_unpublished_ones(self, client):
        person = EntityFactory()
        others = [ArticleFactory(title=f"Other {i}", entities=[person]) for i in range(7)]
        article = ArticleFactory(entities=[person])
        newest = others  # the factory dates each article an hour before the one made before it
        with changes.atomic():
            Article.objects.filter(pk=newest[0].pk).update(status=Article.Status.DRAFT)
            changes.apply(articles=[newest[0].pk])
        section = related_section(client, article)
        shown = [o.title for o in newest if o.title in section]
        assert shown == [o.title for o in newest[1:6]]

    def test_without_a_stored_list_they_are_worked_out_live(self, client, django_assert_num_queries):
        person = EntityFactory()
        ArticleFactory(title="Shares a person", entities=[person])
        article = ArticleFactory(entities=[person])
        # As if written outside the change path: no list, no page parts (articles/parts.py).
        RelatedArticles.objects.filter(pk=article.pk).delete()
        ArticleParts.objects.filter(pk=article.pk).delete()
        # page cache state, the article (no parts), the article for_detail(), its related articles live
        with django_assert_num_queries(4):
            section = related_section(client, article)
        assert "Shares a person" in section
