"""Site-wide middleware: Django's and django-csp's, with the work a reader's request never
needs left undone (the policy built once, message storage made only when used, the Host
header checked once per spelling, hooks called directly).

Django's MiddlewareMixin asks, on every request, whether each hook exists; where one does not,
that is an AttributeError raised and caught. The subclasses here call their hooks directly and
are sync-only (`async_capable = False`): under ASGI Django adapts them, as any sync middleware.
SecurityMiddleware, CsrfViewMiddleware, XFrameOptionsMiddleware and SessionMiddleware stay
Django's own: `check --deploy` looks for them by name (a subclass would silence its warnings).
"""

import functools
import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware import common
from django.utils.functional import SimpleLazyObject, empty

# What a view or the request may set to change its own policy (django-csp's decorators, a nonce).
_PER_RESPONSE = frozenset(
    ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
)


def lazy(lazy_class, func):
    """`lazy_class(func)` for SimpleLazyObject or a subclass, made without its __init__.

    Three are made for every request (the user, the message storage, the CSP nonce), and
    LazyObject's __init__ goes through its own __setattr__ and, for `self.__dict__`, its
    Python __getattribute__: each cost as much as a response header. The object is the same:
    an instance whose __dict__ holds the function and the `empty` marker.
    """
    obj = lazy_class.__new__(lazy_class)
    object.__setattr__(obj, "_setupfunc", func)
    object.__setattr__(obj, "_wrapped", empty)
    return obj


@functools.cache
def site_policy():
    """(Content-Security-Policy, its report-only twin) as the settings make them; "" for none."""
    return build_policy(), build_policy(report_only=True)


@functools.cache
def _site_headers():
    """(header, value, the attribute exempting a response, path prefixes excluded) of each policy set."""
    headers = []
    for header, value, exempt, setting in zip(
        (HEADER, HEADER_REPORT_ONLY),
        site_policy(),
        ("_csp_exempt", "_csp_exempt_ro"),
        ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        strict=True,
    ):
        if value:
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            headers.append((header, value, exempt, tuple(prefixes)))
    return tuple(headers)


# A Host header -> the host, once request.get_host() has accepted it (ALLOWED_HOSTS, DEBUG).
_checked_hosts = {}
_CHECKED_HOSTS_MAX = 64  # a wildcard in ALLOWED_HOSTS admits any number of spellings


def checked_host(request):
    """request.get_host(), its check against ALLOWED_HOSTS done once per Host header.

    The check (three settings, a regular expression, each allowed pattern) is as costly as
    building the request; the answer depends only on the header and the settings. Raises
    DisallowedHost as get_host() does. A request with X-Forwarded-Host or without a Host
    header is asked of get_host() every time.
    """
    meta = request.META
    raw = meta.get("HTTP_HOST")
    if raw is None or "HTTP_X_FORWARDED_HOST" in meta:
        return request.get_host()
    host = _checked_hosts.get(raw)
    if host is None:
        host = request.get_host()
        if len(_checked_hosts) >= _CHECKED_HOSTS_MAX:
            _checked_hosts.clear()
        _checked_hosts[raw] = host
    return host


@functools.cache
def _common_rewrites():
    """Whether CommonMiddleware has anything to do before the view beyond the Host check."""
    return bool(settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW)


@receiver(setting_changed)
def _forget_settings(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policy.cache_clear()
        _site_headers.cache_clear()
    _checked_hosts.clear()
    _common_rewrites.cache_clear()


class CommonMiddleware(common.CommonMiddleware):
    """Django's (the Host check, DISALLOWED_USER_AGENTS, PREPEND_WWW, APPEND_SLASH, Content-Length),
    the Host header checked once per spelling (checked_host) and its hooks called directly.

    A bad Host header is still a DisallowedHost (a 400) on every request that sends it.
    """

    async_capable = False

    def __call__(self, request):
        response = self.process_request(request) or self.get_response(request)
        return self.process_response(request, response)

    def process_request(self, request):
        if _common_rewrites():
            return super().process_request(request)
        checked_host(request)
        return None


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's (request.user and request.auser, both lazy), its hook called directly."""

    async_capable = False

    def __call__(self, request):
        self.process_request(request)
        return self.get_response(request)

    def process_request(self, request):
        if not hasattr(request, "session"):
            return super().process_request(request)  # Django's error: sessions must come first
        request.user = lazy(SimpleLazyObject, lambda: auth_middleware.get_user(request))
        request.auser = functools.partial(auth_middleware.auser, request)
        return None


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the site's policy built once per process instead of per response.

    django-csp builds both headers from the settings for every response: a quarter of the time
    of the benchmark's minimal view. The site's pages take no nonce and no policy of their own,
    so their headers are always the same; a response that does (a csp decorator, a template that
    asked for a nonce) is left to django-csp. Same headers, same exemptions and exclusions.
    """

    async_capable = False

    def __init__(self, get_response):
        super().__init__(get_response)
        # As django-csp: a nonce asked for after the header is written is an error, not a silent
        # gap. The object holds nothing of a request (it only raises), so one serves them all.
        self._nonce_after_response = CheckableLazyObject(self._csp_nonce_post_response)

    def process_response(self, request, response):
        # Attributes the csp decorators set on the response (in its __dict__).
        if getattr(request, "_csp_nonce", None) is not None or not _PER_RESPONSE.isdisjoint(vars(response)):
            return super().process_response(request, response)
        if response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND) and settings.DEBUG:
            return response
        path = request.path_info
        for header, value, exempt, prefixes in _site_headers():
            if getattr(response, exempt, False) is False and header not in response and not path.startswith(prefixes):
                response[header] = value
        request.csp_nonce = self._nonce_after_response
        return response

    def __call__(self, request):
        self.process_request(request)
        return self.process_response(request, self.get_response(request))

    def process_request(self, request):
        request.csp_nonce = lazy(CheckableLazyObject, functools.partial(self._make_nonce, request))


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's, with the message storage made when something first uses it.

    Django's makes it for every request: the cookie and session storages and a cookie signer,
    the most costly part of a reader's request in the benchmark's minimal view, for pages
    that never show or add a message. A storage nobody used stores nothing at the end
    (it has neither read nor added any), so leaving it unmade changes no response.
    """

    async_capable = False

    def __call__(self, request):
        self.process_request(request)
        return self.process_response(request, self.get_response(request))

    def process_request(self, request):
        request._messages = lazy(SimpleLazyObject, lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
