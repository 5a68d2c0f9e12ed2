"""newsroom.middleware's CommonMiddleware and AuthenticationMiddleware: Django's, hooks called directly,
the Host header checked once per spelling; the same answers as Django's own."""

import pytest
from csp.middleware import CheckableLazyObject
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject, empty

from newsroom.middleware import AuthenticationMiddleware, CommonMiddleware, checked_host, lazy


def page(request):
    return HttpResponse("page")


def test_a_good_host_is_answered_and_a_bad_one_refused_every_time(settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    middleware = CommonMiddleware(page)
    for _ in range(2):  # the second time from what the first check remembered
        assert middleware(RequestFactory().get("/", HTTP_HOST="news.example.org")).status_code == 200
        with pytest.raises(DisallowedHost):
            middleware(RequestFactory().get("/", HTTP_HOST="evil.example"))


def test_a_remembered_host_is_checked_again_when_the_allowed_hosts_change(settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    request = RequestFactory().get("/", HTTP_HOST="news.example.org")
    assert checked_host(request) == "news.example.org"
    settings.ALLOWED_HOSTS = ["other.example.org"]
    with pytest.raises(DisallowedHost):
        checked_host(request)


def test_a_forwarded_host_is_checked_as_django_checks_it(settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    settings.USE_X_FORWARDED_HOST = True
    good = RequestFactory().get("/", HTTP_HOST="evil.example", HTTP_X_FORWARDED_HOST="news.example.org")
    bad = RequestFactory().get("/", HTTP_HOST="news.example.org", HTTP_X_FORWARDED_HOST="evil.example")
    assert checked_host(good) == "news.example.org"
    with pytest.raises(DisallowedHost):
        checked_host(bad)


def test_the_same_response_as_djangos_content_length_and_www(settings):
    for middleware_class in (CommonMiddleware, DjangoCommonMiddleware):
        response = middleware_class(page)(RequestFactory().get("/"))
        assert response["Content-Length"] == "4"
    settings.PREPEND_WWW = True
    settings.ALLOWED_HOSTS = ["example.org"]
    ours = CommonMiddleware(page)(RequestFactory().get("/tags/", HTTP_HOST="example.org"))
    theirs = DjangoCommonMiddleware(page)(RequestFactory().get("/tags/", HTTP_HOST="example.org"))
    assert ours.status_code == theirs.status_code == 301
    assert ours["Location"] == theirs["Location"] == "http://www.example.org/tags/"


@pytest.mark.django_db
def test_a_missing_slash_is_still_redirected_through_the_site(client):
    response = client.get("/tags")
    assert response.status_code == 301 and response["Location"] == "/tags/"


@pytest.mark.django_db
def test_request_user_is_lazy_and_anonymous_as_with_djangos():
    for middleware_class in (AuthenticationMiddleware, DjangoAuthenticationMiddleware):
        request = RequestFactory().get("/")
        seen = {}

        def view(request, seen=seen):
            seen["user"] = request.user
            return HttpResponse("page")

        SessionMiddleware(middleware_class(view))(request)
        assert seen["user"]._wrapped is empty  # not read until used
        assert isinstance(seen["user"]._wrapped if seen["user"].is_anonymous else None, AnonymousUser)


def test_a_lazy_object_made_without_init_is_the_one_its_class_makes():
    for lazy_class in (SimpleLazyObject, CheckableLazyObject):
        ours, theirs = lazy(lazy_class, str.upper.__get__("value")), lazy_class(str.upper.__get__("value"))
        assert type(ours) is type(theirs) and vars(ours) == vars(theirs)
        assert bool(ours) is bool(theirs)  # CheckableLazyObject: False until evaluated
        assert str(ours) == str(theirs) == "VALUE" and ours._wrapped == "VALUE"
