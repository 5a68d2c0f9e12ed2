"""The ingest workflow: identity, idempotency, isolation of failures, and the command's interface."""

import datetime
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles.ingest import ingest_paths
from articles.jobs import Job
from articles.models import Article, Author, Entity, Mention, SeedFile, Tag

from .conftest import PROJECT_SEEDS, REFERENCE_SEEDS, TEST_SECRET_KEY

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def seed_text(
    headline="Ministers Agree Flood Defence Plan",
    *,
    dek="The plan covers three rivers.",
    body=None,
    author="Ada Byline",
    bio="Ada Byline covers the environment. Follow her on X @adabyline.",
    published=None,
    tags=None,
):
    body = body or ["The government agreed a flood defence plan on Monday.", "Work starts in the spring."]
    meta = ""
    if published:
        meta += f"Published: {published}\n"
    if tags:
        meta += f"Tags: {tags}\n"
    bio_block = f"\n{bio}\n" if bio else ""
    return f"{headline}\n\n{dek}\n\n" + "\n\n".join(body) + f"\n\nAuthor: {author}\n{meta}{bio_block}"


def ingest(*paths, **options):
    return ingest_paths([str(p) for p in paths], workers=1, **options)


def test_reference_and_project_seeds_ingest_cleanly(tmp_path):
    folders = [PROJECT_SEEDS, REFERENCE_SEEDS]
    report = ingest(*folders)
    expected = sum(len(list(folder.glob("*.txt"))) for folder in folders)
    assert report.failed == []
    assert report.created == expected
    assert Article.objects.published().count() == expected
    article = Article.objects.get(title__startswith="Russia, Belarus Agree")
    assert article.author.name == "Dave DeCamp"
    assert article.author.twitter == "decampdave"
    assert len(article.paragraphs) == 8
    names = set(article.entities.values_list("name", flat=True))
    assert {"Vladimir Putin", "Alexander Lukashenko", "Belarus", "Russia", "Minsk"} <= names


def test_first_ingest_creates_article_with_everything(seed_dir):
    path = seed_dir.write("a.txt", seed_text(published="2024-05-06", tags="floods, UK, Environment"))
    report = ingest(path)
    assert (report.created, report.failed) == (1, [])
    article = Article.objects.get()
    assert article.title == "Ministers Agree Flood Defence Plan"
    assert article.slug == "ministers-agree-flood-defence-plan"
    assert article.body == "The government agreed a flood defence plan on Monday.\n\nWork starts in the spring."
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime.datetime(2024, 5, 6, tzinfo=datetime.UTC)
    assert article.author.name == "Ada Byline"
    assert article.author.twitter == "adabyline"
    assert sorted(article.tags.names()) == ["Environment", "UK", "floods"]
    assert article.source_path == str(path.resolve())
    assert len(article.source_sha256) == 64
    assert SeedFile.objects.get().article == article
    # The byline's author is a person the article is about.
    assert Mention.objects.filter(article=article, entity__name="Ada Byline", entity__kind="PERSON").exists()


def test_reingesting_same_files_changes_nothing(seed_dir):
    seed_dir.write("a.txt", seed_text())
    seed_dir.write("b.txt", seed_text("Second Story Headline"))
    ingest(seed_dir.path)
    before = list(Article.objects.values_list("id", "slug", "published_at", "updated_at").order_by("id"))
    report = ingest(seed_dir.path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Article.objects.values_list("id", "slug", "published_at", "updated_at").order_by("id")) == before


def test_noise_does_not_change_the_text_identity(seed_dir):
    path = seed_dir.write("a.txt", seed_text())
    ingest(path)
    noisy = seed_text().replace("\n", "   \r\n").replace("\r\n\r\n", "\r\n\r\n\r\n")
    path.write_bytes(noisy.encode("utf-8"))
    report = ingest(path)
    assert report.unchanged == 1


def test_changed_file_updates_article_in_place_keeping_slug_and_date(seed_dir):
    path = seed_dir.write("a.txt", seed_text())
    ingest(path)
    article = Article.objects.get()
    path.write_text(seed_text(dek="The plan now covers four rivers."), encoding="utf-8")
    report = ingest(path)
    assert (report.updated, report.created) == (1, 0)
    updated = Article.objects.get()
    assert (updated.id, updated.slug, updated.published_at) == (article.id, article.slug, article.published_at)
    assert updated.dek == "The plan now covers four rivers."


