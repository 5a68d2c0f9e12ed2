"""Test configuration: real PostgreSQL (pytest-django creates test_<name>), fast hashing,
static files served without a manifest so templates render before collectstatic."""

from pathlib import Path
from urllib.parse import quote

import pytest

# A fixed SECRET_KEY for processes the tests start with DEBUG off: strong enough for the
# settings' check (50+ characters, varied), and used nowhere but here.
TEST_SECRET_KEY = "tests-only-never-in-production-_UP5nVLTGiSuiX_a9XvcXNRSGj5xCtztzBsAOPBgOSCfk"  # noqa: S105

REFERENCE_SEEDS = Path(__file__).resolve().parent / "data" / "reference"  # the format's reference article
PROJECT_SEEDS = Path(__file__).resolve().parents[1] / "seeds"


# Tests that commit (a second connection, a subprocess or the browser's live server must see
# their rows) are marked `pytest.mark.django_db(transaction=True, serialized_rollback=True)`,
# all of them. pytest-django runs them after the other database tests. Each one starts by
# loading the rows migrations made (content types, permissions, the Editors group, the
# starter vocabulary), serialized when the test database was created, and ends by emptying
# every table without re-creating anything. A transactional test without serialized_rollback
# would end with a flush that re-creates content types and permissions under new ids and
# nothing else: the next test would then find the Editors group missing or fail to load the
# serialized content types over the new ones. So such a test is refused at collection.
COMMITTING = "pytest.mark.django_db(transaction=True, serialized_rollback=True)"


def pytest_collection_modifyitems(config, items):
    unserialized = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = marker.kwargs if marker else {}
        transactional = kwargs.get("transaction") or kwargs.get("reset_sequences")
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = transactional or {"transactional_db", "live_server"} & fixtures
        serialized = kwargs.get("serialized_rollback") or "django_db_serialized_rollback" in fixtures
        if transactional and not serialized:
            unserialized.append(item.nodeid)
    if unserialized:
        raise pytest.UsageError(f"mark tests that commit {COMMITTING}: " + ", ".join(unserialized))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the last test, put back the rows migrations made, which the transactional tests'
    flushes removed, so a test database kept with --reuse-db is as migrations left it."""
    yield
    from django.db import connection

    if not hasattr(connection, "_test_serialized_contents"):
        return  # no test in this run asked for serialized rollback, so none flushed the database
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style

    with django_db_blocker.unblock():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
        # The rows came back with their ids; move each id sequence past them, as loaddata does.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp() / "staticfiles"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain http; the HTTPS settings are tested in subprocesses
    # with the production environment (tests/test_security.py).
    settings.SECURE_SSL_REDIRECT = False
    # Background jobs run at once, through the same runner, in the process that enqueues them:
    # a test of an admin save sees its re-linking done. tests/test_jobs.py runs real workers.
    settings.JOBS_INLINE = True
    # Pages pin their own queries (tests/test_views.py...) with the page cache in Django's cache,
    # where a page rendered cold makes no write; tests/test_pagecache.py runs on the database
    # store (the default without a replica), whose miss adds one statement (the page stored).
    settings.PAGE_CACHE_STORE = "cache"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _page_cache(request):
    """An empty page cache for every test, and page-cache versions that follow each write.

    The keys a write marks take their version when its transaction commits (migration
    0010_change_path); a test's transaction never commits, so they take it statement by
    statement instead.
    """
    from django.core.cache import caches

    from articles.pagecache import PageCacheMiddleware

    caches["default"].clear()
    PageCacheMiddleware._retry_after = 0.0  # a test that made the cache fail must not switch it off for the next
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
        from django.db import connection

        if connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS articles_contentgeneration_bump IMMEDIATE")


@pytest.fixture
def seed_dir(tmp_path):
    """A folder to write seed files into; `seed_dir.write(name, text)` returns the path."""

    class SeedDir:
        path = tmp_path

        def write(self, name, text, encoding="utf-8"):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                target.write_bytes(text)
            else:
                target.write_bytes(text.encode(encoding))
            return target

    return SeedDir()


def write_seeds(folder, count):
    """`count` small seed files, 0000.txt…, in `folder` (created): one story each, five authors."""
    folder.mkdir(exist_ok=True)
    for n in range(count):
        (folder / f"{n:04}.txt").write_text(
            f"Harbour story number {n}\n\nA dek for story {n}.\n\n"
            f"Officials in Paris said on Monday that the harbour plan {n} would go ahead.\n\n"
            "The energy minister agreed with Angela Merkel.\n\n"
            f"Author: Writer {n % 5}\n\nWriter {n % 5} covers Europe.\n",
            encoding="utf-8",
        )
    return folder


def test_database_url():
    """A DATABASE_URL for the database this test run uses, for `manage.py` subprocesses."""
    from django.db import connection

    db = connection.settings_dict
    host = db["HOST"] or ""
    host = quote(host, safe="") if host.startswith("/") else host
    auth = f"{quote(db['USER'])}@" if db["USER"] else ""
    return f"postgres://{auth}{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


test_database_url.__test__ = False  # a helper, not a test
