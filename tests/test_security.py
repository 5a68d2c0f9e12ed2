"""Security settings, headers, the Content-Security-Policy, error pages and logs.

The production environment (docs/operations.md) is checked in subprocesses, as an
operator would start the site; headers and error pages through the test client
with DEBUG off.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from articles.roles import create_editor

from .conftest import test_database_url
from .factories import ArticleFactory
from .urls_errors import SECRET_DETAIL

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "plum-kettle-harbour-42"
HOST = "news.example.org"

# What an operator sets in production (docs/operations.md, "Production environment").
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "TRUSTED_PROXY_COUNT": "1",
}
# Everything the settings read that the production environment leaves at its default.
SETTINGS_VARIABLES = {
    "DEBUG",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXY_COUNT",
    "ALLOWED_HOSTS",
    "SECRET_KEY",
    "FORCE_SCRIPT_NAME",
}


def run(args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environment.update(env)
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=environment, timeout=120)


def manage(*args, **env):
    return run([sys.executable, "manage.py", *args], **env)


def setting_values(names, **env):
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'newsroom.settings'; django.setup();"
        "from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = run([sys.executable, "-c", code], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.django_db
class TestDeploymentSettings:
    def test_check_deploy_with_the_documented_production_environment_is_clean(self):
        result = manage("check", "--deploy", DATABASE_URL=test_database_url(), **PRODUCTION_ENV)
        assert result.returncode == 0, result.stderr
        assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
        assert "WARNINGS" not in result.stdout + result.stderr

    def test_check_deploy_notices_a_local_http_environment(self):
        # The check is not vacuous: the local settings (HTTPS=0) are flagged.
        result = manage("check", "--deploy", DATABASE_URL=test_database_url(), HTTPS="0", **PRODUCTION_ENV)
        output = result.stdout + result.stderr
        for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
            assert warning in output, output

    def test_production_defaults(self):
        values = setting_values(
            [
                "DEBUG",
                "SECURE_SSL_REDIRECT",
                "SESSION_COOKIE_SECURE",
                "CSRF_COOKIE_SECURE",
                "SECURE_HSTS_SECONDS",
                "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                "SECURE_HSTS_PRELOAD",
                "SECURE_PROXY_SSL_HEADER",
                "CSRF_TRUSTED_ORIGINS",
                "SECURE_CONTENT_TYPE_NOSNIFF",
                "SECURE_REFERRER_POLICY",
                "X_FRAME_OPTIONS",
                "SESSION_COOKIE_HTTPONLY",
            ],
            **PRODUCTION_ENV,
        )
        assert values == {
            "DEBUG": False,
            "SECURE_SSL_REDIRECT": True,
            "SESSION_COOKIE_SECURE": True,
            "CSRF_COOKIE_SECURE": True,
            "SECURE_HSTS_SECONDS": 31_536_000,
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
            "SECURE_HSTS_PRELOAD": True,
            "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
            "CSRF_TRUSTED_ORIGINS": [f"https://{HOST}"],
            "SECURE_CONTENT_TYPE_NOSNIFF": True,
            "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
            "X_FRAME_OPTIONS": "DENY",
            "SESSION_COOKIE_HTTPONLY": True,
        }

    def test_without_a_proxy_no_forwarded_header_is_trusted(self):
        env = {**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "0"}
        assert setting_values(["SECURE_PROXY_SSL_HEADER"], **env) == {"SECURE_PROXY_SSL_HEADER": None}
        custom = setting_values(["SECURE_PROXY_SSL_HEADER"], **env, SECURE_PROXY_SSL_HEADER="X-Scheme=https")
        assert custom == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_SCHEME", "https"]}

    def test_local_http_turns_the_https_settings_off_one_switch(self):
        values = setting_values(
            ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"],
            **PRODUCTION_ENV,
            HTTPS="0",
        )
        assert values == {
            "SECURE_SSL_REDIRECT": False,
            "SESSION_COOKIE_SECURE": False,
            "CSRF_COOKIE_SECURE": False,
            "SECURE_HSTS_SECONDS": 0,
        }

    @pytest.mark.parametrize(
        ("variable", "value", "message"),
        [
            ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto", "must look like X-Forwarded-Proto=https"),
            ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS must be a whole number"),
        ],
    )
    def test_malformed_values_fail_clearly(self, variable, value, message):
        result = run(
            [
                sys.executable,
                "-c",
                "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='newsroom.settings'; django.setup()",
            ],
            **PRODUCTION_ENV,
            **{variable: value},
        )
        assert result.returncode != 0
        assert message in result.stderr

    def test_localenv_serves_plain_http(self):
        result = run(
            [
                sys.executable,
                "scripts/localenv.py",
                "--",
                sys.executable,
                "-c",
                "import os; print(os.environ['HTTPS'])",
            ],
            DATABASE_URL=test_database_url(),
        )
        assert result.stdout.strip() == "0", result.stderr


@pytest.fixture
def https_settings(settings):
    """The production settings, in this process."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = [HOST]
    return settings