def test_corrected_copy_under_new_name_updates_the_story(seed_dir):
    ingest(seed_dir.write("story.txt", seed_text()))
    corrected = seed_dir.write("story-corrected.txt", seed_text(body=["Corrected first paragraph.", "More."]))
    report = ingest(corrected)
    assert (report.updated, report.created) == (1, 0)
    article = Article.objects.get()
    assert article.body.startswith("Corrected first paragraph.")
    assert article.source_path == str(corrected.resolve())
    # Re-running the folder with both copies present is stable: nothing flips back.
    report = ingest(seed_dir.path)
    assert (report.unchanged, report.updated) == (2, 0)
    assert Article.objects.get().body.startswith("Corrected first paragraph.")


def test_same_text_in_another_file_is_a_duplicate(seed_dir):
    ingest(seed_dir.write("a.txt", seed_text()))
    report = ingest(seed_dir.write("copy.txt", seed_text()))
    assert (report.duplicates, report.created) == (1, 0)
    assert Article.objects.count() == 1


def test_duplicates_within_one_run(seed_dir):
    seed_dir.write("a.txt", seed_text())
    seed_dir.write("b.txt", seed_text())
    report = ingest(seed_dir.path)
    assert (report.created, report.duplicates) == (1, 1)


def test_article_edited_in_admin_is_a_conflict_unless_forced(seed_dir):
    path = seed_dir.write("a.txt", seed_text())
    ingest(path)
    Article.objects.update(dek="An editor's better dek.", edited_at=timezone.now() + datetime.timedelta(seconds=1))
    path.write_text(seed_text(dek="A changed dek from the file."), encoding="utf-8")

    report = ingest(path)
    assert (report.conflicts, report.updated) == (1, 0)
    assert Article.objects.get().dek == "An editor's better dek."

    report = ingest(path, force=True)
    assert (report.conflicts, report.updated) == (0, 1)
    assert Article.objects.get().dek == "A changed dek from the file."


def test_dry_run_writes_nothing(seed_dir):
    seed_dir.write("a.txt", seed_text())
    report = ingest(seed_dir.path, dry_run=True)
    assert report.created == 1
    assert Article.objects.count() == 0
    assert Author.objects.count() == 0
    assert SeedFile.objects.count() == 0


def test_same_headline_by_different_authors_gets_distinct_slugs(seed_dir):
    seed_dir.write("a.txt", seed_text(author="First Writer"))
    seed_dir.write("b.txt", seed_text(author="Second Writer"))
    ingest(seed_dir.path)
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "ministers-agree-flood-defence-plan",
        "ministers-agree-flood-defence-plan-2",
    ]


def test_emoji_headline_gets_usable_slug(seed_dir):
    ingest(seed_dir.write("a.txt", seed_text("🎉🎉🎉")))
    slug = Article.objects.get().slug
    assert slug.startswith("article-") and len(slug) > 8
    assert Article.objects.get().get_absolute_url() == f"/articles/{slug}/"


def test_published_at_is_first_ingest_time_and_stable(seed_dir):
    path = seed_dir.write("a.txt", seed_text())
    before = timezone.now()
    ingest(path)
    first = Article.objects.get().published_at
    assert before <= first <= timezone.now()
    path.write_text(seed_text(dek="Changed."), encoding="utf-8")
    ingest(path)
    assert Article.objects.get().published_at == first


def test_future_published_date_is_scheduled_not_public(seed_dir):
    ingest(seed_dir.write("a.txt", seed_text(published="2999-01-01")))
    assert Article.objects.count() == 1
    assert Article.objects.published().count() == 0


def test_tags_are_case_insensitive_across_articles(seed_dir):
    seed_dir.write("a.txt", seed_text(tags="Russia, energy"))
    seed_dir.write("b.txt", seed_text("Another Headline", tags="russia"))
    ingest(seed_dir.path)
    assert Tag.objects.filter(name__iexact="russia").count() == 1
    assert Article.objects.filter(tags__name__iexact="russia").count() == 2


def test_tags_are_derived_when_the_file_has_none(seed_dir):
    body = [
        "Voters went to the polls in the election on Sunday as the government faced its hardest vote.",
        "The election result will shape the government and parliament for years.",
    ]
    ingest(seed_dir.write("a.txt", seed_text("Poll Day", body=body)))
    assert Article.objects.get().tags.names()[0] == "politics"


