"""The anonymous page cache: whole public pages, keyed on what the database last committed.

A reader's request (GET or HEAD, no session cookie, not the admin or static files)
is answered from Django's cache framework when the page was rendered before under
the same *content state*:

- the content generation (models.ContentGeneration), which database triggers change
  at the commit of every write to a table the public pages read: admin saves and
  bulk actions, merges, ingest, relinks, imports, a psql session. A page filled
  before the commit has another key and is never served again;
- the publication time of the next scheduled article: when it comes, the key
  changes too, so the article appears on time although nothing was written.

Both come from one indexed query per request, on the database the page itself is
read from (the replica when there is one, see newsroom.db_router), so a cached
page is never newer or older than what that database holds. The query is the
price of correctness across processes and hosts: local-memory caches are per
process, and no cache can see a write made in psql; it costs about 0.1 ms.

What is stored is the response as the inner middleware left it, headers
included: its Content-Security-Policy header therefore keeps matching the nonce
in the cached body (the nonce is unknowable before the page is rendered, and any
change to the page's content renders it anew with a new one). Security headers
from SecurityMiddleware (outside this one) are added on every response.

Every cached page carries a weak ETag (the body's hash with its CSP nonce left out,
so every process gives the same page the same ETag) and Last-Modified (when it was
rendered) with `Cache-Control: no-cache`, so browsers and proxies revalidate and get
a 304 while it has not changed. Staff and anyone signed in (a session
cookie) neither read nor fill the cache. A cache that fails (Redis down) is
logged and skipped for a few seconds: pages are rendered as if there were no cache.
"""

import hashlib
import logging
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, connections, router
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from newsroom.db_router import replica_reads

from .models import Article, ContentGeneration

logger = logging.getLogger(__name__)

_STATE_SQL = f"""
    SELECT g.value,
           (SELECT min(a.published_at) FROM {Article._meta.db_table} a
             WHERE a.status = %s AND a.published_at > now())
      FROM {ContentGeneration._meta.db_table} g WHERE g.id = 1
"""

_NONCE = re.compile(rb'nonce="[^"]*"')

# Headers that belong to one response, not to the page.
_UNSTORED_HEADERS = {"set-cookie", "date", "content-length"}


def content_state():
    """(generation, next scheduled publication or None), from the database reads go to."""
    with connections[router.db_for_read(ContentGeneration)].cursor() as cursor:
        cursor.execute(_STATE_SQL, [Article.Status.PUBLISHED])
        row = cursor.fetchone()
    if row is None:  # not migrated far enough: behave as if every page were new
        return None
    generation, next_due = row
    return f"{generation}:{next_due.timestamp() if next_due else '-'}"


def is_public_read(request):
    """A request the anonymous cache (and the replica) may serve: a reader's GET or HEAD.

    Anyone with a session cookie may be staff (draft banners, previews) or have just
    written something, so they always get a fresh page from the primary.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    path = request.path_info
    return not any(path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDE)


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
        try:
            # scheme + host + path + query: the page's canonical links depend on all four.
            address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        except DisallowedHost:
            return self.get_response(request)  # answered with a 400 further in, under the policy
        try:
            state = content_state()
        except DatabaseError:
            state = None  # the database is down: the view answers (503) further in, under the policy
        if state is None:
            return self.get_response(request)
        key = "page:" + hashlib.sha256(f"{state}|{address}".encode()).hexdigest()
        cache = caches[settings.PAGE_CACHE_ALIAS]
        entry = self._cache_call(cache.get, key)
        if entry is not None:
            return self.from_entry(request, entry)
        response = self.get_response(request)
        entry = self.to_entry(request, response)
        if entry is None:
            return response
        self._cache_call(cache.set, key, entry, settings.PAGE_CACHE_SECONDS)
        return self.from_entry(request, entry)

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
    def to_entry(request, response):
        """What to store of a response, or None if it must not be cached."""
        if request.method != "GET" or response.status_code != 200 or response.streaming or response.cookies:
            return None
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store")):
            return None
        content = response.content
        headers = [(name, value) for name, value in response.items() if name.lower() not in _UNSTORED_HEADERS]
        # The ETag names the content, not this render (hence weak): the CSP nonce is left out,
        # so every process (each with its own cache and nonces) gives a page the same ETag.
        # A 304 carries no Content-Security-Policy: a browser keeps its own body and header.
        etag = 'W/"' + hashlib.blake2b(_NONCE.sub(b'nonce=""', content), digest_size=16).hexdigest() + '"'
        return (headers, content, etag, int(time.time()))

    @staticmethod
    def from_entry(request, entry):
        headers, content, etag, rendered_at = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response["ETag"] = etag
        response["Last-Modified"] = http_date(rendered_at)
        patch_cache_control(response, no_cache=True)
        return get_conditional_response(request, etag=etag, last_modified=rendered_at, response=response)
