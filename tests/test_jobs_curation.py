"""Merges and bulk actions as jobs, with real worker processes (`manage.py worker --burst`).

The admin request only enqueues: it answers with what was queued and nothing has
changed until a worker runs; the worker does the work in parts, each one transaction;
a worker killed with SIGKILL mid-part leaves a part that runs again with nothing
doubled; a part that fails is shown failed with its reason in the admin's Jobs list,
and the other parts stay done. Helpers are those of tests/test_jobs.py.
"""

import contextlib
import os
import signal
import time

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from articles.jobs.models import Job, JobPart, State
from articles.models import Article, Author, Entity, Mention, Tag, TaggedArticle, TagStats
from articles.stats import rebuild_reader_stats

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory
from .test_jobs import holding_the_stats_lock, run_worker, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _queued(settings):
    settings.JOBS_INLINE = False  # jobs wait in the queue for a worker


@pytest.fixture
def editor_user():
    return get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client


def admin_action(client, url, name, objects, **extra):
    return client.post(url, {"action": name, "_selected_action": [o.pk for o in objects], **extra}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def history_of(obj, flag=None):
    entries = LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
    if flag is not None:
        entries = entries.filter(action_flag=flag)
    return list(entries.order_by("pk").values_list("change_message", flat=True))


def tag_ids(article):
    return sorted(TaggedArticle.objects.filter(content_object=article).values_list("tag_id", flat=True))


def test_a_tag_merge_in_the_admin_is_queued_and_a_worker_merges_in_parts(editor_client):
    keep, old = TagFactory(name="Economy"), TagFactory(name="economics")
    both = ArticleFactory(tags=[keep, old])
    moved = [ArticleFactory(tags=[old]) for _ in range(4)]
    response = admin_action(
        editor_client, "/admin/articles/tag/", "merge_selected", [keep, old], confirm="yes", survivor=keep.pk
    )
    assert response.status_code == 200
    assert any("Merging 1 tag into" in m and "Economy" in m and "(5 articles)" in m for m in messages_of(response))
    job = Job.objects.get()
    assert (job.kind, job.state, job.target) == ("merge", State.QUEUED, keep)
    # Nothing merged inside the request.
    assert Tag.objects.filter(pk=old.pk).exists() and tag_ids(both) == sorted([keep.pk, old.pk])
    assert history_of(keep) == []

    run_worker("--concurrency", "1", JOB_MERGE_PART=2)
    job.refresh_from_db()
    assert (job.state, job.parts, job.done, job.total, job.result["moved"]) == (State.DONE, 3, 5, 5, 5)
    assert not Tag.objects.filter(pk=old.pk).exists()
    assert all(tag_ids(a) == [keep.pk] for a in [both, *moved])
    assert TagStats.objects.get(tag=keep).article_count == 5
    assert history_of(keep) == ["Merged “economics” into this tag (5 tagged articles moved)."]
    assert history_of(old, DELETION) == ["Merged into “Economy”."]
    assert Client().get(f"/tags/{old.slug}/")["Location"] == keep.get_absolute_url()


def test_an_author_merge_is_queued_then_re_extracts_the_moved_articles_with_history(editor_client):
    keep, old = AuthorFactory(name="Jane Doe"), AuthorFactory(name="J. Doe")
    articles = [ArticleFactory(author=old, body=f"Story {n}: officials met in Kyiv.") for n in range(3)]
    response = admin_action(
        editor_client, "/admin/articles/author/", "merge_selected", [keep, old], confirm="yes", survivor=keep.pk
    )
    assert any("Merging 1 author into" in m and "(3 articles)" in m for m in messages_of(response))
    assert set(Article.objects.values_list("author_id", flat=True)) == {old.pk}  # nothing moved yet

    run_worker("--concurrency", "1")
    assert set(Article.objects.values_list("author_id", flat=True)) == {keep.pk}
    assert not Author.objects.filter(pk=old.pk).exists()
    # The merge, then its re-extraction (and whatever that sets off: linking entities it created).
    merge_job, reextract_job = Job.objects.order_by("pk")[:2]
    assert (merge_job.kind, reextract_job.kind) == ("merge", "reextract")
    assert set(Job.objects.values_list("state", flat=True)) == {State.DONE}
    assert all(Mention.objects.filter(article=a, entity__name="Kyiv").exists() for a in articles)
    assert history_of(keep) == [
        "Merged “J. Doe” into this author (3 articles moved).",
        "Re-extracted the entities of 3 articles.",
    ]


def test_bulk_publish_above_the_threshold_is_queued_and_each_article_gets_its_history(editor_client, settings):
    settings.JOB_BULK_INLINE_MAX = 2
    drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(5)]
    published = ArticleFactory()
    response = admin_action(editor_client, "/admin/articles/article/", "publish", [*drafts, published], post="yes")
    assert any(
        "Publishing 5 articles in the background; 1 was published already" in m for m in messages_of(response)
    ), messages_of(response)
    job = Job.objects.get()
    assert (job.kind, job.state, job.description) == ("bulk", State.QUEUED, "Publish 5 articles")
    # The request changed no article.
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 5
    assert not LogEntry.objects.filter(action_flag=CHANGE).exists()

    run_worker("--concurrency", "1", JOB_BULK_PART=2)
    job.refresh_from_db()
    assert (job.state, job.parts, job.done, job.result["published"]) == (State.DONE, 3, 5, 5)
    assert not Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert all(history_of(a)[0].startswith("Status: Draft → Published; Publication date: — → ") for a in drafts)
    assert all(len(history_of(a)) == 1 for a in drafts) and history_of(published) == []

    response = admin_action(editor_client, "/admin/articles/article/", "unpublish", drafts[:4], post="yes")
    assert any("Unpublishing 4 articles in the background" in m for m in messages_of(response))
    assert not Article.objects.filter(status=Article.Status.DRAFT).exists()
    run_worker("--concurrency", "1")
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 4


