"""Backups: export_articles -> import_articles into an empty database gives the same archive,
field by field; pg_dump -> pg_restore into a new database on the same server gives the
same rows (the routine in docs/operations.md)."""

import datetime
import io
import json
import subprocess

import psycopg2
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from articles.ingest import ingest_paths
from articles.jobs import Job, JobFile, State
from articles.models import (
    Article,
    Author,
    AuthorStats,
    Entity,
    EntityStats,
    Mention,
    MonthCount,
    SearchEntry,
    SeedFile,
    Tag,
    TagStats,
    keep_former_name,
)
from articles.restore import RestoreError, import_articles
from articles.roles import create_editor

from .conftest import PROJECT_SEEDS
from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory


def export():
    out = io.StringIO()
    call_command("export_articles", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot():
    """Everything an exact restore must bring back, keyed by slugs rather than ids."""
    articles = {
        a.slug: {
            field.name: getattr(a, field.attname)
            for field in Article._meta.concrete_fields
            if field.name not in {"id", "author", "edited_by"}
        }
        | {"author": a.author.slug if a.author else None}
        for a in Article.objects.select_related("author")
    }
    mentions = sorted(
        Mention.objects.values_list("article__slug", "entity__slug", "entity__name", "entity__kind", "count", "source")
    )
    mentioned = Entity.objects.filter(mentions__isnull=False).distinct()
    return {
        "articles": articles,
        "authors": sorted(Author.objects.values_list("name", "slug", "bio", "twitter")),
        "tags": sorted(Tag.objects.filter(taggings__isnull=False).distinct().values_list("name", "slug")),
        "taggings": sorted(Article.tags.through.objects.values_list("content_object__slug", "tag__slug")),
        "entities": sorted((e.name, e.slug, e.kind, tuple(e.aliases)) for e in mentioned),
        "mentions": mentions,
        "seed_files": sorted(SeedFile.objects.values_list("path", "sha256", "article__slug", "ingested_at")),
        "months": sorted(MonthCount.objects.values_list("month", "count")),
        "author_counts": sorted(AuthorStats.objects.values_list("author__slug", "article_count")),
        "tag_counts": sorted(TagStats.objects.values_list("tag__slug", "article_count")),
        "entity_counts": sorted(EntityStats.objects.values_list("entity__slug", "article_count")),
        # (Not `bucket`: a pseudo-random sample partition derived from the article's id.)
        "search": sorted(
            (slug, status, published, str(document), str(rank))
            for slug, status, published, document, rank in SearchEntry.objects.values_list(
                "article__slug", "status", "published_at", "document", "rank_vector"
            )
        ),
    }


def empty_the_archive():
    """Back to a freshly migrated database: only what migrations store (the starter vocabulary) remains."""
    starter = set(Entity.objects.filter(mentions__isnull=True).values_list("pk", flat=True))
    for model in (SeedFile, Article, Author, Tag):
        model.objects.all().delete()
    Entity.objects.exclude(pk__in=starter).delete()
    call_command("rebuild_reader_stats", stdout=io.StringIO())
    assert not Article.objects.exists() and not SearchEntry.objects.exists()


@pytest.fixture
def archive():
    """Ingested seeds plus everything an ingest does not make: drafts, scheduled and pinned articles,
    editors' entities with aliases, tags whose slug is not their name, times with microseconds."""
    ingest_paths([str(PROJECT_SEEDS)], workers=1)
    now = timezone.now()
    writer = AuthorFactory(name="Ana Łukasiewicz", bio="Covers ports. @ana_l", twitter="ana_l")
    port = EntityFactory(name="Port Restoria", kind=Entity.Kind.PLACE, aliases=["Restoria Harbour", "PR"])
    TagFactory(name="shipping", slug="shipping")
    odd = TagFactory(name="Shipping News", slug="shipping-2")
    draft = ArticleFactory(
        title="A draft with a precise time",
        slug="a-draft",
        status=Article.Status.DRAFT,
        published_at=datetime.datetime(2023, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC),
        author=writer,
        tags=[odd],
        entities=[port],
    )
    scheduled = ArticleFactory(
        title="Scheduled for later",
        slug="scheduled",
        published_at=now + datetime.timedelta(days=3, microseconds=17),
        author=writer,
    )
    pinned = ArticleFactory(title="Pinned by an editor", slug="pinned", author=None, entities=[port])
    Article.objects.filter(pk=pinned.pk).update(entities_pinned=True, edited_at=now - datetime.timedelta(minutes=5))
    Mention.objects.filter(article=pinned).update(count=7, source=Mention.Source.EDITOR)
    Mention.objects.filter(article=draft).update(source=Mention.Source.MODEL)
    call_command("refresh_articles", str(draft.pk), str(scheduled.pk), str(pinned.pk), stdout=io.StringIO())
    call_command("rebuild_reader_stats", stdout=io.StringIO())


@pytest.mark.django_db
class TestExportImport:
    def test_an_export_restores_into_an_empty_database_field_by_field(self, archive, client):
        before = snapshot()
        first = export()
        assert len(first.splitlines()) == len(before["articles"]) == 17
        empty_the_archive()

        out = io.StringIO()
        call_command("import_articles", "-", stdin=io.StringIO(first), stdout=out)
        assert "Restored 17 articles (15 public)" in out.getvalue()

        after = snapshot()
        for key in before:
            assert after[key] == before[key], key
        assert export() == first  # byte for byte
        # The site serves the restored archive: pages, statistics and search.
        assert client.get("/articles/scheduled/").status_code == 404
        # (Seeds without a Published: line are dated at ingest, after this test's transaction began, and
        # PostgreSQL's now() is the transaction's start: search the factory-made article instead.)
        assert "/articles/pinned/" in client.get("/search/?q=pinned+editor").content.decode()
        assert client.get(Entity.objects.get(name="Port Restoria").get_absolute_url()).status_code == 200

    def test_a_later_ingest_of_the_same_seeds_finds_them_unchanged(self, archive):
        first = export()
        empty_the_archive()
        import_articles(io.StringIO(first))
        report = ingest_paths([str(PROJECT_SEEDS)], workers=1)
        assert (report.created, report.updated, report.unchanged) == (0, 0, 14)

    def test_renamed_and_merged_names_still_file_later_ingests_under_their_row(self, seed_dir):
        """QA F9: after a restore, a seed file's "Author: Daniel Okafor" (renamed "Dan Okafor") made a
        second author, and so did the names of merged authors and tags: the names were not exported."""
        from articles.merge import merge_authors, merge_tags

        dan, other = AuthorFactory(name="Daniel Okafor"), AuthorFactory(name="D. Okafor")
        economy, inflation = TagFactory(name="economy"), TagFactory(name="inflation")
        ArticleFactory(author=dan, tags=[economy])
        ArticleFactory(author=other, tags=[inflation])
        dan.name = "Dan Okafor"
        keep_former_name(dan, "Daniel Okafor")
        dan.save()
        merge_authors(dan, [other])
        merge_tags(economy, [inflation])
        first = export()
        assert '"former_names": ["D. Okafor", "Daniel Okafor"]' in first
        assert '"tag_former_names": {"economy": ["inflation"]}' in first
        empty_the_archive()
        import_articles(io.StringIO(first))
        assert export() == first
        seed_dir.write("a.txt", "Rates Rise\n\nA dek.\n\nA body.\n\nAuthor: Daniel Okafor\nTags: inflation\n")
        seed_dir.write("b.txt", "Rates Fall\n\nA dek.\n\nA body.\n\nAuthor: D. Okafor\n")
        assert ingest_paths([str(seed_dir.path)], workers=1, ner=False).created == 2
        assert list(Author.objects.filter(name__icontains="Okafor").values_list("name", flat=True)) == ["Dan Okafor"]
        assert set(Article.objects.get(title="Rates Rise").tags.names()) == {"economy"}
        assert not Tag.objects.filter(name="inflation").exists()

    def test_an_export_from_issue_2_imports_too(self):
        record = {
            "slug": "old-style",
            "title": "Old style",
            "dek": "Dek.",
            "body": "Body.",
            "status": "published",
            "published_at": "2020-01-02T03:04:05.000006+00:00",
            "author": {"name": "Old Writer", "slug": "old-writer", "bio": "", "twitter": ""},
            "tags": ["energy"],
            "entities": [{"name": "Baltic Sea", "kind": "PLACE", "mentions": 2}],
            "source": {"path": "", "sha256": ""},
        }
        report = import_articles([json.dumps(record)])
        assert (report.articles, report.public) == (1, 1)
        article = Article.objects.get(slug="old-style")
        assert article.published_at == datetime.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
        assert article.mentions.get().source == Mention.Source.EDITOR

    def test_names_match_as_postgresql_lowers_them_across_batches(self):
        # Python lower-cases "İ" to "i̇" (two characters); PostgreSQL's lower() follows the database's
        # locale. The unique constraints use PostgreSQL's, so must the import, or a later batch would
        # not find "İzmir" and insert it again.
        records = [
            {
                "slug": f"izmir-{n}",
                "title": f"İzmir story {n}",
                "dek": "",
                "body": "",
                "status": "draft",
                "author": {"name": "İlkay Writer"},
                "tags": ["İzmir"],
                "entities": [{"name": "İzmir University", "kind": "ORG", "mentions": 1}],
            }
            for n in range(3)
        ]
        report = import_articles([json.dumps(r) for r in records], batch_size=1)
        assert (report.articles, report.authors, report.tags, report.entities) == (3, 1, 1, 1)
        assert Entity.objects.get(name="İzmir University").mentions.count() == 3

    def test_a_database_with_articles_is_refused(self):
        ArticleFactory()
        with pytest.raises(CommandError, match="already has 1 articles; import_articles restores into an empty"):
            call_command("import_articles", "-", stdin=io.StringIO(""), stdout=io.StringIO())

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("{not json", "line 2: not JSON"),
            ("[1, 2]", "line 2: not a JSON object"),
            ('{"slug": "x"}', "line 2: 'title' is missing or not a string"),
            ('{"slug": "../x", "title": "t", "dek": "", "body": "", "status": "draft"}', "is not a valid address"),
            ('{"slug": "x", "title": "t", "dek": "", "body": "", "status": "secret"}', "status 'secret' is not one of"),
            ('{"slug": "x", "title": "t", "dek": "", "body": "", "status": "published"}', "needs published_at"),
            (
                '{"slug": "x", "title": "t", "dek": "", "body": "", "status": "draft", "published_at": "2024-13-01"}',
                "published_at '2024-13-01' is not an ISO 8601 time",
            ),
            (
                '{"slug": "x", "title": "t", "dek": "", "body": "", "status": "draft", '
                '"created_at": "2024-01-01T00:00"}',
                "has no time zone",
            ),
            (
                '{"slug": "x", "title": "t", "dek": "", "body": "", "status": "draft", '
                '"entities": [{"name": "E", "kind": "ALIEN", "mentions": 1}]}',
                "kind must be one of",
            ),
            (
                '{"slug": "x", "title": "t", "dek": "", "body": "", "status": "draft", '
                '"entities": [{"name": "E", "kind": "ORG", "mentions": 0}]}',
                "mentions must be a whole number of at least 1",
            ),
            ('{"slug": "first", "title": "t", "dek": "", "body": "", "status": "draft"}', "appears twice"),
        ],
    )
    def test_a_malformed_line_is_named_and_nothing_is_written(self, line, message):
        good = '{"slug": "first", "title": "First", "dek": "", "body": "", "status": "draft"}'
        with pytest.raises(RestoreError, match=message.replace("(", r"\(").replace("[", r"\[")):
            import_articles([good, line])
        assert not Article.objects.exists()

    def test_dry_run_checks_and_writes_nothing(self, archive):
        first = export()
        empty_the_archive()
        out = io.StringIO()
        call_command("import_articles", "-", "--dry-run", stdin=io.StringIO(first), stdout=out)
        assert "17 articles checked; nothing was written" in out.getvalue()
        assert not Article.objects.exists()

    def test_dry_run_refuses_a_database_with_articles_as_the_import_does(self, archive):
        with pytest.raises(CommandError, match="the database already has 17 articles"):
            call_command("import_articles", "-", "--dry-run", stdin=io.StringIO(export()), stdout=io.StringIO())

    def test_a_missing_file_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="No such file or directory"):
            call_command("import_articles", str(tmp_path / "nope.jsonl"))


