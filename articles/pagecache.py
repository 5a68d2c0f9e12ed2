"""The anonymous page cache: whole public pages, invalidated per object.

A reader's request (GET or HEAD, no session cookie, not the admin or static files)
is answered from Django's cache framework when the page was rendered before and
nothing it shows has changed since.

Keys. A page declares, while it renders, the keys of what it shows
(`depends_on("article:12", "author:3", "home")`): each object shown ("article:<id>",
"author:<id>", "tag:<id>", "entity:<id>": the row's own fields) and each listing it
is ("home", "month:2024-06", "year:2024", "archive", "author-list:<id>",
"tag-list:<id>", "entity-list:<id>", "tags", "authors", "entities", "search", and
"articles": every article's address and last change, the sitemap's).
The change path (articles/changes.py) marks the keys a write changes; at COMMIT
they take the new content generation (the database's one counter of committed
changes). A cached page stores the generation read before it was rendered, and
is served only while none of its keys has a newer version: saving one article
re-renders the pages that show it, and an ingest leaves the pages of the
articles it does not touch in place. "all" is a key of every page: writes from
outside the change path (psql, a data migration) mark it.

Why this is right: the generation is read (one query) before the page's own
queries, and a committed change is visible to every query that reads a
generation at least as new as its own (COMMITs take generations in order, under
the row's lock). So a change committed after the page read its generation has a
newer version than the page stored; one committed before is in the page.

The same query says whether a scheduled article's time has come (then the page
is rendered, and the view counts it: `changes.catch_up()`), and reads from the
database the page itself is read from (the replica when there is one).

Where pages are kept (settings.PAGE_CACHE_STORE). "database", the default: the UNLOGGED
table of StoredPage, common to every worker and host and kept across restarts, read in the
same query as the generation and the versions of the page's keys, so a cached page costs
one query and a page is rendered once for the whole site, not once per worker (a long tail
of old articles would otherwise be rendered again by each of them); a page rendered cold
adds one statement, storing it. "cache" (the default with a replica, which cannot read an
UNLOGGED table): Django's cache framework, Redis with REDIS_URL, else each process's memory;
the page is read from the cache, then the state in its own query.

What is stored is the response as the inner middleware left it, headers included.
Security headers (SecurityMiddleware, outside this one) are added on every
response. Only a bounded key space is cached: the canonical spelling of an
allowed host (lower case, no trailing dot, no port other than the server's), the
configured script prefix, and only the query parameters the view reads
(`cache_query_params` on the view); any other request is answered uncached. The
local-memory cache is bounded in bytes (newsroom.cache), Redis by
PAGE_CACHE_SECONDS and its own memory policy, the database store by the site's own pages
(one row per page and host spelling) and PAGE_CACHE_SECONDS: an expired page is not
served, and now and then a stored page's write deletes the expired ones.

SQL on purpose: a lookup is one prepared statement (articles/prepared.py) that reads the
generation, the newest version of the page's keys, whether an article is due and the stored
page together; storing a page is an upsert that keeps a newer one; marking keys feeds the
COMMIT-time trigger of migration 0010_change_path, whose guard triggers `writes_accounted_for()`
tells that the change path reports its writes. Housekeeping deletes go through the ORM.

Every cached page carries a weak ETag (a hash of the body) and Last-Modified
(when it was rendered) with `Cache-Control: no-cache`, so browsers and proxies
revalidate and get a 304 while it has not changed. Staff and anyone signed in
(a session cookie) neither read nor fill the cache. A cache that fails (Redis
down) is logged and skipped for a few seconds.
"""

import contextvars
import datetime
import functools
import hashlib
import json
import logging
import random
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections, router
from django.db.models.functions import Now
from django.dispatch import receiver
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from newsroom.db_router import replica_reads
from newsroom.middleware import checked_host

from .models import ContentGeneration, PageVersion, StoredPage
from .prepared import PreparedStatement
from .stats import due_sql

logger = logging.getLogger(__name__)

EVERYTHING = "all"  # a key of every page
DATABASE_STORE = "database"  # settings.PAGE_CACHE_STORE: pages in StoredPage rather than in Django's cache

# Tables of migration 0010_change_path (see articles/changes.py).
PENDING_KEYS_TABLE = "articles_pagekey_pending"

# Headers that belong to one response, not to the page.
_UNSTORED_HEADERS = {"set-cookie", "date", "content-length"}

# The request headers that can make a stored page's answer a 304 or a 412.
_CONDITIONAL_HEADERS = frozenset(
    ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
)

_collecting = contextvars.ContextVar("page_dependencies", default=None)


