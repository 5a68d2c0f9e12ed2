"""Project-level guarantees: migrations, settings, static files, the import layers."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from .conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_no_pending_migrations():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_imports_follow_the_layers():
    """pyproject.toml's [tool.importlinter] contract (what `make lint` runs): no module of articles/
    imports from a layer above its own, imports inside functions included."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [lint_imports, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " kept, 0 broken" in result.stdout


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=environment, timeout=60
    )


def test_missing_secret_key_with_debug_off_fails_clearly():
    result = run_python("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_on_needs_no_secret_key():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup()", DEBUG="1"
    )
    assert result.returncode == 0, result.stderr


def test_settings_come_from_the_environment():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['NAME'], s.DATABASES['default']['PORT'])",
        SECRET_KEY=TEST_SECRET_KEY,
        ALLOWED_HOSTS="news.example.org, www.news.example.org",
        DATABASE_URL="postgres://db.internal:6543/archive",
    )
    assert result.stdout.split("\n")[0] == "False ['news.example.org', 'www.news.example.org'] archive 6543"


def test_static_files_from_a_cdn_are_allowed_by_the_policy():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup();"
        "from django.conf import settings as s; d = s.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "print(s.STATIC_URL, *['https://cdn.example.org' in d[k] for k in ('script-src', 'style-src', "
        "'img-src', 'font-src', 'default-src', 'connect-src')])"
    )
    result = run_python(code, SECRET_KEY=TEST_SECRET_KEY, STATIC_URL="https://cdn.example.org/newsroom/static/")
    assert result.stdout.split() == ["https://cdn.example.org/newsroom/static/"] + ["True"] * 4 + ["False"] * 2
    result = run_python(code, SECRET_KEY=TEST_SECRET_KEY)
    assert result.stdout.split() == ["/static/"] + ["False"] * 6


def test_sqlite_is_refused():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup()",
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL="sqlite:///db.sqlite3",
    )
    assert result.returncode != 0
    assert "needs PostgreSQL" in result.stderr


def test_collectstatic_writes_compressed_hashed_files(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    names = {p.name for p in (tmp_path / "css").iterdir()}
    hashed = [n for n in names if n.startswith("site.") and n.endswith(".css") and n != "site.css"]
    assert hashed, names
    assert f"{hashed[0]}.gz" in names


@pytest.mark.parametrize(
    "key, problem",
    [
        ("k", "1 characters"),
        ("x" * 60, "1 different ones"),
        ("django-insecure-" + "abcdefghij" * 5, "django-insecure-"),
    ],
)
def test_a_weak_secret_key_with_debug_off_fails_clearly(key, problem):
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup()", SECRET_KEY=key
    )
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr and problem in result.stderr
    assert len(key) < 10 or key not in result.stderr  # the key itself is never printed
    # With DEBUG on (local development) any key will do.
    assert (
        run_python(
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup()",
            SECRET_KEY=key,
            DEBUG="1",
        ).returncode
        == 0
    )
