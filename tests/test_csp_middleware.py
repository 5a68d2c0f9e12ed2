"""newsroom.middleware.CSPMiddleware: django-csp's headers, the site's policy built once."""

import pytest
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from newsroom.middleware import CSPMiddleware, site_policy

from .factories import ArticleFactory


def respond(middleware_class, view=None, path="/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view or (lambda request: HttpResponse("page")))
    return middleware(request)


@pytest.mark.django_db
def test_a_page_gets_the_policy_django_csp_gives_it(client):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert response["Content-Security-Policy"] == respond(DjangoCSPMiddleware)["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_same_headers_as_django_csp_with_and_without_a_report_only_policy(settings):
    for configured in (None, {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp/"}}):
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = configured
        ours, theirs = respond(CSPMiddleware), respond(DjangoCSPMiddleware)
        for header in ("Content-Security-Policy", "Content-Security-Policy-Report-Only"):
            assert ours.get(header) == theirs.get(header), header
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}  # read again when changed
    assert respond(CSPMiddleware)["Content-Security-Policy"] == "default-src 'none'"
    assert site_policy()[0] == "default-src 'none'"


def test_a_view_with_its_own_policy_or_a_nonce_is_left_to_django_csp():
    @csp_update({"img-src": ["https://images.example"]})
    def own_policy(request):
        return HttpResponse("page")

    assert "https://images.example" in respond(CSPMiddleware, own_policy)["Content-Security-Policy"]

    def with_nonce(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    # (Where a directive lists csp.constants.NONCE, django-csp puts the nonce in the header.)
    ours, theirs = respond(CSPMiddleware, with_nonce), respond(DjangoCSPMiddleware, with_nonce)
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]


def test_excluded_prefixes_and_exempt_responses_get_no_header(settings):
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/outside/"]}
    assert "Content-Security-Policy" not in respond(CSPMiddleware, path="/outside/page")

    def exempt(request):
        response = HttpResponse("page")
        response._csp_exempt = True
        return response

    assert "Content-Security-Policy" not in respond(CSPMiddleware, exempt)