@pytest.mark.django_db
class TestImportFromTheAdmin:
    """The admin's "Import an export" (articles/admin/imports.py): a job (run inline here, as in
    every test; tests/test_jobs.py has a real worker), the same restore as the command."""

    URL = "/admin/articles/article/import/"

    @pytest.fixture
    def admin_client(self, client, django_user_model):
        client.force_login(django_user_model.objects.create_superuser("chief", "chief@example.org", "x"))
        return client

    def upload(self, client, content, name="archive.jsonl"):
        return client.post(self.URL, {"export": SimpleUploadedFile(name, content)}, follow=True)

    def test_an_export_is_restored_by_a_job_with_the_result_under_jobs_and_in_history(self, archive, admin_client):
        before = snapshot()
        first = export()
        empty_the_archive()
        listing = admin_client.get("/admin/articles/article/").content.decode()
        assert f'<a href="{self.URL}">Import an export</a>' in listing

        response = self.upload(admin_client, first.encode())
        assert response.redirect_chain == [("/admin/articles/article/", 302)]
        job = Job.objects.get(kind="import")
        assert "Importing 17 articles from “archive.jsonl”; you’ll see the result under" in response.content.decode()
        assert (job.state, job.done, job.total, job.description) == (
            State.DONE,
            17,
            17,
            "Import 17 articles from “archive.jsonl”",
        )
        assert job.result == {"articles": 17, "public": 15} | {
            key: job.result[key] for key in ("authors", "tags", "entities", "mentions")
        }
        assert snapshot() == before and export() == first
        assert not JobFile.objects.exists()  # the upload is gone once restored
        pinned = Article.objects.get(slug="pinned")
        assert LogEntry.objects.get(object_id=str(pinned.pk)).change_message == (
            f"Restored from the export “archive.jsonl” (job {job.pk})."
        )
        assert "archive.jsonl" in admin_client.get("/admin/articles/job/").content.decode()

    def test_an_archive_with_articles_is_refused_before_anything_is_queued(self, admin_client):
        ArticleFactory(slug="already-here")
        line = json.dumps({"slug": "x", "title": "X", "dek": "", "body": "B", "status": "draft"})
        page = admin_client.get(self.URL).content.decode()
        assert "The archive already has 1 article: an export is restored into an empty archive." in page
        response = self.upload(admin_client, line.encode())
        assert "The archive already has 1 article" in response.content.decode()
        assert not Job.objects.exists() and not JobFile.objects.exists()

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"\xff\xfe{}", "“archive.jsonl” is not UTF-8 text (byte 0)."),
            (b"\n  \n", "“archive.jsonl” is empty."),
            (b"Title\n\nBody\n", "“archive.jsonl” is not an export of articles: line 1: not JSON"),
            (
                b'\n{"slug": "x"}\n',
                "“archive.jsonl” is not an export of articles: line 2: &#x27;title&#x27; is missing",
            ),
        ],
    )
    def test_a_file_that_is_no_export_is_refused_with_the_reason(self, admin_client, content, message):
        response = self.upload(admin_client, content)
        assert response.status_code == 200 and message in response.content.decode()
        assert not Job.objects.exists()

    def test_only_an_administrator_may_import(self, client):
        client.force_login(create_editor("editor", password="plum-kettle-harbour-42"))
        assert client.get(self.URL).status_code == 403
        assert 'href="/admin/articles/article/import/"' not in client.get("/admin/articles/article/").content.decode()


