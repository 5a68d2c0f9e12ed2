"""ApiMiddleware: what every answer under /api/ gets, cached or not.

It sits right inside SecurityMiddleware, outside the page cache, so that it
counts and answers every request, those the cache serves included:

- Rate limit: at most settings.API_RATE_LIMIT requests per API_RATE_WINDOW
  seconds per client address (articles.middleware.client_ip, which knows about
  reverse proxies), counted in Django's cache (Redis when REDIS_URL is set, so
  shared by every process; otherwise per process). Past it: 429 with
  `Retry-After` (seconds until the window ends). Every answer carries
  `X-RateLimit-Limit` and `X-RateLimit-Remaining`. If the cache fails, requests
  are let through.
- CORS: any origin may GET (`Access-Control-Allow-Origin: *`, no credentials);
  a preflight OPTIONS is answered here.
- Errors are JSON: Django's own error pages under /api/ (404 for an address no route
  matches, 405 for another method, 400 for a host the site does not serve, 500, 503)
  become `{"message", "parameter"}` like the API's own errors.
- Conditional GET for answers the page cache did not keep (a signed-in user's,
  say): a weak `ETag` from the body, and 304 when it matches.
"""

import hashlib
import json
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from ..middleware import client_ip

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
JSON = "application/json; charset=utf-8"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
# Answers made outside the API's routes (Django's own pages) and what they say as JSON.
GENERIC_ERRORS = {
    400: "The request could not be understood (a host name this site does not serve, say).",
    403: "This request is not allowed.",
    404: "There is nothing at this address: /api/v1/ lists what there is.",
    405: "The API is read-only: only GET and HEAD (and OPTIONS for CORS) are answered.",
    500: "Something went wrong on our side; it has been logged.",
    503: "The archive is unavailable for a moment; try again shortly.",
}


def json_error(message, parameter=None, *, status):
    body = json.dumps({"message": message, "parameter": parameter})
    return HttpResponse(body, status=status, content_type=JSON)


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        limited, remaining, retry_after = self.count(request)
        if limited:
            response = json_error(
                f"Too many requests: at most {settings.API_RATE_LIMIT} every {settings.API_RATE_WINDOW} seconds "
                f"per address. Try again in {retry_after} seconds.",
                status=429,
            )
            response["Retry-After"] = str(retry_after)
        elif request.method == "OPTIONS":
            response = HttpResponse(status=200)
            for name, value in PREFLIGHT_HEADERS.items():
                response[name] = value
        else:
            response = self.answer(request)
        response["X-RateLimit-Limit"] = str(settings.API_RATE_LIMIT)
        response["X-RateLimit-Remaining"] = str(remaining)
        for name, value in CORS_HEADERS.items():
            response[name] = value
        return response

    def answer(self, request):
        response = self.get_response(request)
        if response.status_code in GENERIC_ERRORS and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allow = response.get("Allow")
            response = json_error(GENERIC_ERRORS[response.status_code], status=response.status_code)
            if allow:
                response["Allow"] = allow
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
            and not response.has_header("ETag")
        ):
            response["ETag"] = 'W/"' + hashlib.blake2b(response.content, digest_size=16).hexdigest() + '"'
            response = get_conditional_response(request, etag=response["ETag"], response=response)
        return response

    @staticmethod
    def count(request):
        """(over the limit?, requests left in the window, seconds until it ends) for this client."""
        limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW
        now = time.time()
        start = int(now // window) * window
        retry_after = max(1, int(start + window - now + 0.999))
        cache_key = f"api-rate:{client_ip(request)}:{start}"
        cache = caches[settings.PAGE_CACHE_ALIAS]
        try:
            if cache.add(cache_key, 1, window + 5):
                used = 1
            else:
                used = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            used = 1
        except Exception:  # the cache is down: serve rather than refuse everyone
            logger.warning("API rate limit unavailable: the cache failed", exc_info=True)
            return False, limit, retry_after
        return used > limit, max(0, limit - used), retry_after
