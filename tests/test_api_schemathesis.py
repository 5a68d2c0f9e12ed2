"""Schemathesis against the API's own OpenAPI schema: requests generated from the schema (every
route, parameters of every documented type) never get a 500, and every answer matches the schema
(status, content type, body, headers).

One check is left out on purpose: positive_data_acceptance expects any schema-valid request to
succeed, but a well-formed slug of a tag, author or entity that does not exist is a 400 naming the
parameter (the schema cannot list the slugs)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from articles.api import api
from articles.models import Entity

from .factories import ArticleFactory, EntityFactory

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()  # requests go through the whole middleware stack, in-process


@pytest.fixture
def archive(settings):
    settings.API_RATE_LIMIT = 10**6
    settings.ALLOWED_HOSTS = ["*"]
    # The WSGI handler would close the test's connection (and its transaction) around each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    poland = EntityFactory(name="Poland", kind=Entity.Kind.PLACE)
    for i in range(3):
        ArticleFactory(tags=["energy"], entities=[poland], title=f"Grid story {i}")
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("API_SCHEMATHESIS_EXAMPLES", "30")),  # per route; more for a longer hunt
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_answers_match_the_schema(case, archive):
    # Uncompressed: the WSGI transport hands the body over as sent, and the site gzips for any client
    # that accepts it (GZipMiddleware), as the requests library says it does by default.
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance])