# pg_dump -> pg_restore, as docs/operations.md describes it, on the same server.


def _connect(dbname):
    settings = connection.settings_dict
    kwargs = {"dbname": dbname}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if settings[key]:
            kwargs[name] = settings[key]
    return psycopg2.connect(**kwargs)


def _client_args():
    settings = connection.settings_dict
    args = []
    if settings["HOST"]:
        args += ["--host", settings["HOST"]]
    if settings["PORT"]:
        args += ["--port", str(settings["PORT"])]
    if settings["USER"]:
        args += ["--username", settings["USER"]]
    return args


FINGERPRINT = [
    "SELECT md5(string_agg(concat_ws('|', slug, title, dek, body, status, published_at, updated_at), ',' "
    "ORDER BY slug)) FROM articles_article",
    "SELECT count(*) FROM articles_mention",
    "SELECT count(*) FROM articles_taggedarticle",
    "SELECT count(*) FROM articles_entity",
    "SELECT count(*) FROM articles_searchentry",
    "SELECT md5(string_agg(concat_ws('|', month, count), ',' ORDER BY month)) FROM articles_monthcount",
    "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension",
    # Search works in the restored database: its text search configuration and functions came along.
    "SELECT count(*) FROM articles_searchentry WHERE document @@ websearch_to_tsquery('newsroom_english', 'marathon')",
]


