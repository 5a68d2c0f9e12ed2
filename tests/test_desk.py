"""The desk, the admin's front page (articles/admin/desk.py): scheduled articles (and moving
one), the latest drafts, the last ingest and the entities of the last day, in a fixed
number of queries."""

import contextlib
import datetime
import io
import json
import os
import re
import shutil
import tempfile

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from articles.jobs import runner
from articles.jobs.models import Job, JobPart, State
from articles.models import Article, Entity, IngestRun
from articles.roles import create_editor

from .factories import ArticleFactory, EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return create_editor("editor", password="plum-kettle-harbour-42")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def in_hours(n):
    return timezone.now() + datetime.timedelta(hours=n)


def section(content, name):
    """The HTML of one of the desk's sections."""
    return re.search(rf'<section class="module desk-{name}".*?</section>', content, re.S).group(0)


def fill_desk(n):
    for i in range(n):
        ArticleFactory(title=f"Scheduled {i}", published_at=in_hours(i + 1))
        ArticleFactory(title=f"Draft {i}", status=Article.Status.DRAFT, published_at=None)
        ArticleFactory(title=f"Naming {i}", entities=[EntityFactory(name=f"Newcomer {i}")])
    run = IngestRun.objects.begin()
    for i in range(n):
        ArticleFactory(title=f"Ingested {i}", ingested_at=timezone.now())
    run.failures = [{"path": f"seeds/bad{i}.txt", "error": "no Author: line"} for i in range(n)]
    run.failed = n
    run.finished_at = timezone.now()
    run.save()


class TestDesk:
    def test_scheduled_in_order_with_their_times(self, editor_client):
        later = ArticleFactory(title="Later story", published_at=in_hours(30))
        sooner = ArticleFactory(title="Sooner story", published_at=in_hours(2))
        ArticleFactory(title="Already live")
        content = section(editor_client.get("/admin/").content.decode(), "scheduled")
        assert content.index("Sooner story") < content.index("Later story")
        assert "Already live" not in content
        assert f'href="/admin/articles/article/{sooner.pk}/change/"' in content
        assert timezone.localtime(later.published_at).strftime("%H:%M") in content
        assert f'action="/admin/articles/article/{later.pk}/move/"' in content

    def test_drafts_with_who_touched_them(self, editor_client, editor):
        ArticleFactory(title="Seeded draft", status=Article.Status.DRAFT, published_at=None, ingested_at=timezone.now())
        mine = ArticleFactory(title="My draft", status=Article.Status.DRAFT, published_at=None)
        Article.objects.filter(pk=mine.pk).update(edited_by=editor, edited_at=timezone.now())
        content = section(editor_client.get("/admin/").content.decode(), "drafts")
        rows = {t: content[content.index(t) :].split("</tr>")[0] for t in ["Seeded draft", "My draft"]}
        assert '<span class="quiet">ingest</span>' in rows["Seeded draft"]
        assert '<span class="quiet">editor</span>' in rows["My draft"]

    def test_last_ingest_with_its_articles_and_failures(self, editor_client, seed_dir):
        ArticleFactory(title="Written before the run")
        seed_dir.write("good.txt", "Tidal barrage opens\n\nA dek.\n\nThe body.\n\nAuthor: Ada Byline\n\nAda writes.\n")
        seed_dir.write("bad.txt", "Only a headline\n")
        with pytest.raises(SystemExit):  # one file failed: exit status 1
            call_command("ingest_seeds", str(seed_dir.path), "--workers", "1", "--no-ner", stdout=io.StringIO())
        run = IngestRun.objects.get()
        assert (run.created, run.failed) == (1, 1) and run.finished_at
        assert run.failures[0]["path"].endswith("bad.txt")
        content = section(editor_client.get("/admin/").content.decode(), "ingest")
        assert "1 created" in content and "1 failed" in content
        assert "bad.txt" in content
        article = Article.objects.get(title="Tidal barrage opens")
        assert f'<a href="/admin/articles/article/{article.pk}/change/">Tidal barrage opens</a>' in content
        assert "Written before the run" not in content

    def test_a_dry_run_is_not_recorded(self, seed_dir):
        seed_dir.write("good.txt", "Tidal barrage opens\n\nA dek.\n\nThe body.\n\nAuthor: Ada Byline\n\nAda writes.\n")
        call_command("ingest_seeds", str(seed_dir.path), "--dry-run", "--no-ner", stdout=io.StringIO())
        assert not IngestRun.objects.exists()

    def test_no_ingest_yet(self, editor_client):
        assert "No ingest has run yet" in editor_client.get("/admin/").content.decode()

    def test_entities_of_the_last_day(self, editor_client):
        new = EntityFactory(name="Xyzzy Corp", kind=Entity.Kind.ORG)
        old = EntityFactory(name="Old Town")
        Entity.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
        ArticleFactory(entities=[new])
        content = section(editor_client.get("/admin/").content.decode(), "entities")
        assert f'<a href="/admin/articles/entity/{new.pk}/change/">Xyzzy Corp</a>' in content
        assert f'href="/admin/articles/article/?entity={new.pk}">1</a>' in content
        assert "Old Town" not in content

    def test_entities_of_the_last_day_fewest_articles_first_none_unnamed(self, editor_client):
        common = EntityFactory(name="Commonplace")
        rare = EntityFactory(name="Rarity Ltd", kind=Entity.Kind.ORG)
        EntityFactory(name="Starter Vocabulary")  # no article names it
        for _ in range(3):
            ArticleFactory(entities=[common])
        ArticleFactory(entities=[rare])
        content = section(editor_client.get("/admin/").content.decode(), "entities")
        assert content.index("Rarity Ltd") < content.index("Commonplace")
        assert "Starter Vocabulary" not in content

    @pytest.mark.parametrize("rows", [1, 12])
    def test_query_count_does_not_grow(self, editor_client, django_assert_num_queries, rows):
        fill_desk(rows)
        # Session and user, the five lists, the account's permissions (2), its recent actions.
        with django_assert_num_queries(10):
            response = editor_client.get("/admin/")
        assert response.status_code == 200
        content = response.content.decode()
        last = rows - 1
        assert "Scheduled 0" in content and f"Draft {last}" in content and f"Ingested {last}" in content
        assert f"Newcomer {last}" in content and f"seeds/bad{last}.txt" in content


