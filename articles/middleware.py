"""Request handling that sits around the public views without changing them.

`SlugRedirectMiddleware` answers a 404 for an old address of a merged or renamed
article, author, tag or entity with a permanent redirect to the page that took
it over (like django.contrib.redirects' fallback middleware, but keyed on slugs,
so every page below the old address, a feed for instance, follows too). Only
while that page is public: an old address of an article that is now a draft, or
of an author known only from drafts, stays a 404 (its new slug would reveal it).

`client_ip` is how the login throttle (django-axes) tells clients apart, also
behind reverse proxies; `LoginThrottle` adds its limit per address.
"""

import ipaddress
import re

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve

from .models import SlugRedirect
from .routes import slug_route

# The detail route whose address starts every page of one kind of row.
DETAIL_ROUTES = {
    SlugRedirect.Kind.ARTICLE: "articles:article_detail",
    SlugRedirect.Kind.AUTHOR: "articles:author_detail",
    SlugRedirect.Kind.TAG: "articles:tag_detail",
    SlugRedirect.Kind.ENTITY: "articles:entity_detail",
}
# What a stored slug can look like; anything else (NUL bytes, 5,000 characters) is never looked up.
_SLUG = re.compile(rf"[-a-zA-Z0-9_]{{1,{SlugRedirect._meta.get_field('old_slug').max_length}}}")


def _prefixes():
    """Kind -> the address before the slug ("/authors/"), from the URLconf itself."""
    return {kind: slug_route(route)[0] for kind, route in DETAIL_ROUTES.items()}


class SlugRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        new_path = self.new_path(request.path)
        if new_path is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{new_path}?{query}" if query else new_path)

    @staticmethod
    def new_path(path):
        """Where an old address now lives, or None. One indexed query, only for 404s under a known prefix."""
        for kind, prefix in _prefixes().items():
            if not path.startswith(prefix):
                continue
            old_slug, slash, rest = path[len(prefix) :].partition("/")
            if not slash or not _SLUG.fullmatch(old_slug):
                return None
            field = SlugRedirect.TARGET_FIELDS[kind]
            redirect = (
                SlugRedirect.objects.with_public_target()
                .filter(kind=kind, old_slug=old_slug)
                .select_related(field)
                .first()
            )
            if redirect is None:
                return None
            new_path = redirect.target.get_absolute_url() + rest
            if new_path == path:
                return None
            try:
                resolve(new_path)
            except Resolver404:
                return None
            return new_path
        return None


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler with a second limit, per address.

    Axes locks the (username, address) pair after AXES_FAILURE_LIMIT failures; alone,
    that lets one address try any number of usernames. Here an address is locked out
    too once its failures for all usernames together reach AXES_ADDRESS_FAILURE_LIMIT
    within the cool-off time. (Axes' own combined parameters, [["username",
    "ip_address"], "ip_address"], would put both under one limit: five failures from a
    newsroom's shared address would lock everyone in it out.)
    """

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        limit = settings.AXES_FAILURE_LIMIT
        if failures >= limit or not getattr(request, "axes_ip_address", None):
            return failures
        recent = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        from_address = recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return limit if from_address >= settings.AXES_ADDRESS_FAILURE_LIMIT else failures


def client_ip(request):
    """The client's IP address, as django-axes should count it.

    Directly exposed, that is REMOTE_ADDR. Behind N reverse proxies
    (settings.TRUSTED_PROXY_COUNT = N, from the environment), it is the address
    the outermost of them saw: the N-th entry from the right of X-Forwarded-For.
    Entries further left are whatever the client sent and are never trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not routed through all the proxies we expect: count the peer itself
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
