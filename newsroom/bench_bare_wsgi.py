"""WSGI entry for `scripts/bench.py` only: a bare Django view, the ceiling of any Django page here.

Served with the site's gunicorn settings (`gunicorn newsroom.bench_bare_wsgi`, reading
gunicorn.conf.py: the same workers and access log), it answers `/bare/` with a few bytes
through Django with nothing of the project: no middleware, no database, no templates,
no apps. Beside it the benchmark shows the project's minimal view (newsroom/bench_wsgi.py:
the site's whole middleware stack) and the site's pages, each as a ratio to this one.
The site itself (`gunicorn newsroom.wsgi`) never routes here.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def bare(request):
    return HttpResponse("Hello from Django.\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bare/", bare, name="bare")]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-view-only",  # noqa: S106 - signs nothing: no sessions, no forms
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_TZ=True,
)
application = get_wsgi_application()