def key(kind, pk):
    """The key of one object's page content: key("article", 12) == "article:12"."""
    return f"{kind}:{pk}"


def card_keys(articles):
    """The keys of article cards: each article, its author and its tags (as listings prefetch them)."""
    keys = []
    for article in articles:
        keys.append(key("article", article.pk))
        if article.author_id:
            keys.append(key("author", article.author_id))
        keys.extend(key("tag", tag.pk) for tag in article.listing_tags)
    return keys


def depends_on(*keys):
    """Declare that the page being rendered shows these keys (a no-op when it will not be cached)."""
    collected = _collecting.get()
    if collected is not None:
        collected.update(keys)


def writes_accounted_for():
    """Tell the guard triggers (migration 0010_change_path) that the current transaction reports
    what it writes to invalidate(): they then leave the key "all" unmarked (articles/changes.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('newsroom.change_path', 'on', true)")


def invalidate(keys):
    """Mark `keys` changed by the current transaction: at COMMIT they take the new content generation.

    Called by articles.changes.apply(). Now and then (one call in a hundred) it also
    forgets versions older than any cached page can be, so the table stays small.
    """
    keys = sorted(set(keys))
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PENDING_KEYS_TABLE} (key) SELECT unnest(%s::text[])", [keys])
        cursor.execute("SELECT articles_mark_changed()")
        if random.random() < 0.01:  # noqa: S311 -- spreading housekeeping, not security
            # A page rendered before a change is stored within a request's time limit and lives
            # at most PAGE_CACHE_SECONDS: after twice that, no page can predate the version. "all"
            # stays: stored article parts (articles/parts.py) older than it are not served.
            old = Now() - datetime.timedelta(seconds=2 * settings.PAGE_CACHE_SECONDS + 60)
            PageVersion.objects.filter(changed_at__lt=old).exclude(key=EVERYTHING).delete()


@functools.cache
def _state_sql():
    return f"""
        SELECT g.value,
               (SELECT coalesce(max(v.version), 0) FROM {PageVersion._meta.db_table} v WHERE v.key = ANY(%s)),
               EXISTS ({due_sql()})
          FROM {ContentGeneration._meta.db_table} g WHERE g.id = 1
    """


_STATE = PreparedStatement("content_state")


def content_state(keys):
    """(current generation, newest version among `keys`, whether a scheduled article is due), in one query."""
    connection = connections[router.db_for_read(ContentGeneration)]

    def query():
        with connection.cursor() as cursor:
            _STATE.execute(connection, cursor, _state_sql(), [list(keys)])
            return cursor.fetchone()  # None when not migrated far enough

    return as_health_check(connection, query)


def as_health_check(connection, query):
    """`query()`, a request's first on `connection`, standing in for Django's CONN_HEALTH_CHECKS check.

    With health checks on, Django sends `SELECT 1` before a request's first query on a
    persistent connection: a round trip of its own, so a stored page cost two where its
    lookup is one. The page cache's query is a reader's first, so it is the check: if it
    fails because the connection is gone (the server restarted, an operator or a failover cut
    it), the connection is closed and the query asked once more on a new one, as Django does
    after a failed `SELECT 1`. Any other error is raised as it was.
    """
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
    ):
        return query()
    connection.health_check_done = True
    try:
        return query()
    except (InterfaceError, OperationalError):
        if connection.is_usable():
            raise
        connection.close()
        return query()


@functools.cache
def _stored_page_sql():
    return f"""
        SELECT g.value,
               (SELECT coalesce(max(v.version), 0) FROM {PageVersion._meta.db_table} v WHERE v.key = ANY(p.keys)),
               EXISTS ({due_sql()}),
               p.generation, p.headers, p.content, p.etag, p.rendered_at
          FROM {ContentGeneration._meta.db_table} g
          LEFT JOIN {StoredPage._meta.db_table} p
            ON p.address = %s AND p.stored_at > now() - make_interval(secs => %s)
         WHERE g.id = 1
    """


_STORED_PAGE = PreparedStatement("stored_page")  # planning it took longer than running it


def stored_page_and_state(cache_key):
    """(the page stored under `cache_key` or None, content_state() of its keys), in one query."""
    connection = connections[router.db_for_read(StoredPage)]
    params = [cache_key.removeprefix("page:"), settings.PAGE_CACHE_SECONDS]

    def query():
        with connection.cursor() as cursor:
            _STORED_PAGE.execute(connection, cursor, _stored_page_sql(), params)
            return cursor.fetchone()

    row = as_health_check(connection, query)
    if row is None:
        return None, None  # not migrated far enough
    generation, newest, due, stored_generation, headers, content, etag, rendered_at = row
    if stored_generation is None:
        return None, (generation, newest, due)
    entry = {
        "headers": json.loads(headers) if isinstance(headers, str) else headers,  # Django reads jsonb as text
        "content": bytes(content),
        "etag": etag,
        "rendered_at": rendered_at,
        "generation": stored_generation,
    }
    return entry, (generation, newest, due)


@functools.cache
def _store_page_sql():
    table = StoredPage._meta.db_table
    return f"""
        INSERT INTO {table} (address, keys, generation, headers, content, etag, rendered_at, stored_at)
        VALUES (%s, %s, %s, %s::jsonb, %s, %s, %s, now())
            ON CONFLICT (address) DO UPDATE
           SET keys = EXCLUDED.keys, generation = EXCLUDED.generation, headers = EXCLUDED.headers,
               content = EXCLUDED.content, etag = EXCLUDED.etag, rendered_at = EXCLUDED.rendered_at,
               stored_at = EXCLUDED.stored_at
         WHERE {table}.generation <= EXCLUDED.generation
    """


_STORE_PAGE = PreparedStatement("store_page")


def store_page(cache_key, entry):
    """Store a page (PageCacheMiddleware.to_entry()) in StoredPage, unless a newer one is there
    (a slower request that read an older generation does not replace it).

    Now and then (one call in a hundred) also deletes the pages that have expired.
    """
    connection = connections[router.db_for_write(StoredPage)]
    with connection.cursor() as cursor:
        _STORE_PAGE.execute(
            connection,
            cursor,
            _store_page_sql(),
            [
                cache_key.removeprefix("page:"),
                entry["keys"],
                entry["generation"],
                json.dumps(entry["headers"]),
                entry["content"],
                entry["etag"],
                entry["rendered_at"],
            ],
        )
    if random.random() < 0.01:  # noqa: S311 -- spreading housekeeping, not security
        expired = Now() - datetime.timedelta(seconds=settings.PAGE_CACHE_SECONDS)
        StoredPage.objects.using(connection.alias).filter(stored_at__lt=expired).delete()


def clear():
    """Forget every stored page, in both stores (the benchmark's "cold" pages, tests reading a view's context)."""
    caches[settings.PAGE_CACHE_ALIAS].clear()
    StoredPage.objects.all().delete()


def is_public_read(request):
    """A request the anonymous cache (and the replica) may serve: a reader's GET or HEAD.

    Anyone with a session cookie may be staff (draft banners, previews) or have just
    written something, so they always get a fresh page from the primary.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    session_cookie, excluded = _public_read_settings()
    if session_cookie in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    return not request.path_info.startswith(excluded)