class TestMove:
    def test_moving_an_article_no_longer_scheduled_says_so_on_the_desk(self, editor_client):
        # QA F16: the Move box of an article that went live meanwhile answered the reader's 404 page.
        article = ArticleFactory(title="Gone live", published_at=timezone.now() - datetime.timedelta(minutes=1))
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/move/", {"published_at": "2030-12-04T09:00"}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/admin/"
        said = " ".join(str(message) for message in response.context["messages"])
        assert "“Gone live” was not moved: it is no longer scheduled (live since" in said
        article.refresh_from_db()
        assert article.published_at < timezone.now()

    def test_move_a_scheduled_article(self, editor_client, settings):
        settings.TIME_ZONE = "UTC"
        year = timezone.now().year + 1
        article = ArticleFactory(published_at=datetime.datetime(year, 12, 3, 10, 0, tzinfo=datetime.UTC))
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/move/", {"published_at": f"{year}-12-04T09:00"}, follow=True
        )
        article.refresh_from_db()
        assert article.published_at == datetime.datetime(year, 12, 4, 9, 0, tzinfo=datetime.UTC)
        assert f"moved: it goes live 4 Dec {year} 09:00" in response.content.decode()
        entry = LogEntry.objects.get(object_id=str(article.pk))
        assert entry.change_message == f"Publication date: 3 Dec {year} 10:00 → 4 Dec {year} 09:00"
        assert article.edited_by.get_username() == "editor"

    def test_moving_into_the_past_publishes(self, editor_client, client):
        article = ArticleFactory(published_at=in_hours(5))
        past = timezone.localtime(timezone.now() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/move/", {"published_at": past}, follow=True
        )
        assert "is live at" in response.content.decode()
        article.refresh_from_db()
        assert article.is_public

    def test_bad_input(self, editor_client):
        article = ArticleFactory(published_at=in_hours(5))
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/move/", {"published_at": "soon"}, follow=True
        )
        assert "was not moved" in response.content.decode()
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/move/", {"published_at": "1850-01-01T00:00"}, follow=True
        )
        assert "was not moved" in response.content.decode() and "before 1900" in response.content.decode()
        assert editor_client.get(f"/admin/articles/article/{article.pk}/move/").status_code == 405
        live = ArticleFactory()
        assert editor_client.post(f"/admin/articles/article/{live.pk}/move/", {})["Location"] == "/admin/"  # QA F16
        assert editor_client.post("/admin/articles/article/999999/move/", {}).status_code == 404
        assert editor_client.post("/admin/articles/article/abc/move/", {}).status_code == 404

    def test_staff_without_permissions_sees_no_section(self, client, django_user_model):
        """Staff status alone may not even preview articles: the desk shows it no headline, name or Move box."""
        fill_desk(1)
        staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
        client.force_login(staff)
        content = client.get("/admin/").content.decode()
        for shown in ("Scheduled 0", "Draft 0", "Ingested 0", "Newcomer 0", "seeds/bad0.txt", "Move"):
            assert shown not in content
        assert 'class="module desk-' not in content

    def test_each_section_with_the_permission_of_what_it_links_to(self, client, django_user_model):
        fill_desk(1)
        viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_entity"))
        client.force_login(viewer)
        content = client.get("/admin/").content.decode()
        assert "Newcomer 0" in content and "Scheduled 0" not in content and "Draft 0" not in content
        viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
        viewer = django_user_model.objects.get(pk=viewer.pk)  # permissions are cached on the object
        client.force_login(viewer)
        content = client.get("/admin/").content.decode()
        assert "Scheduled 0" in content and "Draft 0" in content and "Ingested 0" in content
        assert "Move" not in content  # moving needs the change permission

    def test_needs_change_permission(self, client, django_user_model):
        viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
        client.force_login(viewer)
        article = ArticleFactory(published_at=in_hours(5))
        assert (
            client.post(f"/admin/articles/article/{article.pk}/move/", {"published_at": "2099-01-01T00:00"}).status_code
            == 403
        )


