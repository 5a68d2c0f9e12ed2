"""Settings for Newsroom, read from environment variables.

Every setting has a safe default for local use except SECRET_KEY, which must be
set, and strong (what `check --deploy` asks for), whenever DEBUG is off (the
default). `scripts/localenv.py`, which the Makefile uses, provides a per-checkout
random key for local runs.

Environment variables:
    DATABASE_URL   PostgreSQL URL (default postgres:///newsroom, the local Unix socket)
    SECRET_KEY     required unless DEBUG is on: at least 50 characters, at least 5 different ones
    DEBUG          "1"/"true" to enable debug mode (default off)
    ALLOWED_HOSTS  comma-separated host names (default localhost, 127.0.0.1, [::1])
    LOG_LEVEL      level for the project's loggers (default INFO)
    STATIC_ROOT    where collectstatic writes (default var/staticfiles)
    STATIC_URL     where pages link static files (default /static/; a CDN's URL, see docs/scaling.md)
    TRUSTED_PROXY_COUNT  how many reverse proxies stand in front of the site (default 0)
    HTTPS          whether the site is served over HTTPS (default on unless DEBUG); with it on,
                   plain-http requests are redirected, cookies are Secure and HSTS is sent.
                   `scripts/localenv.py` (make run) sets HTTPS=0 for http://127.0.0.1.
    SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE, SECURE_HSTS_SECONDS,
    SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD
                   each overrides what HTTPS implies for that one setting
    SECURE_PROXY_SSL_HEADER  the header a TLS-terminating proxy sets, as NAME=VALUE
                   (default X-Forwarded-Proto=https when TRUSTED_PROXY_COUNT > 0, else none)
    CSRF_TRUSTED_ORIGINS  comma-separated origins (https://news.example.org) allowed to POST
    REDIS_URL      redis://host:6379/0: the shared cache (default: each process's local memory)
    DATABASE_REPLICA_URL  a read replica of DATABASE_URL for readers' pages (default none)
    FORCE_SCRIPT_NAME  the path the site is served under (default "", the root); never
                   taken from the request
    PREPARED_STATEMENTS  "0" behind PgBouncer in transaction pooling mode: the article page's query
                   is then sent as plain SQL, not planned once per connection (default on)
    PAGE_CACHE     "0" to switch the anonymous page cache off (default on)
    PAGE_CACHE_SECONDS  how long a cached page may live at most (default 600; changes invalidate at once)
    PAGE_CACHE_STORE    where cached pages are kept: "database" (a PostgreSQL table shared by every
                   process and host; the default) or "cache" (Django's cache: Redis with REDIS_URL,
                   else each process's memory; the default with DATABASE_REPLICA_URL)
    CACHE_MAX_ENTRIES   pages kept per process by the local-memory cache (default 1000)
    CACHE_MAX_MB        megabytes of pages kept per process by the local-memory cache (default 64)
    SITE_NAME      the site's name in page titles, feeds and the admin's header (default Newsroom)
    API_RATE_LIMIT      API requests per address per API_RATE_WINDOW seconds (default 300 per 60)
The security block below has the details; docs/operations.md the production environment.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
            "random string (or set DEBUG=1 for local development); `make run` creates "
            "one for you in var/secret_key."
        )
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - only ever used with DEBUG on
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # What `check --deploy` warns about (security.W009), refused at start: a short or
    # repetitive key can be guessed, and it signs sessions, password resets and tasks.
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak for DEBUG off: it has {len(SECRET_KEY)} characters, "
        f"{len(set(SECRET_KEY))} different ones. Use at least 50 characters with at least 5 different "
        "ones, not starting with 'django-insecure-', e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# The site's name, shown in page titles, feeds and the admin's header.
SITE_NAME = os.environ.get("SITE_NAME", "").strip() or "Newsroom"

INSTALLED_APPS = [
    "newsroom.admin_site.NewsroomAdminConfig",  # django.contrib.admin, with the site's name and desk
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "taggit",
    "axes",
    "csp",
    "django_q",
    "articles",
]

MIDDLEWARE = [
    # Outermost: every response leaves compressed when the client accepts gzip, cached pages
    # included (they are stored as rendered and compressed on the way out; their ETag is weak,
    # naming the content rather than the bytes of one encoding). Django's gzip pads each
    # response with random bytes against BREACH; WhiteNoise's static files arrive already
    # compressed and are left as they are.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /api/: rate limit per address, CORS, JSON errors (articles/api/middleware.py); outside the
    # page cache, so that requests the cache answers are counted too.
    "articles.api.middleware.ApiMiddleware",
    # Readers' pages from the cache (articles/pagecache.py): outside CSP, so a page is stored
    # with its policy (the same for every reader: no nonce); inside Security, so every answer
    # gets its headers.
    "articles.pagecache.PageCacheMiddleware",
    # Outermost but one: every response, error pages included, gets the policy (see below).
    "newsroom.middleware.CSPMiddleware",  # django-csp's, with the policy built once (newsroom/middleware.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's own, as Security, CSRF and clickjacking are: `check --deploy` looks for them by name.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.middleware.CommonMiddleware",  # Django's, the Host header checked once per spelling
    "django.middleware.csrf.CsrfViewMiddleware",
    "newsroom.middleware.AuthenticationMiddleware",  # Django's, its hook called directly
    "newsroom.middleware.MessageMiddleware",  # Django's, storage made only when used (newsroom/middleware.py)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.middleware.SlugRedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.admin_site.site_names",
            ],
        },
    },
]

# PostgreSQL only. The default reaches a local server over its Unix socket.
DATABASES = {
    "default": dj_database_url.config(
        default="postgres:///newsroom",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Newsroom needs PostgreSQL: DATABASE_URL must be a postgres:// URL.")
# A read replica for readers' pages (newsroom/db_router.py); the admin, writes, signed-in
# users and commands use the primary. Tests read the primary through it (MIRROR).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["newsroom.db_router.ReplicaRouter"]
# The article page's query is planned once per connection (articles/prepared.py); behind
# PgBouncer in transaction pooling mode set PREPARED_STATEMENTS=0.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# A CDN in front of the site's own static files: STATIC_URL=https://cdn.example.org/static/
# (the CDN pulls from this site's /static/, which WhiteNoise serves; the names are hashed,
# so a file never changes under its name). Its origin joins the Content-Security-Policy.
STATIC_URL = os.environ.get("STATIC_URL") or "static/"
_static_origin = "{0.scheme}://{0.netloc}".format(urlsplit(STATIC_URL)) if "://" in STATIC_URL else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "staticfiles")
# Files served at the site's root rather than under STATIC_URL (/favicon.ico), by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with content-hashed names, served by WhiteNoise with far-future caching.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Tags are case-insensitive: "russia" and "Russia" are one tag.
TAGGIT_CASE_INSENSITIVE = True

# --- Editors and the admin (issue 5) -------------------------------------------------
# Old addresses of merged or renamed pages answer 301 (articles.middleware, in MIDDLEWARE).
# Failed admin logins are throttled by django-axes: after AXES_FAILURE_LIMIT failures for
# one username from one IP address, that pair is locked out for AXES_COOLOFF_TIME (a
# successful login resets the count). Behind reverse proxies, set TRUSTED_PROXY_COUNT to
# how many there are, so the client's address is read from X-Forwarded-For; never set it
# when clients can reach the site directly, or they could choose their own address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out clients before the password check
    "django.contrib.auth.backends.ModelBackend",
]
try:
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or "0")
except ValueError:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be a whole number (0 when no proxy is in front).") from None
AXES_FAILURE_LIMIT = 5
# ...and every username from one address is locked out after this many failures from it in
# all (articles.middleware.LoginThrottle): one address cannot try username after username.
AXES_ADDRESS_FAILURE_LIMIT = 20
AXES_HANDLER = "articles.middleware.LoginThrottle"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "articles.middleware.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_VERBOSE = False  # no banner in the output of every manage.py command
# ----------------------------------------------------------------------------------------

# --- Security: HTTPS, cookies, headers, Content-Security-Policy (issue 8) -------------
# Safe production defaults: the site is assumed to be served over HTTPS (HTTPS=1, the
# default unless DEBUG is on), so plain http is redirected, cookies are Secure and
# browsers are told to use HTTPS only (HSTS, a year, subdomains, preload list). Local
# `make run` over http://127.0.0.1 gets HTTPS=0 from scripts/localenv.py. Each of the
# settings HTTPS implies can be overridden by an environment variable of its own name.
# `manage.py check --deploy` with the production environment of docs/operations.md
# reports nothing (tests/test_security.py runs it).
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=HTTPS)
try:
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or (31_536_000 if HTTPS else 0))
except ValueError:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be a whole number of seconds.") from None
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# Behind a TLS-terminating proxy, gunicorn sees plain http; the proxy says what the client
# used in a header, trusted only when a proxy is declared (and the proxy must set it itself,
# overwriting what a client sent). "X-Forwarded-Proto=https" -> ("HTTP_X_FORWARDED_PROTO", "https").
_proxy_ssl_header = os.environ.get(
    "SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto=https" if TRUSTED_PROXY_COUNT > 0 else ""
).strip()
if _proxy_ssl_header:
    _name, _sep, _value = _proxy_ssl_header.partition("=")
    if not _sep or not _name.strip() or not _value.strip():
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must look like X-Forwarded-Proto=https.")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from this site, no inline script at
# all (the article page's JSON-LD block is a data block, which browsers never execute, so
# the policy does not apply to it and it needs no nonce: every cached page is safe to
# serve to every reader); no inline styles, plugins, framing, <base> or foreign form
# targets. The admin gets the same policy: Django 5.2's admin has no inline script, and
# its one inline <style> (a change list with actions neither on top nor at the bottom) is
# not used here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}
if _static_origin:
    for _directive in ("script-src", "style-src", "img-src", "font-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive].append(_static_origin)
# ----------------------------------------------------------------------------------------

# --- Caching (issue 7) -----------------------------------------------------------------
# Local memory per process by default; one Redis shared by every process and host when
# REDIS_URL is set. Short socket timeouts: if Redis is down, pages are served uncached.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.BoundedLocMemCache",  # LocMemCache, bounded in bytes too
            "OPTIONS": {
                "MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "1000")),
                "MAX_BYTES": int(os.environ.get("CACHE_MAX_MB", "64")) * 1024 * 1024,
            },
        }
    }
# The anonymous page cache (articles/pagecache.py): a page is served only while nothing it
# shows has changed (per-object invalidation through the change path), so it is never
# older than the last committed write; PAGE_CACHE_SECONDS only bounds how long an unused
# page occupies the cache. Pages are cached under FORCE_SCRIPT_NAME's prefix only.
# The script prefix is pinned here, never read from the request: a SCRIPT_NAME a client
# smuggles in (a header some servers map into the WSGI environ; gunicorn.conf.py drops it
# too) cannot move the site's links. "" serves the site at the root; FORCE_SCRIPT_NAME=/news
# serves it under /news/ behind a proxy that removes /news from the path it passes on.
FORCE_SCRIPT_NAME = os.environ.get("FORCE_SCRIPT_NAME", "").rstrip("/")
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", default=True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Where pages are kept. "database": the UNLOGGED table articles_storedpage, read in the same
# query as the versions of what the page shows (one query per cached page), common to every
# worker and host and kept across restarts, so a long tail of old articles is rendered once,
# not once per worker. A replica cannot read an UNLOGGED table, so with DATABASE_REPLICA_URL
# pages go to Django's cache ("cache": Redis with REDIS_URL, else each process's memory).
PAGE_CACHE_STORE = os.environ.get("PAGE_CACHE_STORE") or ("cache" if "replica" in DATABASES else "database")
if PAGE_CACHE_STORE not in ("database", "cache"):
    raise ImproperlyConfigured(f"PAGE_CACHE_STORE must be database or cache, not {PAGE_CACHE_STORE!r}.")
if PAGE_CACHE_STORE == "database" and "replica" in DATABASES:
    raise ImproperlyConfigured(
        "PAGE_CACHE_STORE=database cannot be used with DATABASE_REPLICA_URL: a replica cannot read the"
        " page store's UNLOGGED table. Use PAGE_CACHE_STORE=cache with REDIS_URL."
    )
# Static files are WhiteNoise's (further in); the path part, in case STATIC_URL is a CDN's URL.
PAGE_CACHE_EXCLUDE = ["/admin/", "/healthz", "/" + urlsplit(STATIC_URL).path.lstrip("/")]
# ----------------------------------------------------------------------------------------

# The API (/api/v1/, articles/api/): requests per address per window, past which it answers 429.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "300"))
API_RATE_WINDOW = int(os.environ.get("API_RATE_WINDOW", "60"))

# Background jobs (articles/jobs/): django-q2 with PostgreSQL as its queue, no other server.
# A task not acknowledged within JOB_RETRY_SECONDS (its worker was killed) is handed out again:
# above the longest part of any job. A part is started at most JOB_MAX_ATTEMPTS times.
JOB_RETRY_SECONDS = int(os.environ.get("JOB_RETRY_SECONDS", "360"))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "3"))
# Articles per part: a re-link part matches 1,000 in about a second; re-extraction with the
# statistical model takes a few seconds for 50.
JOB_RELINK_PART = int(os.environ.get("JOB_RELINK_PART", "1000"))
JOB_REEXTRACT_PART = int(os.environ.get("JOB_REEXTRACT_PART", "50"))
# Articles per part of a merge (tags, authors, entities) and of a bulk action (publish,
# unpublish, add a tag); a bulk action over at most JOB_BULK_INLINE_MAX articles (a page of
# the admin's list) is done in the request, with no job.
JOB_MERGE_PART = int(os.environ.get("JOB_MERGE_PART", "1000"))
JOB_BULK_PART = int(os.environ.get("JOB_BULK_PART", "500"))
JOB_BULK_INLINE_MAX = int(os.environ.get("JOB_BULK_INLINE_MAX", "50"))
# Article page parts (articles/parts.py) a write renders in its own transaction; more are
# marked stale and rendered by a job (about 5 ms each), JOB_PARTS_PART per part.
PARTS_INLINE_MAX = int(os.environ.get("PARTS_INLINE_MAX", "50"))
JOB_PARTS_PART = int(os.environ.get("JOB_PARTS_PART", "500"))
# Run each job at once in the process that asks for it (tests; scripts with no worker running).
JOBS_INLINE = env_bool("JOBS_INLINE")
Q_CLUSTER = {
    "name": "newsroom",
    "orm": "default",
    "workers": int(os.environ.get("WORKER_CONCURRENCY") or os.cpu_count() or 1),
    "retry": JOB_RETRY_SECONDS,
    "timeout": JOB_RETRY_SECONDS - 60,  # a part still running then is stopped, and handed out again
    "max_attempts": JOB_MAX_ATTEMPTS + 1,
    "ack_failures": True,  # failures are retried by the job runner, which records why
    "daemonize_workers": False,  # a part may fork (ingest's extraction pool)
    "save_limit": 1000,  # successful tasks kept for the admin's "Task queue" pages
    "poll": 0.5,
    "catch_up": False,
    "label": "Task queue",
}

# How many articles a listing page shows.
ARTICLES_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One line per event, key=value pairs (newsroom/logfmt.py): grep level=error, status=500, path=…
    "formatters": {
        "logfmt": {"()": "newsroom.logfmt.LogfmtFormatter"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "logfmt"},
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "newsroom": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False},
        "articles": {
            "handlers": ["stdout"],
            "level": os.environ.get("LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # The job queue (django-q2): a worker's start and stop, each task enqueued and processed.
        "django-q": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
