"""One answer whatever the order of ingest: an entity first found in a run links the articles before it."""

import subprocess
import sys
from pathlib import Path

import pytest

from articles.entities.relink import articles_naming, relink
from articles.ingest import ingest_paths
from articles.models import Article, Entity, Mention

pytestmark = pytest.mark.django_db

GENERATOR = Path(__file__).resolve().parents[1] / "scripts" / "generate_corpus.py"
MODEL_CORPUS = 300  # articles ingested with the statistical model
ORDER_CORPUS = 200  # articles ingested in two orders, two ways


def seed(headline, body, author, bio):
    return f"{headline}\n\nA one-line dek.\n\n{body}\n\nAuthor: {author}\n\n{bio}"


# The first names Sofia Okonkwo-Reyes before anything else does; the second is her own article.
STORIES = {
    "a.txt": seed(
        "Harbour Plan Approved",
        "The harbour plan passed on Tuesday. Sofia Okonkwo-Reyes, who covers the port, said it was overdue.",
        "Ada Byline",
        "Ada Byline covers Europe.",
    ),
    "b.txt": seed(
        "Dockers Strike Again",
        "Dockers walked out for a second day in Lagos, where the port handles most imports.",
        "Sofia Okonkwo-Reyes",
        "Sofia Okonkwo-Reyes reports on shipping.",
    ),
}


def mentions_by_title():
    return {
        title: {(m.entity.name, m.entity.kind, m.count) for m in Mention.objects.filter(article__title=title)}
        for title in Article.objects.values_list("title", flat=True)
    }


def ingest_in_order(seed_dir, names, **options):
    for name in names:  # one run per file: the later run creates the entity the earlier article named
        ingest_paths([seed_dir.write(name, STORIES[name])], workers=1, **options)
    return mentions_by_title()


@pytest.mark.parametrize("ner", [False, True])
def test_the_same_texts_in_two_orders_give_the_same_mentions(seed_dir, django_db_blocker, ner):
    first = ingest_in_order(seed_dir, ["a.txt", "b.txt"], ner=ner)
    assert ("Sofia Okonkwo-Reyes", "PERSON", 1) in first["Harbour Plan Approved"]
    Article.objects.all().delete()
    Entity.objects.filter(name__in=["Sofia Okonkwo-Reyes", "Ada Byline"]).delete()
    second = ingest_in_order(seed_dir, ["b.txt", "a.txt"], ner=ner)
    assert first == second
    assert relink(dry_run=True).changed == 0


def test_articles_naming_reads_text_and_bios():
    lagos = Entity.objects.get(name="Lagos", kind="PLACE")
    from .factories import ArticleFactory, AuthorFactory

    in_body = ArticleFactory(body="Traffic in Lagos stood still.")
    in_bio = ArticleFactory(author=AuthorFactory(bio="She is based in Lagos."))
    ArticleFactory(body="Nothing here.")
    assert articles_naming([lagos.pk]) == sorted([in_body.pk, in_bio.pk])
    Mention.objects.create(article=in_body, entity=lagos, count=1)
    assert articles_naming([lagos.pk], not_mentioning=True) == [in_bio.pk]


def generate(folder, articles, seed=1):
    subprocess.run(
        [sys.executable, str(GENERATOR), "--output", str(folder), "--quiet", "--articles", str(articles)]
        + ["--seed", str(seed)],
        check=True,
    )
    return folder


def test_relinking_after_ingesting_a_generated_corpus_changes_nothing(tmp_path):
    report = ingest_paths([str(generate(tmp_path, 2000))], workers=1, ner=False)
    assert report.created == 2000 and not report.failed
    assert report.relinked > 0  # articles named authors the run created later (it was 124 before)
    assert relink(dry_run=True).changed == 0


def test_relinking_after_ingesting_a_generated_corpus_with_the_model_changes_nothing(tmp_path):
    """The model's reading of each article is kept: re-linking replays it instead of dropping what it
    hid (it changed 125 of 300 articles when it matched the vocabulary alone)."""
    report = ingest_paths([str(generate(tmp_path, MODEL_CORPUS))], workers=2, ner=True)
    assert report.created == MODEL_CORPUS and not report.failed
    assert report.relinked > 0
    assert relink(dry_run=True).changed == 0