def test_adding_a_tag_to_a_whole_filtered_list_is_queued(editor_client, settings):
    settings.JOB_BULK_INLINE_MAX = 2
    energy = TagFactory(name="Energy")
    author = AuthorFactory(name="Grid Reporter")
    mine = [ArticleFactory(author=author) for _ in range(3)] + [ArticleFactory(author=author, tags=[energy])]
    other = ArticleFactory()
    url = f"/admin/articles/article/?author={author.pk}"
    page = editor_client.post(url, {"action": "add_tag", "select_across": "1", "_selected_action": [mine[0].pk]})
    assert page.status_code == 200 and "4 selected articles" in page.text
    assert 'name="select_across" value="1"' in page.text
    response = editor_client.post(
        url,
        {"action": "add_tag", "select_across": "1", "_selected_action": [mine[0].pk], "apply": "yes", "tag": "energy"},
        follow=True,
    )
    assert any("Tagging 4 articles “Energy” in the background" in m for m in messages_of(response))
    assert TaggedArticle.objects.filter(tag=energy).count() == 1

    run_worker("--concurrency", "1")
    assert all(tag_ids(a) == [energy.pk] for a in mine) and tag_ids(other) == []
    assert Job.objects.get().result == {"tagged": 3, "had_it": 1}
    assert [len(history_of(a)) for a in mine] == [1, 1, 1, 0]


def test_a_worker_killed_mid_part_of_a_tag_merge_moves_nothing_twice(editor_user):
    keep, old = TagFactory(name="Economy"), TagFactory(name="economics")
    articles = [ArticleFactory(tags=[old]) for _ in range(12)]
    from articles.jobs.curation import enqueue_merge

    job, count = enqueue_merge(keep, [old], requested_by=editor_user)
    assert count == 12
    with holding_the_stats_lock() as waiting:
        worker = start_worker("--concurrency", "1", JOB_RETRY_SECONDS=4, JOB_MERGE_PART=5)
        wait_for(lambda: waiting() == 1, message="a part inside its transaction")
        part = JobPart.objects.get(job=job, state=State.RUNNING)
        os.kill(int(part.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        time.sleep(1)
    out, _ = worker.communicate(timeout=240)
    assert worker.returncode == 0, out

    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.parts_done, job.result["moved"]) == (State.DONE, 12, 12, 3, 12)
    part.refresh_from_db()
    assert (part.state, part.attempts) == (State.DONE, 2)
    assert all(tag_ids(a) == [keep.pk] for a in articles)
    assert not Tag.objects.filter(pk=old.pk).exists()
    assert TagStats.objects.get(tag=keep).article_count == 12
    rebuild_reader_stats()
    assert TagStats.objects.get(tag=keep).article_count == 12
    assert history_of(keep) == ["Merged “economics” into this tag (12 tagged articles moved)."]


@contextlib.contextmanager
def refusing_updates_of(article):
    """A trigger outside Django that refuses any change to one article (as an archive's freeze might)."""
    table = Article._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'article % is frozen by the archive', OLD.id; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_frozen BEFORE UPDATE ON {table} FOR EACH ROW "
            f"WHEN (OLD.id = {int(article.pk)}) EXECUTE FUNCTION test_frozen()"
        )
    try:
        yield
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TRIGGER test_frozen ON {table}")
            cursor.execute("DROP FUNCTION test_frozen()")


