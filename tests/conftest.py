"""Test configuration: real PostgreSQL (pytest-django creates test_<name>), fast hashing,
static files served without a manifest so templates render before collectstatic."""

from pathlib import Path
from urllib.parse import quote

import pytest

REFERENCE_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PROJECT_SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp() / "staticfiles"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain http; the HTTPS settings are tested in subprocesses
    # with the production environment (tests/test_security.py).
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _page_cache(request):
    """An empty page cache for every test, and a content generation that follows each write.

    The generation changes when a transaction commits (migration 0007_pagecache); a test's
    transaction never commits, so its writes bump it statement by statement instead.
    """
    from django.core.cache import caches

    caches["default"].clear()
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


def test_database_url():
    """A DATABASE_URL for the database this test run uses, for `manage.py` subprocesses."""
    from django.db import connection

    db = connection.settings_dict
    host = db["HOST"] or ""
    host = quote(host, safe="") if host.startswith("/") else host
    auth = f"{quote(db['USER'])}@" if db["USER"] else ""
    return f"postgres://{auth}{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


test_database_url.__test__ = False  # a helper, not a test