def test_authors_are_shared_and_bios_filled(seed_dir):
    seed_dir.write("a.txt", seed_text(bio=""))
    seed_dir.write("b.txt", seed_text("Another Headline", author="ada byline", bio="Ada covers rivers. @ada_rivers"))
    ingest(seed_dir.path)
    author = Author.objects.get()
    assert author.articles.count() == 2
    assert author.bio == "Ada covers rivers. @ada_rivers"
    assert author.twitter == "ada_rivers"


def test_entities_are_linked_with_counts_and_surnames(seed_dir):
    body = [
        "Vladimir Putin met officials in Minsk. Putin said talks went well.",
        "The Kremlin said Putin’s visit was a success, and the US and EU objected.",
    ]
    ingest(seed_dir.write("a.txt", seed_text("Visit to Minsk", body=body)))
    counts = dict(Mention.objects.values_list("entity__name", "count"))
    assert counts["Vladimir Putin"] == 3
    assert counts["Minsk"] == 2
    assert counts["United States"] == 1
    assert counts["European Union"] == 1
    assert "Putin" not in counts


def test_one_bad_file_never_stops_the_rest(seed_dir):
    seed_dir.write("a-good.txt", seed_text())
    seed_dir.write("b-empty.txt", "")
    seed_dir.write("c-binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    seed_dir.write("d-no-author.txt", "Headline\n\nDek\n\nBody only.\n")
    seed_dir.write("e-good.txt", seed_text("Another Good Story"))
    report = ingest(seed_dir.path)
    assert report.created == 2
    failed = {Path(item["path"]).name: item["error"] for item in report.failed}
    assert set(failed) == {"b-empty.txt", "c-binary.txt", "d-no-author.txt"}
    assert all(failed.values())


def test_a_paragraph_longer_than_the_model_reads_is_stored_with_its_entities(seed_dir):
    """QA F6: one paragraph over spaCy's 1,000,000 characters (inside the 1 MiB file limit) crashed the run."""
    filler = "x" * 1_010_000
    seed_dir.write("a-long.txt", seed_text("A Very Long Paragraph", body=[f"Angela Merkel spoke. {filler} She left."]))
    seed_dir.write("b-good.txt", seed_text())
    report = ingest(seed_dir.path)
    assert (report.created, report.failed) == (2, [])
    article = Article.objects.get(title="A Very Long Paragraph")
    assert "Angela Merkel" in set(article.entities.values_list("name", flat=True))


def test_a_file_whose_analysis_fails_fails_alone_with_its_reason(seed_dir, monkeypatch):
    """Whatever goes wrong in reading one file's entities or tags is that file's failure, not the run's."""
    import articles.ingest

    derive_tags = articles.ingest.derive_tags

    def failing(document, entities):
        if document.headline == "Poison Story":
            raise ValueError("something the analysis did not expect\nsecond line")
        return derive_tags(document, entities)

    monkeypatch.setattr(articles.ingest, "derive_tags", failing)
    seed_dir.write("a-good.txt", seed_text())
    seed_dir.write("b-poison.txt", seed_text("Poison Story"))
    seed_dir.write("c-good.txt", seed_text("Another Good Story"))
    report = ingest(seed_dir.path, ner=False)
    assert report.created == 2
    assert [Path(f["path"]).name for f in report.failed] == ["b-poison.txt"]
    assert report.failed[0]["error"] == (
        "reading its entities and tags failed (ValueError: something the analysis did not expect); "
        "its traceback is in the log"
    )


def test_a_database_failure_in_one_file_spares_the_rest_of_its_batch(seed_dir):
    for n in range(5):
        seed_dir.write(f"{n}.txt", seed_text(f"Story number {n}"))
    seed_dir.write("poison.txt", seed_text("Poison headline"))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.title = 'Poison headline' THEN RAISE EXCEPTION 'poison refused'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON articles_article
              FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            """
        )
    report = ingest(seed_dir.path, batch_size=100)
    assert report.created == 5
    assert [Path(f["path"]).name for f in report.failed] == ["poison.txt"]
    assert "poison refused" in report.failed[0]["error"]
    assert not Article.objects.filter(title="Poison headline").exists()


def test_oversized_file_is_rejected_unless_limit_raised(seed_dir):
    path = seed_dir.write("big.txt", seed_text(body=["word " * 400]))
    report = ingest(path, max_bytes=1000)
    assert report.created == 0 and "limit" in report.failed[0]["error"]
    report = ingest(path, max_bytes=10_000)
    assert report.created == 1


def test_parallel_workers_give_the_same_result(seed_dir):
    for n in range(12):
        seed_dir.write(f"{n:02}.txt", seed_text(f"Parallel story {n}"))
    report = ingest_paths([str(seed_dir.path)], workers=2, batch_size=5)
    assert (report.created, report.failed) == (12, [])
    assert Article.objects.count() == 12


class TestCommand:
    def test_json_summary_is_the_last_line(self, seed_dir):
        seed_dir.write("a.txt", seed_text())
        seed_dir.write("bad.txt", "")
        out = io.StringIO()
        with pytest.raises(SystemExit) as exit_info:
            call_command("ingest_seeds", str(seed_dir.path), "--json", "--workers", "1", stdout=out)
        assert exit_info.value.code == 1
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        assert set(summary) == {
            "created",
            "updated",
            "unchanged",
            "duplicates",
            "conflicts",
            "failed",
            "warnings",
            "relinked",
            "seconds",
        }
        assert summary["created"] == 1
        assert summary["failed"][0]["path"].endswith("bad.txt")
        assert "empty" in summary["failed"][0]["error"]

    def test_human_summary_and_success_exit(self, seed_dir):
        seed_dir.write("a.txt", seed_text())
        out = io.StringIO()
        call_command("ingest_seeds", str(seed_dir.path), "--workers", "1", stdout=out)
        assert "1 created, 0 updated, 0 unchanged" in out.getvalue()

    def test_warnings_are_reported(self, seed_dir):
        seed_dir.write("legacy.txt", seed_text("Caf\xe9 Owners Protest").encode("cp1252"))
        out = io.StringIO()
        call_command("ingest_seeds", str(seed_dir.path), "--json", "--workers", "1", stdout=out)
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        assert summary["created"] == 1
        assert "1252" in summary["warnings"][0]["warning"]
        assert Article.objects.get().title == "Café Owners Protest"


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing"], "missing: no such file or folder"),
        (["empty"], "empty: no seed files (*.txt) were found under this folder"),
        (["notes"], "notes: no seed files (*.txt) were found under this folder"),
        (["--wait", "notes/a.md"], "--wait follows a queued ingest: use it with --enqueue"),
    ],
)
def test_exit_status_two_for_a_usage_error(tmp_path, args, message):
    # A real process: the exit status is what operators' scripts see.
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text(seed_text(), encoding="utf-8")  # not *.txt
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "ingest_seeds", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "SECRET_KEY": TEST_SECRET_KEY},
    )
    assert (result.returncode, result.stderr.strip()) == (2, f"ingest_seeds: error: {message}")


def test_paths_are_stored_resolved(tmp_path):
    """Paths are stored absolute and resolved, so another spelling of a folder finds the same files."""
    shutil.copytree(PROJECT_SEEDS, tmp_path / "seeds")
    ingest(tmp_path / "seeds")
    report = ingest(tmp_path / "seeds" / ".." / "seeds")
    assert report.unchanged == len(list(PROJECT_SEEDS.glob("*.txt")))


def test_entities_from_the_starter_vocabulary_exist():
    assert Entity.objects.filter(name="United States", kind="PLACE", aliases__contains=["US"]).exists()


def test_enqueue_prints_the_job_number_only(seed_dir, settings):
    """Not django-q2's task number beside it ("Enqueued [newsroom] 9"): users know jobs by the admin's number."""
    settings.JOBS_INLINE = False  # handed to the queue, as in production
    seed_dir.write("a.txt", seed_text())
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    queue_logger = logging.getLogger("django-q")
    queue_logger.addHandler(handler)
    err = io.StringIO()
    try:
        call_command("ingest_seeds", str(seed_dir.path), "--enqueue", "--no-ner", stderr=err)
        call_command("relink_entities", "--enqueue", stdout=err)
    finally:
        queue_logger.removeHandler(handler)
    assert [r.getMessage() for r in records if r.levelno < logging.WARNING] == []
    assert [int(n) for n in re.findall(r"Queued job (\d+)", err.getvalue())] == list(
        Job.objects.order_by("pk").values_list("pk", flat=True)
    )
