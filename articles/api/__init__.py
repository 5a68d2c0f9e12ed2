"""The read-only JSON API, /api/v1/ (django-ninja): public articles, entities, authors and tags.

- queries.py  what is read, from the site's own public QuerySets (one visibility rule);
- schemas.py  the shapes of the answers, from which the OpenAPI schema is generated;
- endpoints.py the routes: parameters in, schemas out;
- middleware.py rate limit per address, CORS for GET, JSON for every error under /api/,
  and ETag/conditional GET for answers the page cache does not keep;
- docs.py     /api/docs/, a reference page rendered on the server from the schema.

Errors are JSON, `{"message": …, "parameter": …}`, with 400 for a bad parameter,
404 for an unknown address or slug, 405 for a method other than GET/HEAD and 429
past the rate limit. Readers' answers go through the page cache
(articles/pagecache.py) like the site's pages: `ETag`, `Last-Modified`, 304s.
"""

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError

from ..routes import route_path, slug_paths
from .queries import ApiError

logger = logging.getLogger(__name__)

NAMESPACE = "api"

api = NinjaAPI(
    title="Newsroom API",
    version="1",
    description=(
        "Read-only access to the public archive: articles, the people, places and organisations "
        "they mention, authors and tags. Anonymous, rate-limited per address; errors are JSON "
        "with a message and the offending parameter."
    ),
    urls_namespace=NAMESPACE,
    docs_url=None,  # the reference page is /api/docs/, rendered by the site itself (docs.py)
)


def error_response(request, message, parameter=None, *, status):
    return api.create_response(request, {"message": message, "parameter": parameter}, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return error_response(request, exc.message, exc.parameter, status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    """Ninja's parameter validation (a number that is not one, a date that is not a date): 400."""
    error = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
    parameter = loc[0] if loc else None
    detail = error.get("msg", "invalid value")
    message = f"{parameter}: {detail}." if parameter else f"{detail}."
    return error_response(request, message, parameter, status=400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, "Not found.", None, status=404)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    """A bug: logged with its traceback, answered with a JSON 500 that reveals nothing."""
    logger.exception("API error on %s", request.path)
    return error_response(request, "Something went wrong on our side; it has been logged.", None, status=500)


class Links:
    """Absolute addresses for one request: the site's pages and the API's own resources."""

    def __init__(self, request):
        self.origin = f"{request.scheme}://{request.get_host()}"
        self._slug_paths = {}  # view name -> (slug -> its address), for this request

    def site(self, path):
        return self.origin + path

    def page(self, name, slug):
        """The site's page of an article, author, tag or entity ("article", "author"…) by its slug."""
        return self._with_slug(f"articles:{name}_detail", slug)

    def api(self, name, slug=None):
        """The address of an API route by its name ("articles", "article" with a slug…)."""
        if slug is None:
            return self.origin + route_path(f"{NAMESPACE}:{name}")
        return self._with_slug(f"{NAMESPACE}:{name}", slug)

    def pages(self, name):
        """page(name, ·) for many slugs: a page of 100 articles links about 2,000 authors, tags and
        entities, two addresses each."""
        return self._slugs(f"articles:{name}_detail")

    def apis(self, name):
        """api(name, ·) for many slugs."""
        return self._slugs(f"{NAMESPACE}:{name}")

    def _with_slug(self, view_name, slug):
        return self._slugs(view_name)(slug)

    def _slugs(self, view_name):
        """origin + slug_path(view_name, ·), the route looked up once per request; each address made
        once per request (the same entities recur across a page's articles)."""
        address = self._slug_paths.get(view_name)
        if address is None:
            origin, path, made = self.origin, slug_paths(view_name), {}

            def address(slug):
                url = made.get(slug)
                if url is None:
                    url = made[slug] = origin + path(slug)
                return url

            self._slug_paths[view_name] = address
        return address


from . import endpoints  # noqa: E402 - registers the routes on `api`


def urls():
    """The API's URL patterns (include them at /api/v1/), each telling the page cache which
    query parameters its route reads (articles/pagecache.py keys pages on those only)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        params = endpoints.CACHE_QUERY_PARAMS.get(pattern.name)
        if params is not None:
            pattern.callback.cache_query_params = params
    return patterns, app_name, namespace
