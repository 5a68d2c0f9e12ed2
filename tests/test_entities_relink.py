"""Entities in the database: ingest with and without the model, re-linking, the admin hook, the command."""

import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.entities import Vocabulary, extract_entities
from articles.entities.relink import reextract, relink
from articles.ingest import ingest_paths
from articles.models import Article, Entity, Mention, RejectedName
from articles.seed import SeedDocument

from .conftest import test_database_url
from .factories import ArticleFactory, AuthorFactory, EntityFactory

pytestmark = pytest.mark.django_db


def seed(headline, body, author="Ada Byline", bio="Ada covers Europe."):
    return f"{headline}\n\nA one-line dek.\n\n{body}\n\nAuthor: {author}\n\n{bio}\n"


def mentions(article):
    return {
        (m.entity.name, m.entity.kind): (m.count, m.source)
        for m in Mention.objects.filter(article=article).select_related("entity")
    }


def test_ingest_with_the_model_stores_canonical_entities_and_their_source(seed_dir):
    body = "Kazimierz Nowak-Zielny met officials in Minsk. Nowak-Zielny said the Kremlin agreed."
    ingest_paths([seed_dir.write("a.txt", seed("Talks in Minsk", body))], workers=1)
    found = mentions(Article.objects.get())
    # Only the model found him, and the run made him an entity: the run's end links him as any
    # article arriving later would, through the vocabulary.
    assert found[("Kazimierz Nowak-Zielny", "PERSON")] == (2, "vocabulary")
    assert Article.objects.get().model_reading.spans  # what the model read is kept for re-linking
    assert found[("Minsk", "PLACE")] == (2, "vocabulary")
    assert found[("Kremlin", "ORG")] == (1, "vocabulary")
    assert found[("Ada Byline", "PERSON")][1] == "vocabulary"


def test_ingest_without_the_model_links_only_the_vocabulary(seed_dir):
    body = "Kazimierz Nowak-Zielny met officials in Minsk."
    report = ingest_paths([seed_dir.write("a.txt", seed("Talks in Minsk", body))], workers=1, ner=False)
    assert report.created == 1
    assert set(mentions(Article.objects.get())) == {("Minsk", "PLACE"), ("Europe", "PLACE"), ("Ada Byline", "PERSON")}


def test_ingest_with_two_workers_gives_the_same_entities(seed_dir):
    bodies = [f"Story {n} from Warsaw: Kazimierz Nowak-Zielny met NATO officials." for n in range(6)]
    for n, body in enumerate(bodies):
        seed_dir.write(f"{n}.txt", seed(f"Warsaw Story {n}", body))
    report = ingest_paths([seed_dir.path], workers=2)
    assert (report.created, report.failed) == (6, [])
    for article in Article.objects.all():
        assert {("Warsaw", "PLACE"), ("NATO", "ORG"), ("Kazimierz Nowak-Zielny", "PERSON")} <= set(mentions(article))


def test_ingest_command_accepts_no_ner(seed_dir):
    seed_dir.write("a.txt", seed("Talks in Minsk", "Officials met in Minsk."))
    call_command("ingest_seeds", str(seed_dir.path), "--no-ner", "--workers", "1", verbosity=0)
    assert ("Minsk", "PLACE") in mentions(Article.objects.get())


def test_a_new_alias_links_stored_articles():
    bibi = EntityFactory(name="Benjamin Netanyahu", kind="PERSON", aliases=[])
    article = ArticleFactory(body="Supporters chanted for Bibi outside the court.")
    other = ArticleFactory(body="Nothing here.")
    reextract([article.pk, other.pk], ner=False)
    assert ("Benjamin Netanyahu", "PERSON") not in mentions(article)

    bibi.aliases = ["Bibi"]
    bibi.save()
    report = relink([bibi.pk])
    assert report.articles == 1  # only the article whose text holds a form of the entity
    assert mentions(article)[("Benjamin Netanyahu", "PERSON")] == (1, "vocabulary")


