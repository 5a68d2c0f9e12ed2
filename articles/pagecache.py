"""The anonymous page cache: whole public pages, invalidated per object.

A reader's request (GET or HEAD, no session cookie, not the admin or static files)
is answered from Django's cache framework when the page was rendered before and
nothing it shows has changed since.

Keys. A page declares, while it renders, the keys of what it shows
(`depends_on("article:12", "author:3", "home")`): each object shown ("article:<id>",
"author:<id>", "tag:<id>", "entity:<id>": the row's own fields) and each listing it
is ("home", "month:2024-06", "year:2024", "archive", "author-list:<id>",
"tag-list:<id>", "entity-list:<id>", "tags", "authors", "entities", "search").
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

What is stored is the response as the inner middleware left it, headers included.
Security headers (SecurityMiddleware, outside this one) are added on every
response. Only a bounded key space is cached: the canonical spelling of an
allowed host (lower case, no trailing dot, no port other than the server's), the
configured script prefix, and only the query parameters the view reads
(`cache_query_params` on the view); any other request is answered uncached. The
local-memory cache is bounded in bytes (newsroom.cache), Redis by
PAGE_CACHE_SECONDS and its own memory policy.

Every cached page carries a weak ETag (a hash of the body) and Last-Modified
(when it was rendered) with `Cache-Control: no-cache`, so browsers and proxies
revalidate and get a 304 while it has not changed. Staff and anyone signed in
(a session cookie) neither read nor fill the cache. A cache that fails (Redis
down) is logged and skipped for a few seconds.
"""

import contextvars
import functools
import hashlib
import logging
import random
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, connection, connections, router
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from newsroom.db_router import replica_reads

from .models import ContentGeneration, PageVersion
from .stats import due_sql

logger = logging.getLogger(__name__)

EVERYTHING = "all"  # a key of every page

# Tables of migration 0010_change_path (see articles/changes.py).
PENDING_KEYS_TABLE = "articles_pagekey_pending"

# Headers that belong to one response, not to the page.
_UNSTORED_HEADERS = {"set-cookie", "date", "content-length"}

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
            # at most PAGE_CACHE_SECONDS: after twice that, no page can predate the version.
            cursor.execute(
                f"DELETE FROM {PageVersion._meta.db_table} WHERE changed_at < now() - make_interval(secs => %s)",
                [2 * settings.PAGE_CACHE_SECONDS + 60],
            )


@functools.cache
def _state_sql():
    return f"""
        SELECT g.value,
               (SELECT coalesce(max(v.version), 0) FROM {PageVersion._meta.db_table} v WHERE v.key = ANY(%s)),
               EXISTS ({due_sql()})
          FROM {ContentGeneration._meta.db_table} g WHERE g.id = 1
    """


def content_state(keys):
    """(current generation, newest version among `keys`, whether a scheduled article is due), in one query."""
    with connections[router.db_for_read(ContentGeneration)].cursor() as cursor:
        cursor.execute(_state_sql(), [list(keys)])
        return cursor.fetchone()  # None when not migrated far enough


def is_public_read(request):
    """A request the anonymous cache (and the replica) may serve: a reader's GET or HEAD.

    Anyone with a session cookie may be staff (draft banners, previews) or have just
    written something, so they always get a fresh page from the primary.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    return not request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDE))


def cache_address(request):
    """The page's address as the cache keys it, or None when this spelling of it is not cached.

    Only the canonical spelling of a host, the configured script prefix (a forged
    SCRIPT_NAME never reaches a stored page) and the query parameters the view reads.
    """
    try:
        host = request.get_host()
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
        cache = caches[settings.PAGE_CACHE_ALIAS]
        entry = self._cache_call(cache.get, cache_key)
        try:
            state = content_state(entry["keys"] if entry else ())
        except DatabaseError:
            state = None  # the database is down: the view answers (503) further in, under the policy
        if state is None:
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
        self._cache_call(cache.set, cache_key, entry, settings.PAGE_CACHE_SECONDS)
        return self.from_entry(request, entry, "miss")

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
        for name, value in entry["headers"]:
            response[name] = value
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = http_date(entry["rendered_at"])
        response["X-Cache"] = outcome
        patch_cache_control(response, no_cache=True)
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["rendered_at"], response=response
        )