def test_a_failed_part_of_a_bulk_publish_is_shown_failed_with_its_reason(editor_client, settings):
    settings.JOB_BULK_INLINE_MAX = 2
    drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(6)]
    admin_action(editor_client, "/admin/articles/article/", "publish", drafts, post="yes")
    with refusing_updates_of(drafts[-1]):
        run_worker("--concurrency", "1", JOB_BULK_PART=2, JOB_MAX_ATTEMPTS=2)
    job = Job.objects.get()
    failed = job.part_set.get(state=State.FAILED)
    assert (job.state, job.parts_done, job.parts_failed, failed.attempts) == (State.FAILED, 2, 1, 2)
    assert f"article {drafts[-1].pk} is frozen by the archive" in failed.error
    # The other parts stay done: four articles published, each with its History line.
    assert list(Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk")) == drafts[:4]
    assert [len(history_of(a)) for a in drafts] == [1, 1, 1, 1, 0, 0]
    listing = editor_client.get("/admin/articles/job/")
    assert "Failed" in listing.text and "1 part failed" in listing.text and "is frozen by the archive" in listing.text
    detail = editor_client.get(f"/admin/articles/job/{job.pk}/change/")
    assert "is frozen by the archive" in detail.text


def test_deleting_more_than_a_page_of_articles_is_queued(editor_client, settings):
    settings.JOB_BULK_INLINE_MAX = 2
    doomed = [ArticleFactory() for _ in range(3)]
    kept = ArticleFactory()
    response = admin_action(editor_client, "/admin/articles/article/", "delete_selected", doomed, post="yes")
    assert any("Deleting 3 articles in the background; you’ll see the result under" in m for m in messages_of(response))
    assert Article.objects.count() == 4  # nothing deleted in the request

    run_worker("--concurrency", "1", JOB_BULK_PART=2)
    assert list(Article.objects.all()) == [kept]
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 3
    assert Job.objects.get().result == {"deleted": 3}


@contextlib.contextmanager
def refusing_to_untag(article):
    """A trigger outside Django that refuses to take any tag off one article."""
    table = TaggedArticle._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_frozen_tags() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'the tags of article % are frozen', OLD.content_object_id; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_frozen_tags BEFORE DELETE ON {table} FOR EACH ROW "
            f"WHEN (OLD.content_object_id = {int(article.pk)}) EXECUTE FUNCTION test_frozen_tags()"
        )
    try:
        yield
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TRIGGER test_frozen_tags ON {table}")
            cursor.execute("DROP FUNCTION test_frozen_tags()")


def test_a_merge_whose_part_failed_stops_and_merging_again_finishes_it(editor_user):
    from articles.jobs.curation import enqueue_merge

    keep, old = TagFactory(name="Economy"), TagFactory(name="economics")
    articles = [ArticleFactory(tags=[old]) for _ in range(6)]
    job, _ = enqueue_merge(keep, [old], requested_by=editor_user)
    with refusing_to_untag(articles[-1]):
        run_worker("--concurrency", "1", JOB_MERGE_PART=2, JOB_MAX_ATTEMPTS=2)
    job.refresh_from_db()
    assert (job.state, job.parts_done, job.parts_failed, job.done) == (State.FAILED, 2, 1, 4)
    assert "the tags of article" in job.error and "are frozen" in job.error
    # What moved stays moved; the merged tag stays, with the articles of the failed part.
    assert Tag.objects.filter(pk=old.pk).exists()
    assert [tag_ids(a) for a in articles] == [[keep.pk]] * 4 + [[old.pk]] * 2
    [line] = history_of(keep)
    assert line.startswith("Merging “economics” into this tag stopped after 4 of 6 articles") and "frozen" in line
    assert history_of(old, DELETION) == []

    again, count = enqueue_merge(keep, [old], requested_by=editor_user)
    assert count == 2
    run_worker("--concurrency", "1")
    again.refresh_from_db()
    assert (again.state, again.result["moved"]) == (State.DONE, 2)
    assert not Tag.objects.filter(pk=old.pk).exists()
    assert all(tag_ids(a) == [keep.pk] for a in articles)
    assert TagStats.objects.get(tag=keep).article_count == 6