def test_a_removed_alias_unlinks_but_what_the_model_found_stays():
    entity = EntityFactory(name="Zorvia", kind="PLACE", aliases=["Zorvian Republic"])
    article = ArticleFactory(body="The Zorvian Republic signed. Kazimierz Nowak-Zielny approved.")
    reextract([article.pk])
    before = mentions(article)
    assert before[("Zorvia", "PLACE")] == (1, "vocabulary")
    assert before[("Kazimierz Nowak-Zielny", "PERSON")][1] == "model"

    entity.aliases = []
    entity.save()
    relink([entity.pk])
    after = mentions(article)
    assert ("Zorvia", "PLACE") not in after
    # Re-linking replays the model's stored reading: he stays (an entity now, found as the vocabulary finds it).
    assert after[("Kazimierz Nowak-Zielny", "PERSON")] == (1, "vocabulary")


def test_an_article_edited_since_the_model_read_it_keeps_what_the_model_found():
    entity = EntityFactory(name="Zorvia", kind="PLACE", aliases=["Zorvian Republic"])
    article = ArticleFactory(body="The Zorvian Republic signed. Kazimierz Nowak-Zielny approved.")
    reextract([article.pk])
    before = mentions(article)
    assert before[("Kazimierz Nowak-Zielny", "PERSON")] == (1, "model")
    Article.objects.filter(pk=article.pk).update(body=f"{article.body} Talks went on.")  # not extracted again

    entity.aliases = []
    entity.save()
    relink([entity.pk])
    after = mentions(article)  # the vocabulary alone: the stored spans are not this text's
    assert ("Zorvia", "PLACE") not in after
    assert after[("Kazimierz Nowak-Zielny", "PERSON")] == before[("Kazimierz Nowak-Zielny", "PERSON")]


def test_relinking_the_whole_archive_leaves_pinned_articles_alone():
    pinned = ArticleFactory(body="Officials met in Minsk.", entities_pinned=True)
    free = ArticleFactory(body="Officials met in Minsk.")
    report = relink(workers=1)
    assert report.articles == 1
    assert not Mention.objects.filter(article=pinned).exists()
    assert mentions(free)[("Minsk", "PLACE")] == (1, "vocabulary")
    again = relink(workers=1)
    assert (again.articles, again.changed) == (1, 0)


def test_relinking_in_parallel_chunks_matches_relinking_in_one_process():
    author = AuthorFactory(name="Ada Byline")
    articles = [ArticleFactory(author=author, body=f"Talks {n} in Minsk and Warsaw with NATO.") for n in range(25)]
    relink(workers=2, chunk_size=4)
    parallel = {a.pk: mentions(a) for a in articles}
    Mention.objects.all().delete()
    relink(workers=1, chunk_size=1000)
    assert {a.pk: mentions(a) for a in articles} == parallel
    assert parallel[articles[0].pk][("Minsk", "PLACE")] == (1, "vocabulary")


def test_dry_run_writes_nothing():
    ArticleFactory(body="Officials met in Minsk.")
    report = relink(workers=1, dry_run=True)
    assert report.changed == 1
    assert not Mention.objects.exists()