class TestQueuedIngest:
    SEED = "Tidal barrage opens\n\nA dek.\n\nThe body.\n\nAuthor: Ada Byline\n\nAda writes.\n"

    def test_waiting_for_the_workers(self, editor_client, seed_dir, settings):
        settings.JOBS_INLINE = False  # queued for workers, and no worker runs
        seed_dir.write("good.txt", self.SEED)
        call_command("ingest_seeds", str(seed_dir.path), "--enqueue", "--no-ner", stderr=io.StringIO())
        run = IngestRun.objects.get()
        assert run.job is not None and run.finished_at is None
        content = section(editor_client.get("/admin/").content.decode(), "ingest")
        assert f'<a href="/admin/articles/job/{run.job.pk}/change/">job {run.job.pk}</a>, 0 of 1 file so far' in content

    def test_one_file_one_part_in_the_singular(self, seed_dir, settings):
        settings.JOBS_INLINE = True
        seed_dir.write("queued/good.txt", self.SEED)
        seed_dir.write("direct/good.txt", self.SEED.replace("Tidal barrage", "Tidal lagoon"))
        queued, direct, status = io.StringIO(), io.StringIO(), io.StringIO()
        call_command("ingest_seeds", str(seed_dir.path / "queued"), "--enqueue", "--no-ner", stderr=queued)
        call_command("ingest_seeds", "--status", stdout=io.StringIO(), stderr=status)
        call_command("ingest_seeds", str(seed_dir.path / "direct"), "--workers", "1", "--no-ner", stdout=direct)
        assert "1 file in 1 part for" in queued.getvalue()
        assert "1/1 file, 1/1 part done" in status.getvalue()
        assert "(1 file in " in direct.getvalue()

    def test_the_jobs_figures_once_it_has_finished(self, editor_client, seed_dir, settings):
        settings.JOBS_INLINE = True  # the job's parts run at once, in this process (as in every test)
        seed_dir.write("good.txt", self.SEED)
        seed_dir.write("bad.txt", "Only a headline\n")
        call_command("ingest_seeds", str(seed_dir.path), "--enqueue", "--no-ner", stderr=io.StringIO())
        run = IngestRun.objects.get()  # the row itself has the figures, as a direct run's has
        assert (run.created, run.failed, run.finished_at) == (1, 1, run.job.finished_at)
        assert run.failures[0]["path"].endswith("bad.txt")
        content = section(editor_client.get("/admin/").content.decode(), "ingest")
        assert "1 created" in content and "bad.txt" in content and "Tidal barrage opens" in content

    def test_the_same_summary_as_a_direct_ingest(self, seed_dir, settings, tmp_path):
        settings.JOBS_INLINE = True
        seed_dir.write("queued/good.txt", self.SEED)
        seed_dir.write("queued/bad.txt", "Only a headline\n")
        seed_dir.write("direct/good.txt", self.SEED.replace("Tidal barrage", "Tidal lagoon"))
        seed_dir.write("direct/bad.txt", "Only a headline\n")
        direct, status = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit):  # a file failed: exit status 1
            call_command("ingest_seeds", str(seed_dir.path / "direct"), "--json", "--workers", "1", stdout=direct)
        call_command("ingest_seeds", str(seed_dir.path / "queued"), "--enqueue", "--no-ner", stderr=io.StringIO())
        text = io.StringIO()
        for options, out in ((["--json"], status), ([], text)):  # the JSON, and as a direct run words it
            with pytest.raises(SystemExit) as exit_status:  # a file failed: exit status 1, as a direct ingest's
                call_command("ingest_seeds", "--status", *options, stdout=out, stderr=io.StringIO())
            assert exit_status.value.code == 1
        last = text.getvalue().splitlines()[-1]
        assert last.startswith("1 created, 0 updated, 0 unchanged, 0 duplicates, 0 conflicts, 1 failed (2 files in ")
        direct = json.loads(direct.getvalue().splitlines()[-1])
        summary = json.loads(status.getvalue().splitlines()[-1])["summary"]
        assert summary.keys() == direct.keys()
        assert {k: v for k, v in summary.items() if k != "seconds"} == {
            **{k: v for k, v in direct.items() if k != "seconds"},
            "failed": [{"path": str(seed_dir.path / "queued/bad.txt"), "error": direct["failed"][0]["error"]}],
        }

    def test_a_failed_part_lists_its_files_as_failed_and_exits_1(self, editor_client, seed_dir, settings, monkeypatch):
        """QA F10: `--enqueue --wait` said "0 failed" and exited 0 when a part had failed and stored nothing."""
        settings.JOBS_INLINE, settings.JOB_MAX_ATTEMPTS = False, 1
        seed_dir.write("a/good.txt", self.SEED)
        lost = seed_dir.write("b/lost.txt", self.SEED.replace("Tidal barrage", "Tidal lagoon"))

        def worker(_seconds):  # what `manage.py worker` would do, on a host that does not see b/lost.txt
            lost.unlink(missing_ok=True)
            while work := [*Job.objects.filter(state=State.QUEUED, parts=0), *JobPart.objects.filter(state="queued")]:
                for item in work:
                    runner.plan(item.pk) if isinstance(item, Job) else runner.run_part(item.pk)

        monkeypatch.setattr("articles.management.commands.ingest_seeds.time.sleep", worker)
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit) as exit_status:
            call_command(
                "ingest_seeds", str(seed_dir.path), "--enqueue", "--wait", "--no-ner", "--batch-size", "1",
                stdout=out, stderr=err,
            )  # fmt: skip
        job = Job.objects.get(kind="ingest")
        assert exit_status.value.code == 1
        assert (
            out.getvalue()
            .splitlines()[-1]
            .startswith("1 created, 0 updated, 0 unchanged, 0 duplicates, 0 conflicts, 1 failed (2 files in ")
        )
        reason = (
            "not stored: its part (2 of 2) failed after 1 attempt: "
            "FileNotFoundError: none of this part's 1 seed files exists on "
        )
        assert f"job {job.pk} failed: part 2 of 2 failed after 1 attempt: FileNotFoundError" in err.getvalue()
        assert f"failed: {lost}: {reason}" in err.getvalue()

        status = io.StringIO()
        with pytest.raises(SystemExit) as exit_status:
            call_command("ingest_seeds", "--status", str(job.pk), "--json", stdout=status, stderr=io.StringIO())
        assert exit_status.value.code == 1
        [failed] = json.loads(status.getvalue().splitlines()[-1])["summary"]["failed"]
        assert failed["path"] == str(lost) and failed["error"].startswith(reason)
        run = IngestRun.objects.get()
        assert (run.created, run.failed, run.failures) == (1, 1, [failed])

    def test_files_this_host_cannot_read_are_refused(self, settings):
        """What the enqueuing host cannot open, a worker (same user, same path) cannot either."""
        settings.JOBS_INLINE = False
        folder = tempfile.mkdtemp()  # under /tmp, not pytest's folder only its owner may enter
        try:
            os.chmod(folder, 0o755)  # noqa: S103 - nobody must reach the files to be refused by them
            for name, mode in (("open.txt", 0o644), ("private.txt", 0o000)):
                path = os.path.join(folder, name)
                with open(path, "w") as seed:
                    seed.write(self.SEED)
                os.chmod(path, mode)
            stderr = io.StringIO()
            with as_another_user(), pytest.raises(SystemExit) as exit_status:
                call_command("ingest_seeds", folder, "--enqueue", "--no-ner", stderr=stderr)
            assert exit_status.value.code == 2
            assert stderr.getvalue().strip() == (
                f"ingest_seeds: error: 1 seed file cannot be read (e.g. {folder}/private.txt): "
                "workers read them with the same permissions and at the same path"
            )
            assert not IngestRun.objects.exists() and not Job.objects.exists()
        finally:
            shutil.rmtree(folder)


@contextlib.contextmanager
def as_another_user():
    """As `nobody` when run by root, who reads every file (the effective user only: root comes back)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