@functools.cache
def _public_read_settings():
    """(the session cookie's name, the excluded path prefixes): read once, not on every request."""
    return settings.SESSION_COOKIE_NAME, tuple(settings.PAGE_CACHE_EXCLUDE)


@receiver(setting_changed)
def _forget_settings(setting, **kwargs):
    if setting in ("SESSION_COOKIE_NAME", "PAGE_CACHE_EXCLUDE"):
        _public_read_settings.cache_clear()


def cache_address(request):
    """The page's address as the cache keys it, or None when this spelling of it is not cached.

    Only the canonical spelling of a host, the configured script prefix (a forged
    SCRIPT_NAME never reaches a stored page) and the query parameters the view reads.
    """
    try:
        host = checked_host(request)  # request.get_host(), remembered per Host header
    except DisallowedHost:
        return None  # answered with a 400 further in, under the policy
    domain, port = split_domain_port(host)
    if not domain or host != (f"{domain}:{port}" if port else domain):
        return None  # upper case, a trailing dot, an odd port
    if port and (port != request.META.get("SERVER_PORT") or port == {"http": "80", "https": "443"}[request.scheme]):
        return None
    if get_script_prefix() != (settings.FORCE_SCRIPT_NAME or "/").rstrip("/") + "/":
        return None
    allowed = _query_params(request.path_info)
    if allowed is None or any(name not in allowed for name in request.GET):
        return None
    return f"{request.scheme}://{host}{get_script_prefix()}|{request.path_info}?{request.GET.urlencode()}"