def test_saving_an_entity_in_the_admin_relinks_its_articles(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")
    client.force_login(user)
    article = ArticleFactory(body="Crowds gathered in Zorvograd on Sunday.")
    response = client.post(
        "/admin/articles/entity/add/",
        {"name": "Zorvograd", "slug": "zorvograd", "kind": "PLACE", "aliases": ""},
    )
    assert response.status_code == 302
    assert mentions(article)[("Zorvograd", "PLACE")] == (1, "vocabulary")


def test_relink_command_reports_and_rejects_unknown_entities(capsys):
    ArticleFactory(body="Officials met in Minsk.")
    call_command("relink_entities", "--workers", "1", "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["articles"], summary["changed"], summary["added"]) == (1, 1, 2)

    minsk = Entity.objects.get(name="Minsk", kind="PLACE")
    call_command("relink_entities", "--entity", str(minsk.pk), "--workers", "1")
    assert "re-linked 1 articles: 0 changed" in capsys.readouterr().out


def test_relink_command_exit_status_for_usage_errors():
    result = subprocess.run(
        [sys.executable, "manage.py", "relink_entities", "--entity", "999999999"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DATABASE_URL": test_database_url()},
    )
    assert result.returncode == 2
    assert "no entity with id 999999999" in result.stderr
    assert "Traceback" not in result.stderr


def test_reextraction_keeps_the_rows_of_the_entities_that_stay():
    """An editor's page posts the mention rows' ids: a re-extraction must not renumber the rows it keeps."""
    article = ArticleFactory(body="Officials met in Moscow and Paris. Moscow said no.", author=None)
    reextract([article.pk], ner=False)
    before = dict(Mention.objects.filter(article=article).values_list("entity__name", "id"))
    assert {"Moscow", "Paris"} <= set(before)
    Article.objects.filter(pk=article.pk).update(body="Officials met in Moscow and Berlin.")
    reextract([article.pk], ner=False)
    after = {m.entity.name: m for m in Mention.objects.filter(article=article).select_related("entity")}
    assert "Paris" not in after and "Berlin" in after
    assert after["Moscow"].id == before["Moscow"] and after["Moscow"].count == 1  # recounted in place


def test_a_deleted_entity_whose_name_was_rejected_never_comes_back(client, seed_dir):
    """QA F15 (last session): the admin deleted a junk entity; the next re-link found the name in the
    same text and created it again. The delete's confirmation offers to reject the name, and every
    extraction (re-link, re-extraction, ingest) reads the rejected names."""
    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")
    client.force_login(editor)
    body = "Kazimierz Nowak-Zielny met officials in Minsk. Nowak-Zielny said the Kremlin agreed."
    ingest_paths([seed_dir.write("a.txt", seed("Talks in Minsk", body))], workers=1)
    article = Article.objects.get()
    entity = Entity.objects.get(name="Kazimierz Nowak-Zielny")
    page = client.get(f"/admin/articles/entity/{entity.pk}/delete/").content.decode()
    assert 'name="reject_names" value="yes" checked' in page and "Rejected names" in page

    response = client.post(f"/admin/articles/entity/{entity.pk}/delete/", {"post": "yes", "reject_names": "yes"})
    assert response.status_code == 302
    assert list(RejectedName.objects.values_list("name", flat=True)) == ["Kazimierz Nowak-Zielny"]
    assert relink(workers=1).changed == 0  # the stored reading still finds him: he is dropped
    reextract([article.pk])  # the model reads the text again
    ingest_paths([seed_dir.write("b.txt", seed("More talks", "Kazimierz Nowak-Zielny flew home."))], workers=1)
    assert not Entity.objects.filter(name__iexact="Kazimierz Nowak-Zielny").exists()
    assert ("Minsk", "PLACE") in mentions(article)

    # An entity an editor adds under the name wins, and lifts the rejection.
    data = {"name": "Kazimierz Nowak-Zielny", "slug": "kazimierz-nowak-zielny", "kind": "PERSON", "aliases": ""}
    assert client.post("/admin/articles/entity/add/", data).status_code == 302
    assert not RejectedName.objects.exists()
    assert mentions(article)[("Kazimierz Nowak-Zielny", "PERSON")][0] == 2


def test_deleting_entities_in_bulk_offers_the_rejection_too(client):
    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")
    client.force_login(editor)
    selected = {"action": "delete_selected", "_selected_action": [EntityFactory(name="Zorvograd").pk]}
    page = client.post("/admin/articles/entity/", selected).content.decode()
    assert 'name="reject_names" value="yes" checked' in page and "“Zorvograd”" in page
    assert client.post("/admin/articles/entity/", {**selected, "post": "yes"}).status_code == 302
    assert not RejectedName.objects.exists()  # the box was unticked
    selected = {"action": "delete_selected", "_selected_action": [EntityFactory(name=n).pk for n in ("A1 Co", "B2 Co")]}
    assert client.post("/admin/articles/entity/", {**selected, "post": "yes", "reject_names": "yes"}).status_code == 302
    assert sorted(RejectedName.objects.values_list("name", flat=True)) == ["A1 Co", "B2 Co"]


def test_rejected_names_are_compared_whatever_their_case_and_spacing():
    vocabulary = Vocabulary([("Moscow", "PLACE", ())], rejected=["twitter", "Moscow"])
    assert vocabulary.is_rejected("Twitter") and vocabulary.is_rejected(" TWITTER ")
    assert not vocabulary.is_rejected("Moscow")  # an entity of the name wins
    bio = "Follow her on Twitter @ada."
    document = SeedDocument(headline="Talks", dek="", body="Talks went on.", author="", bio=bio)
    assert {e.name for e in extract_entities(document, Vocabulary(), ner=False)} == {"Twitter"}
    assert not extract_entities(document, vocabulary, ner=False)