def fingerprint(dbname):
    with _connect(dbname) as conn, conn.cursor() as cursor:
        values = []
        for query in FINGERPRINT:
            cursor.execute(query)
            values.append(cursor.fetchone()[0])
    conn.close()
    return values


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pg_dump_and_pg_restore_into_a_new_database(tmp_path):
    ingest_paths([str(PROJECT_SEEDS)], workers=1)
    source = connection.settings_dict["NAME"]
    target = f"{source}_restored"
    dump = tmp_path / "newsroom.dump"
    subprocess.run(
        ["pg_dump", *_client_args(), "--format=custom", "--no-owner", f"--file={dump}", source],
        check=True,
        capture_output=True,
    )
    subprocess.run(["dropdb", *_client_args(), "--if-exists", target], check=True, capture_output=True)
    subprocess.run(["createdb", *_client_args(), target], check=True, capture_output=True)
    try:
        restore = subprocess.run(
            ["pg_restore", *_client_args(), "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
            capture_output=True,
            text=True,
        )
        assert restore.returncode == 0, restore.stderr
        original, restored = fingerprint(source), fingerprint(target)
        assert restored == original
        assert "pg_trgm" in restored[6] and "unaccent" in restored[6]
        assert restored[7] >= 1
    finally:
        subprocess.run(["dropdb", *_client_args(), "--if-exists", target], check=True, capture_output=True)