@functools.lru_cache(maxsize=4096)
def _query_params(path_info):
    """The query parameters the view of `path_info` reads (its `cache_query_params`), or None for no view."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    return frozenset(getattr(view, "cache_query_params", ()))


class PageCacheMiddleware:
    """Serve and fill the anonymous page cache (see the module docstring).

    Sits right inside SecurityMiddleware and outside CSPMiddleware, so the stored
    response already carries its policy and every answer still gets the security headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.response(request)
        if request.method == "HEAD" and not response.streaming:
            # A GET's headers without its body: a stored page has one, and a view answers HEAD as GET;
            # gunicorn drops such bytes itself, with a warning per request.
            response.content = b""
        return response

    def response(self, request):
        if not is_public_read(request):
            return self.get_response(request)
        with replica_reads():
            if not settings.PAGE_CACHE_ENABLED:
                return self.get_response(request)
            return self.cached_response(request)

    def cached_response(self, request):
        address = cache_address(request)
        if address is None:
            return self.get_response(request)
        cache_key = "page:" + hashlib.sha256(address.encode()).hexdigest()
        entry, state = self.lookup(cache_key)
        if state is None:  # the database is down (the view answers 503 further in) or not migrated
            return self.get_response(request)
        generation, newest, due = state
        if entry is not None and not due and newest <= entry["generation"]:
            return self.from_entry(request, entry, "hit")
        request.articles_due = due  # the view need not ask again (changes.catch_up)
        keys = set()
        token = _collecting.set(keys)
        try:
            response = self.get_response(request)
        finally:
            _collecting.reset(token)
        entry = self.to_entry(request, response, keys | {EVERYTHING}, generation) if keys else None
        if entry is None:
            return response
        self.store(cache_key, entry)
        return self.from_entry(request, entry, "miss")

    def lookup(self, cache_key):
        """(the stored page or None, the content state or None when the database cannot say)."""
        if settings.PAGE_CACHE_STORE == DATABASE_STORE:
            try:
                return stored_page_and_state(cache_key)
            except DatabaseError:
                return None, None
        entry = self._cache_call(caches[settings.PAGE_CACHE_ALIAS].get, cache_key)
        try:
            return entry, content_state(entry["keys"] if entry else ())
        except DatabaseError:
            return entry, None

    def store(self, cache_key, entry):
        if settings.PAGE_CACHE_STORE == DATABASE_STORE:
            try:
                store_page(cache_key, entry)
            except DatabaseError:  # a full disk, a read-only primary: the page is served, not kept
                logger.warning("page store unavailable; the page was not stored", exc_info=True)
        else:
            self._cache_call(caches[settings.PAGE_CACHE_ALIAS].set, cache_key, entry, settings.PAGE_CACHE_SECONDS)

    # After a cache failure, this process leaves the cache alone for a few seconds, so an
    # unreachable Redis costs one timeout now and then rather than two per request.
    _retry_after = 0.0
    RETRY_SECONDS = 5.0

    def _cache_call(self, method, *args):
        if time.monotonic() < self._retry_after:
            return None
        try:
            return method(*args)
        except Exception:  # any backend failure (Redis down, timeout): serve uncached
            logger.warning(
                "page cache unavailable; pages are served uncached for %ss", self.RETRY_SECONDS, exc_info=True
            )
            PageCacheMiddleware._retry_after = time.monotonic() + self.RETRY_SECONDS
            return None

    @staticmethod
    def to_entry(request, response, keys, generation):
        """What to store of a response, or None if it must not be cached."""
        if request.method != "GET" or response.status_code != 200 or response.streaming or response.cookies:
            return None
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store")):
            return None
        content = response.content
        headers = [(name, value) for name, value in response.items() if name.lower() not in _UNSTORED_HEADERS]
        # Weak: the ETag names the content, not the bytes of one encoding of it.
        etag = 'W/"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
        return {
            "headers": headers,
            "content": content,
            "etag": etag,
            "rendered_at": int(time.time()),
            "keys": sorted(keys),
            "generation": generation,
        }

    @staticmethod
    def from_entry(request, entry, outcome):
        """The response for a stored page; `X-Cache` says whether it was served from the cache ("hit")
        or rendered just now ("miss"), for operators and the benchmark."""
        response = HttpResponse(entry["content"])
        own_cache_control = False
        for name, value in entry["headers"]:
            response[name] = value
            own_cache_control = own_cache_control or name.lower() == "cache-control"
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = http_date(entry["rendered_at"])
        response["X-Cache"] = outcome
        if own_cache_control:
            patch_cache_control(response, no_cache=True)
        else:
            response["Cache-Control"] = "no-cache"  # what patch_cache_control() makes of no header
        if _CONDITIONAL_HEADERS.isdisjoint(request.META):
            return response  # nothing to compare: get_conditional_response() would parse four absent headers
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["rendered_at"], response=response
        )