# The first run names the council in passing; only the second article spells out what it is.
COUNCIL = {
    "1.txt": seed(
        "Water Rates Rise",
        "Muscat City Council raised water rates on Sunday. Residents of Muscat said the rise was steep.",
        "Ada Byline",
        "Ada Byline covers the Gulf.",
    ),
    "2.txt": seed(
        "Council Opens Library",
        "The Muscat City Council (MCC) opened a library. The MCC said it would open two more.",
        "Ada Byline",
        "Ada Byline covers the Gulf.",
    ),
}


@pytest.mark.parametrize("ner", [False, True])
def test_a_longer_name_found_later_in_a_run_replaces_the_shorter_one_in_earlier_articles(seed_dir, ner):
    paths = [seed_dir.write(name, text) for name, text in COUNCIL.items()]
    ingest_paths(paths, workers=1, ner=ner)
    council = {(name, count) for name, _, count in mentions_by_title()["Water Rates Rise"] if "Muscat" in name}
    assert council == {("Muscat City Council", 1), ("Muscat", 1)}  # not Muscat twice, from inside the name
    assert relink(dry_run=True).changed == 0


@pytest.mark.parametrize("ner", [False, True])
def test_a_queued_ingest_links_as_a_direct_one_does(tmp_path, ner):
    from articles.jobs.ingest import enqueue_ingest

    corpus = generate(tmp_path, 150)
    ingest_paths([str(corpus)], workers=1, ner=ner)
    direct = mentions_by_title()
    Article.objects.all().delete()
    enqueue_ingest([str(corpus)], ner=ner, batch_size=40)  # jobs run inline in tests: parts, then LinkNew
    assert mentions_by_title() == direct
    assert relink(dry_run=True).changed == 0


def mentions_by_text():
    """{article's SHA-256: {(entity, kind, count, source)}}, and every entity (name, kind): the same
    texts compared whatever their path, id or the ids of their entities."""
    mentions = {}
    for sha, name, kind, count, source in Mention.objects.values_list(
        "article__source_sha256", "entity__name", "entity__kind", "count", "source"
    ):
        mentions.setdefault(sha, set()).add((name, kind, count, source))
    return mentions, set(Entity.objects.values_list("name", "kind"))


@pytest.fixture
def model_read_once(monkeypatch):
    """The statistical model reads each text once for the whole test: its reading of a text is
    kept and handed out again (the model gives the same spans for the same text every time, and
    forked workers inherit what the parent kept). Only the order of ingest differs between runs."""
    from articles.entities import ner

    read = {}
    find_spans = ner.find_spans

    def remembered(text):
        if text not in read:
            read[text] = find_spans(text)
        return read[text]

    monkeypatch.setattr(ner, "find_spans", remembered)


def test_the_same_corpus_gives_the_same_entities_whatever_the_order_or_the_way(tmp_path, model_read_once):
    """Queued in parts, in file order, and direct with two workers in a shuffled order: the same
    entities, the same mentions. Before, a part read its files with the entities earlier parts had
    created (a name the model once took for a place was a place in every later part), and namesakes
    tied by which was stored first (`Pierre Jones` PERSON or PLACE): which part, batch or worker
    came first."""
    import random

    from articles.ingest import iter_seed_files
    from articles.jobs.ingest import enqueue_ingest

    files = list(iter_seed_files([str(generate(tmp_path, ORDER_CORPUS, seed=7))]))
    starter = Entity.objects.order_by("-pk").values_list("pk", flat=True).first()
    enqueue_ingest(files, batch_size=40)  # jobs run inline in tests: the parts in order, then LinkNew
    queued = mentions_by_text()
    assert len(queued[0]) == ORDER_CORPUS
    Article.objects.all().delete()
    Entity.objects.filter(pk__gt=starter).delete()
    report = ingest_paths(random.Random(7).sample(files, len(files)), workers=2)
    assert report.created == ORDER_CORPUS and not report.failed
    assert mentions_by_text() == queued
    assert relink(dry_run=True).changed == 0