def test_a_worker_killed_mid_part_of_a_bulk_publish_writes_each_history_line_once(editor_client, settings):
    settings.JOB_BULK_INLINE_MAX = 2
    drafts = [ArticleFactory(status=Article.Status.DRAFT, published_at=None) for _ in range(6)]
    admin_action(editor_client, "/admin/articles/article/", "publish", drafts, post="yes")
    job = Job.objects.get()
    with holding_the_stats_lock() as waiting:
        worker = start_worker("--concurrency", "1", JOB_RETRY_SECONDS=4, JOB_BULK_PART=3)
        wait_for(lambda: waiting() == 1, message="a part inside its transaction")
        part = JobPart.objects.get(job=job, state=State.RUNNING)
        os.kill(int(part.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        time.sleep(1)
    out, _ = worker.communicate(timeout=240)
    assert worker.returncode == 0, out

    job.refresh_from_db()
    part.refresh_from_db()
    assert (job.state, job.done, job.result["published"], part.attempts) == (State.DONE, 6, 6, 2)
    assert not Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert [len(history_of(a)) for a in drafts] == [1] * 6


def test_an_entity_merge_is_queued_then_re_links_the_survivor(editor_client):
    keep = EntityFactory(name="Zembla Central Bank", kind=Entity.Kind.ORG, aliases=[])
    other = EntityFactory(name="ZCB", kind=Entity.Kind.ORG, aliases=[])
    both = ArticleFactory(body="The ZCB and the Zembla Central Bank met.", entities=[keep, other])
    unlinked = ArticleFactory(body="The ZCB raised rates again.")
    response = admin_action(
        editor_client, "/admin/articles/entity/", "merge_selected", [keep, other], confirm="yes", survivor=keep.pk
    )
    assert any("Merging 1 entity into" in m and "then re-linking" in m for m in messages_of(response))
    assert Entity.objects.filter(pk=other.pk).exists()  # nothing merged in the request

    run_worker("--concurrency", "1")
    assert not Entity.objects.filter(pk=other.pk).exists()
    keep.refresh_from_db()
    assert keep.aliases == ["ZCB"]
    assert Mention.objects.get(article=both, entity=keep).count == 2  # re-linked with its new alias
    assert Mention.objects.filter(article=unlinked, entity=keep).exists()
    assert list(Job.objects.order_by("pk").values_list("kind", "state")) == [
        ("merge", State.DONE),
        ("relink", State.DONE),
    ]
    merged, relinked = history_of(keep)
    assert merged == "Merged “ZCB” into this entity (1 article mention moved)."
    assert relinked.startswith("Re-linked 2 articles that could mention it")


def test_a_merge_whose_survivor_was_deleted_meanwhile_fails_with_its_reason(editor_user, settings):
    """Parts run here, in this process, as a worker would run them (no worker needed)."""
    from articles.jobs import runner
    from articles.jobs.curation import enqueue_merge

    settings.JOB_MAX_ATTEMPTS = 1
    keep, old = TagFactory(name="Economy"), TagFactory(name="economics")
    ArticleFactory(tags=[old])
    job, _ = enqueue_merge(keep, [old], requested_by=editor_user)
    runner.plan(job.pk)
    keep.delete()  # an editor deleted the tag to keep while the merge waited
    for part in job.part_set.all():
        runner.run_part(part.pk)
    job.refresh_from_db()
    assert (job.state, job.parts_failed) == (State.FAILED, 1)
    assert "MergeError: 1 of the tags to merge no longer exist" in job.error
    assert Tag.objects.filter(pk=old.pk).exists()
