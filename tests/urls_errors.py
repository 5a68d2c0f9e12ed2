"""The site's URLconf plus two views that fail, for the error-page tests (tests/test_security.py)."""

from django.db import OperationalError
from django.urls import path

from newsroom.urls import handler500
from newsroom.urls import urlpatterns as site_urlpatterns

SECRET_DETAIL = "/srv/newsroom/secret/path.py settings.SECRET_KEY=do-not-show"


def crash(request):
    raise ValueError(f"something broke near {SECRET_DETAIL}")


def database_down(request):
    raise OperationalError(f'connection to server at "db.internal" (10.0.0.5), port 5432 failed: {SECRET_DETAIL}')


urlpatterns = [
    path("test-crash/", crash),
    path("test-database-down/", database_down),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
