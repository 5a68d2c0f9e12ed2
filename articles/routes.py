"""The address of a route, built one way: from the URLconf, by the route's name.

    route_path("articles:archive_month", 2024, 6)     # "/archive/2024/06/"
    slug_path("articles:tag_detail", "energy")         # "/tags/energy/"

Everything outside the templates (which use {% url %}) builds addresses with these:
get_absolute_url() of the models, views, feeds, sitemaps, the API's links, the old-address
redirects, the admin's messages and the scripts. Both are reverse() with what it works out
remembered per process and script prefix, since a page links the same routes a hundred
times and reverse() would be a noticeable part of its time: `route_path` remembers each
address (routes with few values, such as years and months), `slug_path` splits a slug
route's address around the slug once and puts each slug (quoted) in its place.
"""

import functools
from urllib.parse import quote

from django.urls import get_script_prefix, reverse

_MARKER = "slug-marker"


@functools.lru_cache(maxsize=4096)
def _route_path(view_name, args, script_prefix):
    return reverse(view_name, args=args)


def route_path(view_name, *args):
    """reverse(view_name, args=args), reversed once per process and script prefix."""
    return _route_path(view_name, args, get_script_prefix())


@functools.cache
def _slug_route(view_name, script_prefix):
    return tuple(reverse(view_name, kwargs={"slug": _MARKER}).split(_MARKER))


def slug_route(view_name):
    """The address of the slug route `view_name` split around its slug: ("/tags/", "/")."""
    return _slug_route(view_name, get_script_prefix())


def slug_path(view_name, slug):
    """reverse(view_name, kwargs={"slug": slug}), the route reversed once per process and script prefix."""
    before, after = slug_route(view_name)
    return f"{before}{quote(slug, safe='')}{after}"


def slug_paths(view_name):
    """slug_path(view_name, ·) for many slugs, the route looked up once (get_script_prefix() and
    the cache cost more than the rest): a page of the API's articles links two thousand."""
    before, after = slug_route(view_name)
    return lambda slug: f"{before}{quote(slug, safe='')}{after}"