@pytest.mark.django_db
class TestHttps:
    def test_plain_http_is_redirected_to_https(self, client, https_settings):
        response = client.get("/tags/?page=2", HTTP_HOST=HOST)
        assert response.status_code == 301
        assert response["Location"] == f"https://{HOST}/tags/?page=2"

    def test_behind_the_proxy_https_requests_get_hsts(self, client, https_settings):
        response = client.get("/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"

    def test_admin_cookies_are_secure_httponly_and_same_site(self, https_settings):
        create_editor("editor", email="editor@example.org", password=PASSWORD)
        client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
        page = client.get("/admin/login/")
        csrf = page.cookies["csrftoken"]
        assert csrf["secure"] and csrf["samesite"] == "Lax"
        response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD}, secure=True)
        assert response.status_code == 302
        session = response.cookies[django_settings.SESSION_COOKIE_NAME]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def csp(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
class TestHeaders:
    def test_every_kind_of_response_carries_the_security_headers(self, client):
        article = ArticleFactory()
        responses = {
            "home": client.get("/"),
            "article": client.get(article.get_absolute_url()),
            "feed": client.get("/feed/"),
            "sitemap": client.get("/sitemap.xml"),
            "robots": client.get("/robots.txt"),
            "healthz": client.get("/healthz"),
            "search error": client.get("/search/?sort=sideways"),
            "404": client.get("/no/such/page/"),
            "admin login": client.get("/admin/login/"),
            "admin redirect": client.get("/admin/"),
        }
        for name, response in responses.items():
            assert response["X-Content-Type-Options"] == "nosniff", name
            assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name
            assert response["X-Frame-Options"] == "DENY", name
            assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
            policy = csp(response)
            assert policy["default-src"] == ["'self'"], name
            assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], name
            assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"], name
            assert policy["style-src"] == ["'self'"], name
            assert "'unsafe-inline'" not in response["Content-Security-Policy"], name
            assert "'unsafe-eval'" not in response["Content-Security-Policy"], name

    def test_the_json_ld_block_is_a_data_block_the_policy_needs_no_nonce_for(self, client):
        # Browsers never execute a <script type="application/ld+json">, so script-src does not
        # apply to it: the article page allows no inline script at all, and a cached page (header
        # and body) is the same for every reader, with no nonce to repeat.
        article = ArticleFactory()
        for response in (client.get(article.get_absolute_url()), client.get(article.get_absolute_url())):
            [tag] = re.findall(r"<script\b[^>]*>", response.content.decode())
            assert tag == '<script type="application/ld+json">'
            assert csp(response)["script-src"] == ["'self'"]

    def test_pages_without_inline_script_allow_none(self, client):
        ArticleFactory()
        for path in ["/", "/tags/", "/archive/", "/admin/login/"]:
            assert csp(client.get(path))["script-src"] == ["'self'"], path


# Error pages: what a visitor sees when something fails, with DEBUG off.

LEAKS = [
    "Traceback",
    "SECRET_KEY",
    "settings.py",
    "/srv/newsroom",
    "db.internal",
    "psycopg2",
    "OperationalError",
    "ValueError",
    str(Path(__file__).resolve().parents[1]),  # the checkout's path
    "django.",
]


def assert_no_leak(response, *, secret=None):
    body = response.content.decode(errors="replace")
    for leak in LEAKS:
        assert leak not in body, (response.status_code, leak)
    if secret:
        assert secret not in body
    assert "Content-Security-Policy" in response.headers
    return body


