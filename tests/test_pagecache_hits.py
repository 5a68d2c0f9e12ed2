"""What a stored page costs: its lookup is the request's only round trip to PostgreSQL (it stands
in for Django's CONN_HEALTH_CHECKS `SELECT 1`), and a connection cut under it is replaced."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import patch_cache_control

from articles.pagecache import PageCacheMiddleware

from .factories import ArticleFactory


@pytest.fixture
def health_checks_seen(monkeypatch):
    """Django's health checks on this connection (each is a `SELECT 1` round trip), as a list."""
    seen = []
    check = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: seen.append("SELECT 1") or check())
    return seen


def next_request():
    """What Django does between two requests on a persistent connection (the test client skips it)."""
    connection.health_check_done = False


# Outside a test transaction: Django checks a connection's health only between requests, outside one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stored_page_is_one_round_trip_and_survives_a_cut_connection(client, settings, health_checks_seen):
    settings.PAGE_CACHE_STORE = "database"
    url = ArticleFactory().get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"

    next_request()
    response = client.get(url)
    assert response.status_code == 200 and response["X-Cache"] == "hit"
    assert health_checks_seen == []  # the lookup was the check

    next_request()
    connection.connection.close()  # the server cut it (a restart, a failover), unknown to Django
    response = client.get(url)
    assert response.status_code == 200 and response["X-Cache"] == "hit"
    assert health_checks_seen == ["SELECT 1"]  # asked only after the lookup failed, then a new connection


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_outside_the_cache_keep_djangos_check(client, settings, health_checks_seen):
    settings.PAGE_CACHE_ENABLED = False
    url = ArticleFactory().get_absolute_url()
    assert client.get(url).status_code == 200
    next_request()
    assert client.get(url).status_code == 200
    assert health_checks_seen == ["SELECT 1"]


def test_a_stored_page_answers_with_the_headers_patch_cache_control_gives():
    for stored, expected in (([], "no-cache"), ([("Cache-Control", "max-age=60")], "max-age=60, no-cache")):
        entry = {"content": b"page", "headers": [("Content-Type", "text/html"), *stored], "etag": 'W/"1"'}
        entry["rendered_at"] = 1_700_000_000
        response = PageCacheMiddleware.from_entry(RequestFactory().get("/"), entry, "hit")
        reference = HttpResponse(b"page", headers=dict(stored))
        patch_cache_control(reference, no_cache=True)
        assert response["Cache-Control"] == reference["Cache-Control"] == expected
        assert response["ETag"] == 'W/"1"' and response["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
        conditional = RequestFactory().get("/", HTTP_IF_NONE_MATCH='W/"1"')
        assert PageCacheMiddleware.from_entry(conditional, entry, "hit").status_code == 304