@pytest.mark.django_db
class TestErrorPages:
    @pytest.fixture(autouse=True)
    def production_like(self, settings):
        settings.DEBUG = False
        settings.SECRET_KEY = "a-distinctive-secret-that-must-never-appear-" + "x" * 20
        settings.ROOT_URLCONF = "tests.urls_errors"

    def test_404(self, client, settings):
        response = client.get("/articles/%3Cscript%3Ealert(1)%3C/script%3E/")
        assert response.status_code == 404
        body = assert_no_leak(response, secret=settings.SECRET_KEY)
        assert "Page not found" in body and "<script>alert" not in body

    def test_500(self, settings):
        client = Client(raise_request_exception=False)
        response = client.get("/test-crash/")
        assert response.status_code == 500
        body = assert_no_leak(response, secret=settings.SECRET_KEY)
        assert "Something went wrong" in body
        assert SECRET_DETAIL not in body

    def test_503_when_the_database_is_unreachable(self, settings):
        client = Client(raise_request_exception=False)
        response = client.get("/test-database-down/")
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        body = assert_no_leak(response, secret=settings.SECRET_KEY)
        assert "Temporarily unavailable" in body

    def test_400_for_a_4kb_host(self, client, settings):
        response = client.get("/", HTTP_HOST="h" * 4096)
        assert response.status_code == 400
        body = assert_no_leak(response, secret=settings.SECRET_KEY)
        assert "Bad request" in body and "hhhhhhhh" not in body

    def test_400_for_a_bad_search(self, client, settings):
        response = client.get("/search/", {"q": "x" * 10_000})
        assert response.status_code == 400
        assert_no_leak(response, secret=settings.SECRET_KEY)

    def test_403_csrf_failure(self, settings):
        create_editor("editor", email="editor@example.org", password=PASSWORD)
        client = Client(enforce_csrf_checks=True)
        response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
        assert response.status_code == 403
        body = assert_no_leak(response, secret=settings.SECRET_KEY)
        assert "Form not accepted" in body
        assert "CSRF_COOKIE" not in body and "Referer" not in body

    def test_403_permission_denied(self, client, settings):
        user = get_user_model().objects.create_user("reader", password=PASSWORD, is_staff=True)
        client.force_login(user)  # staff without permissions
        response = client.get("/admin/articles/article/")
        assert response.status_code == 403
        assert_no_leak(response, secret=settings.SECRET_KEY)

    def test_429_lockout(self, settings):
        create_editor("editor", email="editor@example.org", password=PASSWORD)
        client = Client()
        for _ in range(5):
            client.post("/admin/login/", {"username": "editor", "password": "wrong"})
        response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
        assert response.status_code == 429
        body = assert_no_leak(response, secret=settings.SECRET_KEY)
        assert "Too many failed logins" in body
        assert PASSWORD not in body


@pytest.mark.django_db
def test_no_default_accounts_exist_after_migrating():
    assert get_user_model().objects.count() == 0


def test_no_default_accounts_or_passwords_in_the_repository():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    patterns = [
        re.compile(r"DJANGO_SUPERUSER_PASSWORD"),
        re.compile(r"createsuperuser\b[^\n]*--no-?input"),
        re.compile(r"\.create_(?:super)?user\([^)]*password\s*=\s*['\"]"),
        re.compile(r"set_password\(\s*['\"]"),
        re.compile(r"(?i)\b(?:admin|root|editor)\s*[:/]\s*(?:admin|password|changeme|secret)\b"),
        re.compile(r"(?i)password\s*[:=]\s*['\"]?(?:admin|password|changeme|secret|123456)['\"]?\s*$", re.M),
    ]
    offenders = []
    for name in tracked.decode().split("\0"):
        # Tests create throwaway accounts with obviously fake passwords; nothing else may.
        if not name or name.startswith("tests/") or not (ROOT / name).is_file():
            continue
        text = (ROOT / name).read_text(errors="replace")
        offenders += [f"{name}: {p.pattern}" for p in patterns if p.search(text)]
    assert offenders == []


def test_no_view_is_exempt_from_csrf():
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    exempt = [n for n in tracked.split() if not n.startswith("tests/") and "csrf_exempt" in (ROOT / n).read_text()]
    assert exempt == []


# Logs: one key=value line per event on standard output.

LOG_SCRIPT = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
django.setup()
from django.test import Client
from django.test.utils import override_settings
from django.conf import settings
# As the test settings do: static files without collectstatic's manifest.
storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(ROOT_URLCONF="tests.urls_errors", STORAGES=storages):
    client = Client(raise_request_exception=False, HTTP_HOST="news.example.org")
    client.get("/nope%0Atime=forged level=info/")
    client.get("/test-crash/")
    client.get("/", HTTP_HOST="evil.example")
"""


@pytest.mark.django_db
def test_logs_are_one_greppable_line_per_event_on_stdout():
    result = run([sys.executable, "-c", LOG_SCRIPT], DATABASE_URL=test_database_url(), **PRODUCTION_ENV, HTTPS="0")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("time=") for line in lines), lines
    [not_found] = [line for line in lines if "status=404" in line]
    assert " level=warning logger=django.request method=GET " in not_found
    # The newline the client sent is escaped: it neither starts a line nor forges a field.
    assert 'path="/nope\\ntime=forged level=info/"' in not_found
    [crash] = [line for line in lines if "status=500" in line]
    assert "level=error logger=django.request method=GET path=/test-crash/" in crash
    assert 'error="ValueError: something broke near' in crash
    assert "traceback=" in crash and "\\n" in crash
    [host] = [line for line in lines if "logger=django.security.DisallowedHost" in line]
    assert "status=400" in host and "evil.example" in host and "traceback=" not in host
